//! Guest checkout and order lookup: an order bought without an account is
//! read back with its number and the lookup secret chosen at checkout. The
//! secret is hashed with Argon2id here, so only its hash is kept; lookups
//! are rate-limited per client address (a layer on the route) and per order
//! (here), and every refusal — no such order, no secret, a wrong one — is
//! the same 404.

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use trigate_core::query::{Query, View};
use trigate_core::{Command, OrderId, PasswordHash, ProductId, Reply, UserId};

use super::AppState;
use super::auth::{self, Caller};
use super::error::ApiError;
use super::routes::{Body, idempotent, order_json, query};

/// Guests share one idempotency scope (they have no account).
const GUEST: Caller = Caller(UserId(0));

/// Lookups allowed per order: 5 at once, then one every 12 seconds.
pub fn per_order_limiter() -> Arc<DefaultKeyedRateLimiter<u64>> {
    let quota = Quota::with_period(std::time::Duration::from_secs(12))
        .unwrap_or_else(|| unreachable!("the period is non-zero"))
        .allow_burst(NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN));
    Arc::new(RateLimiter::keyed(quota))
}

fn check_secret(secret: &str) -> Result<(), ApiError> {
    let length = secret.chars().count();
    if !(6..=128).contains(&length) {
        return Err(ApiError::new(
            "invalid",
            "a lookup secret is 6 to 128 characters",
        ));
    }
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestBuyBody {
    product: u64,
    quantity: u32,
    #[serde(default)]
    coupon: Option<String>,
    /// Chosen by the guest, 6 to 128 characters; with the order number it
    /// is what reads the order back.
    lookup_secret: String,
}

/// What identifies a retry: the request without its secret (which is
/// never hashed into anything kept but its Argon2id hash).
#[derive(Serialize)]
struct GuestFingerprint<'a> {
    product: u64,
    quantity: u32,
    coupon: &'a Option<String>,
}

/// Buys as a guest: the order is created and its keys reserved; it is paid
/// through a channel and read back with [`lookup`].
#[utoipa::path(post, path = "/api/v1/guest/orders", tag = "guest",
    request_body = GuestBuyBody,
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, description = "The order, unpaid, its keys reserved"),
        (status = 409, description = "Out of stock, off sale", body = super::openapi::ErrorBody),
        (status = 429, description = "Too many guest orders from this address", body = super::openapi::ErrorBody)))]
pub async fn buy(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(body): Body<GuestBuyBody>,
) -> Result<Response, ApiError> {
    check_secret(&body.lookup_secret)?;
    let secret = body.lookup_secret.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&secret))
        .await
        .map_err(|e| ApiError::new("internal", e.to_string()))??;
    let command = Command::CreateGuestOrder {
        product: ProductId(body.product),
        quantity: body.quantity,
        coupon: body.coupon.clone(),
        lookup: PasswordHash(hash),
    };
    let fingerprint = GuestFingerprint {
        product: body.product,
        quantity: body.quantity,
        coupon: &body.coupon,
    };
    let (reply, replayed) =
        idempotent(&state, GUEST, &headers, "guest_buy", &fingerprint, command).await?;
    let Reply::Order(order) = reply else {
        return Err(ApiError::new("internal", "unexpected reply"));
    };
    let View::GuestOrder {
        order: view,
        lookup,
    } = query(&state, Query::GuestOrder { order }).await?
    else {
        return Err(ApiError::new("internal", "unexpected view"));
    };
    if replayed {
        // Guests share one idempotency scope: a replay shows the order
        // only to whoever knows its secret.
        let secret = body.lookup_secret.clone();
        let matches = tokio::task::spawn_blocking(move || auth::password_matches(&secret, &lookup))
            .await
            .map_err(|e| ApiError::new("internal", e.to_string()))?;
        if !matches {
            return Err(ApiError::from(trigate_core::ShopError::IdempotencyConflict));
        }
    }
    let mut response = (StatusCode::CREATED, Json(order_json(&state, &view)?)).into_response();
    if replayed {
        response.headers_mut().insert(
            "idempotent-replayed",
            axum::http::HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupBody {
    order: u64,
    lookup_secret: String,
}

/// Reads a guest order — its keys too, once paid — with its number and
/// lookup secret. Sent as a POST so the secret stays out of URLs and logs.
#[utoipa::path(post, path = "/api/v1/guest/orders/lookup", tag = "guest",
    request_body = LookupBody,
    responses((status = 200, description = "The order, with its keys once delivered"),
        (status = 404, description = "No such order, or the wrong secret (told apart from neither)", body = super::openapi::ErrorBody),
        (status = 429, description = "Too many lookups from this address or of this order", body = super::openapi::ErrorBody)))]
pub async fn lookup(
    State(state): State<AppState>,
    Body(body): Body<LookupBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let view = verified(&state, OrderId(body.order), body.lookup_secret).await?;
    Ok(Json(order_json(&state, &view)?))
}

/// The guest order `order`, if `secret` is its lookup secret: limited per
/// order, and refused the same way for every reason.
async fn verified(
    state: &AppState,
    order: OrderId,
    secret: String,
) -> Result<Box<trigate_core::query::OrderView>, ApiError> {
    let refused = || ApiError::from(trigate_core::ShopError::LookupRefused(order));
    // Buckets of orders not looked up lately are dropped, so guessing
    // many order numbers cannot grow this without bound.
    if state.lookups.len() > 100_000 {
        state.lookups.retain_recent();
    }
    if state.lookups.check_key(&order.0).is_err() {
        return Err(ApiError::new(
            "rate_limited",
            "too many lookups of this order; wait and retry",
        ));
    }
    let (hash, view) = match query(state, Query::GuestOrder { order }).await {
        Ok(View::GuestOrder { lookup, order }) => (lookup, order),
        _ => return Err(refused()),
    };
    let matches = tokio::task::spawn_blocking(move || auth::password_matches(&secret, &hash))
        .await
        .map_err(|e| ApiError::new("internal", e.to_string()))?;
    if matches { Ok(view) } else { Err(refused()) }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestPayBody {
    order: u64,
    lookup_secret: String,
    /// `alipay`, `wxpay`, … as channels name them.
    method: String,
}

/// Pays a guest order through a channel, with its lookup secret.
#[utoipa::path(post, path = "/api/v1/guest/orders/pay", tag = "guest",
    request_body = GuestPayBody,
    responses((status = 200, description = "Where to send the buyer"),
        (status = 404, description = "No such order, or the wrong secret", body = super::openapi::ErrorBody),
        (status = 503, description = "No channel can take it now", body = super::openapi::ErrorBody)))]
pub async fn pay(
    State(state): State<AppState>,
    Body(body): Body<GuestPayBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let order = OrderId(body.order);
    let view = verified(&state, order, body.lookup_secret).await?;
    super::pay::pay_guest(&state, view.buyer, order, &body.method).await
}
