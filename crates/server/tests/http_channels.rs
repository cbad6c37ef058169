//! Paying through a channel end to end, against an epay gateway written
//! from the published protocol: the notification delivers once however
//! often it comes, every forged or bent notification changes nothing,
//! an outage fails over and opens the breaker, and money for an order
//! that can no longer take it lands in the buyer's wallet.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::epay_mock::{KEY, Mock, PID, query_of};
use common::http::{Server, error_code};
use secrecy::SecretString;
use serde_json::{Value, json};
use trigate::payments::{ChannelConfig, ChannelKind, HyperTransport, Payments};
use trigate_channels::epay::Variant;
use trigate_channels::routing::BreakerConfig;

type Pairs = Vec<(String, String)>;

fn epay(name: &str, mock: &Mock, server_create: bool, priority: u32) -> ChannelConfig {
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

async fn shop(channels: Vec<ChannelConfig>) -> Server {
    Server::start_with(common::TestDb::sqlite(), move |addr| {
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
async fn unpaid_order(s: &Server, login: &str) -> (String, u64) {
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
async fn pay(s: &Server, cookie: &str, order: u64) -> Value {
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
    if let Some(url) = r.body["checkout"]["redirect"].as_str() {
        let rest = url.trim_start_matches("http://");
        let (host, path) = rest.split_once('/').unwrap();
        if let Ok(addr) = host.parse() {
            let page = common::http::call(addr, "GET", &format!("/{path}"), None, &[], None).await;
            assert_eq!(page.status, 200, "{:?}", page.body);
        }
    }
    r.body
}

/// Our number for an attempt, as the notify URL carries it.
fn no(attempt: &Value) -> String {
    format!("TG{:012}", attempt.as_u64().unwrap())
}

async fn notify(
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

async fn order(s: &Server, cookie: &str, order: u64) -> Value {
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

async fn wallet(s: &Server, cookie: &str) -> (u64, u64) {
    let w = s
        .call("GET", "/api/v1/wallet", Some(cookie), &[], None)
        .await
        .body;
    (
        w["recharge"].as_u64().unwrap_or(0),
        w["reward"].as_u64().unwrap_or(0),
    )
}

#[tokio::test]
async fn a_notification_delivers_the_keys_and_the_return_page_credits_nothing() {
    let mock = Mock::start().await;
    let s = shop(vec![epay("epay", &mock, false, 0)]).await;
    let (cookie, id) = unpaid_order(&s, "alice").await;
    let started = pay(&s, &cookie, id).await;
    let url = started["checkout"]["redirect"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}submit.php?", mock.url())),
        "{url}"
    );
    let attempt_no = no(&started["attempt"]);
    // The browser comes back before the notification: nothing is credited.
    let back = s
        .call(
            "GET",
            &format!("/pay/epay/return/{attempt_no}"),
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(back.body["paid"], false, "{:?}", back.body);
    let params = mock.pay(&attempt_no);
    assert_eq!(
        notify(&s, "epay", &attempt_no, &params).await,
        (200, "success".into())
    );
    let o = order(&s, &cookie, id).await;
    assert_eq!(o["status"], "delivered", "{o:?}");
    assert_eq!(o["keys"].as_array().unwrap().len(), 1);
    // After the notification the return page says so, and still credits
    // nothing more.
    let back = s
        .call(
            "GET",
            &format!("/pay/epay/return/{attempt_no}"),
            None,
            &[],
            None,
        )
        .await;
    assert_eq!(back.body["paid"], true);
    assert_eq!(wallet(&s, &cookie).await, (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_duplicate_notifications_deliver_once() {
    let mock = Mock::start().await;
    let s = Arc::new(shop(vec![epay("epay", &mock, true, 0)]).await);
    let (cookie, id) = unpaid_order(&s, "alice").await;
    let started = pay(&s, &cookie, id).await;
    let attempt_no = no(&started["attempt"]);
    let params = Arc::new(mock.pay(&attempt_no));
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let (s, params, attempt_no) = (s.clone(), params.clone(), attempt_no.clone());
        tasks.push(tokio::spawn(async move {
            notify(&s, "epay", &attempt_no, &params).await
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), (200, "success".to_string()));
    }
    let o = order(&s, &cookie, id).await;
    assert_eq!(o["status"], "delivered");
    assert_eq!(o["keys"].as_array().unwrap().len(), 1);
    // One payment, one credit: nothing spilled into the wallet.
    assert_eq!(wallet(&s, &cookie).await, (0, 0));
    let stock = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(stock.body["products"][0]["stock"], 2);
}

#[tokio::test]
async fn forged_replayed_and_bent_notifications_change_nothing() {
    let mock = Mock::start().await;
    let s = shop(vec![epay("epay", &mock, false, 0)]).await;
    let (cookie, first) = unpaid_order(&s, "alice").await;
    let a = no(&pay(&s, &cookie, first).await["attempt"]);
    let (bob, second) = unpaid_order(&s, "bob").await;
    let b = no(&pay(&s, &bob, second).await["attempt"]);
    // Both are at the gateway; neither is paid.
    let page = |no: &str| {
        let p = mock.payment(no);
        (p.money, p.trade_no)
    };
    let (money, trade_no) = page(&a);
    let forge = |key: &str, pairs: Vec<(String, String)>| {
        let mut pairs: Vec<(String, String)> =
            pairs.into_iter().filter(|(k, _)| k != "sign").collect();
        let s = trigate_channels::epay::sign(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            key,
            Variant::Plain,
        );
        pairs.push(("sign".into(), s));
        pairs
    };
    let genuine = mock.notification(&a, &money, "TRADE_SUCCESS", &trade_no);
    let edit = |k: &str, v: &str| {
        let mut p = genuine.clone();
        p.iter_mut().find(|(n, _)| n == k).unwrap().1 = v.into();
        p
    };
    let cases: Vec<(&str, String, Pairs)> = vec![
        (
            "forged signature",
            a.clone(),
            forge("not the key", genuine.clone()),
        ),
        ("empty key", a.clone(), forge("", genuine.clone())),
        ("tampered amount", a.clone(), edit("money", "0.01")),
        (
            "amount re-signed",
            a.clone(),
            forge(KEY, edit("money", "0.01")),
        ),
        (
            "not paid",
            a.clone(),
            forge(KEY, edit("trade_status", "WAIT_BUYER_PAY")),
        ),
        (
            "another merchant",
            a.clone(),
            forge(KEY, edit("pid", "2002")),
        ),
        // A genuine notification for A replayed onto B (the same amount).
        ("replayed onto another order", b.clone(), genuine.clone()),
    ];
    for (what, url_no, params) in cases {
        let (status, body) = notify(&s, "epay", &url_no, &params).await;
        assert_eq!((status, body.as_str()), (400, "fail"), "{what}");
    }
    // An array amount is refused before anything else.
    let mut query = query_of(&genuine);
    query.push_str("&money[]=50.00");
    let r = s
        .call(
            "GET",
            &format!("/pay/epay/notify/{a}?{query}"),
            None,
            &[],
            None,
        )
        .await;
    assert_eq!((r.status, r.body.as_str()), (400, Some("fail")));
    let r = s
        .call(
            "POST",
            &format!("/pay/epay/notify/{a}"),
            None,
            &[("content-type", "application/json")],
            Some(r#"{"money": ["15.00"], "sign": "x"}"#),
        )
        .await;
    assert_eq!(r.status, 400);
    // Nothing changed: both orders unpaid, no wallet credited.
    for (cookie, id) in [(&cookie, first), (&bob, second)] {
        assert_eq!(order(&s, cookie, id).await["status"], "created");
        assert_eq!(wallet(&s, cookie).await, (0, 0));
    }
    // An unknown channel or attempt is refused too.
    assert_eq!(notify(&s, "nope", &a, &genuine).await.0, 400);
    assert_eq!(notify(&s, "epay", "TG999999999999", &genuine).await.0, 400);
}

#[tokio::test]
async fn a_notification_that_fails_verification_is_checked_with_the_channel() {
    let mock = Mock::start().await;
    let s = shop(vec![epay("epay", &mock, false, 0)]).await;
    let (cookie, id) = unpaid_order(&s, "alice").await;
    let a = no(&pay(&s, &cookie, id).await["attempt"]);
    // The buyer really paid, but the notification arrives mangled: the
    // gateway, asked, says it was paid, so the order is delivered.
    let mut params = mock.pay(&a);
    params.iter_mut().find(|(k, _)| k == "sign").unwrap().1 = "0".repeat(32);
    assert_eq!(
        notify(&s, "epay", &a, &params).await,
        (200, "success".into())
    );
    assert_eq!(order(&s, &cookie, id).await["status"], "delivered");
}

#[tokio::test]
async fn an_outage_fails_over_opens_the_breaker_and_recovers() {
    let primary = Mock::start().await;
    let backup = Mock::start().await;
    let s = shop(vec![
        epay("primary", &primary, true, 0),
        epay("backup", &backup, true, 1),
    ])
    .await;
    primary
        .gateway
        .down
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let seller = format!("{}={}", trigate::http::COOKIE, s.sessions.open(s.seller));
    let keys: Vec<String> = (0..10).map(|i| format!("MORE-{i}")).collect();
    let r = s
        .call(
            "POST",
            "/api/v1/merchant/products/1/keys",
            Some(&seller),
            &[("idempotency-key", "k")],
            Some(&json!({"text": keys.join("\n")}).to_string()),
        )
        .await;
    assert_eq!(r.body["added"], 10, "{:?}", r.body);
    let admin = format!("{}={}", trigate::http::COOKIE, s.sessions.open(s.admin));
    for (i, login) in ["a1", "a2", "a3"].iter().enumerate() {
        let (cookie, id) = unpaid_order(&s, login).await;
        let started = pay(&s, &cookie, id).await;
        assert_eq!(started["channel"], "backup", "{started:?}");
        assert_eq!(
            started["failed_over"][0]["channel"], "primary",
            "payment {i}"
        );
    }
    let health = s
        .call("GET", "/api/v1/admin/channels", Some(&admin), &[], None)
        .await;
    let primary_health = &health.body["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == "primary")
        .unwrap()
        .clone();
    assert!(primary_health["breaker"]["open"].is_object(), "{health:?}");
    assert_eq!(primary_health["consecutive_failures"], 3);
    // Open: the next payment goes straight to the backup, no call to the
    // primary at all.
    let calls = primary
        .gateway
        .calls
        .load(std::sync::atomic::Ordering::SeqCst);
    let (cookie, id) = unpaid_order(&s, "b1").await;
    let started = pay(&s, &cookie, id).await;
    assert_eq!(started["channel"], "backup");
    assert!(started["failed_over"].as_array().unwrap().is_empty());
    assert_eq!(
        primary
            .gateway
            .calls
            .load(std::sync::atomic::Ordering::SeqCst),
        calls
    );
    // The primary comes back; after the cool-down a trial goes to it and
    // closes the breaker.
    primary
        .gateway
        .down
        .store(false, std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(350)).await;
    let (cookie, id) = unpaid_order(&s, "c1").await;
    let started = pay(&s, &cookie, id).await;
    assert_eq!(started["channel"], "primary", "{started:?}");
    let health = s
        .call("GET", "/api/v1/admin/channels", Some(&admin), &[], None)
        .await;
    assert!(
        health.body["channels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["channel"] == "primary" && c["breaker"] == "closed"),
        "{health:?}"
    );
    // Buyers may not see channel health.
    let r = s
        .call("GET", "/api/v1/admin/channels", Some(&cookie), &[], None)
        .await;
    assert_eq!((r.status, error_code(&r)), (403, "forbidden"));
}

#[tokio::test]
async fn money_for_an_order_that_cannot_take_it_lands_in_the_wallet() {
    let mock = Mock::start().await;
    let s = shop(vec![epay("epay", &mock, false, 0)]).await;
    let (cookie, id) = unpaid_order(&s, "alice").await;
    let a = no(&pay(&s, &cookie, id).await["attempt"]);
    // The buyer gives up and cancels, then the payment arrives anyway.
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{id}/cancel"),
            Some(&cookie),
            &[("idempotency-key", "c")],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let params = mock.pay(&a);
    assert_eq!(
        notify(&s, "epay", &a, &params).await,
        (200, "success".into())
    );
    assert_eq!(order(&s, &cookie, id).await["status"], "cancelled");
    assert_eq!(
        wallet(&s, &cookie).await,
        (1_500, 0),
        "credited, never lost"
    );
}

#[tokio::test]
async fn finance_marks_a_payment_paid_only_when_the_channel_confirms_it() {
    let mock = Mock::start().await;
    let s = shop(vec![epay("epay", &mock, false, 0)]).await;
    let (cookie, id) = unpaid_order(&s, "alice").await;
    let attempt = pay(&s, &cookie, id).await["attempt"].as_u64().unwrap();
    let finance = format!(
        "{}={}",
        trigate::http::COOKIE,
        s.sessions
            .open(common::http::staff(&s, "finance", trigate_core::AdminRole::Finance).await)
    );
    let path = format!("/api/v1/admin/attempts/{attempt}/mark-paid");
    let r = s
        .call(
            "POST",
            &path,
            Some(&cookie),
            &[("idempotency-key", "m0")],
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    let r = s
        .call(
            "POST",
            &path,
            Some(&finance),
            &[("idempotency-key", "m1")],
            None,
        )
        .await;
    assert_eq!(
        (r.status, error_code(&r)),
        (409, "channel_says_unpaid"),
        "{:?}",
        r.body
    );
    assert_eq!(order(&s, &cookie, id).await["status"], "created");
    mock.pay(&format!("TG{attempt:012}"));
    let r = s
        .call(
            "POST",
            &path,
            Some(&finance),
            &[("idempotency-key", "m2")],
            None,
        )
        .await;
    assert_eq!(
        (r.status, &r.body["outcome"]),
        (200, &json!("delivered")),
        "{:?}",
        r.body
    );
    assert_eq!(order(&s, &cookie, id).await["status"], "delivered");
    // The same request again: the first answer, replayed.
    let again = s
        .call(
            "POST",
            &path,
            Some(&finance),
            &[("idempotency-key", "m2")],
            None,
        )
        .await;
    assert_eq!(again.body["outcome"], "delivered", "{:?}", again.body);
    let admin = format!("{}={}", trigate::http::COOKIE, s.sessions.open(s.admin));
    let audit = s
        .call("GET", "/api/v1/admin/audit", Some(&admin), &[], None)
        .await;
    assert!(
        audit.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"]
                .as_str()
                .unwrap()
                .starts_with(&format!("marked attempt {attempt} paid"))),
        "{audit:?}"
    );
}

#[tokio::test]
async fn a_recharge_and_a_guest_order_are_paid_by_notification_too() {
    let mock = Mock::start().await;
    let s = shop(vec![epay("epay", &mock, true, 0)]).await;
    let (_, cookie) = s.sign_up("alice").await;
    let r = s
        .call(
            "POST",
            "/api/v1/wallet/recharge",
            Some(&cookie),
            &[],
            Some(&json!({"currency": "CNY", "amount": 2_000, "method": "alipay"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let a = no(&r.body["attempt"]);
    let params = mock.pay(&a);
    assert_eq!(mock.payment(&a).money, "20.00");
    assert_eq!(
        notify(&s, "epay", &a, &params).await,
        (200, "success".into())
    );
    assert_eq!(
        notify(&s, "epay", &a, &params).await,
        (200, "success".into())
    );
    assert_eq!(wallet(&s, &cookie).await, (2_000, 0), "recharged once");

    let secret = "guest-secret-1";
    let guest = s
        .call(
            "POST",
            "/api/v1/guest/orders",
            None,
            &[("idempotency-key", "g")],
            Some(&json!({"product": 1, "quantity": 1, "lookup_secret": secret}).to_string()),
        )
        .await;
    let order = guest.body["order"].as_u64().unwrap();
    let pay_body = |secret: &str| {
        json!({"order": order, "lookup_secret": secret, "method": "alipay"}).to_string()
    };
    let r = s
        .call(
            "POST",
            "/api/v1/guest/orders/pay",
            None,
            &[],
            Some(&pay_body("wrong-secret")),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (404, "lookup_refused"));
    let r = s
        .call(
            "POST",
            "/api/v1/guest/orders/pay",
            None,
            &[],
            Some(&pay_body(secret)),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let a = no(&r.body["attempt"]);
    let params = mock.pay(&a);
    assert_eq!(
        notify(&s, "epay", &a, &params).await,
        (200, "success".into())
    );
    let lookup = s
        .call(
            "POST",
            "/api/v1/guest/orders/lookup",
            None,
            &[],
            Some(&json!({"order": order, "lookup_secret": secret}).to_string()),
        )
        .await;
    assert_eq!(lookup.body["status"], "delivered", "{:?}", lookup.body);
    assert_eq!(lookup.body["keys"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn paying_someone_elses_order_is_refused_before_any_channel_is_asked() {
    let mock = Mock::start().await;
    let s = shop(vec![epay("epay", &mock, true, 0)]).await;
    let (_, alice_order) = unpaid_order(&s, "alice").await;
    let (_, bob) = s.sign_up("bob").await;
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{alice_order}/pay"),
            Some(&bob),
            &[],
            Some(&json!({"method": "alipay"}).to_string()),
        )
        .await;
    assert_eq!(
        (r.status, error_code(&r)),
        (403, "forbidden"),
        "{:?}",
        r.body
    );
    // Nothing about the order (not even its amount) was told, and the
    // channel was not asked.
    assert!(!r.body.to_string().contains("15"), "{:?}", r.body);
    assert_eq!(
        mock.gateway.calls.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    let admin = format!("{}={}", trigate::http::COOKIE, s.sessions.open(s.admin));
    let health = s
        .call("GET", "/api/v1/admin/channels", Some(&admin), &[], None)
        .await;
    assert_eq!(
        health.body["channels"][0]["attempts"], 0,
        "{:?}",
        health.body
    );
}

#[tokio::test]
async fn a_late_payment_for_an_expired_order_lands_in_the_wallet() {
    let mock = Mock::start().await;
    let s = shop(vec![epay("epay", &mock, false, 0)]).await;
    let (cookie, id) = unpaid_order(&s, "alice").await;
    let a = no(&pay(&s, &cookie, id).await["attempt"]);
    // The reservation (15 minutes) runs out before the buyer pays.
    s.advance(Duration::from_secs(16 * 60));
    s.engine.submit(trigate_core::Command::Tick).await.unwrap();
    assert_eq!(order(&s, &cookie, id).await["status"], "expired");
    let params = mock.pay(&a);
    assert_eq!(
        notify(&s, "epay", &a, &params).await,
        (200, "success".into())
    );
    assert_eq!(order(&s, &cookie, id).await["status"], "expired");
    assert_eq!(
        wallet(&s, &cookie).await,
        (1_500, 0),
        "credited, never lost"
    );
    // The key went back on sale, and was not delivered.
    assert_eq!(order(&s, &cookie, id).await["keys"], json!([]));
    let stock = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(stock.body["products"][0]["stock"], 3);
}

#[tokio::test]
async fn a_refund_to_the_channel_is_sent_back_through_it_even_after_an_outage() {
    let mock = Mock::start().await;
    let s = shop(vec![epay("epay", &mock, false, 0)]).await;
    let (cookie, id) = unpaid_order(&s, "alice").await;
    let a = no(&pay(&s, &cookie, id).await["attempt"]);
    let params = mock.pay(&a);
    assert_eq!(notify(&s, "epay", &a, &params).await.0, 200);
    let seller = format!("{}={}", trigate::http::COOKIE, s.sessions.open(s.seller));
    let refund = |amount: u64, key: &'static str| {
        let (s, seller) = (&s, seller.clone());
        async move {
            s.call(
                "POST",
                &format!("/api/v1/orders/{id}/refund"),
                Some(&seller),
                &[("idempotency-key", key)],
                Some(&json!({"amount": amount, "to_channel": true}).to_string()),
            )
            .await
        }
    };
    let r = refund(500, "r1").await;
    assert_eq!(
        (r.status, &r.body["channel"]["sent"]),
        (200, &json!(500)),
        "{:?}",
        r.body
    );
    assert_eq!(
        *mock.gateway.refunds.lock().unwrap(),
        vec![(a.clone(), "5.00".to_string())]
    );
    // The gateway is down: the refund is recorded, the sending waits.
    mock.gateway
        .down
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let r = refund(300, "r2").await;
    assert_eq!(r.body["channel"]["pending"], true, "{:?}", r.body);
    let path = format!("/api/v1/orders/{id}/channel-refund");
    let r = s.call("POST", &path, Some(&cookie), &[], None).await;
    assert_eq!(r.status, 403, "the buyer sends nothing");
    mock.gateway
        .down
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let r = s.call("POST", &path, Some(&seller), &[], None).await;
    assert_eq!(
        (r.status, &r.body["sent"]),
        (200, &json!(300)),
        "{:?}",
        r.body
    );
    let r = s.call("POST", &path, Some(&seller), &[], None).await;
    assert_eq!(r.body["sent"], 0, "nothing owed, nothing sent twice");
    assert_eq!(mock.gateway.refunds.lock().unwrap().len(), 2);
    // The books show both leaving through the channel; the wallet is untouched.
    let o = order(&s, &cookie, id).await;
    let sent: Vec<u64> = o["money"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["from"] == "refunds_due" && m["to"] == "clearing")
        .map(|m| m["amount"].as_u64().unwrap())
        .collect();
    assert_eq!(sent, vec![500, 300], "{o:?}");
    assert_eq!(wallet(&s, &cookie).await, (0, 0));
}

#[tokio::test]
async fn a_guests_late_payment_is_sent_back_through_the_channel() {
    let mock = Mock::start().await;
    let s = shop(vec![epay("epay", &mock, false, 0)]).await;
    let secret = "guest-secret-2";
    let guest = s
        .call(
            "POST",
            "/api/v1/guest/orders",
            None,
            &[("idempotency-key", "g")],
            Some(&json!({"product": 1, "quantity": 1, "lookup_secret": secret}).to_string()),
        )
        .await;
    let order = guest.body["order"].as_u64().unwrap();
    let body = json!({"order": order, "lookup_secret": secret, "method": "alipay"}).to_string();
    let r = s
        .call("POST", "/api/v1/guest/orders/pay", None, &[], Some(&body))
        .await;
    let a = no(&r.body["attempt"]);
    let url = r.body["checkout"]["redirect"].as_str().unwrap();
    let path = format!(
        "/{}",
        url.trim_start_matches("http://").split_once('/').unwrap().1
    );
    common::http::call(mock.addr, "GET", &path, None, &[], None).await;
    // The reservation runs out; then the guest's money arrives.
    s.advance(Duration::from_secs(16 * 60));
    s.engine.submit(trigate_core::Command::Tick).await.unwrap();
    let params = mock.pay(&a);
    assert_eq!(
        notify(&s, "epay", &a, &params).await,
        (200, "success".into())
    );
    // It goes back through the gateway it came by, in full, once.
    for _ in 0..100 {
        if !mock.gateway.refunds.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        *mock.gateway.refunds.lock().unwrap(),
        vec![(a.clone(), "15.00".to_string())]
    );
    assert_eq!(
        notify(&s, "epay", &a, &params).await,
        (200, "success".into())
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(mock.gateway.refunds.lock().unwrap().len(), 1);
    let lookup = s
        .call(
            "POST",
            "/api/v1/guest/orders/lookup",
            None,
            &[],
            Some(&json!({"order": order, "lookup_secret": secret}).to_string()),
        )
        .await;
    assert_eq!(lookup.body["status"], "expired");
    let moves: Vec<(String, String)> = lookup.body["money"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["from"].as_str().unwrap().into(),
                m["to"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        vec![
            ("clearing".to_string(), "refunds_due".to_string()),
            ("refunds_due".to_string(), "clearing".to_string())
        ],
        "{lookup:?}"
    );
}
