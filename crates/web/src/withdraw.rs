//! Withdrawals over the API: asking needs a TOTP code (money leaving is
//! the one thing a stolen session must not be able to do), and finance
//! approves, rejects and records payouts.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use trigate_app::{AppError, NewDestination, PaidOut, Payout, WithdrawalRequest, ops};
use trigate_core::{DestinationId, WithdrawFrom, WithdrawalId};

use super::AppState;
use super::answers::{
    DestinationAnswer, Destinations, WithdrawalAnswer, WithdrawalStatusAnswer, Withdrawals,
};
use super::auth::SignedIn;
use super::error::ApiError;
use super::openapi::ErrorBody;
use super::routes::currency;
use super::routes::{Body, Id, once};

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawBody {
    /// `merchant` (the caller's merchant's available balance), `deposit`
    /// (its deposit) or `reward`.
    #[schema(value_type = String, pattern = "^(merchant|deposit|reward)$")]
    from: WithdrawFrom,
    #[schema(pattern = "^[A-Z]{3}$", example = "CNY")]
    currency: String,
    /// Minor units, the fee included.
    amount: u64,
    /// A destination from the caller's book, past its cooling period.
    destination: u64,
    /// The caller's current TOTP code.
    #[serde(skip_serializing)]
    totp: String,
}

/// Asks for a withdrawal: the amount is reserved at once and paid out once
/// finance approves. Needs the caller's TOTP code.
#[utoipa::path(post, path = "/api/v1/withdrawals", tag = "withdrawals",
    request_body = WithdrawBody,
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, description = "The withdrawal, reserved and waiting for approval", body = WithdrawalAnswer),
        (status = 401, description = "No, a wrong or a reused TOTP code", body = ErrorBody),
        (status = 402, description = "The balance is short", body = ErrorBody),
        (status = 409, description = "The caller owes the platform's reserve (`debt_open`, naming the debt), the destination is in its cooling period (`destination_cooling`), the deposit is held (`deposit_held`), outflows are stopped, or the merchant is not active", body = ErrorBody),
        (status = 422, description = "Outside the limits of the amount, the day or the month (`withdrawal_limit`), or no such destination in the caller's book", body = ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Body(body): Body<WithdrawBody>,
) -> Result<(StatusCode, Json<WithdrawalAnswer>), ApiError> {
    let request = WithdrawalRequest {
        from: body.from,
        currency: currency(&body.currency)?,
        amount: body.amount,
        destination: DestinationId(body.destination),
    };
    let once = once(&headers, "withdraw", &body)?;
    let id = state
        .app
        .request_withdrawal(caller, &once, &body.totp, request)
        .await?
        .reply;
    let read = ops::OneWithdrawal { withdrawal: id };
    let withdrawal = state.app.read(caller, read).await?;
    Ok((
        StatusCode::CREATED,
        Json(WithdrawalAnswer::from(&withdrawal)),
    ))
}

/// The caller's withdrawals; every one for finance, admins and auditors.
#[utoipa::path(get, path = "/api/v1/withdrawals", tag = "withdrawals",
    responses((status = 200, description = "Withdrawals, newest last", body = Withdrawals)))]
pub async fn list(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<Withdrawals>, ApiError> {
    let list = state.app.read(caller, ops::Withdrawals).await?;
    Ok(Json(Withdrawals {
        withdrawals: list.iter().map(Into::into).collect(),
    }))
}

/// Finance approves (large amounts need two approvers; never the one who
/// asked).
#[utoipa::path(post, path = "/api/v1/admin/withdrawals/{id}/approve", tag = "admin",
    params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, description = "The withdrawal's status after", body = WithdrawalStatusAnswer),
        (status = 403, description = "Not finance, or the requester", body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
) -> Result<Json<WithdrawalStatusAnswer>, ApiError> {
    let once = once(&headers, "approve_withdrawal", &id)?;
    let approve = ops::ApproveWithdrawal {
        withdrawal: WithdrawalId(id),
    };
    let status = state.app.change_once(caller, &once, approve).await?.reply;
    Ok(status_of(id, status.as_str(), None))
}

fn status_of(
    id: u64,
    status: &'static str,
    reference: Option<String>,
) -> Json<WithdrawalStatusAnswer> {
    Json(WithdrawalStatusAnswer {
        id,
        status,
        reference,
    })
}

/// Finance rejects a waiting withdrawal; the reserved money is free again.
#[utoipa::path(post, path = "/api/v1/admin/withdrawals/{id}/reject", tag = "admin",
    params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, description = "Rejected", body = WithdrawalStatusAnswer)))]
