//! Finance's view of money sent back through channels whose outcome is not
//! known — in flight, or the channel's answer lost — and resolving each as
//! sent or not sent, by hand or by asking the channel.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use trigate_app::payments::Resolution;
use trigate_core::SendId;

use super::AppState;
use super::answers::{OpenSends, SendResolved};
use super::auth::SignedIn;
use super::error::ApiError;
use super::openapi::ErrorBody;
use super::routes::{Body, Id};

/// Sends whose outcome is not known (finance and admins).
#[utoipa::path(get, path = "/api/v1/admin/sends", tag = "admin",
    responses((status = 200, description = "Open sends, oldest first", body = OpenSends),
        (status = 403, description = "Not finance", body = ErrorBody)))]
pub(super) async fn open_sends(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<OpenSends>, ApiError> {
    let sends = state.app.open_sends(caller).await?;
    Ok(Json(OpenSends {
        sends: sends.iter().map(Into::into).collect(),
    }))
}

/// How to resolve a send.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The channel sent it (checked by hand).
    Sent,
    /// The channel did not send it: it stays owed.
    NotSent,
    /// Ask the channel, where it can say, and record its answer.
    AskChannel,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    outcome: Outcome,
}

/// Finance resolves a send whose outcome is not known. Audited. It takes
/// no `Idempotency-Key`: a send is resolved once, a second call is refused.
#[utoipa::path(post, path = "/api/v1/admin/sends/{id}/resolve", tag = "admin",
    params(("id" = u64, Path)),
    request_body = ResolveBody,
    responses((status = 200, description = "The send as resolved", body = SendResolved),
        (status = 403, description = "Not finance", body = ErrorBody),
        (status = 422, description = "No such send, it is resolved already, or its channel cannot say", body = ErrorBody),
        (status = 502, description = "The channel could not be asked", body = ErrorBody)))]
pub(super) async fn resolve(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
    Body(body): Body<ResolveBody>,
) -> Result<Json<SendResolved>, ApiError> {
    let how = match body.outcome {
        Outcome::Sent => Resolution::Sent,
        Outcome::NotSent => Resolution::NotSent,
        Outcome::AskChannel => Resolution::AskChannel,
    };
    let sent = state.app.resolve_send(caller, SendId(id), how).await?;
    Ok(Json(SendResolved {
        send: id,
        reference: format!("R{id}"),
        status: if sent { "sent" } else { "not_sent" },
    }))
}
