//! The buyer's second factor: enrolling (or replacing) TOTP with their
//! password, the otpauth URL shown once as a QR code and as text.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::{CsrfForm, Page, form_status, qr, render, signed_in};
use crate::AppState;

/// A second factor just enrolled, shown this once.
struct Enrolled {
    qr: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage<'a> {
    p: &'a Page,
    enrolled: Option<Enrolled>,
    error: Option<String>,
    /// The email as saved (or as typed, with its error).
    email: String,
    email_error: Option<String>,
    email_saved: bool,
}

async fn current_email(state: &AppState, p: &Page) -> String {
    match p.caller {
        Some(caller) => state
            .app
            .read(caller, trigate_app::ops::Me)
            .await
            .ok()
            .and_then(|me| me.email)
            .unwrap_or_default(),
        None => String::new(),
    }
}

pub(super) async fn security(State(state): State<AppState>, p: Page) -> Response {
    if let Err(to_sign_in) = signed_in(&p) {
        return to_sign_in;
    }
    let page = SecurityPage {
        p: &p,
        enrolled: None,
        error: None,
        email: current_email(&state, &p).await,
        email_error: None,
        email_saved: false,
    };
    render(StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct EnrolForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    totp: String,
}

pub(super) async fn enrol(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(form): CsrfForm<EnrolForm>,
) -> Response {
    let caller = match signed_in(&p) {
        Ok(caller) => caller,
        Err(to_sign_in) => return to_sign_in,
    };
    let code = Some(form.totp.trim()).filter(|c| !c.is_empty());
    match state.app.enrol_self(caller, form.password, code).await {
        Ok(e) => {
            let url = e.otpauth_url();
            let page = SecurityPage {
                p: &p,
                enrolled: Some(Enrolled {
                    qr: qr::svg(&url, &p.t("security-scan")).unwrap_or_default(),
                    secret: e.secret.expose_secret().to_string(),
                }),
                error: None,
                email: String::new(),
                email_error: None,
                email_saved: false,
            };
            render(StatusCode::OK, &page)
        }
        Err(e) => {
            let page = SecurityPage {
                p: &p,
                enrolled: None,
                error: Some(p.refusal(&e)),
                email: current_email(&state, &p).await,
                email_error: None,
                email_saved: false,
            };
            render(form_status(&e), &page)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct EmailForm {
    #[serde(default)]
    email: String,
}

pub(super) async fn set_email(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Response {
    let caller = match signed_in(&p) {
        Ok(caller) => caller,
        Err(to_sign_in) => return to_sign_in,
    };
    let email = form.email.trim().to_string();
    let (status, email_error) = if !email.is_empty() && trigate_core::Email::new(&email).is_err() {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(p.t("field-email").into_owned()),
        )
    } else {
        let set = trigate_app::ops::SetEmail {
            email: Some(email.clone()).filter(|e| !e.is_empty()),
        };
        match state.app.change(caller, set).await {
            Ok(()) => (StatusCode::OK, None),
            Err(e) => (form_status(&e), Some(p.refusal(&e))),
        }
    };
    let page = SecurityPage {
        p: &p,
        enrolled: None,
        error: None,
        email_saved: email_error.is_none(),
        email,
        email_error,
    };
    render(status, &page)
}
