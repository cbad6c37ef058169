//! The routing table (`/api/v1`, `/pay`, `/healthz`, `/readyz`) and what
//! handlers share: the JSON body, the idempotency key, currencies and
//! basis points parsed from requests.

use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use trigate_app::{AppError, Caller, Once, ops};
use trigate_core::{Bps, Currency};

use super::error::ApiError;
use super::{
    AppState, account, admin, approvals, custody, custody_flows, dashboard, disputes, guest,
    limits, merchant, orders, pay, risk_api, risk_case_api, sends, storefront, withdraw,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route(
            "/api/v1/auth/register",
            post(account::register).layer(limits::auth()),
        )
        .route(
            "/api/v1/auth/login",
            post(account::login).layer(limits::auth()),
        )
        .route("/api/v1/auth/logout", post(account::logout))
        .route("/api/v1/me", get(account::me))
        .route("/api/v1/products", get(catalog))
        .route(
            "/api/v1/orders",
            get(orders::list_orders).merge(post(orders::buy).layer(limits::checkout())),
        )
        .route("/api/v1/orders/{id}", get(orders::order))
        .route("/api/v1/orders/{id}/confirm", post(orders::confirm))
        .route(
            "/api/v1/orders/{id}/pay-by-balance",
            post(orders::pay_by_balance),
        )
        .route("/api/v1/orders/{id}/refund", post(orders::refund))
        .route("/api/v1/orders/{id}/cancel", post(orders::cancel))
        .route(
            "/api/v1/orders/{id}/channel-refund",
            post(orders::channel_refund),
        )
        .route(
            "/api/v1/orders/{id}/pay",
            post(pay::pay_order).layer(limits::checkout()),
        )
        .route(
            "/api/v1/wallet/recharge",
            post(pay::recharge).layer(limits::checkout()),
        )
        .route(
            "/api/v1/guest/orders/pay",
            post(guest::pay).layer(limits::lookup()),
        )
        .route(
            "/pay/{channel}/notify/{no}",
            get(pay::notify).post(pay::notify),
        )
        .route("/pay/{channel}/return/{no}", get(pay::return_page))
        .route(
            "/api/v1/admin/attempts/{id}/mark-paid",
            post(pay::mark_paid),
        )
        .route(
            "/api/v1/admin/attempts/{id}/send-back",
            post(pay::send_back),
        )
        .route("/api/v1/admin/channels", get(pay::health))
        .route("/api/v1/admin/sends", get(sends::open_sends))
        .route("/api/v1/admin/approvals", get(approvals::waiting))
        .route(
            "/api/v1/admin/approvals/{id}/approve",
            post(approvals::approve),
        )
        .route(
            "/api/v1/admin/approvals/{id}/reject",
            post(approvals::reject),
        )
        .route("/api/v1/admin/reserve/top-ups", post(approvals::top_up))
        .route("/api/v1/admin/custody", get(custody::custody))
        .route("/api/v1/admin/dashboard", get(dashboard::dashboard))
        .route("/api/v1/risk/features", get(risk_api::features))
        .route(
            "/api/v1/risk/rules",
            get(risk_api::rules).post(risk_api::save_rule),
        )
        .route("/api/v1/risk/rules/backtest", post(risk_api::backtest))
        .route("/api/v1/risk/rules/{name}", get(risk_api::rule_versions))
        .route(
            "/api/v1/risk/lists",
            get(risk_api::lists).post(risk_api::list),
        )
        .route("/api/v1/risk/lists/remove", post(risk_api::unlist))
        .route("/api/v1/risk/decisions", get(risk_api::decisions))
        .route("/api/v1/risk/decisions/{id}", get(risk_api::decision))
        .route("/api/v1/risk/reviews", get(risk_api::reviews))
        .route("/api/v1/risk/reviews/{id}/claim", post(risk_api::claim))
        .route("/api/v1/risk/reviews/{id}/approve", post(risk_api::approve))
        .route("/api/v1/risk/reviews/{id}/decline", post(risk_api::decline))
        .route("/api/v1/risk/cases", get(risk_case_api::cases))
        .route("/api/v1/risk/cases/{id}", get(risk_case_api::case))
        .route(
            "/api/v1/risk/cases/{id}/release",
            post(risk_case_api::release),
        )
        .route("/api/v1/risk/cases/{id}/ban", post(risk_case_api::ban))
        .route("/api/v1/admin/custody/top-ups", post(custody::top_up))
        .route("/api/v1/admin/outflows/stop", post(custody::stop))
        .route("/api/v1/admin/outflows/lift", post(custody::lift))
        .route("/api/v1/admin/losses", post(custody::book_loss))
        .route(
            "/api/v1/admin/settlements",
            post(custody_flows::book_settlement),
        )
        .route("/api/v1/admin/sweeps", post(custody_flows::sweep))
        .route(
            "/api/v1/admin/merchants/{id}/deposit/credits",
            post(custody_flows::credit_deposit),
        )
        .route(
            "/api/v1/admin/merchants/{id}/deposit/forfeit",
            post(custody_flows::forfeit_deposit),
        )
        .route(
            "/api/v1/merchant/deposit/payments",
            post(custody_flows::pay_deposit).layer(limits::checkout()),
        )
        .route(
            "/api/v1/destinations",
            get(withdraw::destinations).post(withdraw::add_destination),
        )
        .route(
            "/api/v1/destinations/{id}",
            axum::routing::delete(withdraw::remove_destination),
        )
        .route("/api/v1/admin/sends/{id}/resolve", post(sends::resolve))
        .route("/api/v1/orders/{id}/dispute", post(disputes::open_dispute))
        .route(
            "/api/v1/orders/{id}/dispute/replace-keys",
            post(disputes::replace_keys),
        )
        .route(
            "/api/v1/orders/{id}/dispute/refund",
            post(disputes::refund_dispute),
        )
        .route(
            "/api/v1/orders/{id}/dispute/escalate",
            post(disputes::escalate),
        )
        .route("/api/v1/orders/{id}/dispute/decide", post(disputes::decide))
        .route("/api/v1/merchant/deposit", post(merchant::fund_deposit))
        .route(
            "/api/v1/merchant/products/{id}/on-sale",
            post(merchant::set_on_sale),
        )
        .route("/api/v1/wallet", get(account::wallet))
        .route(
            "/api/v1/guest/orders",
            post(guest::buy).layer(limits::guest_checkout()),
        )
        .route(
            "/api/v1/guest/orders/lookup",
            post(guest::lookup).layer(limits::lookup()),
        )
        .route("/api/v1/me/second-factor", post(account::enrol_self))
        .route("/api/v1/me/email", post(storefront::set_email))
        .route("/api/v1/look", get(storefront::look))
        .route("/api/v1/admin/look", post(storefront::set_look))
        .route("/api/v1/admin/outbox", get(storefront::outbox))
        .route(
            "/api/v1/merchant/products/{id}/details",
            post(storefront::set_details),
        )
        .route(
            "/api/v1/orders/{id}/dispute/messages",
            post(storefront::add_message),
        )
        .route(
            "/api/v1/withdrawals",
            get(withdraw::list).post(withdraw::request),
        )
        .route(
            "/api/v1/admin/withdrawals/{id}/approve",
            post(withdraw::approve),
        )
        .route(
            "/api/v1/admin/withdrawals/{id}/reject",
            post(withdraw::reject),
        )
        .route(
            "/api/v1/admin/withdrawals/{id}/payout",
            post(withdraw::payout),
        )
        .route("/api/v1/admin/users/{id}/role", post(admin::set_role))
        .route("/api/v1/admin/users/{id}/credit", post(admin::credit))
        .route("/api/v1/admin/credits/{id}", post(admin::decide_credit))
        .route(
            "/api/v1/admin/users/{id}/second-factor",
            post(admin::enrol_other),
        )
        .route("/api/v1/admin/merchants", post(admin::create_merchant))
        .route("/api/v1/merchant/coupons", post(merchant::create_coupon))
        .route("/api/v1/admin/audit", get(admin::audit))
        .route(
            "/api/v1/admin/merchants/{id}/status",
            post(admin::merchant_status),
        )
        .route("/api/v1/merchant/balances", get(merchant::balances))
        .route("/api/v1/merchant/api-keys", post(merchant::create_api_key))
        .route(
            "/api/v1/merchant/products",
            get(merchant::own_products).post(merchant::add_product),
        )
        .route(
            "/api/v1/merchant/products/{id}/keys",
            post(merchant::import_keys),
        )
        .fallback(not_found)
}

