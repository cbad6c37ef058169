//! The sandbox's merchant API: every call a signed form POST, answered in
//! JSON with a `code` (`ok`, or why not) — and the knobs and statements.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::RngExt;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use trigate_channels::{Params, amount, sandbox};
use trigate_core::Currency;

use super::{Books, Gateway, Knobs, Payment, PaymentStatus, Payout, unix_now, utc_date};

pub(super) fn routes() -> Router<Arc<Gateway>> {
    Router::new()
        .route("/api/create", post(create))
        .route("/api/query", post(query))
        .route("/api/refund", post(refund))
        .route("/api/refund-query", post(refund_query))
        .route("/api/payout", post(payout))
        .route("/knobs", get(knobs).post(set_knobs))
        .route("/statements/{merchant}/{file}", get(statement))
}

fn reply(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

fn code(status: StatusCode, code: &str) -> Response {
    reply(status, json!({ "code": code }))
}

/// Why a call is refused: its status, its code, and the field at fault.
struct Refuse(StatusCode, &'static str, Option<String>);

impl IntoResponse for Refuse {
    fn into_response(self) -> Response {
        let mut body = json!({ "code": self.1 });
        if let Some(field) = self.2 {
            body["field"] = json!(field);
        }
        reply(self.0, body)
    }
}

/// Checks the knobs, then the caller's signature; the parameters and the
/// merchant, or the answer to give.
async fn admit(g: &Gateway, body: &[u8]) -> Result<(Params, String), Refuse> {
    let knobs = g.knobs().clone();
    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }
    if knobs.outage {
        return Err(Refuse(StatusCode::SERVICE_UNAVAILABLE, "outage", None));
    }
    if knobs.failure_rate_bps > 0 && rand::rng().random_range(0..10_000) < knobs.failure_rate_bps {
        return Err(Refuse(StatusCode::INTERNAL_SERVER_ERROR, "failure", None));
    }
    signed_by_merchant(g, body)
}

/// The parameters and the merchant, if a merchant of this gateway signed
/// them.
fn signed_by_merchant(g: &Gateway, body: &[u8]) -> Result<(Params, String), Refuse> {
    let params =
        Params::from_form(body).map_err(|_| Refuse(StatusCode::BAD_REQUEST, "malformed", None))?;
    let merchant = params.get("merchant").unwrap_or_default().to_string();
    let secret = g.accounts.get(&merchant).ok_or(Refuse(
        StatusCode::UNAUTHORIZED,
        "unknown_merchant",
        None,
    ))?;
    if !sandbox::verify_signature(&params, secret.expose_secret()) {
        return Err(Refuse(StatusCode::UNAUTHORIZED, "bad_signature", None));
    }
    Ok((params, merchant))
}

fn field<'a>(params: &'a Params, key: &str) -> Result<&'a str, Refuse> {
    params
        .get(key)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Refuse(StatusCode::BAD_REQUEST, "missing", Some(key.to_string())))
}

fn money(params: &Params) -> Result<(u64, Currency), Refuse> {
    let bad = || Refuse(StatusCode::BAD_REQUEST, "bad_amount", None);
    let currency = Currency::new(field(params, "currency")?).map_err(|_| bad())?;
    let minor = amount::parse(field(params, "amount")?, currency).map_err(|_| bad())?;
    if minor == 0 {
        return Err(bad());
    }
    Ok((minor, currency))
}

fn find<'a>(books: &'a mut Books, merchant: &str, no: &str) -> Option<&'a mut Payment> {
    let at = *books
        .by_trade_no
        .get(&(merchant.to_string(), no.to_string()))?;
    books.payments.get_mut(at)
}

