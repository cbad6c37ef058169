//! Ring cases over the API: the accounts linked to a banned merchant's
//! owner or a block-listed user, their withdrawals and payouts held
//! together with the identifiers that link them; an analyst releases or
//! bans them member by member, once per `Idempotency-Key` (releasing lets
//! money out, banning sends it back).

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use trigate_app::ops;
use trigate_core::UserId;
use trigate_core::risk::{RiskQuery, RiskView};

use super::AppState;
use super::answers::CaseAnswer;
use super::auth::SignedIn;
use super::error::ApiError;
use super::openapi::ErrorBody;
use super::risk_api::{Done, Page, desk, invalid, unexpected};
use super::routes::{Body, Id, Params, mark_replayed, once};

/// Ring cases, newest first: open ones, or all (`status=all`).
#[utoipa::path(get, path = "/api/v1/risk/cases", tag = "risk", params(Page),
    responses((status = 200, description = "Ring cases with their members, evidence and holds", body = [CaseAnswer]),
        (status = 422, description = "An unknown status", body = ErrorBody)))]
pub(super) async fn cases(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Params(page): Params<Page>,
) -> Result<Json<Vec<CaseAnswer>>, ApiError> {
    let open = match page.status.as_deref() {
        None | Some("open") => true,
        Some("all") => false,
        Some(other) => return Err(invalid("status", other, "open, all")),
    };
    let q = RiskQuery::Cases {
        open,
        before: page.before,
        limit: page.limit.unwrap_or(50),
    };
    match desk(&state, caller, q).await? {
        RiskView::Cases(v) => Ok(Json(v.iter().map(CaseAnswer::from).collect())),
        other => Err(unexpected(&other)),
    }
}

/// One ring case.
#[utoipa::path(get, path = "/api/v1/risk/cases/{id}", tag = "risk",
    params(("id" = u64, Path)),
    responses((status = 200, description = "The case", body = CaseAnswer),
        (status = 404, description = "No such case", body = ErrorBody)))]
pub(super) async fn case(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
) -> Result<Json<CaseAnswer>, ApiError> {
    match desk(&state, caller, RiskQuery::Case { id }).await? {
        RiskView::Case(v) => Ok(Json((&*v).into())),
        other => Err(unexpected(&other)),
    }
}

/// One member of a case, and why.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    /// The member's user id.
    pub user: u64,
    /// Why (1 to 500 characters).
    pub note: String,
}

async fn decide(
    state: AppState,
    caller: trigate_app::Caller,
    headers: &HeaderMap,
    case: u64,
    ban: bool,
    body: MemberBody,
) -> Result<Response, ApiError> {
    let route = if ban { "case_ban" } else { "case_release" };
    let once = once(headers, route, &(case, body.user, &body.note))?;
    let change = ops::DecideCaseMember {
        case,
        member: UserId(body.user),
        ban,
        note: body.note,
    };
    let replied = state.app.change_once(caller, &once, change).await?;
    Ok(mark_replayed(
        Json(Done { done: true }).into_response(),
        replied.replayed,
    ))
}

/// Releases a member: its held withdrawals go on to finance, its held
/// payouts may start. Once per `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/risk/cases/{id}/release", tag = "risk",
    params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")),
    request_body = MemberBody,
    responses((status = 200, description = "Released", body = Done),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 422, description = "Not a member, decided already, or no note", body = ErrorBody)))]
pub(super) async fn release(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
    Body(body): Body<MemberBody>,
) -> Result<Response, ApiError> {
    decide(state, caller, &headers, id, false, body).await
}

/// Bans a member: its held withdrawals end (their money back in its
/// balance), its held payouts return to their source, the account goes on
/// the block list and its merchant is banned. Once per `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/risk/cases/{id}/ban", tag = "risk",
    params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")),
    request_body = MemberBody,
    responses((status = 200, description = "Banned", body = Done),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 422, description = "Not a member, decided already, or no note", body = ErrorBody)))]
pub(super) async fn ban(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
    Body(body): Body<MemberBody>,
) -> Result<Response, ApiError> {
    decide(state, caller, &headers, id, true, body).await
}
