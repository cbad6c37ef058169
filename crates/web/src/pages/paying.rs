//! The page that sends a payer on to a channel: its payment link (followed
//! at once by the site's script) or a QR code of its code URL, and a part
//! that follows the payment until it lands; and the payments a form's
//! idempotency key started, so a second send of the same top-up form shows
//! the same payment instead of starting another.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// How long a started payment is kept for its form's key.
const KEPT: Duration = Duration::from_secs(24 * 3600);
/// Started payments kept at most.
const MOST: usize = 10_000;

/// A payment a form started: what was asked, and where it pays.
#[derive(Clone)]
struct Started {
    asked: String,
    checkout: Checkout,
    at: Instant,
}

/// Payments started by forms, by (user, idempotency key), in memory.
#[derive(Default)]
pub struct StartedPayments {
    by_key: Mutex<HashMap<(u64, String), Started>>,
}

impl std::fmt::Debug for StartedPayments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StartedPayments({})", self.lock().len())
    }
}

/// What a form's key found.
pub(super) enum Found {
    /// Nothing: start the payment.
    Nothing,
    /// The same request started this payment before.
    Same(Checkout),
    /// The key started another request's payment.
    Other,
}

impl StartedPayments {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(u64, String), Started>> {
        self.by_key.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What `user`'s form key `key` started for the request `asked`.
    pub(super) fn find(&self, user: u64, key: &str, asked: &str) -> Found {
        match self.lock().get(&(user, key.to_string())) {
            Some(s) if s.at.elapsed() < KEPT && s.asked == asked => Found::Same(s.checkout.clone()),
            Some(s) if s.at.elapsed() < KEPT => Found::Other,
            _ => Found::Nothing,
        }
    }

    /// Keeps the payment `user`'s form key started.
    pub(super) fn keep(&self, user: u64, key: &str, asked: String, checkout: Checkout) {
        let mut all = self.lock();
        if all.len() >= MOST {
            all.retain(|_, s| s.at.elapsed() < KEPT);
            if all.len() >= MOST {
                all.clear();
            }
        }
        let started = Started {
            asked,
            checkout,
            at: Instant::now(),
        };
        all.insert((user, key.to_string()), started);
    }
}
