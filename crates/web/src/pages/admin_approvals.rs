//! The admin console's approvals: large refunds, dispute decisions, reserve
//! and custody top-ups, channel settlements, deposit credits and forfeits
//! and wallet credits asked for by hand, waiting for a second member of
//! finance (never the one who asked, never the one credited), each
//! approved or rejected under its form's idempotency key, a rejection
//! after a confirmation.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::{AppError, Caller, Once, ops};
use trigate_core::{Approvable, ApprovalId, Decision, RefundTo};

use super::admin::staff;
use super::{CsrfForm, Page, csrf, form_status, i18n, refused, render};
use crate::AppState;

struct CreditLine {
    id: u64,
    user: u64,
    amount: String,
    note: String,
    asked_by: u64,
    at: String,
}

struct Line {
    id: u64,
    kind: String,
    what: String,
    asked_by: u64,
    at: String,
}

#[derive(Template)]
#[template(path = "admin_approvals.html")]
struct ApprovalsPage<'a> {
    p: &'a Page,
    approvals: Vec<Line>,
    credits: Vec<CreditLine>,
    error: Option<String>,
    key: String,
}

/// What an approval would do, in the viewer's language.
fn what(p: &Page, action: &Approvable) -> String {
    match action {
        Approvable::Refund { order, amount, to } => {
            let to = match to {
                RefundTo::Wallet => p.t("approval-to-wallet"),
                RefundTo::Channel => p.t("approval-to-channel"),
            };
            format!(
                "#{} · {} · {to}",
                order.0,
                p.t1("approval-amount", "amount", &amount.to_string())
            )
        }
        Approvable::Decision { order, decision } => match decision {
            Decision::Refund(amount) => format!(
                "#{} · {}",
                order.0,
                p.t1("approval-decision-refund", "amount", &amount.to_string())
            ),
            Decision::Release => format!("#{} · {}", order.0, p.t("approval-decision-release")),
        },
        Approvable::ReserveTopUp { currency, amount }
        | Approvable::CustodyTopUp { currency, amount } => i18n::money(*amount, *currency),
        Approvable::ChannelSettlement { settlement } => format!("S{}", settlement.0),
        Approvable::DepositCredit {
            merchant,
            currency,
            amount,
        } => format!(
            "{} · {}",
            p.t1("approval-merchant", "id", &merchant.0.to_string()),
            i18n::money(*amount, *currency)
        ),
        Approvable::ForfeitDeposit { merchant, currency } => format!(
            "{} · {currency}",
            p.t1("approval-merchant", "id", &merchant.0.to_string())
        ),
    }
}

async fn page(
    state: &AppState,
    p: &Page,
    caller: Caller,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let list = match state.app.read(caller, ops::WaitingApprovals).await {
        Ok(list) => list,
        Err(e) => return refused(p, &e),
    };
    let approvals = list
        .iter()
        .map(|a| Line {
            id: a.id.0,
            kind: p
                .t(&format!("approval-kind-{}", a.action.kind()))
                .into_owned(),
            what: what(p, &a.action),
            asked_by: a.asked_by.0,
            at: p.time(a.at / 1_000_000_000),
        })
        .collect();
    let credits = match state.app.read(caller, ops::WaitingCredits).await {
        Ok(credits) => credits,
        Err(e) => return refused(p, &e),
    };
    let credits = credits
        .iter()
        .map(|c| CreditLine {
            id: c.id.0,
            user: c.user.0,
            amount: i18n::money(c.amount, c.currency),
            note: c.note.clone(),
            asked_by: c.maker.0,
            at: p.time(c.asked_at / 1_000_000_000),
        })
        .collect();
    let page = ApprovalsPage {
        p,
        approvals,
        credits,
        error,
        key: csrf::idempotency_key(),
    };
    render(status, &page)
}

pub(super) async fn approvals(State(state): State<AppState>, p: Page) -> Response {
    match staff(&state, &p).await {
        Ok(caller) => page(&state, &p, caller, None, StatusCode::OK).await,
        Err(refused) => refused,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct DecideForm {
    #[serde(default)]
    idempotency_key: String,
}

/// What is decided: an approval, or a wallet credit.
#[derive(Debug, Clone, Copy)]
enum Decided {
    Approval,
    Credit,
}

async fn decide(
    state: &AppState,
    p: &Page,
    (what, id): (Decided, &str),
    key: &str,
    approve: bool,
) -> Response {
    let caller = match staff(state, p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let Ok(id) = id.parse::<u64>() else {
        return refused(p, &AppError::NotFound("no such approval".into()));
    };
    let done = async {
        match what {
            Decided::Approval => {
                let once = Once::new(Some(key), "page_decide_approval", &(id, approve))?;
                let approval = ApprovalId(id);
                let decide = ops::DecideApproval { approval, approve };
                state
                    .app
                    .change_once(caller, &once, decide)
                    .await
                    .map(|_| ())
            }
            Decided::Credit => {
                let once = Once::new(Some(key), "page_decide_credit", &(id, approve))?;
                let decide = ops::DecideCredit {
                    credit: trigate_core::CreditId(id),
                    approve,
                };
                state
                    .app
                    .change_once(caller, &once, decide)
                    .await
                    .map(|_| ())
            }
        }
    }
    .await;
    match done {
        Ok(_) => Redirect::to("/admin/approvals").into_response(),
        Err(e) => page(state, p, caller, Some(p.refusal(&e)), form_status(&e)).await,
    }
}

/// `approve` or `reject`, as the form's path names it.
fn decision(said: &str) -> Option<bool> {
    match said {
        "approve" => Some(true),
        "reject" => Some(false),
        _ => None,
    }
}

/// `/admin/approvals/{id}/{approve|reject}`.
pub(super) async fn decide_approval(
    State(state): State<AppState>,
    p: Page,
    Path((id, said)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> Response {
    match decision(&said) {
        Some(approve) => {
            decide(
                &state,
                &p,
                (Decided::Approval, &id),
                &form.idempotency_key,
                approve,
            )
            .await
        }
        None => refused(&p, &AppError::NotFound("no such decision".into())),
    }
}

/// `/admin/credits/{id}/{approve|reject}`.
pub(super) async fn decide_credit(
    State(state): State<AppState>,
    p: Page,
    Path((id, said)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> Response {
    match decision(&said) {
        Some(approve) => {
            decide(
                &state,
                &p,
                (Decided::Credit, &id),
                &form.idempotency_key,
                approve,
            )
            .await
        }
        None => refused(&p, &AppError::NotFound("no such decision".into())),
    }
}
