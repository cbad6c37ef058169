//! Signing up, in and out from the pages: the same application calls as the
//! API's, the session in the same HttpOnly cookie.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::AppError;

use super::{CsrfForm, Page, form_status, render};
use crate::{AppState, auth};

#[derive(Debug, Default, Deserialize)]
pub(super) struct SignInForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    totp: String,
    /// Where to go once signed in (a path on this site).
    #[serde(default)]
    next: String,
    /// Sign-up only.
    #[serde(default)]
    referral_code: String,
}

/// The errors of a sign-in or sign-up form, each beside its field.
#[derive(Debug, Default)]
struct Errors {
    login: Option<String>,
    password: Option<String>,
    totp: Option<String>,
    form: Option<String>,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage<'a> {
    p: &'a Page,
    /// Sign up rather than in.
    signup: bool,
    /// Whether to ask for a TOTP code.
    ask_totp: bool,
    form: &'a SignInForm,
    errors: Errors,
}

pub(super) async fn signin_form(p: Page, Query(form): Query<SignInForm>) -> Response {
    let page = SignInPage {
        p: &p,
        signup: false,
        ask_totp: false,
        form: &form,
        errors: Errors::default(),
    };
    render(StatusCode::OK, &page)
}

pub(super) async fn signup_form(p: Page, Query(form): Query<SignInForm>) -> Response {
    let page = SignInPage {
        p: &p,
        signup: true,
        ask_totp: false,
        form: &form,
        errors: Errors::default(),
    };
    render(StatusCode::OK, &page)
}

/// Opens a session for `login` and goes on to `next`.
async fn open_session(state: &AppState, form: &SignInForm) -> Result<Response, AppError> {
    let totp = Some(form.totp.trim()).filter(|t| !t.is_empty());
    let user = state
        .app
        .sign_in(form.login.trim().to_string(), form.password.clone(), totp)
        .await?;
    let token = state.sessions.open(user);
    tracing::info!(user = user.0, "signed in from the pages");
    let next = super::local_path(&form.next).unwrap_or("/");
    let mut response = Redirect::to(next).into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::cookie(&token, state.secure_cookies)) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

pub(super) async fn signin(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Response {
    let again = |errors: Errors, ask_totp: bool, status| {
        let page = SignInPage {
            p: &p,
            signup: false,
            ask_totp,
            form: &form,
            errors,
        };
        render(status, &page)
    };
    match open_session(&state, &form).await {
        Ok(response) => response,
        Err(e @ (AppError::SecondFactorRequired(_) | AppError::BadSecondFactor)) => {
            let errors = Errors {
                totp: Some(p.refusal(&e)),
                ..Errors::default()
            };
            again(errors, true, form_status(&e))
        }
        Err(e) => {
            let errors = Errors {
                form: Some(p.refusal(&e)),
                ..Errors::default()
            };
            again(errors, !form.totp.is_empty(), form_status(&e))
        }
    }
}

pub(super) async fn signup(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Response {
    let again = |errors: Errors, status| {
        let page = SignInPage {
            p: &p,
            signup: true,
            ask_totp: false,
            form: &form,
            errors,
        };
        render(status, &page)
    };
    let mut errors = Errors::default();
    let login = form.login.trim();
    if login.is_empty() || login.chars().count() > 64 || login.chars().any(char::is_control) {
        errors.login = Some(p.t("field-login").into());
    }
    if !(8..=256).contains(&form.password.chars().count()) {
        errors.password = Some(p.t("field-password").into());
    }
    if errors.login.is_some() || errors.password.is_some() {
        return again(errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let referral = Some(form.referral_code.trim().to_string()).filter(|c| !c.is_empty());
    let registered = state
        .app
        .register(login.to_string(), form.password.clone(), referral)
        .await;
    if let Err(e) = registered {
        let message = Some(p.refusal(&e));
        let errors = match e.code() {
            "login_taken" | "invalid" => Errors {
                login: message,
                ..Errors::default()
            },
            _ => Errors {
                form: message,
                ..Errors::default()
            },
        };
        return again(errors, form_status(&e));
    }
    match open_session(&state, &form).await {
        Ok(response) => response,
        Err(e) => {
            let errors = Errors {
                form: Some(p.refusal(&e)),
                ..Errors::default()
            };
            again(errors, form_status(&e))
        }
    }
}

pub(super) async fn signout(
    State(state): State<AppState>,
    request_headers: axum::http::HeaderMap,
    CsrfForm(_): CsrfForm<super::NoFields>,
) -> Response {
    if let Some(token) = super::cookie(&request_headers, auth::COOKIE) {
        state.sessions.close(token);
    }
    let expired = format!(
        "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
        auth::COOKIE
    );
    ([(header::SET_COOKIE, expired)], Redirect::to("/")).into_response()
}
