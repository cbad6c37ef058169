//! Lists of orders, newest first, 50 a page, filtered by status: a buyer's
//! own (`/account/orders`), a merchant's sales (`/merchant/orders`), and
//! every order for staff (`/admin/orders`), where a dispute is decided —
//! released to the merchant or refunded, all or part — after a
//! confirmation, under its form's idempotency key.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::{AppError, Caller, Once, ops};
use trigate_core::{Decision, OrderId, OrderStatus};

use super::admin::staff;
use super::{CsrfForm, Page, csrf, form_status, i18n, refused, render, signed_in};
use crate::AppState;

/// Orders one page shows.
const PAGE: u32 = 50;

struct OrderLine {
    id: u64,
    amount: String,
    /// What is left to refund, as typed in the refund field.
    left: String,
    currency: String,
    status: &'static str,
    status_text: String,
    at: String,
    /// A dispute staff decide.
    escalated: bool,
}

struct StatusChoice {
    name: &'static str,
    text: String,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "my_orders.html")]
struct OrdersPage<'a> {
    p: &'a Page,
    /// The admin console's list (decisions on disputes).
    admin: bool,
    action: &'static str,
    orders: Vec<OrderLine>,
    statuses: Vec<StatusChoice>,
    /// The link to the next (older) page.
    older: Option<String>,
    error: Option<String>,
    key: String,
}

/// The list's filter and page, as the query string gives them; anything
/// unreadable is left out.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListParams {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    before: Option<String>,
}

impl ListParams {
    fn status(&self) -> Option<OrderStatus> {
        self.status.as_deref().and_then(OrderStatus::named)
    }

    fn before(&self) -> Option<OrderId> {
        self.before
            .as_deref()
            .and_then(|b| b.parse::<u64>().ok())
            .map(OrderId)
    }
}

async fn list(
    state: &AppState,
    p: &Page,
    caller: Caller,
    (action, admin): (&'static str, bool),
    params: &ListParams,
    (error, status): (Option<String>, StatusCode),
) -> Response {
    let chosen = params.status();
    let read = ops::Orders {
        before: params.before(),
        limit: PAGE,
        status: chosen,
    };
    let found = match state.app.read(caller, read).await {
        Ok(orders) => orders,
        Err(e) => return refused(p, &e),
    };
    let older = (found.len() == PAGE as usize)
        .then(|| found.last())
        .flatten()
        .map(|o| {
            let status = chosen.map_or(String::new(), |s| format!("status={}&", s.as_str()));
            format!("{action}?{status}before={}", o.order.0)
        });
    let orders = found
        .iter()
        .map(|o| {
            let named = OrderStatus::named(&o.status);
            OrderLine {
                id: o.order.0,
                amount: i18n::money(o.amount, o.currency),
                left: trigate_channels::amount::format(
                    o.amount.saturating_sub(o.refunded),
                    o.currency,
                ),
                currency: o.currency.to_string(),
                status: named.map_or("", OrderStatus::as_str),
                status_text: p.t(&format!("order-status-{}", o.status)).into_owned(),
                at: p.time(o.created_at / 1_000_000_000),
                escalated: o.status == "disputed" && o.escalated,
            }
        })
        .collect();
    let statuses = OrderStatus::ALL
        .iter()
        .map(|s| StatusChoice {
            name: s.as_str(),
            text: p.t(&format!("order-status-{}", s.as_str())).into_owned(),
            chosen: chosen == Some(*s),
        })
        .collect();
    let page = OrdersPage {
        p,
        admin,
        action,
        orders,
        statuses,
        older,
        error,
        key: csrf::idempotency_key(),
    };
    render(status, &page)
}

/// The caller's own orders, or its merchant's sales.
pub(super) async fn my_orders(
    State(state): State<AppState>,
    p: Page,
    Query(params): Query<ListParams>,
) -> Response {
    let caller = match signed_in(&p) {
        Ok(caller) => caller,
        Err(to_sign_in) => return to_sign_in,
    };
    let action = if p.path.starts_with("/merchant") {
        "/merchant/orders"
    } else {
        "/account/orders"
    };
    let ok = (None, StatusCode::OK);
    list(&state, &p, caller, (action, false), &params, ok).await
}

/// Every order (staff).
pub(super) async fn all_orders(
    State(state): State<AppState>,
    p: Page,
    Query(params): Query<ListParams>,
) -> Response {
    match staff(&state, &p).await {
        Ok(caller) => {
            let ok = (None, StatusCode::OK);
            list(&state, &p, caller, ("/admin/orders", true), &params, ok).await
        }
        Err(refused) => refused,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct DecideForm {
    #[serde(default)]
    idempotency_key: String,
    /// `release` or `refund`.
    #[serde(default)]
    decision: String,
    /// A refund's amount, as typed (what is left of the order's if empty).
    #[serde(default)]
    amount: String,
    #[serde(default)]
    full: String,
    #[serde(default)]
    currency: String,
}

/// Staff decide a dispute: released to the merchant, or refunded.
pub(super) async fn decide(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let Ok(order) = id.parse::<u64>().map(OrderId) else {
        return refused(&p, &AppError::NotFound("no such order".into()));
    };
    let done = async {
        let decision = match form.decision.as_str() {
            "release" => Decision::Release,
            "refund" => {
                let typed = if form.amount.trim().is_empty() {
                    form.full.trim()
                } else {
                    form.amount.trim()
                };
                let currency = trigate_core::Currency::new(form.currency.trim())
                    .map_err(|_| AppError::Invalid("the order's currency is missing".into()))?;
                let amount = i18n::parse_amount(typed, currency)
                    .filter(|a| *a > 0)
                    .ok_or_else(|| {
                        AppError::Invalid("the refund's amount is not a number".into())
                    })?;
                Decision::Refund(amount)
            }
            _ => return Err(AppError::Invalid("choose release or refund".into())),
        };
        let once = Once::new(
            Some(&form.idempotency_key),
            "page_decide_dispute",
            &(order.0, &form.decision, &form.amount),
        )?;
        let decide = ops::DecideDispute { order, decision };
        state.app.change_once(caller, &once, decide).await
    }
    .await;
    match done {
        Ok(_) => Redirect::to("/admin/orders?status=disputed").into_response(),
        Err(e) => {
            let params = ListParams {
                status: Some("disputed".into()),
                before: None,
            };
            let back = (Some(p.refusal(&e)), form_status(&e));
            list(&state, &p, caller, ("/admin/orders", true), &params, back).await
        }
    }
}
