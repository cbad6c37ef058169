//! Disputes over the API: the buyer opens one inside the window, the
//! merchant replaces the keys or refunds, either side escalates, and staff
//! decide. Who may is checked in the shop.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use trigate_core::{Command, Decision, OrderId};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::routes::{Body, idempotent, submit};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeBody {
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/dispute", tag = "orders", request_body = DisputeBody, params(("id" = u64, Path)), responses((status = 200, description = "Disputed: the order is frozen"), (status = 409, description = "Outside the window", body = super::openapi::ErrorBody)))]
pub(super) async fn open_dispute(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<u64>,
    Body(body): Body<DisputeBody>,
) -> Result<Json<Value>, ApiError> {
    let command = Command::OpenDispute {
        buyer: caller.0,
        order: OrderId(id),
        reason: body.reason,
    };
    submit(&state, command).await?;
    Ok(Json(json!({ "order": id, "status": "disputed" })))
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/dispute/replace-keys", tag = "orders", params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "New keys delivered")))]
pub(super) async fn replace_keys(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    let command = Command::ReplaceKeys {
        actor: caller.0,
        order: OrderId(id),
    };
    idempotent(&state, caller, &headers, "replace_keys", &id, command).await?;
    Ok(Json(json!({ "order": id, "status": "delivered" })))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum DecisionBody {
    Release,
    Refund(u64),
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/dispute/decide", tag = "admin", request_body = DecisionBody, params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Decided"), (status = 403, description = "Not staff", body = super::openapi::ErrorBody)))]
pub(super) async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Body(body): Body<DecisionBody>,
) -> Result<Json<Value>, ApiError> {
    let decision = match body {
        DecisionBody::Release => Decision::Release,
        DecisionBody::Refund(amount) => Decision::Refund(amount),
    };
    let command = Command::DecideDispute {
        staff: caller.0,
        order: OrderId(id),
        decision,
    };
    idempotent(&state, caller, &headers, "decide", &(id, &body), command).await?;
    Ok(Json(json!({ "order": id, "decided": body })))
}

/// The merchant (or staff) refunds a disputed order in full.
#[utoipa::path(post, path = "/api/v1/orders/{id}/dispute/refund", tag = "orders", params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Refunded to the buyer"), (status = 403, description = "Not the merchant or staff", body = super::openapi::ErrorBody), (status = 409, description = "Not disputed", body = super::openapi::ErrorBody)))]
pub(super) async fn refund_dispute(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    let command = Command::RefundDispute {
        actor: caller.0,
        order: OrderId(id),
    };
    idempotent(&state, caller, &headers, "refund_dispute", &id, command).await?;
    Ok(Json(json!({ "order": id, "status": "refunded" })))
}

/// The buyer or the merchant hands a dispute to staff.
#[utoipa::path(post, path = "/api/v1/orders/{id}/dispute/escalate", tag = "orders", params(("id" = u64, Path)), responses((status = 200, description = "Escalated to staff"), (status = 409, description = "Not disputed", body = super::openapi::ErrorBody)))]
pub(super) async fn escalate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    let command = Command::EscalateDispute {
        actor: caller.0,
        order: OrderId(id),
    };
    submit(&state, command).await?;
    Ok(Json(json!({ "order": id, "escalated": true })))
}