/// A path no route serves: the API's error under `/api/` and `/pay/`, the
/// shop's 404 page elsewhere.
async fn not_found(state: State<AppState>, request: Request) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") || path.starts_with("/pay/") {
        return axum::response::IntoResponse::into_response(ApiError(AppError::NotFound(
            "no such route".into(),
        )));
    }
    super::pages::not_found(state, request).await
}

/// A JSON body, refused in the API's own error shape when malformed, of
/// the wrong type, or carrying fields the route does not take.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError(AppError::PayloadTooLarge))
            }
            Err(e) if e.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                Err(ApiError(AppError::UnsupportedMediaType))
            }
            Err(e) => Err(ApiError(AppError::BadRequest(e.body_text()))),
        }
    }
}

/// An id in the path, refused in the API's error shape when it is not a
/// number.
#[derive(Debug, Clone, Copy)]
pub struct Id(pub u64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        match axum::extract::Path::<u64>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(Id(id)),
            Err(e) => Err(ApiError(AppError::BadRequest(format!(
                "the id in the path is not a number: {}",
                e.body_text()
            )))),
        }
    }
}

/// A URL query, refused in the API's error shape when malformed.
#[derive(Debug, Clone)]
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Params(v)),
            Err(e) => Err(ApiError(AppError::BadRequest(e.body_text()))),
        }
    }
}

