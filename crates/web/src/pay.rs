//! Paying through channels over HTTP: starting a payment for an order (a
//! buyer's or a guest's) or a recharge, the channels' notifications
//! (answered in the channel's own plain text), the browser's return page
//! (which credits nothing), 补单 by finance, and the channels' health.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use trigate_app::payments::Notified;
use trigate_channels::Params;
use trigate_core::{AttemptId, OrderId, PaymentOutcome};

use super::AppState;
use super::answers::{ChannelsHealth, MarkedPaid, PaymentStarted, PaymentStatusAnswer, SentBack};
use super::auth::SignedIn;
use super::error::ApiError;
use super::openapi::ErrorBody;
use super::routes::{Body, Id, once};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayBody {
    /// How the buyer pays, as channels name it: `alipay`, `wxpay`, …
    method: String,
}

/// Pays one of the caller's unpaid orders through a channel: the best one
/// for the method that is up, failing over to the next.
#[utoipa::path(post, path = "/api/v1/orders/{id}/pay", tag = "orders",
    request_body = PayBody, params(("id" = u64, Path)),
    responses((status = 200, description = "Where to send the buyer (or a QR code to show)", body = PaymentStarted),
        (status = 409, description = "The order is not payable", body = ErrorBody),
        (status = 503, description = "No channel can take it now", body = ErrorBody)))]
pub(super) async fn pay_order(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
    Body(body): Body<PayBody>,
) -> Result<Json<PaymentStarted>, ApiError> {
    let s = state
        .app
        .pay_order(caller, OrderId(id), &body.method)
        .await?;
    Ok(Json(PaymentStarted::from(&s)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RechargeBody {
    #[schema(pattern = "^[A-Z]{3}$", example = "CNY")]
    currency: String,
    /// Minor units.
    amount: u64,
    method: String,
}

/// Tops up the caller's recharge wallet through a channel.
#[utoipa::path(post, path = "/api/v1/wallet/recharge", tag = "wallet",
    request_body = RechargeBody,
    responses((status = 200, description = "Where to send the buyer", body = PaymentStarted),
        (status = 503, description = "No channel can take it now", body = ErrorBody)))]
pub(super) async fn recharge(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Body(body): Body<RechargeBody>,
) -> Result<Json<PaymentStarted>, ApiError> {
    let currency = super::routes::currency(&body.currency)?;
    let s = state
        .app
        .recharge(caller, body.amount, currency, &body.method)
        .await?;
    Ok(Json(PaymentStarted::from(&s)))
}

fn text(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A channel's notification, by GET (in the query) or POST (a form or a
/// JSON body). Answered with the channel's acknowledgement once applied
/// (or if it was before), else `fail` — nothing changed.
pub(super) async fn notify(
    State(state): State<AppState>,
    Path((channel, no)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let params = if !body.is_empty() {
        if json {
            Params::from_json(&body)
        } else {
            Params::from_form(&body)
        }
    } else {
        Params::from_form(raw.unwrap_or_default().as_bytes())
    };
    match state.app.notify(&channel, &no, params).await {
        Notified::Applied { ack, .. } => text(StatusCode::OK, ack),
        Notified::Refused { .. } => text(StatusCode::BAD_REQUEST, "fail"),
    }
}

/// Where the buyer's browser comes back to: shows the attempt as it
/// stands. It never credits anything; only a verified notification or the
/// channel's own answer does.
#[utoipa::path(get, path = "/pay/{channel}/return/{no}", tag = "payments", security(()),
    params(("channel" = String, Path, description = "the channel's name"),
        ("no" = String, Path, description = "the attempt's number at the channel")),
    responses((status = 200, description = "The payment as it stands", body = PaymentStatusAnswer),
        (status = 303, description = "A browser (asking for text/html) is sent to the page of what it paid for"),
        (status = 404, description = "No such payment at this channel")))]
pub(super) async fn return_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, axum::extract::rejection::PathRejection>,
) -> Result<Response, ApiError> {
    let Path((channel, no)) =
        path.map_err(|e| ApiError(trigate_app::AppError::BadRequest(e.body_text())))?;
    let a = state.app.payment_status(&channel, &no).await?;
    // A browser goes on to the page of what it paid for.
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if browser {
        let to = match a.purpose {
            trigate_core::Purpose::Order(order) => format!("/orders/{}", order.0),
            trigate_core::Purpose::Recharge | trigate_core::Purpose::Deposit(_) => "/".into(),
        };
        return Ok(axum::response::Redirect::to(&to).into_response());
    }
    Ok(Json(PaymentStatusAnswer::from(&a)).into_response())
}

/// 补单: finance marks an attempt paid after the channel confirms it was.
#[utoipa::path(post, path = "/api/v1/admin/attempts/{id}/mark-paid", tag = "admin",
    params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, description = "Applied as the channel's notification would be", body = MarkedPaid),
        (status = 403, description = "Not finance", body = ErrorBody),
        (status = 409, description = "The channel says it is unpaid", body = ErrorBody)))]
pub(super) async fn mark_paid(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
) -> Result<Json<MarkedPaid>, ApiError> {
    let once = once(&headers, "mark_paid", &id)?;
    let outcome = state.app.mark_paid(caller, &once, AttemptId(id)).await?;
    Ok(Json(MarkedPaid {
        attempt: id,
        outcome: outcome_name(&outcome),
    }))
}

/// What applying a payment did, as the API and the console name it.
pub(crate) fn outcome_name(outcome: &PaymentOutcome) -> &'static str {
    match outcome {
        PaymentOutcome::Delivered(_) => "delivered",
        PaymentOutcome::Recharged => "recharged",
        PaymentOutcome::CreditedToWallet => "credited_to_wallet",
        PaymentOutcome::OwedBack => "owed_back",
        PaymentOutcome::Duplicate(_) => "already_applied",
        PaymentOutcome::DepositFunded => "deposit_funded",
        PaymentOutcome::Held => "held_for_review",
    }
}

/// Finance sends back through its channel what a payment attempt still
/// owes its payer: a guest's payment no order could take, or a refund,
/// whose sending failed before. It takes no `Idempotency-Key`: it only
/// ever sends what is still owed, one caller at a time.
#[utoipa::path(post, path = "/api/v1/admin/attempts/{id}/send-back", tag = "admin",
    params(("id" = u64, Path)),
    responses((status = 200, description = "What was sent (0 if nothing was owed)", body = SentBack),
        (status = 502, description = "The channel could not send it; it stays owed")))]
pub(super) async fn send_back(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
) -> Result<Json<SentBack>, ApiError> {
    let sent = state.app.send_back(caller, AttemptId(id)).await?;
    Ok(Json(SentBack {
        attempt: id,
        currency: sent.currency.to_string(),
        sent: sent.amount,
    }))
}

/// Each channel's attempts, recent success rate and breaker (staff).
#[utoipa::path(get, path = "/api/v1/admin/channels", tag = "admin",
    responses((status = 200, description = "Health per channel", body = ChannelsHealth),
        (status = 403, description = "Not staff", body = ErrorBody)))]
pub(super) async fn health(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<ChannelsHealth>, ApiError> {
    let channels = state.app.channel_health(caller).await?;
    Ok(Json(ChannelsHealth {
        channels: channels.iter().map(Into::into).collect(),
    }))
}
