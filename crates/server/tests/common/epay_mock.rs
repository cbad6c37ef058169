//! An epay (易支付) V1 gateway for tests, written from the published
//! protocol: `submit.php` and `mapi.php` take signed payments, `api.php`
//! answers order queries and refunds, and a payment once "paid" is
//! notified to its `notify_url` with the gateway's signature. It can be
//! taken down (every call answers 503) to make an outage, and made to lose
//! its answers to refunds (the refund is made, the answer is a 500, or
//! none ever comes).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use trigate_channels::Params;
use trigate_channels::epay::{Variant, sign};

pub const PID: &str = "1001";
pub const KEY: &str = "89unJUB8HZ54Hj7x4nUj56HN4nUzUJ8i";

#[derive(Debug, Clone)]
pub struct Payment {
    pub notify_url: String,
    pub money: String,
    pub method: String,
    pub trade_no: String,
    pub paid: bool,
}

#[derive(Debug, Default)]
pub struct Gateway {
    pub payments: Mutex<HashMap<String, Payment>>,
    pub down: AtomicBool,
    /// Refunds are made, but answered with a 500: the answer is lost.
    pub lose_refund_answers: AtomicBool,
    /// Refunds fail with a 500 before they are made.
    pub crash_refunds: AtomicBool,
    /// Refunds are made, and never answered.
    pub hang_refunds: AtomicBool,
    pub calls: AtomicU64,
    /// Refunds made: (out_trade_no, money).
    pub refunds: Mutex<Vec<(String, String)>>,
    next: AtomicU64,
}

#[derive(Debug, Clone)]
pub struct Mock {
    pub addr: SocketAddr,
    pub gateway: Arc<Gateway>,
}

fn signed(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let s = sign(pairs.iter().copied(), KEY, Variant::Plain);
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    out.push(("sign".into(), s));
    out.push(("sign_type".into(), "MD5".into()));
    out
}

impl Gateway {
    /// Takes a signed payment request; the trade number it gives.
    fn take(&self, params: &Params) -> Result<String, &'static str> {
        let want = sign(params.iter(), KEY, Variant::Plain);
        if params.get("sign") != Some(want.as_str()) || params.get("pid") != Some(PID) {
            return Err("bad signature");
        }
        let no = params.get("out_trade_no").ok_or("no out_trade_no")?;
        let trade_no = format!("2026{:012}", self.next.fetch_add(1, Ordering::SeqCst) + 1);
        self.payments.lock().unwrap().insert(
            no.to_string(),
            Payment {
                notify_url: params.get("notify_url").unwrap_or("").to_string(),
                money: params.get("money").unwrap_or("").to_string(),
                method: params.get("type").unwrap_or("").to_string(),
                trade_no: trade_no.clone(),
                paid: false,
            },
        );
        Ok(trade_no)
    }
}

async fn submit(State(g): State<Arc<Gateway>>, RawQuery(q): RawQuery) -> impl IntoResponse {
    g.calls.fetch_add(1, Ordering::SeqCst);
    let params = Params::from_form(q.unwrap_or_default().as_bytes()).unwrap();
    match g.take(&params) {
        Ok(_) => (StatusCode::OK, "<html>pay here</html>".to_string()),
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()),
    }
}

async fn mapi(State(g): State<Arc<Gateway>>, body: String) -> impl IntoResponse {
    g.calls.fetch_add(1, Ordering::SeqCst);
    if g.down.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "down".to_string());
    }
    let params = Params::from_form(body.as_bytes()).unwrap();
    let answer = match g.take(&params) {
        Ok(trade_no) => serde_json::json!({"code": 1, "msg": "ok", "trade_no": trade_no,
            "payurl": format!("http://gateway/pay/{trade_no}")}),
        Err(e) => serde_json::json!({"code": -1, "msg": e}),
    };
    (StatusCode::OK, answer.to_string())
}

async fn api(
    State(g): State<Arc<Gateway>>,
    RawQuery(q): RawQuery,
    body: String,
) -> impl IntoResponse {
    g.calls.fetch_add(1, Ordering::SeqCst);
    if g.down.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "down".to_string());
    }
    let mut pairs: Vec<(String, String)> = form_pairs(&q.unwrap_or_default());
    pairs.extend(form_pairs(&body));
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if get("pid").as_deref() != Some(PID) || get("key").as_deref() != Some(KEY) {
        return (StatusCode::OK, r#"{"code":-3,"msg":"bad key"}"#.to_string());
    }
    let no = get("out_trade_no").unwrap_or_default();
    if get("act").as_deref() == Some("refund") && g.hang_refunds.load(Ordering::SeqCst) {
        g.refunds
            .lock()
            .unwrap()
            .push((no.clone(), get("money").unwrap_or_default()));
        std::future::pending::<()>().await;
    }
    let payments = g.payments.lock().unwrap();
    let Some(p) = payments.get(&no) else {
        return (
            StatusCode::OK,
            r#"{"code":-1,"msg":"no such order"}"#.to_string(),
        );
    };
    let answer = match get("act").as_deref() {
        Some("order") => serde_json::json!({"code": 1, "msg": "ok", "trade_no": p.trade_no,
            "out_trade_no": no, "type": p.method, "pid": PID, "money": p.money,
            "status": i32::from(p.paid)}),
        Some("refund") if g.crash_refunds.load(Ordering::SeqCst) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, "crashed".to_string());
        }
        Some("refund") => {
            g.refunds
                .lock()
                .unwrap()
                .push((no.clone(), get("money").unwrap_or_default()));
            if g.lose_refund_answers.load(Ordering::SeqCst) {
                return (StatusCode::INTERNAL_SERVER_ERROR, "lost".to_string());
            }
            serde_json::json!({"code": 1, "msg": "refunded"})
        }
        _ => serde_json::json!({"code": -5, "msg": "unknown act"}),
    };
    (StatusCode::OK, answer.to_string())
}

fn form_pairs(text: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl Mock {
    pub async fn start() -> Mock {
        let gateway = Arc::new(Gateway::default());
        let app = Router::new()
            .route("/submit.php", get(submit))
            .route("/mapi.php", post(mapi))
            .route("/api.php", get(api).post(api))
            .with_state(gateway.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Mock { addr, gateway }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn payment(&self, no: &str) -> Payment {
        self.gateway.payments.lock().unwrap()[no].clone()
    }

    /// The buyer pays: the gateway marks it paid. Its notification's
    /// signed parameters are returned for the test to send.
    pub fn pay(&self, no: &str) -> Vec<(String, String)> {
        let p = {
            let mut payments = self.gateway.payments.lock().unwrap();
            let p = payments.get_mut(no).unwrap();
            p.paid = true;
            p.clone()
        };
        self.notification(no, &p.money, "TRADE_SUCCESS", &p.trade_no)
    }

    /// A notification as this gateway signs it.
    pub fn notification(
        &self,
        no: &str,
        money: &str,
        status: &str,
        trade_no: &str,
    ) -> Vec<(String, String)> {
        let method = self
            .gateway
            .payments
            .lock()
            .unwrap()
            .get(no)
            .map_or("alipay".to_string(), |p| p.method.clone());
        signed(&[
            ("pid", PID),
            ("trade_no", trade_no),
            ("out_trade_no", no),
            ("type", &method),
            ("name", "trigate"),
            ("money", money),
            ("trade_status", status),
        ])
    }
}

/// The `notify_url` path and query of a notification, to send by GET.
pub fn query_of(params: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .finish()
}