/// The request's `Idempotency-Key` for `request` made to `route` (a
/// missing one is refused when the change runs).
pub(super) fn once(
    headers: &HeaderMap,
    route: &str,
    request: &impl Serialize,
) -> Result<Once, ApiError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    Ok(Once::new(key, route, request)?)
}

/// Marks an answer that replays an earlier one.
pub(super) fn mark_replayed(mut response: Response, replayed: bool) -> Response {
    if replayed {
        response.headers_mut().insert(
            "idempotent-replayed",
            axum::http::HeaderValue::from_static("true"),
        );
    }
    response
}

#[utoipa::path(get, path = "/readyz", tag = "health", security(()),
    responses((status = 200, description = "The writer answers", body = String, content_type = "text/plain"),
        (status = 503, description = "It does not")))]
pub(super) async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.app.ready().await?;
    Ok("ready")
}

#[utoipa::path(get, path = "/api/v1/products", tag = "catalog", security(()), responses((status = 200, description = "Products on sale, with stock", body = super::answers::Catalog)))]
pub(super) async fn catalog(
    State(state): State<AppState>,
) -> Result<Json<super::answers::Catalog>, ApiError> {
    let products = state.app.read(Caller::GUEST, ops::Catalog).await?;
    Ok(Json(super::answers::Catalog {
        products: products.iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct CurrencyParam {
    #[serde(default = "default_currency")]
    pub(super) currency: String,
}

fn default_currency() -> String {
    "CNY".into()
}

pub(super) fn currency(code: &str) -> Result<Currency, ApiError> {
    Currency::new(code).map_err(|e| ApiError(AppError::Invalid(e.to_string())))
}

pub(super) fn bps(v: u32) -> Result<Bps, ApiError> {
    Bps::new(v).map_err(|e| ApiError(AppError::Invalid(e.to_string())))
}
