//! The admin console's withdrawals: every one, newest first, with its
//! approvals so far; finance approves (a large one needs two approvers,
//! never the one who asked, never twice the same), rejects after a
//! confirmation, and records a payout made outside a channel — each under
//! its form's idempotency key.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::{AppError, Caller, Once, Payout, ops};
use trigate_core::WithdrawalId;

use super::admin::staff;
use super::paging::{self, Choice, StatusPage};
use super::{CsrfForm, Page, csrf, form_status, i18n, refused, render};
use crate::AppState;

struct Line {
    id: u64,
    amount: String,
    destination: String,
    status: &'static str,
    status_text: String,
    approvals: usize,
    needed: usize,
}

#[derive(Template)]
#[template(path = "admin_withdrawals.html")]
struct WithdrawalsPage<'a> {
    p: &'a Page,
    withdrawals: Vec<Line>,
    statuses: Vec<Choice>,
    older: Option<String>,
    error: Option<String>,
    key: String,
}

/// Every status a withdrawal may be in.
const STATUSES: [&str; 5] = ["requested", "approved", "paid_out", "rejected", "failed"];

async fn page(
    state: &AppState,
    p: &Page,
    (caller, filter): (Caller, &StatusPage),
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let list = match state.app.read(caller, ops::Withdrawals).await {
        Ok(list) => list,
        Err(e) => return refused(p, &e),
    };
    let (kept, older) = filter.apply(
        list.iter().rev(),
        |w| w.status.as_str(),
        ("/admin/withdrawals", 50),
    );
    let withdrawals = kept
        .into_iter()
        .map(|w| Line {
            id: w.id.0,
            amount: i18n::money(w.amount, w.currency),
            destination: w.destination.clone(),
            status: w.status.as_str(),
            status_text: p
                .t(&format!("withdrawal-status-{}", w.status.as_str()))
                .into_owned(),
            approvals: w.approvals.len(),
            needed: w.approvals_needed,
        })
        .collect();
    let page = WithdrawalsPage {
        p,
        withdrawals,
        statuses: paging::choices(p, "withdrawal-status-", &STATUSES, &filter.status),
        older,
        error,
        key: csrf::idempotency_key(),
    };
    render(status, &page)
}

pub(super) async fn withdrawals(
    State(state): State<AppState>,
    p: Page,
    Query(filter): Query<StatusPage>,
) -> Response {
    match staff(&state, &p).await {
        Ok(caller) => page(&state, &p, (caller, &filter), None, StatusCode::OK).await,
        Err(refused) => refused,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ActForm {
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    reference: String,
}

/// What finance does to a withdrawal.
#[derive(Debug, Clone, Copy)]
enum Act {
    Approve,
    Reject,
    Paid,
}

async fn act(state: &AppState, p: &Page, id: &str, form: ActForm, how: Act) -> Response {
    let caller = match staff(state, p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let Ok(withdrawal) = id.parse::<u64>().map(WithdrawalId) else {
        return refused(p, &AppError::NotFound("no such withdrawal".into()));
    };
    let route = match how {
        Act::Approve => "page_approve_withdrawal",
        Act::Reject => "page_reject_withdrawal",
        Act::Paid => "page_payout",
    };
    let done: Result<(), AppError> = async {
        let once = Once::new(
            Some(&form.idempotency_key),
            route,
            &(withdrawal.0, &form.reference),
        )?;
        match how {
            Act::Approve => {
                let approve = ops::ApproveWithdrawal { withdrawal };
                state
                    .app
                    .change_once(caller, &once, approve)
                    .await
                    .map(|_| ())
            }
            Act::Reject => {
                let reject = ops::RejectWithdrawal { withdrawal };
                state
                    .app
                    .change_once(caller, &once, reject)
                    .await
                    .map(|_| ())
            }
            Act::Paid => {
                let reference = form.reference.trim();
                if reference.is_empty() {
                    return Err(AppError::Invalid(
                        "the payout's reference is missing".into(),
                    ));
                }
                let payout = Payout::Recorded {
                    paid: true,
                    reference: reference.to_string(),
                };
                state
                    .app
                    .pay_out(caller, &once, withdrawal, payout)
                    .await
                    .map(|_| ())
            }
        }
    }
    .await;
    match done {
        Ok(()) => {
            Redirect::to(&format!("/admin/withdrawals#withdrawal-{}", withdrawal.0)).into_response()
        }
        Err(e) => {
            let all = StatusPage::default();
            page(
                state,
                p,
                (caller, &all),
                Some(p.refusal(&e)),
                form_status(&e),
            )
            .await
        }
    }
}

pub(super) async fn approve(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActForm>,
) -> Response {
    act(&state, &p, &id, form, Act::Approve).await
}

pub(super) async fn reject(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActForm>,
) -> Response {
    act(&state, &p, &id, form, Act::Reject).await
}

pub(super) async fn paid(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActForm>,
) -> Response {
    act(&state, &p, &id, form, Act::Paid).await
}
