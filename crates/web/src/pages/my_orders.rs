//! What the signed-in caller does to an order from its page: confirming
//! receipt (which settles the order), opening a dispute inside its window,
//! writing in it, and the merchant's new keys or refund.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::{AppError, Caller, Once, ops};
use trigate_core::OrderId;

use super::orders::Typed;
use super::{CsrfForm, Page, form_status, refused, signed_in};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub(super) struct ActionForm {
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    text: String,
}

/// The signed-in caller and the order the path names, or the page that
/// says why not.
fn caller_and_order(p: &Page, id: &str) -> Result<(Caller, OrderId), Response> {
    let caller = signed_in(p)?;
    let order = id
        .parse::<u64>()
        .map(OrderId)
        .map_err(|_| refused(p, &AppError::NotFound("no such order".into())))?;
    Ok((caller, order))
}

/// Back to the order's page, which shows what changed.
fn back_to(order: OrderId) -> Response {
    Redirect::to(&format!("/orders/{}", order.0)).into_response()
}

/// The order's page again, with what was typed and why it came back.
async fn again(
    state: &AppState,
    p: &Page,
    headers: &HeaderMap,
    order: OrderId,
    typed: Typed,
    status: StatusCode,
) -> Response {
    super::orders::order_page(state, p, headers, order, typed, status).await
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    p: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    act(
        &state,
        &p,
        &headers,
        &id,
        &form.idempotency_key,
        Act::Confirm,
    )
    .await
}

/// What a dispute's form writes: the reason that opens it, or a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writing {
    Reason,
    Message,
}

impl Writing {
    /// What was typed, with the field's error or the form's refusal.
    fn typed(self, text: String, field: Option<String>, error: Option<String>) -> Typed {
        match self {
            Writing::Reason => Typed {
                reason: text,
                reason_error: field,
                error,
                ..Typed::default()
            },
            Writing::Message => Typed {
                text,
                text_error: field,
                error,
                ..Typed::default()
            },
        }
    }
}

/// Opens a dispute or writes in one; the order's page again, with what was
/// typed, when the text is not 1 to 2000 characters or the shop refuses.
async fn write(
    state: &AppState,
    p: &Page,
    headers: &HeaderMap,
    id: &str,
    typed: String,
    writing: Writing,
) -> Response {
    let (caller, order) = match caller_and_order(p, id) {
        Ok(both) => both,
        Err(page) => return page,
    };
    let text = typed.trim().to_string();
    if text.is_empty() || text.chars().count() > 2000 {
        let field = match writing {
            Writing::Reason => p.t("field-reason"),
            Writing::Message => p.t("field-message"),
        };
        let typed = writing.typed(typed, Some(field.into_owned()), None);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return again(state, p, headers, order, typed, status).await;
    }
    let written = match writing {
        Writing::Reason => {
            let open = ops::OpenDispute {
                order,
                reason: text,
            };
            state.app.change(caller, open).await
        }
        Writing::Message => {
            let write = ops::AddDisputeMessage { order, text };
            state.app.change(caller, write).await
        }
    };
    match written {
        Ok(()) => back_to(order),
        Err(e) => {
            let typed = writing.typed(typed, None, Some(p.refusal(&e)));
            again(state, p, headers, order, typed, form_status(&e)).await
        }
    }
}

pub(super) async fn dispute(
    State(state): State<AppState>,
    p: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    write(&state, &p, &headers, &id, form.reason, Writing::Reason).await
}

pub(super) async fn message(
    State(state): State<AppState>,
    p: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    write(&state, &p, &headers, &id, form.text, Writing::Message).await
}

/// The merchant answers a dispute with new keys, under the form's key.
pub(super) async fn replace_keys(
    State(state): State<AppState>,
    p: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    act(
        &state,
        &p,
        &headers,
        &id,
        &form.idempotency_key,
        Act::ReplaceKeys,
    )
    .await
}

/// The merchant refunds a disputed order in full, under the form's key.
pub(super) async fn refund_dispute(
    State(state): State<AppState>,
    p: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    act(
        &state,
        &p,
        &headers,
        &id,
        &form.idempotency_key,
        Act::Refund,
    )
    .await
}

/// An action on an order that takes no text: the buyer's confirmation, a
/// merchant's answer to a dispute.
#[derive(Debug, Clone, Copy)]
enum Act {
    Confirm,
    ReplaceKeys,
    Refund,
}

/// Runs `how` on the order under the form's idempotency key; back to the
/// order's page, with the refusal if there is one.
async fn act(
    state: &AppState,
    p: &Page,
    headers: &HeaderMap,
    id: &str,
    key: &str,
    how: Act,
) -> Response {
    let (caller, order) = match caller_and_order(p, id) {
        Ok(both) => both,
        Err(page) => return page,
    };
    let route = match how {
        Act::Confirm => "page_confirm",
        Act::ReplaceKeys => "page_replace_keys",
        Act::Refund => "page_refund_dispute",
    };
    let answered = match Once::new(Some(key), route, &order.0) {
        Ok(once) => match how {
            Act::Confirm => {
                let confirm = ops::ConfirmOrder { order };
                state
                    .app
                    .change_once(caller, &once, confirm)
                    .await
                    .map(|_| ())
            }
            Act::ReplaceKeys => {
                let replace = ops::ReplaceKeys { order };
                state
                    .app
                    .change_once(caller, &once, replace)
                    .await
                    .map(|_| ())
            }
            Act::Refund => {
                let refund = ops::RefundDispute { order };
                state
                    .app
                    .change_once(caller, &once, refund)
                    .await
                    .map(|_| ())
            }
        },
        Err(e) => Err(e),
    };
    match answered {
        Ok(()) => back_to(order),
        Err(e) => {
            let typed = Typed {
                error: Some(p.refusal(&e)),
                ..Typed::default()
            };
            again(state, p, headers, order, typed, form_status(&e)).await
        }
    }
}