async fn create(State(g): State<Arc<Gateway>>, body: Bytes) -> Response {
    let (params, merchant) = match admit(&g, &body).await {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let parsed = (|| {
        let (amount, currency) = money(&params)?;
        Ok::<_, Refuse>(Payment {
            id: String::new(),
            merchant: merchant.clone(),
            out_trade_no: field(&params, "out_trade_no")?.to_string(),
            method: field(&params, "method")?.to_string(),
            amount,
            currency,
            subject: params.get("subject").unwrap_or_default().to_string(),
            notify_url: field(&params, "notify_url")?.to_string(),
            return_url: field(&params, "return_url")?.to_string(),
            status: PaymentStatus::Pending,
            created_at: unix_now(),
            paid_at: None,
            refunded: 0,
            notify_attempts: 0,
            notified: false,
            payer_instrument: String::new(),
            payer_country: String::new(),
        })
    })();
    let mut payment = match parsed {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let mut books = g.books();
    let key = (merchant, payment.out_trade_no.clone());
    if let Some(at) = books.by_trade_no.get(&key) {
        // The same request again: the same payment.
        let existing = &books.payments[*at];
        if existing.amount != payment.amount || existing.currency != payment.currency {
            return code(StatusCode::CONFLICT, "duplicate_out_trade_no");
        }
        payment.id = existing.id.clone();
    } else {
        payment.id = format!("SB{:010}", books.payments.len() + 1);
        let at = books.payments.len();
        books.by_trade_no.insert(key, at);
        books.payments.push(payment.clone());
    }
    reply(
        StatusCode::OK,
        json!({"code": "ok", "payment": payment.id,
            "checkout_url": format!("{}/checkout/{}", g.public_base, payment.id)}),
    )
}

async fn query(State(g): State<Arc<Gateway>>, body: Bytes) -> Response {
    let (params, merchant) = match admit(&g, &body).await {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let no = match field(&params, "out_trade_no") {
        Ok(no) => no.to_string(),
        Err(r) => return r.into_response(),
    };
    let mut books = g.books();
    let Some(p) = find(&mut books, &merchant, &no) else {
        return code(StatusCode::OK, "not_found");
    };
    reply(
        StatusCode::OK,
        json!({"code": "ok", "payment": p.id, "out_trade_no": p.out_trade_no,
            "status": p.status.as_str(), "amount": amount::format(p.amount, p.currency),
            "currency": p.currency, "refunded": amount::format(p.refunded, p.currency)}),
    )
}

async fn refund(State(g): State<Arc<Gateway>>, body: Bytes) -> Response {
    let (params, merchant) = match admit(&g, &body).await {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let (no, (minor, currency)) = match field(&params, "out_trade_no").and_then(|no| {
        let no = no.to_string();
        money(&params).map(|m| (no, m))
    }) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    // A reference already refunded answers as it did, refunding nothing.
    let reference = params.get("reference").map(str::to_string);
    let mut books = g.books();
    let made = reference
        .as_ref()
        .and_then(|r| books.refunds.get(&(merchant.clone(), r.clone())).cloned());
    let count = books.refunds.len();
    let Some(p) = find(&mut books, &merchant, &no) else {
        return code(StatusCode::OK, "not_found");
    };
    if let Some((id, _)) = made {
        return reply(
            StatusCode::OK,
            json!({"code": "ok", "refund": id, "refunded": amount::format(p.refunded, p.currency)}),
        );
    }
    if p.status != PaymentStatus::Paid || p.currency != currency {
        return code(StatusCode::CONFLICT, "not_paid");
    }
    if p.refunded.saturating_add(minor) > p.amount {
        return code(StatusCode::CONFLICT, "beyond_paid");
    }
    p.refunded += minor;
    let refunded = amount::format(p.refunded, p.currency);
    let id = format!("SBR-{:06}", count + 1);
    if let Some(r) = reference {
        books.refunds.insert((merchant, r), (id.clone(), minor));
    }
    reply(
        StatusCode::OK,
        json!({"code": "ok", "refund": id, "refunded": refunded}),
    )
}

/// Whether the refund under a reference was made.
async fn refund_query(State(g): State<Arc<Gateway>>, body: Bytes) -> Response {
    let (params, merchant) = match admit(&g, &body).await {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let reference = match field(&params, "reference") {
        Ok(r) => r.to_string(),
        Err(r) => return r.into_response(),
    };
    match g.books().refunds.get(&(merchant, reference)) {
        Some((id, _)) => reply(StatusCode::OK, json!({"code": "ok", "refund": id})),
        None => code(StatusCode::OK, "not_found"),
    }
}

async fn payout(State(g): State<Arc<Gateway>>, body: Bytes) -> Response {
    let (params, merchant) = match admit(&g, &body).await {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let parsed = money(&params).and_then(|(amount, currency)| {
        Ok((
            amount,
            currency,
            field(&params, "reference")?.to_string(),
            field(&params, "destination")?.to_string(),
        ))
    });
    let (amount, currency, reference, destination) = match parsed {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let mut books = g.books();
    if let Some(done) = books
        .payouts
        .iter()
        .find(|p| p.merchant == merchant && p.reference == reference)
    {
        // Paid out once per reference, however often asked.
        return reply(StatusCode::OK, json!({"code": "ok", "payout": done.id}));
    }
    let id = format!("PO{:010}", books.payouts.len() + 1);
    books.payouts.push(Payout {
        id: id.clone(),
        merchant,
        reference,
        amount,
        currency,
        destination,
        at: unix_now(),
    });
    reply(StatusCode::OK, json!({"code": "ok", "payout": id}))
}

async fn knobs(State(g): State<Arc<Gateway>>) -> Json<Knobs> {
    Json(g.knobs().clone())
}

/// Sets the knobs: a form signed by a merchant of this gateway, so no one
/// else can take it down.
async fn set_knobs(State(g): State<Arc<Gateway>>, body: Bytes) -> Response {
    let (params, _) = match signed_by_merchant(&g, &body) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let number = |k: &str| params.get(k).map_or(Ok(0), str::parse::<u64>);
    let parsed = (|| {
        Ok::<_, std::num::ParseIntError>(Knobs {
            latency_ms: number("latency_ms")?.min(60_000),
            failure_rate_bps: u32::try_from(number("failure_rate_bps")?.min(10_000)).unwrap_or(0),
            outage: params.get("outage") == Some("true"),
            drop_notifications: u32::try_from(number("drop_notifications")?.min(100)).unwrap_or(0),
        })
    })();
    match parsed {
        Ok(knobs) => {
            g.set_knobs(knobs.clone());
            (StatusCode::OK, Json(knobs)).into_response()
        }
        Err(_) => Refuse(StatusCode::BAD_REQUEST, "malformed", None).into_response(),
    }
}

/// `GET /statements/{merchant}/{YYYY-MM-DD}.csv`: the day's settled lines
/// (payments, refunds, payouts), UTC.
async fn statement(
    State(g): State<Arc<Gateway>>,
    Path((merchant, file)): Path<(String, String)>,
) -> Response {
    let Some(date) = file.strip_suffix(".csv") else {
        return code(StatusCode::NOT_FOUND, "not_found");
    };
    if !g.accounts.contains_key(&merchant) {
        return code(StatusCode::NOT_FOUND, "not_found");
    }
    let books = g.books();
    let mut csv = String::from("date,kind,id,out_trade_no,amount,currency,fee,net\n");
    for p in books.payments.iter().filter(|p| p.merchant == merchant) {
        let Some(paid_at) = p.paid_at.filter(|t| utc_date(*t) == date) else {
            continue;
        };
        // The sandbox charges 0.6%, rounded down, as channels here often do.
        let fee = u64::try_from(u128::from(p.amount) * 6 / 1_000).unwrap_or(u64::MAX);
        let line = |kind: &str, amount: u64, fee: u64, net: i128| {
            format!(
                "{},{kind},{},{},{},{},{},{}\n",
                utc_date(paid_at),
                p.id,
                p.out_trade_no,
                amount::format(amount, p.currency),
                p.currency,
                amount::format(fee, p.currency),
                signed(net, p.currency)
            )
        };
        csv.push_str(&line("payment", p.amount, fee, i128::from(p.amount - fee)));
        if p.refunded > 0 {
            csv.push_str(&line("refund", p.refunded, 0, -i128::from(p.refunded)));
        }
    }
    for o in books
        .payouts
        .iter()
        .filter(|o| o.merchant == merchant && utc_date(o.at) == date)
    {
        csv.push_str(&format!(
            "{},payout,{},{},{},{},0,{}\n",
            utc_date(o.at),
            o.id,
            o.reference,
            amount::format(o.amount, o.currency),
            o.currency,
            signed(-i128::from(o.amount), o.currency)
        ));
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        csv,
    )
        .into_response()
}

fn signed(net: i128, currency: Currency) -> String {
    let text = amount::format(
        u64::try_from(net.unsigned_abs()).unwrap_or(u64::MAX),
        currency,
    );
    if net < 0 { format!("-{text}") } else { text }
}
