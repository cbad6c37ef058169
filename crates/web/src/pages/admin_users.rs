//! The admin console's users: newest first, 50 a page, found by part of
//! their login and by role; an admin gives one another role (never their
//! own) after a confirmation; finance asks for a wallet credit (money
//! received outside the shop), which waits on the approvals page for a
//! second member of finance.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::{AppError, Caller, Once, ops};
use trigate_core::{Currency, Role, UserId};

use super::admin::staff;
use super::{CsrfForm, Page, csrf, form_status, i18n, refused, render};
use crate::AppState;

/// Users one page shows.
const PAGE: u32 = 50;

struct UserRow {
    id: u64,
    login: String,
    role: &'static str,
    role_text: String,
    second_factor: bool,
    guest: bool,
    at: String,
}

struct RoleChoice {
    name: &'static str,
    text: String,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage<'a> {
    p: &'a Page,
    users: Vec<UserRow>,
    roles: Vec<RoleChoice>,
    q: String,
    older: Option<String>,
    error: Option<String>,
    done: Option<String>,
    key: String,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct UsersParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    before: String,
}

async fn page(
    state: &AppState,
    p: &Page,
    caller: Caller,
    params: &UsersParams,
    (error, done, status): (Option<String>, Option<String>, StatusCode),
) -> Response {
    let role = Role::named(params.role.trim());
    let read = ops::Users {
        login: params.q.chars().take(64).collect(),
        role,
        before: params.before.trim().parse::<u64>().ok().map(UserId),
        limit: PAGE,
    };
    let found = match state.app.read(caller, read).await {
        Ok(found) => found,
        Err(e) => return refused(p, &e),
    };
    let older = (found.len() == PAGE as usize)
        .then(|| found.last())
        .flatten()
        .map(|u| {
            let q = serde_urlencoded::to_string([
                ("q", params.q.as_str()),
                ("role", role.map_or("", Role::as_str)),
                ("before", &u.id.0.to_string()),
            ])
            .unwrap_or_default();
            format!("/admin/users?{q}")
        });
    let users = found
        .iter()
        .map(|u| UserRow {
            id: u.id.0,
            login: u.login.clone(),
            role: u.role.as_str(),
            role_text: p.t(&format!("role-{}", u.role.as_str())).into_owned(),
            second_factor: u.second_factor,
            guest: u.guest,
            at: p.time(u.created_at / 1_000_000_000),
        })
        .collect();
    let roles = Role::ALL
        .iter()
        .map(|r| RoleChoice {
            name: r.as_str(),
            text: p.t(&format!("role-{}", r.as_str())).into_owned(),
            chosen: role == Some(*r),
        })
        .collect();
    let page = UsersPage {
        p,
        users,
        roles,
        q: params.q.clone(),
        older,
        error,
        done,
        key: csrf::idempotency_key(),
    };
    render(status, &page)
}

pub(super) async fn users(
    State(state): State<AppState>,
    p: Page,
    Query(params): Query<UsersParams>,
) -> Response {
    match staff(&state, &p).await {
        Ok(caller) => page(&state, &p, caller, &params, (None, None, StatusCode::OK)).await,
        Err(refused) => refused,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RoleForm {
    #[serde(default)]
    role: String,
}

/// An admin gives a user another role.
pub(super) async fn set_role(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let done = async {
        let user = id
            .parse::<u64>()
            .map(UserId)
            .map_err(|_| AppError::NotFound("no such user".into()))?;
        let role = Role::named(form.role.trim())
            .ok_or_else(|| AppError::Invalid("choose one of the roles".into()))?;
        state.app.change(caller, ops::SetRole { user, role }).await
    }
    .await;
    match done {
        Ok(()) => Redirect::to(&format!("/admin/users#user-{id}")).into_response(),
        Err(e) => {
            let back = (Some(p.refusal(&e)), None, form_status(&e));
            page(&state, &p, caller, &UsersParams::default(), back).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct CreditForm {
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    note: String,
}

/// Finance asks for a wallet credit; a second member approves it.
pub(super) async fn credit(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<CreditForm>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let done = async {
        let user = id
            .parse::<u64>()
            .map(UserId)
            .map_err(|_| AppError::NotFound("no such user".into()))?;
        let currency = Currency::new(form.currency.trim())
            .map_err(|_| AppError::Invalid("the currency is not a currency code".into()))?;
        let amount = i18n::parse_amount(&form.amount, currency)
            .ok_or_else(|| AppError::Invalid("the amount is not an amount".into()))?;
        let note = form.note.trim().to_string();
        let once = Once::new(
            Some(&form.idempotency_key),
            "page_credit",
            &(user.0, currency.as_str(), amount, &note),
        )?;
        let change = ops::CreditWallet {
            user,
            currency,
            amount,
            note,
        };
        state.app.change_once(caller, &once, change).await
    }
    .await;
    let (error, said, status) = match done {
        Ok(_) => (
            None,
            Some(p.t("users-credit-asked").into_owned()),
            StatusCode::OK,
        ),
        Err(e) => (Some(p.refusal(&e)), None, form_status(&e)),
    };
    page(
        &state,
        &p,
        caller,
        &UsersParams::default(),
        (error, said, status),
    )
    .await
}
