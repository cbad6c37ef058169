//! Custody over HTTP: coverage and the outflow stop (admins stop and lift
//! it; two different admins lift it), losses booked by finance, and
//! top-ups of custody with a second member of finance.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use trigate_app::ops;
use trigate_core::Approvable;

use super::AppState;
use super::answers::{ApprovalStatusAnswer, CustodyAnswer};
use super::approvals::{TopUpBody, ask_top_up};
use super::auth::SignedIn;
use super::error::ApiError;
use super::openapi::ErrorBody;
use super::routes::{Body, currency, once};

/// Coverage per currency, the outflow stop, losses (admins, finance and
/// auditors).
#[utoipa::path(get, path = "/api/v1/admin/custody", tag = "admin",
    responses((status = 200, description = "Coverage and the outflow stop", body = CustodyAnswer),
        (status = 403, description = "Not admin, finance or an auditor", body = ErrorBody)))]
pub(super) async fn custody(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<CustodyAnswer>, ApiError> {
    answer(&state, caller).await
}

/// Custody as it stands after a request.
async fn answer(
    state: &AppState,
    caller: trigate_app::Caller,
) -> Result<Json<CustodyAnswer>, ApiError> {
    let view = state.app.read(caller, ops::Custody).await?;
    Ok(Json((&view).into()))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopBody {
    /// Why (kept in the audit log).
    note: String,
}

/// An admin stops every outflow (withdrawals, payouts, refunds through
/// channels) by hand.
#[utoipa::path(post, path = "/api/v1/admin/outflows/stop", tag = "admin",
    request_body = StopBody,
    responses((status = 200, description = "Outflows stopped", body = CustodyAnswer),
        (status = 403, description = "Not an admin", body = ErrorBody)))]
pub(super) async fn stop(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Body(body): Body<StopBody>,
) -> Result<Json<CustodyAnswer>, ApiError> {
    let stop = ops::StopOutflows { note: body.note };
    state.app.change(caller, stop).await?;
    answer(&state, caller).await
}

/// An admin asks to lift the stop: a second, different admin lifts it (a
/// coverage stop only while coverage holds).
#[utoipa::path(post, path = "/api/v1/admin/outflows/lift", tag = "admin",
    responses((status = 200, description = "The stop as it stands: lifted, or waiting for a second admin", body = CustodyAnswer),
        (status = 403, description = "Not an admin", body = ErrorBody)))]
pub(super) async fn lift(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<CustodyAnswer>, ApiError> {
    state.app.change(caller, ops::LiftOutflows).await?;
    answer(&state, caller).await
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LossBody {
    #[schema(pattern = "^[A-Z]{3}$")]
    currency: String,
    #[schema(minimum = 1)]
    amount: u64,
    /// What it was (a payout paid twice, a chargeback).
    note: String,
}

/// Finance books a loss the platform bears, out of custody. If coverage
/// fails then, outflows stop.
#[utoipa::path(post, path = "/api/v1/admin/losses", tag = "admin",
    request_body = LossBody,
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, description = "Booked; coverage and the outflow stop after", body = CustodyAnswer),
        (status = 403, description = "Not finance", body = ErrorBody)))]
pub(super) async fn book_loss(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Body(body): Body<LossBody>,
) -> Result<Json<CustodyAnswer>, ApiError> {
    let currency = currency(&body.currency)?;
    let once = once(&headers, "book_loss", &body)?;
    let loss = ops::BookLoss {
        currency,
        amount: body.amount,
        note: body.note,
    };
    state.app.change_once(caller, &once, loss).await?;
    answer(&state, caller).await
}

/// Finance asks to move the platform's own money into custody (what
/// restores coverage after a loss); another member of finance approves it.
#[utoipa::path(post, path = "/api/v1/admin/custody/top-ups", tag = "admin",
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
    let action = |currency, amount| Approvable::CustodyTopUp { currency, amount };
    ask_top_up(&state, caller, (&headers, "custody_top_up"), &body, action).await
}
