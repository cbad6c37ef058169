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
}

pub(super) async fn security(p: Page) -> Response {
    if let Err(to_sign_in) = signed_in(&p) {
        return to_sign_in;
    }
    let page = SecurityPage {
        p: &p,
        enrolled: None,
        error: None,
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
            };
            render(StatusCode::OK, &page)
        }
        Err(e) => {
            let page = SecurityPage {
                p: &p,
                enrolled: None,
                error: Some(p.refusal(&e)),
            };
            render(form_status(&e), &page)
        }
    }
}
