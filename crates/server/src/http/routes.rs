//! The `/api/v1` routes, `/healthz` and `/readyz`.

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use trigate_core::query::{OrderView, Query, View};
use trigate_core::{Command, OrderId, PasswordHash, ProductId, Reply, Role, SealedKey};

use super::auth::{self, Caller};
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
        .fallback(|| async { ApiError::new("not_found", "no such route") })
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
                Err(ApiError::new("payload_too_large", "the body is too large"))
            }
            Err(e) => Err(ApiError::new("bad_request", e.body_text())),
        }
    }
}

pub(super) async fn submit(state: &AppState, command: Command) -> Result<Reply, ApiError> {
    match state.engine.submit(command).await {
        Ok(Reply::Refused { code, message }) => Err(ApiError { code, message }),
        Ok(reply) => Ok(reply),
        Err(_) => Err(ApiError::unavailable()),
    }
}

pub(super) async fn query(state: &AppState, q: Query) -> Result<View, ApiError> {
    match submit(state, Command::Query(q)).await? {
        Reply::View(view) => Ok(view),
        other => Err(ApiError::new(
            "internal",
            format!("unexpected reply {other:?}"),
        )),
    }
}

/// Runs a command under the request's `Idempotency-Key`: the first reply
/// is remembered and replayed for the same request; the same key with
/// another request is refused.
pub(super) async fn idempotent(
    state: &AppState,
    caller: Caller,
    headers: &HeaderMap,
    route: &str,
    request: &impl Serialize,
    command: Command,
) -> Result<(Reply, bool), ApiError> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::new(
                "idempotency_key_required",
                "this request moves money or stock: send an Idempotency-Key header",
            )
        })?;
    let canonical = serde_json::to_vec(&(route, request))
        .map_err(|e| ApiError::new("internal", e.to_string()))?;
    let fingerprint = blake3::hash(&canonical).to_hex().to_string();
    let wrapped = Command::Idempotent {
        caller: caller.0,
        key: key.to_string(),
        fingerprint,
        command: Box::new(command),
    };
    match submit(state, wrapped).await? {
        Reply::Idempotent { reply, replayed } => match *reply {
            Reply::Refused { code, message } => Err(ApiError { code, message }),
            reply => Ok((reply, replayed)),
        },
        other => Err(ApiError::new(
            "internal",
            format!("unexpected reply {other:?}"),
        )),
    }
}

/// The caller's own account, as the shop has it.
pub(super) async fn caller_view(
    state: &AppState,
    caller: Caller,
) -> Result<trigate_core::query::MeView, ApiError> {
    match query(state, Query::Me { caller: caller.0 }).await? {
        View::Me(me) => Ok(me),
        _ => Err(ApiError::new("internal", "unexpected view")),
    }
}

/// Refused unless the caller is finance or an admin (who may do
/// whatever finance may).
pub(super) async fn require_finance(
    state: &AppState,
    caller: Caller,
    what: &str,
) -> Result<(), ApiError> {
    use trigate_core::AdminRole;
    match caller_view(state, caller).await?.role {
        Role::Staff(AdminRole::Finance | AdminRole::Admin) => Ok(()),
        _ => Err(ApiError::new("forbidden", format!("only finance {what}"))),
    }
}

#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200, description = "The writer answers"), (status = 503, description = "It does not", body = super::openapi::ErrorBody)))]
pub(super) async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    query(&state, Query::Catalog).await.map(|_| "ready")
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
    let length = body.password.chars().count();
    if !(8..=256).contains(&length) {
        return Err(ApiError::new(
            "invalid",
            "a password is 8 to 256 characters",
        ));
    }
    let password = body.password;
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| ApiError::new("internal", e.to_string()))??;
    let reply = submit(
        &state,
        Command::Register {
            login: body.login,
            role: Role::Buyer,
            referrer_code: body.referral_code,
            password: Some(PasswordHash(hash)),
        },
    )
    .await?;
    let Reply::User(id) = reply else {
        return Err(ApiError::new("internal", "no user made"));
    };
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
    let refused = || ApiError::new("bad_credentials", "wrong login or password");
    let (user, role, phc, second_factor) =
        match query(&state, Query::Credentials { login: body.login }).await {
            Ok(View::Credentials {
                user,
                role,
                password: Some(phc),
                second_factor,
            }) => (user, role, phc, second_factor),
            _ => return Err(refused()),
        };
    let password = body.password;
    let matches = tokio::task::spawn_blocking(move || auth::password_matches(&password, &phc))
        .await
        .map_err(|e| ApiError::new("internal", e.to_string()))?;
    if !matches {
        return Err(refused());
    }
    if auth::needs_second_factor(role) {
        auth::check_second_factor(&state, user, second_factor.as_deref(), body.totp.as_deref())?;
    }
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
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let me = caller_view(&state, caller).await?;
    Ok(Json(serde_json::to_value(me).unwrap_or_default()))
}

