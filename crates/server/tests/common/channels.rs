//! A shop paying through epay gateways written in the tests (see
//! `epay_mock`), and the calls the channel tests make on it: an unpaid
//! order, paying it (following the redirect as a browser would), sending
//! a notification, reading the order and the wallet.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde_json::{Value, json};
use trigate_app::payments::{ChannelConfig, ChannelKind, HyperTransport, Payments};
use trigate_channels::epay::Variant;
use trigate_channels::routing::BreakerConfig;

use super::epay_mock::{KEY, Mock, PID, query_of};
use super::http::Server;

pub type Pairs = Vec<(String, String)>;

pub fn epay(name: &str, mock: &Mock, server_create: bool, priority: u32) -> ChannelConfig {
    ChannelConfig {
        name: name.into(),
        kind: ChannelKind::Epay,
        gateway: mock.url(),
        merchant: PID.into(),
        key: SecretString::from(KEY),
        variant: Variant::Plain,
        server_create,
        methods: vec!["alipay".into()],
        currencies: vec!["CNY".into()],
        min_amount: 1,
        max_amount: 1_000_000,
        priority,
        merchants: vec![],
    }
}

pub async fn shop(channels: Vec<ChannelConfig>) -> Server {
    Server::start_with(super::TestDb::sqlite(), move |addr| {
        let breaker = BreakerConfig {
            failures_to_open: 3,
            open_for_ns: 300_000_000,
            window_ns: 60_000_000_000,
        };
        Some(
            Payments::with_breaker(
                &channels,
                Arc::new(HyperTransport::new(Duration::from_secs(2))),
                &format!("http://{addr}"),
                breaker,
            )
            .unwrap(),
        )
    })
    .await
}

/// A buyer with an unpaid order for one key; (cookie, order).
pub async fn unpaid_order(s: &Server, login: &str) -> (String, u64) {
    let (_, cookie) = s.sign_up(login).await;
    let r = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&cookie),
            &[("idempotency-key", "o")],
            Some(&json!({"product": 1, "quantity": 1, "pay": "later"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    (cookie, r.body["order"].as_u64().unwrap())
}

/// Pays `order` through the shop's routing; a redirect to the gateway is
/// followed, as the buyer's browser would.
pub async fn pay(s: &Server, cookie: &str, order: u64) -> Value {
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{order}/pay"),
            Some(cookie),
            &[],
            Some(&json!({"method": "alipay"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    open_checkout(&r.body).await;
    r.body
}

/// A guest's order of product 1 (read back with `secret`), its payment
/// started through a channel and its page opened at the gateway: the
/// order and the started payment.
pub async fn guest_paying(s: &Server, secret: &str) -> (u64, Value) {
    let buy = json!({"product": 1, "quantity": 1, "lookup_secret": secret}).to_string();
    let guest = s
        .call(
            "POST",
            "/api/v1/guest/orders",
            None,
            &[("idempotency-key", secret)],
            Some(&buy),
        )
        .await;
    assert_eq!(guest.status, 201, "{:?}", guest.body);
    let order = guest.body["order"].as_u64().unwrap();
    let body = json!({"order": order, "lookup_secret": secret, "method": "alipay"}).to_string();
    let r = s
        .call("POST", "/api/v1/guest/orders/pay", None, &[], Some(&body))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    open_checkout(&r.body).await;
    (order, r.body)
}

/// The payer opens a started payment's page at the gateway (the payment
/// exists there from then on).
async fn open_checkout(started: &Value) {
    if let Some(url) = started["checkout"]["redirect"].as_str() {
        let rest = url.trim_start_matches("http://");
        let (host, path) = rest.split_once('/').unwrap();
        if let Ok(addr) = host.parse() {
            let page = super::http::call(addr, "GET", &format!("/{path}"), None, &[], None).await;
            assert_eq!(page.status, 200, "{:?}", page.body);
        }
    }
}

/// Our number for an attempt, as the notify URL carries it.
pub fn no(attempt: &Value) -> String {
    format!("TG{:012}", attempt.as_u64().unwrap())
}

pub async fn notify(
    s: &Server,
    channel: &str,
    url_no: &str,
    params: &[(String, String)],
) -> (u16, String) {
    let r = s
        .call(
            "GET",
            &format!("/pay/{channel}/notify/{url_no}?{}", query_of(params)),
            None,
            &[],
            None,
        )
        .await;
    (r.status, r.body.as_str().unwrap_or_default().to_string())
}

pub async fn order(s: &Server, cookie: &str, order: u64) -> Value {
    s.call(
        "GET",
        &format!("/api/v1/orders/{order}"),
        Some(cookie),
        &[],
        None,
    )
    .await
    .body
}

pub async fn wallet(s: &Server, cookie: &str) -> (u64, u64) {
    let w = s
        .call("GET", "/api/v1/wallet", Some(cookie), &[], None)
        .await
        .body;
    (
        w["recharge"].as_u64().unwrap_or(0),
        w["reward"].as_u64().unwrap_or(0),
    )
}
