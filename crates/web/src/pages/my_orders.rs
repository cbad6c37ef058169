//! The signed-in buyer's orders: the list, confirming receipt (which
//! settles the order) and opening a dispute inside its window.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::{AppError, Once, ops};
use trigate_core::OrderId;

use super::{CsrfForm, Page, i18n, refused, render, signed_in};
use crate::AppState;

struct OrderLine {
    id: u64,
    amount: String,
    status: String,
    at: String,
}

#[derive(Template)]
#[template(path = "my_orders.html")]
struct MyOrders<'a> {
    p: &'a Page,
    orders: Vec<OrderLine>,
}

pub(super) async fn my_orders(State(state): State<AppState>, p: Page) -> Response {
    let caller = match signed_in(&p) {
        Ok(caller) => caller,
        Err(to_sign_in) => return to_sign_in,
    };
    let read = ops::Orders {
        before: None,
        limit: 100,
    };
    let orders = match state.app.read(caller, read).await {
        Ok(orders) => orders,
        Err(e) => return refused(&p, &e),
    };
    let orders = orders
        .iter()
        .map(|o| OrderLine {
            id: o.order.0,
            amount: i18n::money(o.amount, o.currency),
            status: p.t(&format!("order-status-{}", o.status)).into_owned(),
            at: p.time(o.created_at / 1_000_000_000),
        })
        .collect();
    render(StatusCode::OK, &MyOrders { p: &p, orders })
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ActionForm {
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    text: String,
}

fn order_id(p: &Page, id: &str) -> Result<OrderId, Response> {
    id.parse::<u64>()
        .map(OrderId)
        .map_err(|_| refused(p, &AppError::NotFound("no such order".into())))
}

/// Back to the order's page, which shows what changed.
fn back_to(order: OrderId) -> Response {
    Redirect::to(&format!("/orders/{}", order.0)).into_response()
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    let (caller, order) = match (signed_in(&p), order_id(&p, &id)) {
        (Ok(caller), Ok(order)) => (caller, order),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let once = match Once::new(Some(&form.idempotency_key), "page_confirm", &order.0) {
        Ok(once) => once,
        Err(e) => return refused(&p, &e),
    };
    let confirm = ops::ConfirmOrder { order };
    match state.app.change_once(caller, &once, confirm).await {
        Ok(_) => back_to(order),
        Err(e) => refused(&p, &e),
    }
}

pub(super) async fn dispute(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    let (caller, order) = match (signed_in(&p), order_id(&p, &id)) {
        (Ok(caller), Ok(order)) => (caller, order),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        let message = p.t("field-reason").into_owned();
        return super::error_page(&p, StatusCode::UNPROCESSABLE_ENTITY, message);
    }
    let open = ops::OpenDispute {
        order,
        reason: reason.to_string(),
    };
    match state.app.change(caller, open).await {
        Ok(()) => back_to(order),
        Err(e) => refused(&p, &e),
    }
}

pub(super) async fn message(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    let (caller, order) = match (signed_in(&p), order_id(&p, &id)) {
        (Ok(caller), Ok(order)) => (caller, order),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let text = form.text.trim();
    if text.is_empty() || text.chars().count() > 2000 {
        let message = p.t("field-message").into_owned();
        return super::error_page(&p, StatusCode::UNPROCESSABLE_ENTITY, message);
    }
    let write = ops::AddDisputeMessage {
        order,
        text: text.to_string(),
    };
    match state.app.change(caller, write).await {
        Ok(()) => back_to(order),
        Err(e) => refused(&p, &e),
    }
}
