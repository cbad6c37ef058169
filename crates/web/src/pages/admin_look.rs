//! The admin console's settings and appearance: the shop's name, logo
//! (an image uploaded here, up to 36 KiB — a larger one is a 413 page),
//! colour and announcement, set by an admin; and the shop-wide settings
//! the config file gives, shown as they are recorded.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use trigate_app::{Caller, ops};
use trigate_core::{Config, NANOS_PER_SECOND, ShopLook, show_offset};

use super::admin::staff;
use super::{Page, csrf, error_page, form_status, refused, render};
use crate::AppState;

/// The largest logo image taken, in bytes (its data URL stays under the
/// shop's 48 KiB).
pub const LOGO_LIMIT: usize = 36 * 1024;

struct Setting {
    name: String,
    value: String,
}

#[derive(Template)]
#[template(path = "admin_look.html")]
struct LookPage<'a> {
    p: &'a Page,
    look: ShopLook,
    /// The colour input's value (it needs one).
    colour: String,
    settings: Vec<Setting>,
    error: Option<String>,
}

fn settings(p: &Page, c: &Config) -> Vec<Setting> {
    let minutes = |ns: u64| ns / (60 * NANOS_PER_SECOND);
    let n = |id: &str, name: &str, v: String| Setting {
        name: p.t(id).into_owned(),
        value: p.t1(&format!("{id}-value"), name, &v),
    };
    vec![
        n(
            "settings-time-zone",
            "zone",
            show_offset(c.utc_offset_seconds),
        ),
        n(
            "settings-reservation",
            "minutes",
            minutes(c.reservation_ns).to_string(),
        ),
        n(
            "settings-dispute-window",
            "hours",
            (minutes(c.dispute_window_ns) / 60).to_string(),
        ),
        n(
            "settings-dispute-answer",
            "hours",
            (minutes(c.dispute_answer_ns) / 60).to_string(),
        ),
        n(
            "settings-commission-holding",
            "days",
            c.policy.commission_holding_days.to_string(),
        ),
        n(
            "settings-reserve-share",
            "bps",
            c.policy.reserve_fee_bps.to_string(),
        ),
        n(
            "settings-refund-approval",
            "amount",
            c.policy.refund_approval_above.to_string(),
        ),
        n(
            "settings-decision-approval",
            "amount",
            c.policy.decision_approval_above.to_string(),
        ),
    ]
}

/// The page, with `typed` in the form (or the look as it is).
async fn page(
    state: &AppState,
    p: &Page,
    caller: Caller,
    (typed, error): (Option<ShopLook>, Option<String>),
    status: StatusCode,
) -> Response {
    let config = match state.app.read(caller, ops::Settings).await {
        Ok(config) => config,
        Err(e) => return refused(p, &e),
    };
    let look = typed.unwrap_or_else(|| p.look.clone());
    let page = LookPage {
        p,
        colour: look.colour.clone().unwrap_or_else(|| "#0f2a5f".into()),
        look,
        settings: settings(p, &config),
        error,
    };
    render(status, &page)
}

pub(super) async fn look(State(state): State<AppState>, p: Page) -> Response {
    match staff(&state, &p).await {
        Ok(caller) => page(&state, &p, caller, (None, None), StatusCode::OK).await,
        Err(refused) => refused,
    }
}

/// What the form sent.
#[derive(Default)]
struct LookForm {
    csrf: String,
    name: String,
    colour: String,
    announcement: String,
    remove_logo: bool,
    logo: Option<(String, Vec<u8>)>,
}

/// Reads the form, the logo up to [`LOGO_LIMIT`].
async fn read_form(mut multipart: Multipart) -> Result<LookForm, StatusCode> {
    let mut form = LookForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(|e| e.status())? {
        let name = field.name().unwrap_or("").to_string();
        let kind = field.content_type().unwrap_or("").to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| e.status())? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > LOGO_LIMIT.max(8 * 1024) {
                return Err(StatusCode::PAYLOAD_TOO_LARGE);
            }
        }
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "csrf" => form.csrf = text(),
            "name" => form.name = text(),
            "colour" => form.colour = text(),
            "announcement" => form.announcement = text(),
            "remove_logo" => form.remove_logo = true,
            "logo" if !bytes.is_empty() => form.logo = Some((kind, bytes)),
            _ => {}
        }
    }
    Ok(form)
}

/// An admin sets the look.
pub(super) async fn set_look(
    State(state): State<AppState>,
    p: Page,
    request: axum::extract::Request,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let secret = request.extensions().get::<csrf::CsrfSecret>().cloned();
    let multipart =
        match <Multipart as axum::extract::FromRequest<AppState>>::from_request(request, &state)
            .await
        {
            Ok(m) => m,
            Err(_) => return error_page(&p, StatusCode::BAD_REQUEST, p.t("error-form").into()),
        };
    let form = match read_form(multipart).await {
        Ok(form) => form,
        Err(StatusCode::PAYLOAD_TOO_LARGE) => {
            let said = p.t("look-logo-too-large").into_owned();
            return error_page(&p, StatusCode::PAYLOAD_TOO_LARGE, said);
        }
        Err(status) => return error_page(&p, status, p.t("error-form").into()),
    };
    if !secret.is_some_and(|s| s.accepts(&form.csrf)) {
        return error_page(&p, StatusCode::FORBIDDEN, p.t("error-csrf").into());
    }
    let logo = match (&form.logo, form.remove_logo) {
        (_, true) => None,
        (Some((kind, bytes)), false) => Some(format!(
            "data:{kind};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )),
        (None, false) => p.look.logo.clone(),
    };
    let colour = form.colour.trim();
    let look = ShopLook {
        name: form.name.trim().to_string(),
        logo,
        colour: (!colour.is_empty()).then(|| colour.to_string()),
        announcement: form.announcement.trim().to_string(),
    };
    let set = ops::SetLook { look: look.clone() };
    match state.app.change(caller, set).await {
        Ok(()) => Redirect::to("/admin/look").into_response(),
        Err(e) => {
            let back = (Some(look), Some(p.refusal(&e)));
            page(&state, &p, caller, back, form_status(&e)).await
        }
    }
}
