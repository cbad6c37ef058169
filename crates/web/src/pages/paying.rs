//! The page that sends a payer on to a channel: its payment link (followed
//! at once by the site's script) or a QR code of its code URL, and a part
//! that follows the payment until it lands.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use trigate_channels::Checkout;

use super::{Page, qr, render};

#[derive(Template)]
#[template(path = "pay.html")]
struct PayPage<'a> {
    p: &'a Page,
    /// The order paid for; none for a recharge.
    order: Option<u64>,
    amount: &'a str,
    redirect: Option<String>,
    qr: Option<String>,
    code_url: Option<String>,
}

/// The page for paying `amount` (already formatted) through `checkout`.
pub(super) fn pay_page(p: &Page, order: Option<u64>, amount: &str, checkout: Checkout) -> Response {
    let (redirect, code_url) = match checkout {
        Checkout::Redirect(url) => (Some(url), None),
        Checkout::Qr(url) => (None, Some(url)),
    };
    let qr = code_url
        .as_deref()
        .and_then(|url| qr::svg(url, &p.t("pay-qr-label")));
    render(
        StatusCode::OK,
        &PayPage {
            p,
            order,
            amount,
            redirect,
            qr,
            code_url,
        },
    )
}
