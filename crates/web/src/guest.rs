//! Guest checkout and order lookup: an order bought without an account is
//! read back with its number and the lookup secret chosen at checkout. The
//! secret is hashed with Argon2id by the application layer, so only its
//! hash is kept; lookups are rate-limited per client address (a layer on
//! the route) and per order (there), and every refusal — no such order, no secret, a wrong one — is
//! the same 404.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use trigate_app::GuestCheckout;
use trigate_core::{OrderId, ProductId};

use super::AppState;
use super::answers::{OrderAnswer, PaymentStarted};
use super::error::ApiError;
use super::routes::{Body, mark_replayed};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestBuyBody {
    product: u64,
    quantity: u32,
    #[serde(default)]
    coupon: Option<String>,
    /// Chosen by the guest, 6 to 128 characters; with the order number it
    /// is what reads the order back.
    #[schema(min_length = 6, max_length = 128)]
    lookup_secret: String,
    /// Where messages about the order would go (nothing is mailed yet).
    #[serde(default)]
    email: Option<String>,
}

/// Buys as a guest: the order is created and its keys reserved; it is paid
/// through a channel and read back with [`lookup`].
#[utoipa::path(post, path = "/api/v1/guest/orders", tag = "guest", security(()),
    request_body = GuestBuyBody,
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, description = "The order, unpaid, its keys reserved", body = OrderAnswer),
        (status = 409, description = "Out of stock, off sale", body = super::openapi::ErrorBody),
        (status = 429, description = "Too many guest orders from this address", body = super::openapi::ErrorBody)))]
pub async fn buy(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(body): Body<GuestBuyBody>,
) -> Result<Response, ApiError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let checkout = GuestCheckout {
        product: ProductId(body.product),
        quantity: body.quantity,
        coupon: body.coupon,
        email: body.email.filter(|e| !e.trim().is_empty()),
    };
    let replied = state
        .app
        .guest_checkout(key, checkout, body.lookup_secret)
        .await?;
    let answer = OrderAnswer::from(&replied.reply);
    let response = (StatusCode::CREATED, Json(answer)).into_response();
    Ok(mark_replayed(response, replied.replayed))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupBody {
    order: u64,
    #[schema(min_length = 6, max_length = 128)]
    lookup_secret: String,
}

/// Reads a guest order — its keys too, once paid — with its number and
/// lookup secret. Sent as a POST so the secret stays out of URLs and logs.
#[utoipa::path(post, path = "/api/v1/guest/orders/lookup", tag = "guest", security(()),
    request_body = LookupBody,
    responses((status = 200, description = "The order, with its keys once delivered", body = OrderAnswer),
        (status = 404, description = "No such order, or the wrong secret (told apart from neither)", body = super::openapi::ErrorBody),
        (status = 429, description = "Too many lookups from this address or of this order", body = super::openapi::ErrorBody)))]
pub async fn lookup(
    State(state): State<AppState>,
    Body(body): Body<LookupBody>,
) -> Result<Json<OrderAnswer>, ApiError> {
    let order = state
        .app
        .guest_order(OrderId(body.order), body.lookup_secret)
        .await?;
    Ok(Json(OrderAnswer::from(&order)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestPayBody {
    order: u64,
    #[schema(min_length = 6, max_length = 128)]
    lookup_secret: String,
    /// `alipay`, `wxpay`, … as channels name them.
    method: String,
}

/// Pays a guest order through a channel, with its lookup secret.
#[utoipa::path(post, path = "/api/v1/guest/orders/pay", tag = "guest", security(()),
    request_body = GuestPayBody,
    responses((status = 200, description = "Where to send the buyer", body = PaymentStarted),
        (status = 404, description = "No such order, or the wrong secret", body = super::openapi::ErrorBody),
        (status = 503, description = "No channel can take it now", body = super::openapi::ErrorBody)))]
pub async fn pay(
    State(state): State<AppState>,
    Body(body): Body<GuestPayBody>,
) -> Result<Json<PaymentStarted>, ApiError> {
    let started = state
        .app
        .pay_guest_order(OrderId(body.order), body.lookup_secret, &body.method)
        .await?;
    Ok(Json(PaymentStarted::from(&started)))
}
