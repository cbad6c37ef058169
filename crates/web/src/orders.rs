//! Orders: buying (paid from the wallet at once, or reserved to pay
//! later), paying by balance, reading an order with its keys, confirming,
//! cancelling, refunds (to the wallet or back through the channel) and the
//! caller's list of orders.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use trigate_app::{Caller, Replied, ops};
use trigate_core::{OrderId, ProductId, RefundTo};

use super::AppState;
use super::answers::{
    ChannelRefundSent, ChannelSend, Confirmed, OrderAnswer, OrderLine, OrderStatusAnswer,
    OrdersPage, RefundAnswer,
};
use super::auth::SignedIn;
use super::error::ApiError;
use super::routes::{Body, Id, Params, mark_replayed, once};

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
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = BuyBody, params(("Idempotency-Key" = String, Header, description = "required")), responses((status = 201, description = "The order; paid by balance, with its keys", body = OrderAnswer), (status = 402, description = "The wallet is short", body = super::openapi::ErrorBody), (status = 409, description = "Out of stock, off sale, or the key was used for another request", body = super::openapi::ErrorBody)))]
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
#[utoipa::path(post, path = "/api/v1/orders/{id}/pay-by-balance", tag = "orders", params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Paid; the keys opened", body = OrderAnswer), (status = 402, description = "The wallet is short", body = super::openapi::ErrorBody)))]
pub(super) async fn pay_by_balance(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
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
    let response = (status, Json(OrderAnswer::from(&details))).into_response();
    Ok(mark_replayed(response, replayed))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = u64, Path)), responses((status = 200, description = "The order, with its keys for its buyer", body = OrderAnswer), (status = 404, description = "No such order, or not the caller's to see", body = super::openapi::ErrorBody)))]
pub(super) async fn order(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
) -> Result<Json<OrderAnswer>, ApiError> {
    let details = state.app.order(caller, OrderId(id)).await?;
    Ok(Json(OrderAnswer::from(&details)))
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/confirm", tag = "orders", params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Confirmed and settled", body = Confirmed), (status = 409, description = "Not delivered", body = super::openapi::ErrorBody)))]
pub(super) async fn confirm(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
) -> Result<Json<Confirmed>, ApiError> {
    let once = once(&headers, "confirm", &id)?;
    let confirm = ops::ConfirmOrder { order: OrderId(id) };
    let settlement = state.app.change_once(caller, &once, confirm).await?.reply;
    let currency = state.app.order_currency(caller, OrderId(id)).await?;
    Ok(Json(Confirmed::new(id, currency.to_string(), &settlement)))
}

/// The buyer cancels an unpaid order; its keys go back on sale.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Cancelled", body = OrderStatusAnswer), (status = 409, description = "Already paid, expired or cancelled", body = super::openapi::ErrorBody)))]
pub(super) async fn cancel(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
) -> Result<Json<OrderStatusAnswer>, ApiError> {
    let once = once(&headers, "cancel", &id)?;
    let cancel = ops::CancelOrder { order: OrderId(id) };
    state.app.change_once(caller, &once, cancel).await?;
    Ok(Json(OrderStatusAnswer {
        order: id,
        status: "cancelled".into(),
    }))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct RefundBody {
    amount: u64,
    #[serde(default)]
    to_channel: bool,
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/refund", tag = "orders", request_body = RefundBody, params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Refunded", body = RefundAnswer), (status = 202, description = "Waiting for a second member of staff's approval", body = RefundAnswer), (status = 403, description = "Not the merchant or staff", body = super::openapi::ErrorBody)))]
pub(super) async fn refund(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
    Body(body): Body<RefundBody>,
) -> Result<(StatusCode, Json<RefundAnswer>), ApiError> {
    let once = once(&headers, "refund", &(id, &body))?;
    let to = if body.to_channel {
        RefundTo::Channel
    } else {
        RefundTo::Wallet
    };
    let refunded = state
        .app
        .refund(caller, &once, OrderId(id), body.amount, to)
        .await?;
    // Owed back through the channel: sent now if the channel took it; if
    // not, it stays owed and `…/channel-refund` sends it later.
    let channel = refunded.channel.map(|sent| match sent {
        Ok(sent) => ChannelSend {
            status: "sent",
            sent,
            error: None,
        },
        Err(e) => ChannelSend {
            status: "pending",
            sent: 0,
            error: Some(e.code()),
        },
    });
    let currency = state.app.order_currency(caller, OrderId(id)).await?;
    let (code, status) = match refunded.approval {
        Some(_) => (StatusCode::ACCEPTED, "waiting_approval"),
        None => (StatusCode::OK, "refunded"),
    };
    let answer = RefundAnswer {
        order: id,
        currency: currency.to_string(),
        refunded: refunded.amount,
        to: match refunded.to {
            RefundTo::Channel => "channel",
            RefundTo::Wallet => "wallet",
        },
        channel,
        status,
        approval: refunded.approval.map(|a| a.0),
    };
    Ok((code, Json(answer)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// Orders older than this one.
    #[serde(default)]
    before: Option<u64>,
    #[serde(default = "default_limit")]
    limit: u32,
    /// Only orders in this status.
    #[serde(default)]
    status: Option<String>,
}

fn default_limit() -> u32 {
    50
}

/// The caller's orders (a buyer), sales (a merchant) or every order
/// (staff), newest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders",
    params(("before" = Option<u64>, Query, description = "orders older than this one"),
        ("limit" = Option<u32>, Query, description = "1 to 100, 50 if absent"),
        ("status" = Option<String>, Query, description = "only orders in this status: created, paid, delivered, disputed, settled, expired, cancelled or refunded")),
    responses((status = 200, description = "A page of orders, newest first", body = OrdersPage),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 422, description = "No such status", body = super::openapi::ErrorBody)))]
pub(super) async fn list_orders(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Params(page): Params<PageParams>,
) -> Result<Json<OrdersPage>, ApiError> {
    let status = match page.status.as_deref() {
        None | Some("") => None,
        Some(name) => Some(trigate_core::OrderStatus::named(name).ok_or_else(|| {
            trigate_app::AppError::Invalid(format!("no order status is called {name:?}"))
        })?),
    };
    let read = ops::Orders {
        before: page.before.map(OrderId),
        limit: page.limit,
        status,
    };
    let orders = state.app.read(caller, read).await?;
    let next = (orders.len() == page.limit.clamp(1, 100) as usize)
        .then(|| orders.last().map(|o| o.order))
        .flatten();
    Ok(Json(OrdersPage {
        orders: orders.iter().map(OrderLine::from).collect(),
        next_before: next.map(|o| o.0),
    }))
}

/// Sends back through the order's channel what it still owes its buyer
/// (a refund to the channel whose sending failed before).
#[utoipa::path(post, path = "/api/v1/orders/{id}/channel-refund", tag = "orders",
    params(("id" = u64, Path)),
    responses((status = 200, description = "What was sent (0 if nothing was owed)", body = ChannelRefundSent),
        (status = 502, description = "The channel could not send it; it stays owed", body = super::openapi::ErrorBody)))]
pub(super) async fn channel_refund(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
) -> Result<Json<ChannelRefundSent>, ApiError> {
    let sent = state.app.send_refund(caller, OrderId(id)).await?;
    Ok(Json(ChannelRefundSent {
        order: id,
        currency: sent.currency.to_string(),
        sent: sent.amount,
    }))
}
