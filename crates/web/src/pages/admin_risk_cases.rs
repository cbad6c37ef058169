//! A ring case in the admin console: the banned account, each account
//! linked to it with the identifiers they share (the evidence) and its held
//! withdrawals and payouts; an analyst releases or bans each member with a
//! note, once per form key. The queue page lists the open cases.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use trigate_app::{AppError, Caller, Once, ops};
use trigate_core::UserId;
use trigate_core::risk::{CaseView, RiskQuery, RiskView};

use super::admin::staff;
use super::admin_risk::{subject_words, waited};
use super::{CsrfForm, Page, csrf, form_status, refused, render};
use crate::AppState;

/// A case as the queue page lists it.
pub(super) struct CaseRow {
    pub id: u64,
    pub banned: u64,
    pub cause: String,
    pub members: usize,
    pub holds: usize,
    /// Open or closed, in words.
    pub status: String,
}

impl CaseRow {
    pub(super) fn of(p: &Page, v: &CaseView) -> Self {
        Self {
            id: v.case.id,
            banned: v.case.banned.0,
            cause: p
                .t(&format!("risk-case-cause-{}", v.case.cause))
                .into_owned(),
            members: v.case.members.len(),
            holds: v.holds.iter().map(Vec::len).sum(),
            status: p.t(&format!("risk-case-{}", v.status)).into_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin_risk_cases.html")]
struct CasesPage<'a> {
    p: &'a Page,
    cases: Vec<CaseRow>,
}

/// Every ring case, newest first.
pub(super) async fn cases(State(state): State<AppState>, p: Page) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let q = RiskQuery::Cases {
        open: false,
        before: None,
        limit: 200,
    };
    let cases = match state.app.read(caller, ops::RiskDesk(q)).await.map(|v| *v) {
        Ok(RiskView::Cases(cases)) => cases.iter().map(|c| CaseRow::of(&p, c)).collect(),
        Ok(_) => Vec::new(),
        Err(e) => return refused(&p, &e),
    };
    render(StatusCode::OK, &CasesPage { p: &p, cases })
}

struct HoldRow {
    review: u64,
    subject: String,
    subject_link: Option<String>,
    point: String,
    amount: String,
    status: String,
    waited: String,
}

struct MemberRow {
    user: u64,
    state: String,
    open: bool,
    /// Kind, value, the other accounts.
    links: Vec<(String, String, String)>,
    holds: Vec<HoldRow>,
    note: String,
}

#[derive(Template)]
#[template(path = "admin_risk_case.html")]
struct CasePage<'a> {
    p: &'a Page,
    id: u64,
    status: String,
    banned: u64,
    cause: String,
    opened: String,
    members: Vec<MemberRow>,
    error: Option<String>,
    done: Option<String>,
    key: String,
}

fn case_id(id: &str) -> Result<u64, AppError> {
    id.parse::<u64>()
        .map_err(|_| AppError::NotFound("no such ring case".into()))
}

async fn case_page(
    state: &AppState,
    p: &Page,
    caller: Caller,
    id: &str,
    (error, done, status): (Option<String>, Option<String>, StatusCode),
) -> Response {
    let view = match case_id(id) {
        Ok(id) => state
            .app
            .read(caller, ops::RiskDesk(RiskQuery::Case { id }))
            .await
            .map(|v| *v),
        Err(e) => Err(e),
    };
    let v = match view {
        Ok(RiskView::Case(v)) => *v,
        Ok(_) => return refused(p, &AppError::NotFound("no such ring case".into())),
        Err(e) => return refused(p, &e),
    };
    let members = v
        .case
        .members
        .iter()
        .zip(&v.holds)
        .map(|(m, holds)| MemberRow {
            user: m.account.0,
            state: p.t(&format!("risk-member-{}", m.state.name())).into_owned(),
            open: m.state == trigate_core::risk::MemberState::Open,
            links: m
                .links
                .iter()
                .map(|l| {
                    let with: Vec<String> = l.with.iter().map(|a| format!("#{a}")).collect();
                    (l.kind.name().to_string(), l.value.clone(), with.join(", "))
                })
                .collect(),
            holds: holds
                .iter()
                .map(|l| {
                    let (subject, subject_link) = subject_words(p, l.review.subject);
                    let currency = trigate_core::Currency::new(&l.currency).ok();
                    HoldRow {
                        review: l.review.id,
                        subject,
                        subject_link,
                        point: l.point.name().to_string(),
                        amount: currency
                            .map_or_else(|| l.amount.to_string(), |c| p.money(&l.amount, &c)),
                        status: p.t(&format!("risk-status-{}", l.status)).into_owned(),
                        waited: waited(l.waited_ns),
                    }
                })
                .collect(),
            note: match &m.state {
                trigate_core::risk::MemberState::Open => String::new(),
                trigate_core::risk::MemberState::Released { note, .. }
                | trigate_core::risk::MemberState::Banned { note, .. } => note.clone(),
            },
        })
        .collect();
    let page = CasePage {
        p,
        id: v.case.id,
        status: p.t(&format!("risk-case-{}", v.status)).into_owned(),
        banned: v.case.banned.0,
        cause: p
            .t(&format!("risk-case-cause-{}", v.case.cause))
            .into_owned(),
        opened: p.time(v.case.opened_at / 1_000_000_000),
        members,
        error,
        done,
        key: csrf::idempotency_key(),
    };
    render(status, &page)
}

pub(super) async fn case(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
) -> Response {
    match staff(&state, &p).await {
        Ok(caller) => case_page(&state, &p, caller, &id, (None, None, StatusCode::OK)).await,
        Err(refused) => refused,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct MemberForm {
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

pub(super) async fn decide(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let done = async {
        let case = case_id(&id)?;
        let member = form
            .user
            .trim()
            .parse::<u64>()
            .map_err(|_| AppError::Invalid("which member: a user id".into()))?;
        let ban = match form.decision.as_str() {
            "ban" => true,
            "release" => false,
            _ => return Err(AppError::Invalid("release or ban".into())),
        };
        let note = form.note.trim().to_string();
        let once = Once::new(
            Some(&form.idempotency_key),
            "page_risk_case",
            &(case, member, ban, &note),
        )?;
        let change = ops::DecideCaseMember {
            case,
            member: UserId(member),
            ban,
            note,
        };
        state.app.change_once(caller, &once, change).await
    }
    .await;
    let (error, said, status) = match done {
        Ok(_) => (
            None,
            Some(p.t("risk-case-decided").into_owned()),
            StatusCode::OK,
        ),
        Err(e) => (Some(p.refusal(&e)), None, form_status(&e)),
    };
    case_page(&state, &p, caller, &id, (error, said, status)).await
}
