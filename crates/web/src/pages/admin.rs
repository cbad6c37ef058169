//! The admin console, first part: the merchants, frozen (they sell
//! nothing new), banned or made active again by an admin, each change
//! asked for confirmation. Staff only; the shop checks who may change what.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::{AppError, Caller, ops};
use trigate_core::{MerchantId, MerchantStatus};

use super::paging::StatusPage;
use super::{CsrfForm, Page, error_page, refused, render, signed_in};
use crate::AppState;

struct Line {
    id: u64,
    name: String,
    owner: String,
    status: &'static str,
    status_text: String,
}

#[derive(Template)]
#[template(path = "admin_merchants.html")]
struct MerchantsPage<'a> {
    p: &'a Page,
    merchants: Vec<Line>,
    statuses: Vec<super::paging::Choice>,
    older: Option<String>,
    error: Option<String>,
    key: String,
}

fn status_name(s: MerchantStatus) -> &'static str {
    match s {
        MerchantStatus::Active => "active",
        MerchantStatus::Frozen => "frozen",
        MerchantStatus::Banned => "banned",
    }
}

/// The signed-in member of staff, or the page that says why not.
pub(super) async fn staff(state: &AppState, p: &Page) -> Result<Caller, Response> {
    let caller = signed_in(p)?;
    match state.app.read(caller, ops::Merchants).await {
        Ok(_) => Ok(caller),
        Err(AppError::Refused { .. } | AppError::Forbidden(_)) => Err(error_page(
            p,
            StatusCode::FORBIDDEN,
            p.t("console-staff-only").into_owned(),
        )),
        Err(e) => Err(refused(p, &e)),
    }
}

pub(super) async fn merchants(
    State(state): State<AppState>,
    p: Page,
    Query(filter): Query<StatusPage>,
) -> Response {
    match staff(&state, &p).await {
        Ok(caller) => page(&state, &p, (caller, &filter), None, StatusCode::OK).await,
        Err(page) => page,
    }
}

/// The merchants, with why a form came back.
pub(super) async fn page(
    state: &AppState,
    p: &Page,
    (caller, filter): (Caller, &StatusPage),
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let list = match state.app.read(caller, ops::Merchants).await {
        Ok(list) => list,
        Err(e) => return refused(p, &e),
    };
    let (kept, older) = filter.apply(
        list.iter(),
        |m| status_name(m.status),
        ("/admin/merchants", 50),
    );
    let merchants = kept
        .into_iter()
        .map(|m| Line {
            id: m.id.0,
            name: m.name.clone(),
            owner: m.owner_login.clone(),
            status: status_name(m.status),
            status_text: p
                .t(&format!("merchant-status-{}", status_name(m.status)))
                .into_owned(),
        })
        .collect();
    let page = MerchantsPage {
        p,
        merchants,
        statuses: super::paging::choices(
            p,
            "merchant-status-",
            &["active", "frozen", "banned"],
            &filter.status,
        ),
        older,
        error,
        key: super::csrf::idempotency_key(),
    };
    render(status, &page)
}

#[derive(Debug, Deserialize)]
pub(super) struct StatusForm {
    #[serde(default)]
    status: String,
}

pub(super) async fn set_status(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(page) => return page,
    };
    let status = match form.status.as_str() {
        "active" => MerchantStatus::Active,
        "frozen" => MerchantStatus::Frozen,
        "banned" => MerchantStatus::Banned,
        _ => {
            let message = p.t("error-form").into_owned();
            return error_page(&p, StatusCode::UNPROCESSABLE_ENTITY, message);
        }
    };
    let Ok(merchant) = id.parse::<u64>().map(MerchantId) else {
        return refused(&p, &AppError::NotFound("no such merchant".into()));
    };
    let change = ops::SetMerchantStatus { merchant, status };
    match state.app.change(caller, change).await {
        Ok(()) => Redirect::to("/admin/merchants").into_response(),
        Err(e) => refused(&p, &e),
    }
}
