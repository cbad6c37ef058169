//! An order's page — its keys with a copy button, once paid — for its
//! signed-in buyer or the guest whose browser holds its pass; the part of it
//! that follows a payment still on its way (polled by htmx); and the guest
//! lookup by order number and secret.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::{AppError, OrderDetails};
use trigate_core::OrderId;

use super::{CsrfForm, GuestPasses, Page, error_page, i18n, refused, render};
use crate::AppState;

/// An order's status as a message id.
fn status_message(status: &str) -> String {
    format!("order-status-{status}")
}

/// Whether the order is still waiting for its payment.
fn awaiting_payment(o: &OrderDetails) -> bool {
    o.status == "created"
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage<'a> {
    p: &'a Page,
    order: &'a OrderDetails,
    status: String,
    amount: String,
    keys: Vec<String>,
    /// For the signed-in buyer's confirm form.
    action_key: String,
    /// The dispute's steps, oldest first.
    timeline: Vec<Step>,
    dispute_open: bool,
    /// The viewer is the signed-in buyer: theirs are the order's forms.
    is_buyer: bool,
    /// The viewer owns the order's merchant: theirs are the dispute's
    /// answers.
    is_seller: bool,
    /// What the buyer typed in a form that came back, with its errors.
    typed: Typed,
    /// Every transfer made for the order, for its merchant and staff.
    trail: Vec<TrailLine>,
}

/// One transfer of an order's money trail.
struct TrailLine {
    at: String,
    why: String,
    from: String,
    to: String,
    amount: String,
}

/// The order's money trail, oldest first, in the viewer's words.
fn trail(p: &Page, order: &OrderDetails) -> Vec<TrailLine> {
    let account = |name: &str| {
        p.t(&format!("account-{}", name.replace(':', "-")))
            .into_owned()
    };
    order
        .money
        .iter()
        .map(|m| {
            let why = trigate_core::chart::Why::from_code(m.why)
                .map_or("other", trigate_core::chart::Why::as_str);
            TrailLine {
                at: p.time(m.at / 1_000_000_000),
                why: p.t(&format!("why-{why}")).into_owned(),
                from: account(&m.from),
                to: account(&m.to),
                amount: i18n::money(m.amount, order.currency),
            }
        })
        .collect()
}

/// What a buyer typed in one of the order page's forms, and why it came
/// back.
#[derive(Debug, Default)]
pub(super) struct Typed {
    pub reason: String,
    pub reason_error: Option<String>,
    pub text: String,
    pub text_error: Option<String>,
    /// A refusal of the whole form.
    pub error: Option<String>,
}

/// A step of a dispute as the order page shows it.
struct Step {
    at: String,
    who: String,
    what: String,
    /// What was written (the reason, a message).
    said: Option<String>,
}

fn timeline(p: &Page, order: &OrderDetails, viewer: Option<trigate_app::Caller>) -> Vec<Step> {
    use trigate_core::{Decision, DisputeAction as A};
    let Some(d) = &order.dispute else {
        return Vec::new();
    };
    d.steps
        .iter()
        .map(|s| {
            let who = match s.by {
                None => p.t("dispute-by-shop"),
                Some(u) if viewer.is_some_and(|v| v.0 == u) => p.t("dispute-by-you"),
                Some(_) => p.t("dispute-by-other"),
            }
            .into_owned();
            let (what, said) = match &s.action {
                A::Opened { reason } => ("dispute-opened", Some(reason.clone())),
                A::Message { text } => ("dispute-message", Some(text.clone())),
                A::KeysReplaced { .. } => ("dispute-keys-replaced", None),
                A::Refunded { .. } | A::Decided(Decision::Refund(_)) => ("dispute-refunded", None),
                A::Escalated => ("dispute-escalated", None),
                A::Decided(Decision::Release) => ("dispute-released", None),
            };
            Step {
                at: p.time(s.at / 1_000_000_000),
                who,
                what: p.t(what).into_owned(),
                said,
            }
        })
        .collect()
}

