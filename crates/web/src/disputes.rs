//! Disputes over the API: the buyer opens one inside the window, the
//! merchant replaces the keys or refunds, either side escalates, and staff
//! decide. Who may is checked in the shop.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use trigate_app::{Outcome, ops};
use trigate_core::{Decision, OrderId};

use super::AppState;
use super::answers::{DisputeDecided, Escalated, OrderStatusAnswer};
use super::auth::SignedIn;
use super::error::ApiError;
use super::routes::{Body, Id, once};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeBody {
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/dispute", tag = "orders", request_body = DisputeBody, params(("id" = u64, Path)), responses((status = 200, description = "Disputed: the order is frozen", body = OrderStatusAnswer), (status = 409, description = "Outside the window", body = super::openapi::ErrorBody)))]
pub(super) async fn open_dispute(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
    Body(body): Body<DisputeBody>,
) -> Result<Json<OrderStatusAnswer>, ApiError> {
    let open = ops::OpenDispute {
        order: OrderId(id),
        reason: body.reason,
    };
    state.app.change(caller, open).await?;
    Ok(status(id, "disputed"))
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/dispute/replace-keys", tag = "orders", params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "New keys delivered", body = OrderStatusAnswer)))]
pub(super) async fn replace_keys(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
) -> Result<Json<OrderStatusAnswer>, ApiError> {
    let once = once(&headers, "replace_keys", &id)?;
    let replace = ops::ReplaceKeys { order: OrderId(id) };
    state.app.change_once(caller, &once, replace).await?;
    Ok(status(id, "delivered"))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum DecisionBody {
    Release,
    Refund(u64),
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/dispute/decide", tag = "admin", request_body = DecisionBody, params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Decided", body = DisputeDecided), (status = 202, description = "Waiting for a second member of staff's approval", body = DisputeDecided), (status = 403, description = "Not staff", body = super::openapi::ErrorBody)))]
pub(super) async fn decide(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
    Body(body): Body<DecisionBody>,
) -> Result<(StatusCode, Json<DisputeDecided>), ApiError> {
    let (decision, answer) = match body {
        DecisionBody::Release => (Decision::Release, ("release", None)),
        DecisionBody::Refund(amount) => (Decision::Refund(amount), ("refund", Some(amount))),
    };
    let once = once(&headers, "decide", &(id, &body))?;
    let decide = ops::DecideDispute {
        order: OrderId(id),
        decision,
    };
    let order = OrderId(id);
    let action = trigate_core::Approvable::Decision { order, decision };
    let outcome = state
        .app
        .change_or_ask(caller, &once, decide, action)
        .await?;
    let currency = state.app.order_currency(caller, order).await?;
    let (code, status, approval, refunded) = match outcome {
        Outcome::Done(()) => (StatusCode::OK, "decided", None, answer.1),
        Outcome::Waiting(a) => (StatusCode::ACCEPTED, "waiting_approval", Some(a.0), None),
    };
    let decided = DisputeDecided {
        order: id,
        currency: currency.to_string(),
        decision: answer.0,
        refunded,
        status,
        approval,
    };
    Ok((code, Json(decided)))
}

/// The merchant (or staff) refunds a disputed order in full.
#[utoipa::path(post, path = "/api/v1/orders/{id}/dispute/refund", tag = "orders", params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Refunded to the buyer", body = OrderStatusAnswer), (status = 403, description = "Not the merchant or staff", body = super::openapi::ErrorBody), (status = 409, description = "Not disputed", body = super::openapi::ErrorBody)))]
pub(super) async fn refund_dispute(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
) -> Result<Json<OrderStatusAnswer>, ApiError> {
    let once = once(&headers, "refund_dispute", &id)?;
    let refund = ops::RefundDispute { order: OrderId(id) };
    state.app.change_once(caller, &once, refund).await?;
    Ok(status(id, "refunded"))
}

/// The buyer or the merchant hands a dispute to staff.
#[utoipa::path(post, path = "/api/v1/orders/{id}/dispute/escalate", tag = "orders", params(("id" = u64, Path)), responses((status = 200, description = "Escalated to staff", body = Escalated), (status = 409, description = "Not disputed", body = super::openapi::ErrorBody)))]
pub(super) async fn escalate(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
) -> Result<Json<Escalated>, ApiError> {
    let escalate = ops::EscalateDispute { order: OrderId(id) };
    state.app.change(caller, escalate).await?;
    Ok(Json(Escalated {
        order: id,
        escalated: true,
    }))
}

fn status(order: u64, status: &str) -> Json<OrderStatusAnswer> {
    Json(OrderStatusAnswer {
        order,
        status: status.into(),
    })
}
