//! The risk desk in the admin console: the review queue (claim, approve or
//! decline with a note, once per form key), a decision explained (its
//! signals, features, fired and shadow rules), the rules (save a version or
//! backtest one over the recorded decisions) and the allow and block lists.
//! Analysts and admins act; auditors read; the shop checks each.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::{AppError, Caller, Once, ops};
use trigate_core::risk::{
    Explained, IdKind, ListKind, NewListEntry, Outcome, Point, RiskQuery, RiskView, RuleSpec,
    Subject,
};

use super::admin::staff;
use super::{CsrfForm, Page, csrf, form_status, refused, render};
use crate::AppState;

async fn desk(state: &AppState, caller: Caller, q: RiskQuery) -> Result<RiskView, AppError> {
    Ok(*state.app.read(caller, ops::RiskDesk(q)).await?)
}

pub(super) fn waited(ns: u64) -> String {
    let minutes = ns / 60_000_000_000;
    if minutes < 120 {
        format!("{minutes} min")
    } else {
        format!("{} h", minutes / 60)
    }
}

/// What a review holds, in the viewer's words, and where it is shown.
pub(super) fn subject_words(p: &Page, subject: Subject) -> (String, Option<String>) {
    let (kind, id, link) = match subject {
        Subject::Order(o) => ("order", o.0, Some(format!("/orders/{}", o.0))),
        Subject::Withdrawal(w) => (
            "withdrawal",
            w.0,
            Some(format!("/admin/withdrawals#withdrawal-{}", w.0)),
        ),
        Subject::Attempt(a) => ("attempt", a.0, None),
        Subject::User(u) => ("user", u.0, Some(format!("/admin/users#user-{}", u.0))),
        Subject::Merchant(m) => (
            "merchant",
            m.0,
            Some(format!("/admin/merchants#merchant-{}", m.0)),
        ),
    };
    let words = p.t1(&format!("risk-subject-{kind}"), "id", &id.to_string());
    (words, link)
}

struct ReviewRow {
    id: u64,
    decision: u64,
    /// The ring case it is held in, if any.
    case: Option<u64>,
    subject: String,
    subject_link: Option<String>,
    /// The status in words (`status` is its code).
    status_words: String,
    point: String,
    amount: String,
    reason: String,
    status: String,
    waited: String,
    claimed: String,
    open: bool,
}

#[derive(Template)]
#[template(path = "admin_risk.html")]
struct QueuePage<'a> {
    p: &'a Page,
    rows: Vec<ReviewRow>,
    /// Open ring cases.
    cases: Vec<super::admin_risk_cases::CaseRow>,
    all: bool,
    error: Option<String>,
    done: Option<String>,
    key: String,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct QueueParams {
    #[serde(default)]
    status: String,
}