/// The order `id` for whoever asks: its buyer signed in, or a guest's
/// pass. `Ok(None)` when neither may see it.
async fn visible(
    state: &AppState,
    p: &Page,
    headers: &HeaderMap,
    id: OrderId,
) -> Result<Option<OrderDetails>, AppError> {
    if let Some(caller) = p.caller {
        match state.app.order(caller, id).await {
            Ok(order) => return Ok(Some(order)),
            Err(AppError::NotFound(_)) | Err(AppError::Refused { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    if !state.passes.opens(headers, id) {
        return Ok(None);
    }
    match state.app.guest_order_passed(id).await {
        Ok(order) => Ok(Some(order)),
        Err(AppError::Refused { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

pub(super) async fn order(
    State(state): State<AppState>,
    p: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<u64>().map(OrderId) else {
        let message = p.t("error-order_not_found").into_owned();
        return error_page(&p, StatusCode::NOT_FOUND, message);
    };
    order_page(&state, &p, &headers, id, Typed::default(), StatusCode::OK).await
}

/// The order's page, with what was typed in a form that came back.
pub(super) async fn order_page(
    state: &AppState,
    p: &Page,
    headers: &HeaderMap,
    id: OrderId,
    typed: Typed,
    status: StatusCode,
) -> Response {
    match visible(state, p, headers, id).await {
        Ok(Some(order)) => render(
            status,
            &OrderPage {
                p,
                status: p.t(&status_message(&order.status)).into_owned(),
                amount: p.money(&order.amount, &order.currency),
                keys: trigate_app::exposed(&order.keys),
                action_key: super::csrf::idempotency_key(),
                timeline: timeline(p, &order, p.caller),
                dispute_open: order.dispute.as_ref().is_some_and(|d| d.open),
                is_buyer: p.caller.is_some_and(|c| c.0 == order.buyer),
                is_seller: p.merchant == Some(order.merchant),
                typed,
                trail: if p.merchant == Some(order.merchant) || p.staff {
                    trail(p, &order)
                } else {
                    Vec::new()
                },
                order: &order,
            },
        ),
        Ok(None) => Redirect::to(&format!("/lookup?order={}", id.0)).into_response(),
        Err(e) => refused(p, &e),
    }
}

#[derive(Template)]
#[template(path = "order_live.html")]
struct Live<'a> {
    p: &'a Page,
    order: u64,
}

/// While the payment is on its way: this part again, polled; once it has
/// landed, the whole page reloads to show the keys.
pub(super) async fn live(
    State(state): State<AppState>,
    p: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<u64>().map(OrderId) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match visible(&state, &p, &headers, id).await {
        Ok(Some(order)) if awaiting_payment(&order) => {
            render(StatusCode::OK, &Live { p: &p, order: id.0 })
        }
        Ok(Some(_)) => ([("hx-refresh", "true")], "").into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => (e.status(), p.refusal(&e)).into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct LookupForm {
    #[serde(default)]
    order: String,
    #[serde(default)]
    lookup_secret: String,
}

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage<'a> {
    p: &'a Page,
    order: String,
    order_error: Option<String>,
    secret_error: Option<String>,
    error: Option<String>,
}

pub(super) async fn lookup_form(p: Page, Query(query): Query<LookupForm>) -> Response {
    let order = query.order.chars().filter(char::is_ascii_digit).collect();
    render(
        StatusCode::OK,
        &LookupPage {
            p: &p,
            order,
            order_error: None,
            secret_error: None,
            error: None,
        },
    )
}

pub(super) async fn lookup(
    State(state): State<AppState>,
    p: Page,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<LookupForm>,
) -> Response {
    let again = |order_error, secret_error, error, status| {
        render(
            status,
            &LookupPage {
                p: &p,
                order: form.order.clone(),
                order_error,
                secret_error,
                error,
            },
        )
    };
    let order = form.order.trim().parse::<u64>().ok().map(OrderId);
    let length = form.lookup_secret.chars().count();
    let secret_error = (!(6..=128).contains(&length)).then(|| p.t("field-lookup-secret").into());
    let Some(order) = order.filter(|_| secret_error.is_none()) else {
        let order_error = order.is_none().then(|| p.t("field-order-number").into());
        return again(
            order_error,
            secret_error,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    match state
        .app
        .guest_order(order, form.lookup_secret.clone())
        .await
    {
        Ok(_) => {
            let token = state.passes.grant(&headers, order);
            let cookie = GuestPasses::cookie(&token, state.secure_cookies);
            let mut response = Redirect::to(&format!("/orders/{}", order.0)).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            response
        }
        Err(e) => {
            let status = super::form_status(&e);
            again(None, None, Some(p.refusal(&e)), status)
        }
    }
}
