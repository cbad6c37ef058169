//! The admin console's approvals: large refunds, dispute decisions, reserve
//! and custody top-ups, channel settlements, deposit credits and forfeits
//! waiting for a second member of finance (never the one who asked), each
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
    let page = ApprovalsPage {
        p,
        approvals,
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

async fn decide(state: &AppState, p: &Page, id: &str, key: &str, approve: bool) -> Response {
    let caller = match staff(state, p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let Ok(approval) = id.parse::<u64>().map(ApprovalId) else {
        return refused(p, &AppError::NotFound("no such approval".into()));
    };
    let done = async {
        let once = Once::new(Some(key), "page_decide_approval", &(approval.0, approve))?;
        let decide = ops::DecideApproval { approval, approve };
        state.app.change_once(caller, &once, decide).await
    }
    .await;
    match done {
        Ok(_) => Redirect::to("/admin/approvals").into_response(),
        Err(e) => page(state, p, caller, Some(p.refusal(&e)), form_status(&e)).await,
    }
}

pub(super) async fn approve(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> Response {
    decide(&state, &p, &id, &form.idempotency_key, true).await
}

pub(super) async fn reject(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> Response {
    decide(&state, &p, &id, &form.idempotency_key, false).await
}
