//! The `/api/v1` routes, `/healthz` and `/readyz`.

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use trigate_app::{AppError, Caller, Once, OrderDetails, Replied, ops};
use trigate_core::{OrderId, ProductId};

use super::auth::{self, SignedIn};
use super::error::ApiError;
use super::{AppState, admin, disputes, guest, limits, manage, pay, withdraw};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route(
            "/api/v1/auth/register",
            post(register).layer(limits::auth()),
        )
        .route("/api/v1/auth/login", post(login).layer(limits::auth()))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/products", get(catalog))
        .route(
            "/api/v1/orders",
            get(manage::list_orders).merge(post(buy).layer(limits::checkout())),
        )
        .route("/api/v1/orders/{id}", get(order))
        .route("/api/v1/orders/{id}/confirm", post(confirm))
        .route("/api/v1/orders/{id}/pay-by-balance", post(pay_by_balance))
        .route("/api/v1/orders/{id}/refund", post(manage::refund))
        .route("/api/v1/orders/{id}/cancel", post(cancel))
        .route(
            "/api/v1/orders/{id}/channel-refund",
            post(manage::channel_refund),
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
        .route("/api/v1/admin/channels", get(pay::health))
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
        .route("/api/v1/merchant/deposit", post(manage::fund_deposit))
        .route(
            "/api/v1/merchant/products/{id}/on-sale",
            post(manage::set_on_sale),
        )
        .route("/api/v1/wallet", get(manage::wallet))
        .route(
            "/api/v1/guest/orders",
            post(guest::buy).layer(limits::guest_checkout()),
        )
        .route(
            "/api/v1/guest/orders/lookup",
            post(guest::lookup).layer(limits::lookup()),
        )
        .route("/api/v1/me/second-factor", post(admin::enrol_self))
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
        .route("/api/v1/merchant/coupons", post(manage::create_coupon))
        .route("/api/v1/admin/audit", get(manage::audit))
        .route(
            "/api/v1/admin/merchants/{id}/status",
            post(manage::merchant_status),
        )
        .route("/api/v1/merchant/balances", get(manage::balances))
        .route("/api/v1/merchant/api-keys", post(manage::create_api_key))
        .route(
            "/api/v1/merchant/products",
            get(manage::own_products).post(manage::add_product),
        )
        .route(
            "/api/v1/merchant/products/{id}/keys",
            post(manage::import_keys),
        )
        .fallback(|| async { ApiError(AppError::NotFound("no such route".into())) })
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

#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200, description = "The writer answers"), (status = 503, description = "It does not", body = super::openapi::ErrorBody)))]
pub(super) async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.app.ready().await?;
    Ok("ready")
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RegisterBody {
    login: String,
    password: String,
    #[serde(default)]
    referral_code: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/auth/register", tag = "account", request_body = RegisterBody, responses((status = 201, description = "The new buyer's id"), (status = 409, description = "The login is taken", body = super::openapi::ErrorBody), (status = 422, description = "A bad login or password", body = super::openapi::ErrorBody), (status = 429, description = "Too many sign-ups from this address", body = super::openapi::ErrorBody)))]
pub(super) async fn register(
    State(state): State<AppState>,
    Body(body): Body<RegisterBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = state
        .app
        .register(body.login, body.password, body.referral_code)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginBody {
    login: String,
    password: String,
    /// The TOTP code, for roles that need a second factor.
    #[serde(default)]
    totp: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "account", request_body = LoginBody, responses((status = 200, description = "Signed in; the session cookie is set"), (status = 401, description = "Wrong login, password or TOTP code", body = super::openapi::ErrorBody), (status = 429, description = "Too many attempts from this address", body = super::openapi::ErrorBody)))]
pub(super) async fn login(
    State(state): State<AppState>,
    Body(body): Body<LoginBody>,
) -> Result<Response, ApiError> {
    let user = state
        .app
        .sign_in(body.login, body.password, body.totp.as_deref())
        .await?;
    let token = state.sessions.open(user);
    Ok((
        [(
            header::SET_COOKIE,
            auth::cookie(&token, state.secure_cookies),
        )],
        Json(json!({ "id": user })),
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "account", responses((status = 204, description = "Signed out")))]
pub(super) async fn logout(State(state): State<AppState>, request: Request) -> StatusCode {
    let (parts, _) = request.into_parts();
    if let Some(token) = auth::session_token(&parts) {
        state.sessions.close(&token);
    }
    StatusCode::NO_CONTENT
}

#[utoipa::path(get, path = "/api/v1/me", tag = "account", responses((status = 200, description = "The caller's account"), (status = 401, description = "Not signed in", body = super::openapi::ErrorBody)))]
pub(super) async fn me(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<Value>, ApiError> {
    let me = state.app.read(caller, ops::Me).await?;
    Ok(Json(serde_json::to_value(me).unwrap_or_default()))
}

#[utoipa::path(get, path = "/api/v1/products", tag = "catalog", security(()), responses((status = 200, description = "Products on sale, with stock")))]
pub(super) async fn catalog(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let products = state.app.read(Caller::GUEST, ops::Catalog).await?;
    Ok(Json(json!({ "products": products })))
}

/// How an order is to be paid when it is created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum Pay {
    /// From the wallet, at once: the keys come back with the order.
    #[default]
    Balance,
    /// Later (by balance or through a channel): the keys are reserved.
    Later,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct BuyBody {
    product: u64,
    quantity: u32,
    #[serde(default)]
    coupon: Option<String>,
    #[serde(default)]
    pay: Pay,
}

/// Creates an order — paid from the wallet at once, with its keys opened,
/// or reserved to pay later.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = BuyBody, params(("Idempotency-Key" = String, Header, description = "required")), responses((status = 201, description = "The order; paid by balance, with its keys"), (status = 402, description = "The wallet is short", body = super::openapi::ErrorBody), (status = 409, description = "Out of stock, off sale, or the key was used for another request", body = super::openapi::ErrorBody)))]
pub(super) async fn buy(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Body(body): Body<BuyBody>,
) -> Result<Response, ApiError> {
    let once = once(&headers, "buy", &body)?;
    let (product, quantity, coupon) = (ProductId(body.product), body.quantity, body.coupon);
    let Replied {
        reply: order,
        replayed,
    } = match body.pay {
        Pay::Balance => {
            let buy = ops::BuyWithBalance {
                product,
                quantity,
                coupon,
            };
            let Replied { reply, replayed } = state.app.change_once(caller, &once, buy).await?;
            Replied {
                reply: reply.0,
                replayed,
            }
        }
        Pay::Later => {
            let create = ops::CreateOrder {
                product,
                quantity,
                coupon,
            };
            state.app.change_once(caller, &once, create).await?
        }
    };
    order_response(&state, caller, order, replayed, StatusCode::CREATED).await
}

/// Pays a created order from the wallet; the keys come back opened.
#[utoipa::path(post, path = "/api/v1/orders/{id}/pay-by-balance", tag = "orders", params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Paid; the keys opened"), (status = 402, description = "The wallet is short", body = super::openapi::ErrorBody)))]
pub(super) async fn pay_by_balance(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Result<Response, ApiError> {
    let once = once(&headers, "pay", &id)?;
    let pay = ops::PayByBalance { order: OrderId(id) };
    let replayed = state.app.change_once(caller, &once, pay).await?.replayed;
    order_response(&state, caller, OrderId(id), replayed, StatusCode::OK).await
}

async fn order_response(
    state: &AppState,
    caller: Caller,
    order: OrderId,
    replayed: bool,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let details = state.app.order(caller, order).await?;
    let response = (status, Json(order_json(&details))).into_response();
    Ok(mark_replayed(response, replayed))
}

/// An order as JSON, its keys opened for those allowed to see them.
pub(super) fn order_json(order: &OrderDetails) -> Value {
    json!({
        "order": order.order,
        "status": order.status,
        "amount": order.amount,
        "refunded": order.refunded,
        "keys": trigate_app::exposed(&order.keys),
        "text": order.text,
        "money": order.money,
    })
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = u64, Path)), responses((status = 200, description = "The order, with its keys for its buyer"), (status = 404, description = "No such order, or not the caller's to see", body = super::openapi::ErrorBody)))]
pub(super) async fn order(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    let details = state.app.order(caller, OrderId(id)).await?;
    Ok(Json(order_json(&details)))
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/confirm", tag = "orders", params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Confirmed and settled"), (status = 409, description = "Not delivered", body = super::openapi::ErrorBody)))]
pub(super) async fn confirm(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    let once = once(&headers, "confirm", &id)?;
    let confirm = ops::ConfirmOrder { order: OrderId(id) };
    let settlement = state.app.change_once(caller, &once, confirm).await?.reply;
    // As the shop's reply was shown until now: `{"Settled": {…}}`.
    Ok(Json(
        json!({ "order": id, "settlement": { "Settled": settlement } }),
    ))
}

/// The buyer cancels an unpaid order; its keys go back on sale.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Cancelled"), (status = 409, description = "Already paid, expired or cancelled", body = super::openapi::ErrorBody)))]
pub(super) async fn cancel(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    let once = once(&headers, "cancel", &id)?;
    let cancel = ops::CancelOrder { order: OrderId(id) };
    state.app.change_once(caller, &once, cancel).await?;
    Ok(Json(json!({ "order": id, "status": "cancelled" })))
}