#[utoipa::path(get, path = "/api/v1/products", tag = "catalog", security(()), responses((status = 200, description = "Products on sale, with stock")))]
pub(super) async fn catalog(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let View::Catalog(products) = query(&state, Query::Catalog).await? else {
        return Err(ApiError::new("internal", "unexpected view"));
    };
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
    caller: Caller,
    headers: HeaderMap,
    Body(body): Body<BuyBody>,
) -> Result<Response, ApiError> {
    let (buyer, product) = (caller.0, ProductId(body.product));
    let command = match body.pay {
        Pay::Balance => Command::BuyWithBalance {
            buyer,
            product,
            quantity: body.quantity,
            coupon: body.coupon.clone(),
        },
        Pay::Later => Command::CreateOrder {
            buyer,
            product,
            quantity: body.quantity,
            coupon: body.coupon.clone(),
        },
    };
    let (reply, replayed) = idempotent(&state, caller, &headers, "buy", &body, command).await?;
    let (Reply::Bought { order, .. } | Reply::Order(order)) = reply else {
        return Err(ApiError::new("internal", "unexpected reply"));
    };
    order_response(&state, caller, order, replayed, StatusCode::CREATED).await
}

/// Pays a created order from the wallet; the keys come back opened.
#[utoipa::path(post, path = "/api/v1/orders/{id}/pay-by-balance", tag = "orders", params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Paid; the keys opened"), (status = 402, description = "The wallet is short", body = super::openapi::ErrorBody)))]
pub(super) async fn pay_by_balance(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Result<Response, ApiError> {
    let command = Command::PayByBalance {
        buyer: caller.0,
        order: OrderId(id),
    };
    let (_, replayed) = idempotent(&state, caller, &headers, "pay", &id, command).await?;
    order_response(&state, caller, OrderId(id), replayed, StatusCode::OK).await
}

async fn order_response(
    state: &AppState,
    caller: Caller,
    order: OrderId,
    replayed: bool,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let view = order_view(state, caller, order).await?;
    let mut response = (status, Json(order_json(state, &view)?)).into_response();
    if replayed {
        response.headers_mut().insert(
            "idempotent-replayed",
            "true"
                .parse()
                .map_err(|_| ApiError::new("internal", "header"))?,
        );
    }
    Ok(response)
}

async fn order_view(
    state: &AppState,
    caller: Caller,
    order: OrderId,
) -> Result<OrderView, ApiError> {
    match query(
        state,
        Query::Order {
            caller: caller.0,
            order,
        },
    )
    .await?
    {
        View::Order(view) => Ok(*view),
        _ => Err(ApiError::new("internal", "unexpected view")),
    }
}

/// An order as JSON, its keys opened for those allowed to see them.
pub(super) fn order_json(state: &AppState, view: &OrderView) -> Result<Value, ApiError> {
    let keys: Vec<String> = if view.sealed_keys.is_empty() {
        Vec::new()
    } else {
        let data_key = state
            .master
            .unwrap_key(&view.wrapped_key)
            .map_err(|e| ApiError::new("internal", e.to_string()))?;
        view.sealed_keys
            .iter()
            .map(|(_, sealed)| {
                data_key
                    .open(&SealedKey {
                        hash: [0; 32],
                        sealed: sealed.clone(),
                    })
                    .map(|plain| plain.expose_secret().to_string())
                    .map_err(|e| ApiError::new("internal", e.to_string()))
            })
            .collect::<Result<_, _>>()?
    };
    Ok(json!({
        "order": view.trail.order,
        "status": view.trail.status,
        "amount": view.trail.amount,
        "refunded": view.trail.refunded,
        "keys": keys,
        "text": view.fixed_text,
        "money": view.trail.money,
    }))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = u64, Path)), responses((status = 200, description = "The order, with its keys for its buyer"), (status = 404, description = "No such order, or not the caller's to see", body = super::openapi::ErrorBody)))]
pub(super) async fn order(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    let view = order_view(&state, caller, OrderId(id)).await?;
    Ok(Json(order_json(&state, &view)?))
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/confirm", tag = "orders", params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Confirmed and settled"), (status = 409, description = "Not delivered", body = super::openapi::ErrorBody)))]
pub(super) async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    let command = Command::ConfirmOrder {
        buyer: caller.0,
        order: OrderId(id),
    };
    let (reply, _) = idempotent(&state, caller, &headers, "confirm", &id, command).await?;
    Ok(Json(json!({ "order": id, "settlement": reply })))
}

/// The buyer cancels an unpaid order; its keys go back on sale.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Cancelled"), (status = 409, description = "Already paid, expired or cancelled", body = super::openapi::ErrorBody)))]
pub(super) async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Result<Json<Value>, ApiError> {
    let command = Command::CancelOrder {
        buyer: caller.0,
        order: OrderId(id),
    };
    idempotent(&state, caller, &headers, "cancel", &id, command).await?;
    Ok(Json(json!({ "order": id, "status": "cancelled" })))
}
