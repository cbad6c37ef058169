//! The sandbox's hosted checkout page: what the buyer is paying and two
//! buttons, Pay and Fail. Paying marks the payment paid and sends the
//! notification; either way the browser goes back to the shop's return
//! URL (which, at the shop, credits nothing).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use trigate_channels::amount;

use super::{Gateway, PaymentStatus, notifier, unix_now};

pub(super) fn routes() -> Router<Arc<Gateway>> {
    Router::new()
        .route("/checkout/{id}", get(page))
        .route("/checkout/{id}/pay", post(pay))
        .route("/checkout/{id}/fail", post(fail))
}

/// Text made safe to place in HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

async fn page(State(g): State<Arc<Gateway>>, Path(id): Path<String>) -> Response {
    let Some(p) = g.payment(&id) else {
        return (StatusCode::NOT_FOUND, "no such payment").into_response();
    };
    let id = escape(&p.id);
    let actions = if p.status == PaymentStatus::Pending {
        format!(
            "<form method=\"post\" action=\"{id}/pay\">\
             <label>Card fingerprint <input name=\"instrument\"></label> \
             <label>Card country <input name=\"country\" maxlength=\"2\"></label> \
             <button type=\"submit\">Pay</button></form>\n\
             <form method=\"post\" action=\"{id}/fail\"><button type=\"submit\">Fail</button></form>"
        )
    } else {
        format!("<p>This payment is {}.</p>", p.status.as_str())
    };
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Sandbox checkout</title></head><body>\n\
         <h1>trigate sandbox gateway</h1>\n\
         <p>Pay <strong>{} {}</strong> by {} for {}</p>\n<p>Payment {id}</p>\n{actions}\n\
         </body></html>\n",
        amount::format(p.amount, p.currency),
        p.currency,
        escape(&p.method),
        escape(&p.subject),
    ))
    .into_response()
}

fn back_to(url: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, url.to_string())]).into_response()
}

/// What the payer pays with, optionally (the form's `instrument` and
/// `country`: a test of gate three's signals).
#[derive(Debug, Default)]
struct PayWith {
    instrument: String,
    country: String,
}

impl PayWith {
    fn read(body: &[u8]) -> Self {
        let mut with = Self::default();
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "instrument" => with.instrument = v.into_owned(),
                "country" => with.country = v.into_owned(),
                _ => {}
            }
        }
        with
    }
}

async fn pay(
    State(g): State<Arc<Gateway>>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let with = PayWith::read(&body);
    let (paid, now_paid) = {
        let mut books = g.books();
        let Some(p) = books.payments.iter_mut().find(|p| p.id == id) else {
            return (StatusCode::NOT_FOUND, "no such payment").into_response();
        };
        let now_paid = p.status == PaymentStatus::Pending;
        if now_paid {
            p.status = PaymentStatus::Paid;
            p.paid_at = Some(unix_now());
            p.payer_instrument = with.instrument.trim().chars().take(64).collect();
            p.payer_country = with
                .country
                .trim()
                .to_uppercase()
                .chars()
                .filter(char::is_ascii_alphabetic)
                .take(2)
                .collect();
        }
        (p.clone(), now_paid)
    };
    // One notifier per payment, started when it is paid.
    if now_paid {
        notifier::spawn(g.clone(), paid.id.clone());
    }
    back_to(&paid.return_url)
}

async fn fail(State(g): State<Arc<Gateway>>, Path(id): Path<String>) -> Response {
    let failed = {
        let mut books = g.books();
        let Some(p) = books.payments.iter_mut().find(|p| p.id == id) else {
            return (StatusCode::NOT_FOUND, "no such payment").into_response();
        };
        if p.status == PaymentStatus::Pending {
            p.status = PaymentStatus::Failed;
        }
        p.clone()
    };
    back_to(&failed.return_url)
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            super::escape("<b onclick='x'>\"&"),
            "&lt;b onclick=&#39;x&#39;&gt;&quot;&amp;"
        );
    }
}