pub async fn reject(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
) -> Result<Json<WithdrawalStatusAnswer>, ApiError> {
    let once = once(&headers, "reject_withdrawal", &id)?;
    let reject = ops::RejectWithdrawal {
        withdrawal: WithdrawalId(id),
    };
    state.app.change_once(caller, &once, reject).await?;
    Ok(status_of(id, "rejected", None))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutBody {
    /// Pay it out through this channel now (its payout id is recorded);
    /// or, without one, record a payout made elsewhere with `paid` and
    /// `reference`.
    #[serde(default)]
    channel: Option<String>,
    /// Whether the payout made elsewhere went through; if not, the money
    /// goes back.
    #[serde(default)]
    paid: Option<bool>,
    /// The bank's reference for a payout made elsewhere.
    #[serde(default)]
    reference: Option<String>,
}

/// Finance pays an approved withdrawal out — through a channel, or by
/// recording one made elsewhere as made or failed.
#[utoipa::path(post, path = "/api/v1/admin/withdrawals/{id}/payout", tag = "admin",
    request_body = PayoutBody,
    params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, description = "Recorded", body = WithdrawalStatusAnswer),
        (status = 502, description = "The channel could not pay it; nothing recorded", body = ErrorBody)))]
pub async fn payout(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
    Body(body): Body<PayoutBody>,
) -> Result<Json<WithdrawalStatusAnswer>, ApiError> {
    let payout = match (&body.channel, body.paid, &body.reference) {
        (Some(channel), None, None) => Payout::Channel(channel.clone()),
        (None, Some(paid), Some(reference)) => Payout::Recorded {
            paid,
            reference: reference.clone(),
        },
        _ => {
            return Err(ApiError(AppError::Invalid(
                "send either \"channel\", or \"paid\" and \"reference\"".into(),
            )));
        }
    };
    let once = once(&headers, "payout", &(id, &body))?;
    match state
        .app
        .pay_out(caller, &once, WithdrawalId(id), payout)
        .await?
    {
        PaidOut::AlreadyClosed(status) => Ok(status_of(id, status.as_str(), None)),
        PaidOut::Done { paid, reference } => {
            let status = if paid { "paid_out" } else { "failed" };
            Ok(status_of(id, status, Some(reference)))
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DestinationBody {
    /// The caller's name for it ("salary card").
    label: String,
    /// The bank account or payout address: sealed at rest, shown masked.
    #[schema(value_type = String)]
    account: SecretString,
}

/// The caller's withdrawal destinations, masked.
#[utoipa::path(get, path = "/api/v1/destinations", tag = "withdrawals",
    responses((status = 200, description = "The caller's book, oldest first", body = Destinations)))]
pub async fn destinations(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<Destinations>, ApiError> {
    let view = state.app.read(caller, ops::Destinations).await?;
    Ok(Json(Destinations {
        destinations: view
            .destinations
            .iter()
            .map(|d| DestinationAnswer::of(d, view.cooling_hours))
            .collect(),
    }))
}

/// Adds a destination to the caller's book; it can be paid after the
/// shop's cooling period.
#[utoipa::path(post, path = "/api/v1/destinations", tag = "withdrawals",
    request_body = DestinationBody,
    responses((status = 201, description = "Added, masked", body = DestinationAnswer),
        (status = 422, description = "A bad label or account, or the book is full", body = ErrorBody)))]
pub async fn add_destination(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Body(body): Body<DestinationBody>,
) -> Result<(StatusCode, Json<DestinationAnswer>), ApiError> {
    let new = NewDestination {
        label: body.label,
        account: body.account,
    };
    let id = state.app.add_destination(caller, new).await?;
    let view = state.app.read(caller, ops::Destinations).await?;
    let added = view
        .destinations
        .iter()
        .find(|d| d.id == id)
        .ok_or_else(|| AppError::Internal(format!("destination {id} not in the book")))?;
    Ok((
        StatusCode::CREATED,
        Json(DestinationAnswer::of(added, view.cooling_hours)),
    ))
}

/// Removes a destination from the caller's book (withdrawals already asked
/// to it are still paid to it).
#[utoipa::path(delete, path = "/api/v1/destinations/{id}", tag = "withdrawals",
    params(("id" = u64, Path)),
    responses((status = 204, description = "Removed"),
        (status = 422, description = "Not in the caller's book", body = ErrorBody)))]
pub async fn remove_destination(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    let remove = ops::RemoveDestination {
        destination: DestinationId(id),
    };
    state.app.change(caller, remove).await?;
    Ok(StatusCode::NO_CONTENT)
}
