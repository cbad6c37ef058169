//! The admin console's watch on the platform: custody's coverage per
//! currency (held against owed) and the outflow stop — its state, reason,
//! who asked to lift it; an admin stops outflows by hand (confirmed) or
//! asks to lift them (two admins lift) — and the audit log, filtered by
//! who acted or what was done.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::{Caller, ops};

use super::admin::staff;
use super::admin_dashboard::signed;
use super::{CsrfForm, Page, form_status, refused, render};
use crate::AppState;

struct CoverageLine {
    currency: String,
    held: String,
    owed: String,
    covered: bool,
}

#[derive(Template)]
#[template(path = "admin_custody.html")]
struct CustodyPage<'a> {
    p: &'a Page,
    coverage: Vec<CoverageLine>,
    /// The stop: its reason (as a message), since when, its note, and how
    /// many admins asked to lift it.
    stop: Option<(String, String, String, usize)>,
    error: Option<String>,
}

async fn custody_page(
    state: &AppState,
    p: &Page,
    caller: Caller,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let view = match state.app.read(caller, ops::Custody).await {
        Ok(view) => view,
        Err(e) => return refused(p, &e),
    };
    let coverage = view
        .coverage
        .iter()
        .map(|c| CoverageLine {
            currency: c.currency.to_string(),
            held: signed(c.held, c.currency),
            owed: signed(c.owed, c.currency),
            covered: c.surplus() >= 0,
        })
        .collect();
    let stop = view.stop.as_ref().map(|s| {
        (
            p.t(&format!("custody-stop-{}", s.reason.as_str()))
                .into_owned(),
            p.time(s.at / 1_000_000_000),
            s.note.clone(),
            s.lifts.len(),
        )
    });
    render(
        status,
        &CustodyPage {
            p,
            coverage,
            stop,
            error,
        },
    )
}

pub(super) async fn custody(State(state): State<AppState>, p: Page) -> Response {
    match staff(&state, &p).await {
        Ok(caller) => custody_page(&state, &p, caller, None, StatusCode::OK).await,
        Err(refused) => refused,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct StopForm {
    #[serde(default)]
    note: String,
}

pub(super) async fn stop(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(form): CsrfForm<StopForm>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let stop = ops::StopOutflows {
        note: form.note.trim().to_string(),
    };
    match state.app.change(caller, stop).await {
        Ok(()) => Redirect::to("/admin/custody").into_response(),
        Err(e) => custody_page(&state, &p, caller, Some(p.refusal(&e)), form_status(&e)).await,
    }
}

pub(super) async fn lift(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(_): CsrfForm<StopForm>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    match state.app.change(caller, ops::LiftOutflows).await {
        Ok(()) => Redirect::to("/admin/custody").into_response(),
        Err(e) => custody_page(&state, &p, caller, Some(p.refusal(&e)), form_status(&e)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct AuditQuery {
    /// Only what this user id did.
    #[serde(default)]
    actor: String,
    /// Only entries whose action holds this text.
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

struct AuditLine {
    at: String,
    actor: u64,
    action: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage<'a> {
    p: &'a Page,
    entries: Vec<AuditLine>,
    actor: String,
    q: String,
    older: Option<String>,
}

pub(super) async fn audit(
    State(state): State<AppState>,
    p: Page,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let AuditQuery { actor, q, page } = query.map(|q| q.0).unwrap_or_default();
    let n = super::paging::number(&page);
    let entries = match state.app.read(caller, ops::Audit).await {
        Ok(entries) => entries,
        Err(e) => return refused(&p, &e),
    };
    let by: Option<u64> = actor.trim().parse().ok();
    let needle = q.trim().to_lowercase();
    let kept = entries
        .iter()
        .rev()
        .filter(|e| by.is_none_or(|a| e.actor.0 == a))
        .filter(|e| needle.is_empty() || e.action.to_lowercase().contains(&needle));
    let (entries, more) = super::paging::page_of(kept, n, 100);
    let entries = entries
        .into_iter()
        .map(|e| AuditLine {
            at: p.time(e.at / 1_000_000_000),
            actor: e.actor.0,
            action: e.action.clone(),
        })
        .collect();
    let older = more.then(|| {
        let filter = [("actor", actor.as_str()), ("q", q.as_str())];
        super::paging::link("/admin/audit", &filter, n + 1)
    });
    render(
        StatusCode::OK,
        &AuditPage {
            p: &p,
            entries,
            actor,
            q,
            older,
        },
    )
}
