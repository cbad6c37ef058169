//! Four eyes over HTTP: what waits for a second member of staff, approving
//! or rejecting it, and finance asking to top the reserve up.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use trigate_core::ApprovalId;

use super::AppState;
use super::answers::{ApprovalStatusAnswer, Approvals};
use super::auth::SignedIn;
use super::error::ApiError;
use super::openapi::ErrorBody;
use super::routes::{Body, Id, currency, once};

/// Actions waiting for a second approval (finance and admins).
#[utoipa::path(get, path = "/api/v1/admin/approvals", tag = "admin",
    responses((status = 200, description = "Waiting approvals, oldest first", body = Approvals),
        (status = 403, description = "Not finance", body = ErrorBody)))]
pub(super) async fn waiting(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<Approvals>, ApiError> {
    let list = state.app.waiting_approvals(caller).await?;
    Ok(Json(Approvals {
        approvals: list.iter().map(Into::into).collect(),
    }))
}

/// A second member of finance (or an admin), never the one who asked,
/// approves: the action runs now, as asked.
#[utoipa::path(post, path = "/api/v1/admin/approvals/{id}/approve", tag = "admin",
    params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, description = "Approved, and done", body = ApprovalStatusAnswer),
        (status = 403, description = "Not finance, or the one who asked", body = ErrorBody)))]
pub(super) async fn approve(
    state: State<AppState>,
    caller: SignedIn,
    headers: HeaderMap,
    id: Id,
) -> Result<Json<ApprovalStatusAnswer>, ApiError> {
    decide(state, caller, headers, id, true).await
}

/// A second member of finance (or an admin) rejects: nothing moves.
#[utoipa::path(post, path = "/api/v1/admin/approvals/{id}/reject", tag = "admin",
    params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, description = "Rejected", body = ApprovalStatusAnswer),
        (status = 403, description = "Not finance, or the one who asked", body = ErrorBody)))]
pub(super) async fn reject(
    state: State<AppState>,
    caller: SignedIn,
    headers: HeaderMap,
    id: Id,
) -> Result<Json<ApprovalStatusAnswer>, ApiError> {
    decide(state, caller, headers, id, false).await
}

async fn decide(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
    approve: bool,
) -> Result<Json<ApprovalStatusAnswer>, ApiError> {
    let once = once(&headers, "decide_approval", &(id, approve))?;
    state
        .app
        .decide_approval(caller, &once, ApprovalId(id), approve)
        .await?;
    Ok(Json(ApprovalStatusAnswer {
        approval: id,
        status: if approve { "approved" } else { "rejected" },
    }))
}

/// Money to put in, in one currency.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopUpBody {
    #[schema(pattern = "^[A-Z]{3}$")]
    currency: String,
    #[schema(minimum = 1)]
    amount: u64,
}

/// Asks for a top-up, under the request's Idempotency-Key: `202`, waiting
/// for a second member of finance.
pub(super) async fn ask_top_up(
    state: &AppState,
    caller: trigate_app::Caller,
    (headers, route): (&HeaderMap, &str),
    body: &TopUpBody,
    action: fn(trigate_core::Currency, u64) -> trigate_core::Approvable,
) -> Result<(StatusCode, Json<ApprovalStatusAnswer>), ApiError> {
    let currency = currency(&body.currency)?;
    let once = once(headers, route, body)?;
    ask_approval(state, caller, &once, action(currency, body.amount)).await
}

/// Asks a second member of staff to approve `action`: `202`, waiting.
pub(super) async fn ask_approval(
    state: &AppState,
    caller: trigate_app::Caller,
    once: &trigate_app::Once,
    action: trigate_core::Approvable,
) -> Result<(StatusCode, Json<ApprovalStatusAnswer>), ApiError> {
    let id = state
        .app
        .change_once(caller, once, trigate_app::ops::AskApproval { action })
        .await?
        .reply;
    Ok((
        StatusCode::ACCEPTED,
        Json(ApprovalStatusAnswer {
            approval: id.0,
            status: "waiting",
        }),
    ))
}

/// Finance asks to put money into the reserve (into custody); another
/// member of finance approves it.
#[utoipa::path(post, path = "/api/v1/admin/reserve/top-ups", tag = "admin",
    request_body = TopUpBody,
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 202, description = "Waiting for a second member of finance", body = ApprovalStatusAnswer),
        (status = 403, description = "Not finance", body = ErrorBody)))]
pub(super) async fn top_up(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Body(body): Body<TopUpBody>,
) -> Result<(StatusCode, Json<ApprovalStatusAnswer>), ApiError> {
    let action = |currency, amount| trigate_core::Approvable::ReserveTopUp { currency, amount };
    ask_top_up(&state, caller, (&headers, "reserve_top_up"), &body, action).await
}