async fn queue_page(
    state: &AppState,
    p: &Page,
    caller: Caller,
    all: bool,
    (error, done, status): (Option<String>, Option<String>, StatusCode),
) -> Response {
    let q = RiskQuery::Reviews {
        open: !all,
        before: None,
        limit: 200,
    };
    let lines = match desk(state, caller, q).await {
        Ok(RiskView::Reviews(lines)) => lines,
        Ok(_) => Vec::new(),
        Err(e) => return refused(p, &e),
    };
    let rows = lines
        .into_iter()
        .map(|l| {
            let currency = trigate_core::Currency::new(&l.currency).ok();
            let subject = subject_words(p, l.review.subject);
            ReviewRow {
                id: l.review.id,
                decision: l.review.decision,
                case: l.case,
                subject: subject.0,
                subject_link: subject.1,
                status_words: p.t(&format!("risk-status-{}", l.status)).into_owned(),
                point: l.point.name().to_string(),
                amount: currency.map_or_else(|| l.amount.to_string(), |c| p.money(&l.amount, &c)),
                reason: l.review.reason.clone(),
                open: l.review.is_open(),
                status: l.status,
                waited: waited(l.waited_ns),
                claimed: l
                    .review
                    .claimed
                    .map(|(u, _)| format!("#{u}"))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let q = RiskQuery::Cases {
        open: true,
        before: None,
        limit: 200,
    };
    let cases = match desk(state, caller, q).await {
        Ok(RiskView::Cases(cases)) => cases
            .iter()
            .map(|c| super::admin_risk_cases::CaseRow::of(p, c))
            .collect(),
        Ok(_) => Vec::new(),
        Err(e) => return refused(p, &e),
    };
    let page = QueuePage {
        p,
        rows,
        cases,
        all,
        error,
        done,
        key: csrf::idempotency_key(),
    };
    render(status, &page)
}

pub(super) async fn queue(
    State(state): State<AppState>,
    p: Page,
    Query(params): Query<QueueParams>,
) -> Response {
    match staff(&state, &p).await {
        Ok(caller) => {
            let all = params.status == "all";
            queue_page(&state, &p, caller, all, (None, None, StatusCode::OK)).await
        }
        Err(refused) => refused,
    }
}

fn review_id(id: &str) -> Result<u64, AppError> {
    id.parse::<u64>()
        .map_err(|_| AppError::NotFound("no such review".into()))
}

pub(super) async fn claim(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<super::NoFields>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let done = async {
        let review = review_id(&id)?;
        state.app.change(caller, ops::ClaimReview { review }).await
    }
    .await;
    match done {
        Ok(()) => Redirect::to(&format!("/admin/risk#review-{id}")).into_response(),
        Err(e) => {
            let back = (Some(p.refusal(&e)), None, form_status(&e));
            queue_page(&state, &p, caller, false, back).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct DecideForm {
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

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
    let done = async {
        let review = review_id(&id)?;
        let approve = match form.decision.as_str() {
            "approve" => true,
            "decline" => false,
            _ => return Err(AppError::Invalid("approve or decline".into())),
        };
        let note = form.note.trim().to_string();
        let once = Once::new(
            Some(&form.idempotency_key),
            "page_risk_decide",
            &(review, approve, &note),
        )?;
        let change = ops::DecideReview {
            review,
            approve,
            note,
        };
        state.app.change_once(caller, &once, change).await
    }
    .await;
    let (error, said, status) = match done {
        Ok(_) => (None, Some(p.t("risk-decided").into_owned()), StatusCode::OK),
        Err(e) => (Some(p.refusal(&e)), None, form_status(&e)),
    };
    queue_page(&state, &p, caller, false, (error, said, status)).await
}

#[derive(Template)]
#[template(path = "admin_risk_decision.html")]
struct DecisionPage<'a> {
    p: &'a Page,
    id: u64,
    point: String,
    outcome: String,
    effect: String,
    score: i32,
    at: String,
    lines: Vec<String>,
    signals: Vec<(String, String)>,
    features: Vec<(String, String)>,
    review: Option<u64>,
    /// The identifiers linking the actor to other accounts: kind, value,
    /// the accounts.
    links: Vec<(String, String, String)>,
    /// The model's score, feature by feature.
    contributions: Vec<(String, i64)>,
}

pub(super) async fn decision(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let Ok(id) = id.parse::<u64>() else {
        return refused(&p, &AppError::NotFound("no such decision".into()));
    };
    let explained: Explained = match desk(&state, caller, RiskQuery::Decision { id }).await {
        Ok(RiskView::Decision(e)) => *e,
        Ok(_) => return refused(&p, &AppError::NotFound("no such decision".into())),
        Err(e) => return refused(&p, &e),
    };
    let d = &explained.row.decision;
    let s = &d.signals;
    let signals = [
        ("user", s.user.map(|u| u.to_string()).unwrap_or_default()),
        ("email", s.email.clone()),
        ("ip", s.ip.clone()),
        ("ip_country", s.ip_country.clone()),
        ("device", s.device.clone()),
        ("instrument", s.instrument.clone()),
        ("instrument_country", s.instrument_country.clone()),
        ("destination", s.destination.clone()),
        (
            "merchant",
            s.merchant.map(|m| m.to_string()).unwrap_or_default(),
        ),
        ("amount", format!("{} {}", s.amount, s.currency)),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let page = DecisionPage {
        p: &p,
        id,
        point: d.point.name().to_string(),
        outcome: d.outcome.name().to_string(),
        effect: format!("{:?}", explained.row.effect).to_lowercase(),
        score: d.score,
        at: p.time(explained.row.at / 1_000_000_000),
        lines: explained.explanation.clone(),
        links: explained
            .links
            .iter()
            .map(|l| {
                let with: Vec<String> = l.with.iter().map(|a| format!("#{a}")).collect();
                (l.kind.name().to_string(), l.value.clone(), with.join(", "))
            })
            .collect(),
        signals,
        features: d
            .features
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        review: explained.review,
        contributions: explained.contributions.clone(),
    };
    render(StatusCode::OK, &page)
}

struct RuleRow {
    name: String,
    version: u32,
    expr: String,
    outcome: String,
    weight: i32,
    points: String,
    shadow: bool,
    enabled: bool,
    reason: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct RuleForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    expr: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    weight: String,
    #[serde(default)]
    points: String,
    #[serde(default)]
    shadow: Option<String>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

struct Tested {
    decisions: u64,
    fired: u64,
    changed: u64,
    before: Vec<(String, u64)>,
    after: Vec<(String, u64)>,
    moves: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin_risk_rules.html")]
struct RulesPage<'a> {
    p: &'a Page,
    rules: Vec<RuleRow>,
    form: RuleForm,
    outcomes: Vec<&'static str>,
    tested: Option<Tested>,
    error: Option<String>,
    done: Option<String>,
}

async fn rules_page(
    state: &AppState,
    p: &Page,
    caller: Caller,
    form: RuleForm,
    (tested, error, done, status): (Option<Tested>, Option<String>, Option<String>, StatusCode),
) -> Response {
    let rules = match desk(state, caller, RiskQuery::Rules).await {
        Ok(RiskView::Rules(rules)) => rules,
        Ok(_) => Vec::new(),
        Err(e) => return refused(p, &e),
    };
    let rules = rules
        .into_iter()
        .map(|r| RuleRow {
            name: r.spec.name,
            version: r.version,
            expr: r.spec.expr,
            outcome: r.spec.outcome.name().to_string(),
            weight: r.spec.weight,
            points: r
                .spec
                .points
                .iter()
                .map(|p| p.name())
                .collect::<Vec<_>>()
                .join(", "),
            shadow: r.spec.shadow,
            enabled: r.spec.enabled,
            reason: r.spec.reason,
        })
        .collect();
    let page = RulesPage {
        p,
        rules,
        form,
        outcomes: Outcome::ALL.iter().map(|o| o.name()).collect(),
        tested,
        error,
        done,
    };
    render(status, &page)
}

pub(super) async fn rules(State(state): State<AppState>, p: Page) -> Response {
    match staff(&state, &p).await {
        Ok(caller) => {
            let form = RuleForm {
                outcome: "hold".into(),
                weight: "0".into(),
                ..RuleForm::default()
            };
            rules_page(&state, &p, caller, form, (None, None, None, StatusCode::OK)).await
        }
        Err(refused) => refused,
    }
}

fn spec_of(form: &RuleForm) -> Result<RuleSpec, AppError> {
    let outcome = Outcome::named(form.outcome.trim())
        .ok_or_else(|| AppError::Invalid("choose an outcome".into()))?;
    let weight = if form.weight.trim().is_empty() {
        0
    } else {
        form.weight
            .trim()
            .parse::<i32>()
            .map_err(|_| AppError::Invalid("the weight is a whole number".into()))?
    };
    let points = form
        .points
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            Point::named(s).ok_or_else(|| AppError::Invalid(format!("no decision point {s:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RuleSpec {
        name: form.name.trim().to_string(),
        expr: form.expr.trim().to_string(),
        outcome,
        weight,
        points,
        shadow: form.shadow.is_some(),
        enabled: true,
        reason: form.reason.trim().to_string(),
        note: form.note.trim().to_string(),
    })
}

pub(super) async fn save_rule(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(form): CsrfForm<RuleForm>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let spec = match spec_of(&form) {
        Ok(spec) => spec,
        Err(e) => {
            let back = (
                None,
                Some(p.refusal(&e) + " " + &e.to_string()),
                None,
                form_status(&e),
            );
            return rules_page(&state, &p, caller, form, back).await;
        }
    };
    if form.action == "backtest" {
        return match desk(&state, caller, RiskQuery::Backtest { spec }).await {
            Ok(RiskView::Backtest(b)) => {
                let named = |counts: [u64; 4]| {
                    Outcome::ALL
                        .iter()
                        .zip(counts)
                        .map(|(o, n)| (o.name().to_string(), n))
                        .collect()
                };
                let tested = Tested {
                    decisions: b.decisions,
                    fired: b.fired,
                    changed: b.changed,
                    before: named(b.before),
                    after: named(b.after),
                    moves: b
                        .moves
                        .iter()
                        .map(|m| format!("{} → {}: {}", m.from, m.to, m.count))
                        .collect(),
                };
                rules_page(
                    &state,
                    &p,
                    caller,
                    form,
                    (Some(tested), None, None, StatusCode::OK),
                )
                .await
            }
            Ok(_) => refused(
                &p,
                &AppError::Internal("the desk answered another view".into()),
            ),
            Err(e) => {
                let back = (None, Some(e.to_string()), None, form_status(&e));
                rules_page(&state, &p, caller, form, back).await
            }
        };
    }
    match state.app.change(caller, ops::SaveRiskRule { spec }).await {
        Ok(version) => {
            let said = p.t1("risk-rule-saved", "version", &version.to_string());
            let back = (None, None, Some(said), StatusCode::OK);
            rules_page(&state, &p, caller, RuleForm::default(), back).await
        }
        Err(e) => {
            let back = (None, Some(e.to_string()), None, form_status(&e));
            rules_page(&state, &p, caller, form, back).await
        }
    }
}

struct EntryRow {
    list: String,
    kind: String,
    value: String,
    reason: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "admin_risk_lists.html")]
struct ListsPage<'a> {
    p: &'a Page,
    entries: Vec<EntryRow>,
    kinds: Vec<&'static str>,
    error: Option<String>,
    done: Option<String>,
}

async fn lists_page(
    state: &AppState,
    p: &Page,
    caller: Caller,
    (error, done, status): (Option<String>, Option<String>, StatusCode),
) -> Response {
    let entries = match desk(state, caller, RiskQuery::Lists).await {
        Ok(RiskView::Lists(entries)) => entries,
        Ok(_) => Vec::new(),
        Err(e) => return refused(p, &e),
    };
    let entries = entries
        .into_iter()
        .map(|e| EntryRow {
            list: e.list.name().to_string(),
            kind: e.kind.name().to_string(),
            value: e.value,
            reason: e.reason,
            expires: e
                .expires
                .map(|x| p.time(x / 1_000_000_000))
                .unwrap_or_default(),
        })
        .collect();
    let page = ListsPage {
        p,
        entries,
        kinds: IdKind::ALL.iter().map(|k| k.name()).collect(),
        error,
        done,
    };
    render(status, &page)
}

pub(super) async fn lists(State(state): State<AppState>, p: Page) -> Response {
    match staff(&state, &p).await {
        Ok(caller) => lists_page(&state, &p, caller, (None, None, StatusCode::OK)).await,
        Err(refused) => refused,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListForm {
    #[serde(default)]
    list: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn list(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(form): CsrfForm<ListForm>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let done = async {
        let kind = IdKind::named(form.kind.trim())
            .ok_or_else(|| AppError::Invalid("choose a kind".into()))?;
        if form.list == "remove" {
            let change = ops::UnlistRisk {
                kind,
                value: form.value.clone(),
            };
            return state.app.change(caller, change).await;
        }
        let list = ListKind::named(form.list.trim())
            .ok_or_else(|| AppError::Invalid("allow or block".into()))?;
        let entry = NewListEntry {
            list,
            kind,
            value: form.value.clone(),
            reason: form.reason.clone(),
            expires: None,
        };
        state.app.change(caller, ops::ListRisk { entry }).await
    }
    .await;
    let (error, said, status) = match done {
        Ok(()) => (
            None,
            Some(p.t("risk-lists-done").into_owned()),
            StatusCode::OK,
        ),
        Err(e) => (Some(e.to_string()), None, form_status(&e)),
    };
    lists_page(&state, &p, caller, (error, said, status)).await
}
