//! Money between custody and the outside over HTTP: finance books what a
//! channel paid (a statement line at once, a bank credit with a second
//! approval), sweeps earned fees, and credits or forfeits merchants'
//! deposits with a second approval; a merchant pays its deposit in through
//! a channel.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use trigate_app::ops;
use trigate_core::{Approvable, MerchantId, SettlementSource};

use super::AppState;
use super::answers::{ApprovalStatusAnswer, CustodyAnswer, PaymentStarted};
use super::approvals::ask_approval;
use super::auth::SignedIn;
use super::error::ApiError;
use super::openapi::ErrorBody;
use super::routes::{Body, Id, currency, once};

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettlementBody {
    /// The channel that paid.
    channel: String,
    /// The statement line's or the bank's reference (each booked once per
    /// channel).
    reference: String,
    #[schema(pattern = "^[A-Z]{3}$", example = "CNY")]
    currency: String,
    /// What buyers paid that the channel settles, in minor units.
    #[schema(minimum = 1)]
    gross: u64,
    /// What the channel kept of it.
    fee: u64,
    /// `statement` (booked at once) or `bank_credit` (booked once a second
    /// member of finance approves).
    #[schema(value_type = String, pattern = "^(statement|bank_credit)$")]
    source: SettlementSource,
}

/// The settlement entered, and the approval a bank credit waits for.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SettlementEntered {
    pub settlement: u64,
    /// `booked`, or `waiting` for a second member of finance.
    pub status: &'static str,
    pub approval: Option<u64>,
}

/// Finance books what a channel paid the platform: clearing → custody,
/// the channel's fee to `channel_fees`.
#[utoipa::path(post, path = "/api/v1/admin/settlements", tag = "admin",
    request_body = SettlementBody,
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, description = "Booked (a statement line)", body = SettlementEntered),
        (status = 202, description = "Waiting for a second member of finance (a bank credit)", body = SettlementEntered),
        (status = 403, description = "Not finance", body = ErrorBody),
        (status = 409, description = "This channel's reference is booked already (`settlement_duplicate`)", body = ErrorBody),
        (status = 422, description = "More than clearing holds, or a fee above the amount", body = ErrorBody)))]
pub(super) async fn book_settlement(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Body(body): Body<SettlementBody>,
) -> Result<(StatusCode, Json<SettlementEntered>), ApiError> {
    let book = ops::BookSettlement {
        channel: body.channel.clone(),
        reference: body.reference.clone(),
        currency: currency(&body.currency)?,
        gross: body.gross,
        fee: body.fee,
        source: body.source,
    };
    let once = once(&headers, "book_settlement", &body)?;
    let (id, approval) = state.app.change_once(caller, &once, book).await?.reply;
    let (status, word) = match approval {
        Some(_) => (StatusCode::ACCEPTED, "waiting"),
        None => (StatusCode::CREATED, "booked"),
    };
    Ok((
        status,
        Json(SettlementEntered {
            settlement: id.0,
            status: word,
            approval: approval.map(|a| a.0),
        }),
    ))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepBody {
    #[schema(pattern = "^[A-Z]{3}$", example = "CNY")]
    currency: String,
    #[schema(minimum = 1)]
    amount: u64,
}

/// Finance sweeps earned fees out of custody to the platform's own
/// account: only fees past their orders' refund horizon, never above the
/// surplus, never while outflows are stopped.
#[utoipa::path(post, path = "/api/v1/admin/sweeps", tag = "admin",
    request_body = SweepBody,
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, description = "Swept; custody after", body = CustodyAnswer),
        (status = 403, description = "Not finance", body = ErrorBody),
        (status = 409, description = "Above the surplus (`above_surplus`), above the fees past their horizon (`fees_not_matured`), or outflows stopped", body = ErrorBody)))]
pub(super) async fn sweep(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Body(body): Body<SweepBody>,
) -> Result<(StatusCode, Json<CustodyAnswer>), ApiError> {
    let sweep = ops::SweepFees {
        currency: currency(&body.currency)?,
        amount: body.amount,
    };
    let once = once(&headers, "sweep_fees", &body)?;
    state.app.change_once(caller, &once, sweep).await?;
    let view = state.app.read(caller, ops::Custody).await?;
    Ok((StatusCode::CREATED, Json((&view).into())))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepositCreditBody {
    #[schema(pattern = "^[A-Z]{3}$", example = "CNY")]
    currency: String,
    #[schema(minimum = 1)]
    amount: u64,
}

/// Finance books a bank credit into a merchant's deposit; another member
/// of finance approves it.
#[utoipa::path(post, path = "/api/v1/admin/merchants/{id}/deposit/credits", tag = "admin",
    request_body = DepositCreditBody,
    params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 202, description = "Waiting for a second member of finance", body = ApprovalStatusAnswer),
        (status = 403, description = "Not finance", body = ErrorBody),
        (status = 404, description = "No such merchant", body = ErrorBody)))]
pub(super) async fn credit_deposit(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
    Body(body): Body<DepositCreditBody>,
) -> Result<(StatusCode, Json<ApprovalStatusAnswer>), ApiError> {
    let action = Approvable::DepositCredit {
        merchant: MerchantId(id),
        currency: currency(&body.currency)?,
        amount: body.amount,
    };
    let once = once(&headers, "deposit_credit", &(id, &body))?;
    ask_approval(&state, caller, &once, action).await
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForfeitBody {
    #[schema(pattern = "^[A-Z]{3}$", example = "CNY")]
    currency: String,
}

/// Finance asks to forfeit a banned merchant's deposit to the reserve
/// (which refunds its buyers); another member of finance approves it.
#[utoipa::path(post, path = "/api/v1/admin/merchants/{id}/deposit/forfeit", tag = "admin",
    request_body = ForfeitBody,
    params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 202, description = "Waiting for a second member of finance", body = ApprovalStatusAnswer),
        (status = 403, description = "Not finance", body = ErrorBody),
        (status = 404, description = "No such merchant", body = ErrorBody),
        (status = 422, description = "Not banned, or no deposit in that currency", body = ErrorBody)))]
pub(super) async fn forfeit_deposit(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
    Body(body): Body<ForfeitBody>,
) -> Result<(StatusCode, Json<ApprovalStatusAnswer>), ApiError> {
    let action = Approvable::ForfeitDeposit {
        merchant: MerchantId(id),
        currency: currency(&body.currency)?,
    };
    let once = once(&headers, "deposit_forfeit", &(id, &body))?;
    ask_approval(&state, caller, &once, action).await
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepositPaymentBody {
    #[schema(pattern = "^[A-Z]{3}$", example = "CNY")]
    currency: String,
    /// Minor units.
    #[schema(minimum = 1)]
    amount: u64,
    method: String,
}

/// A merchant's owner pays into its deposit through a channel.
#[utoipa::path(post, path = "/api/v1/merchant/deposit/payments", tag = "merchant",
    request_body = DepositPaymentBody,
    responses((status = 200, description = "Where to send the payer", body = PaymentStarted),
        (status = 403, description = "The caller owns no merchant", body = ErrorBody),
        (status = 503, description = "No channel can take it now", body = ErrorBody)))]
pub(super) async fn pay_deposit(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Body(body): Body<DepositPaymentBody>,
) -> Result<Json<PaymentStarted>, ApiError> {
    let currency = currency(&body.currency)?;
    let s = state
        .app
        .pay_deposit(caller, body.amount, currency, &body.method)
        .await?;
    Ok(Json(PaymentStarted::from(&s)))
}
