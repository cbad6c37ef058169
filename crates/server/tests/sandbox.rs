//! The sandbox gateway served by the binary, as the shop's channel: a
//! whole payment through its hosted page, lost notifications retried until
//! the shop acknowledges, an outage, and its query, refund, payout and
//! statement API.

mod common;

use std::time::Duration;

use common::http::{Server, call, error_code};
use serde_json::{Value, json};
use trigate::sandbox::{Gateway, Knobs};
use trigate_channels::sandbox::signed;

use common::sandbox::{MERCHANT, SECRET, Shop, shop};

/// A buyer's unpaid order, and the sandbox checkout URL paying it.
async fn checkout(s: &Server, login: &str) -> (String, u64, String) {
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
    let order = r.body["order"].as_u64().unwrap();
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{order}/pay"),
            Some(&cookie),
            &[],
            Some(&json!({"method": "card"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let url = r.body["checkout"]["redirect"].as_str().unwrap().to_string();
    (cookie, order, url)
}

fn path_of(url: &str) -> String {
    format!(
        "/{}",
        url.trim_start_matches("http://").split_once('/').unwrap().1
    )
}

async fn status(s: &Server, cookie: &str, order: u64) -> Value {
    s.call(
        "GET",
        &format!("/api/v1/orders/{order}"),
        Some(cookie),
        &[],
        None,
    )
    .await
    .body["status"]
        .clone()
}

/// Waits up to two seconds for `order` to reach `want`.
async fn wait_for(s: &Server, cookie: &str, order: u64, want: &str) {
    for _ in 0..100 {
        if status(s, cookie, order).await == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "order {order} never became {want}: {}",
        status(s, cookie, order).await
    );
}

/// The payment once the shop has acknowledged its notification.
async fn notified(gateway: &Gateway, id: &str) -> trigate::sandbox::Payment {
    for _ in 0..100 {
        let p = gateway.payment(id).unwrap();
        if p.notified {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{id} was never acknowledged: {:?}", gateway.payment(id));
}

#[tokio::test]
async fn a_buyer_pays_on_the_sandbox_page_and_the_notification_delivers() {
    let Shop { s, gateway } = shop().await;
    let (cookie, order, url) = checkout(&s, "alice").await;
    let page = s.call("GET", &path_of(&url), None, &[], None).await;
    let html = page.body.as_str().unwrap();
    assert!(
        html.contains("15.00 CNY") && html.contains(">Pay<"),
        "{html}"
    );
    let paid = s
        .call("POST", &format!("{}/pay", path_of(&url)), None, &[], None)
        .await;
    assert_eq!(paid.status, 303);
    let back = paid.header("location").unwrap();
    assert!(back.contains("/pay/sandbox/return/TG"), "{back}");
    wait_for(&s, &cookie, order, "delivered").await;
    let id = url.rsplit('/').next().unwrap();
    let p = notified(&gateway, id).await;
    assert_eq!(p.notify_attempts, 1, "{p:?}");
    // Paying the page again changes nothing.
    s.call("POST", &format!("{}/pay", path_of(&url)), None, &[], None)
        .await;
    assert_eq!(gateway.payment(id).unwrap().notify_attempts, 1);
    // The day's statement lists it, net of the sandbox's fee.
    let today = trigate::sandbox::utc_date(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    );
    let csv = s
        .call(
            "GET",
            &format!("/sandbox/statements/{MERCHANT}/{today}.csv"),
            None,
            &[],
            None,
        )
        .await;
    let text = csv.body.as_str().unwrap();
    assert!(text.starts_with("date,kind,id,out_trade_no,amount,currency,fee,net\n"));
    assert!(text.contains(&format!("{today},payment,{id},")), "{text}");
    assert!(text.contains(",15.00,CNY,0.09,14.91"), "{text}");
}

#[tokio::test]
async fn lost_notifications_are_sent_again_until_acknowledged() {
    let Shop { s, gateway } = shop().await;
    gateway.set_knobs(Knobs {
        drop_notifications: 2,
        ..Knobs::default()
    });
    let (cookie, order, url) = checkout(&s, "alice").await;
    s.call("POST", &format!("{}/pay", path_of(&url)), None, &[], None)
        .await;
    wait_for(&s, &cookie, order, "delivered").await;
    let p = notified(&gateway, url.rsplit('/').next().unwrap()).await;
    assert_eq!(p.notify_attempts, 3, "two lost, the third acknowledged");
}

#[tokio::test]
async fn a_failed_payment_pays_nothing_and_an_outage_refuses_new_ones() {
    let Shop { s, gateway } = shop().await;
    let (cookie, order, url) = checkout(&s, "alice").await;
    let r = s
        .call("POST", &format!("{}/fail", path_of(&url)), None, &[], None)
        .await;
    assert_eq!(r.status, 303);
    let page = s.call("GET", &path_of(&url), None, &[], None).await;
    assert!(
        page.body
            .as_str()
            .unwrap()
            .contains("This payment is failed.")
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(status(&s, &cookie, order).await, "created");
    gateway.set_knobs(Knobs {
        outage: true,
        ..Knobs::default()
    });
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{order}/pay"),
            Some(&cookie),
            &[],
            Some(&json!({"method": "card"}).to_string()),
        )
        .await;
    assert_eq!(
        (r.status, error_code(&r)),
        (503, "channels_unavailable"),
        "{:?}",
        r.body
    );
    let knobs = s.call("GET", "/sandbox/knobs", None, &[], None).await;
    assert_eq!(knobs.body["outage"], true);
    // A failure rate of 100%: every call fails, and so does the payment.
    gateway.set_knobs(Knobs {
        failure_rate_bps: 10_000,
        ..Knobs::default()
    });
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{order}/pay"),
            Some(&cookie),
            &[],
            Some(&json!({"method": "card"}).to_string()),
        )
        .await;
    assert_eq!(error_code(&r), "channels_unavailable", "{:?}", r.body);
    // Latency alone only slows it down.
    gateway.set_knobs(Knobs {
        latency_ms: 50,
        ..Knobs::default()
    });
    let started = std::time::Instant::now();
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{order}/pay"),
            Some(&cookie),
            &[],
            Some(&json!({"method": "card"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(started.elapsed() >= Duration::from_millis(50));
}

/// A signed call to the sandbox API.
async fn api(s: &Server, path: &str, pairs: &[(&str, &str)], secret: &str) -> Value {
    signed_post(s, &format!("/sandbox/api/{path}"), pairs, secret).await
}

/// A form signed by the shop's sandbox account, posted to `path`.
async fn signed_post(s: &Server, path: &str, pairs: &[(&str, &str)], secret: &str) -> Value {
    let mut all = vec![("merchant".to_string(), MERCHANT.to_string())];
    all.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(signed(all, secret))
        .finish();
    let r = call(
        s.addr,
        "POST",
        path,
        None,
        &[("content-type", "application/x-www-form-urlencoded")],
        Some(&form),
    )
    .await;
    r.body
}

#[tokio::test]
async fn the_sandbox_api_answers_queries_refunds_and_payouts_only_when_signed() {
    let Shop { s, .. } = shop().await;
    let (cookie, order, url) = checkout(&s, "alice").await;
    let no = "TG000000000001";
    let q = api(&s, "query", &[("out_trade_no", no)], SECRET).await;
    assert_eq!(
        (q["code"].as_str(), q["status"].as_str()),
        (Some("ok"), Some("pending"))
    );
    let bad = api(&s, "query", &[("out_trade_no", no)], "wrong").await;
    assert_eq!(bad["code"], "bad_signature");
    s.call("POST", &format!("{}/pay", path_of(&url)), None, &[], None)
        .await;
    wait_for(&s, &cookie, order, "delivered").await;
    let q = api(&s, "query", &[("out_trade_no", no)], SECRET).await;
    assert_eq!(
        (q["status"].as_str(), q["amount"].as_str()),
        (Some("paid"), Some("15.00"))
    );
    let refund = [
        ("out_trade_no", no),
        ("amount", "5.00"),
        ("currency", "CNY"),
    ];
    assert_eq!(api(&s, "refund", &refund, SECRET).await["refunded"], "5.00");
    let too_much = [
        ("out_trade_no", no),
        ("amount", "10.01"),
        ("currency", "CNY"),
    ];
    assert_eq!(
        api(&s, "refund", &too_much, SECRET).await["code"],
        "beyond_paid"
    );
    let payout = [
        ("reference", "W1"),
        ("amount", "3.00"),
        ("currency", "CNY"),
        ("destination", "CN12"),
    ];
    let first = api(&s, "payout", &payout, SECRET).await;
    assert_eq!(first["code"], "ok");
    assert_eq!(
        api(&s, "payout", &payout, SECRET).await["payout"],
        first["payout"]
    );
    let unknown = api(&s, "query", &[("out_trade_no", "TG9")], SECRET).await;
    assert_eq!(unknown["code"], "not_found");
    // Only a merchant of the gateway turns its knobs.
    let r = call(
        s.addr,
        "POST",
        "/sandbox/knobs",
        None,
        &[],
        Some(r#"{"outage": true}"#),
    )
    .await;
    assert_eq!(r.status, 401, "{:?}", r.body);
    let forged = signed_post(&s, "/sandbox/knobs", &[("outage", "true")], "wrong").await;
    assert_eq!(forged["code"], "bad_signature");
    let set = signed_post(
        &s,
        "/sandbox/knobs",
        &[("outage", "true"), ("latency_ms", "5")],
        SECRET,
    )
    .await;
    assert_eq!(
        (set["outage"].as_bool(), set["latency_ms"].as_u64()),
        (Some(true), Some(5))
    );
    let down = api(&s, "query", &[("out_trade_no", no)], SECRET).await;
    assert_eq!(down["code"], "outage");
    let up = signed_post(&s, "/sandbox/knobs", &[("outage", "false")], SECRET).await;
    assert_eq!(up["outage"], false);
}

#[tokio::test]
async fn finance_pays_a_withdrawal_out_through_the_sandbox() {
    use trigate_core::{Command, Currency, Reply, WithdrawFrom};
    let Shop { s, gateway } = shop().await;
    let cny = Currency::new("CNY").unwrap();
    // The other merchant (no holding period) sells a key and is released.
    let merchant = s.released_sale().await;
    let Reply::Withdrawal(id) = s
        .engine
        .submit(Command::RequestWithdrawal {
            actor: s.other_merchant,
            from: WithdrawFrom::Merchant,
            currency: cny,
            amount: 1_200,
            destination: "CN12 3456".into(),
        })
        .await
        .unwrap()
    else {
        panic!("no withdrawal")
    };
    let finance = common::http::staff(&s, "finance", trigate_core::AdminRole::Finance).await;
    s.engine
        .submit(Command::ApproveWithdrawal {
            actor: finance,
            withdrawal: id,
        })
        .await
        .unwrap();
    let finance = format!("{}={}", trigate_web::COOKIE, s.sessions.open(finance));
    let path = format!("/api/v1/admin/withdrawals/{id}/payout");
    let both = json!({"channel": "sandbox", "paid": true}).to_string();
    let r = s
        .call(
            "POST",
            &path,
            Some(&finance),
            &[("idempotency-key", "x")],
            Some(&both),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (422, "invalid"));
    let body = json!({"channel": "sandbox"}).to_string();
    let r = s
        .call(
            "POST",
            &path,
            Some(&merchant),
            &[("idempotency-key", "m")],
            Some(&body),
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    // Without a key the payout could not be recorded: nothing is sent.
    let r = s
        .call("POST", &path, Some(&finance), &[], Some(&body))
        .await;
    assert_eq!(
        (r.status, error_code(&r)),
        (400, "idempotency_key_required")
    );
    assert!(gateway.payouts().is_empty());
    // Nor with a key the shop would refuse to record it under.
    let long = "k".repeat(256);
    for bad in ["two words", long.as_str()] {
        let r = s
            .call(
                "POST",
                &path,
                Some(&finance),
                &[("idempotency-key", bad)],
                Some(&body),
            )
            .await;
        assert_eq!((r.status, error_code(&r)), (422, "invalid"), "{bad}");
    }
    assert!(gateway.payouts().is_empty());
    // Nor with a key already used for another request: the payout could
    // not be recorded under it.
    let credit = json!({"currency": "CNY", "amount": 100, "note": "bank"}).to_string();
    let other = format!("/api/v1/admin/users/{}/credit", s.seller.0);
    let r = s
        .call(
            "POST",
            &other,
            Some(&finance),
            &[("idempotency-key", "used")],
            Some(&credit),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let r = s
        .call(
            "POST",
            &path,
            Some(&finance),
            &[("idempotency-key", "used")],
            Some(&body),
        )
        .await;
    assert_eq!(
        (r.status, error_code(&r)),
        (409, "idempotency_conflict"),
        "{:?}",
        r.body
    );
    assert!(gateway.payouts().is_empty());
    let r = s
        .call(
            "POST",
            &path,
            Some(&finance),
            &[("idempotency-key", "p")],
            Some(&body),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["status"]),
        (200, &json!("paid_out")),
        "{:?}",
        r.body
    );
    assert!(
        r.body["reference"]
            .as_str()
            .unwrap()
            .starts_with("sandbox:PO")
    );
    let payouts = gateway.payouts();
    assert_eq!(payouts.len(), 1);
    assert_eq!(
        (payouts[0].amount, payouts[0].destination.as_str()),
        (1_200, "CN12 3456")
    );
    // The same request again pays nothing more.
    let again = s
        .call(
            "POST",
            &path,
            Some(&finance),
            &[("idempotency-key", "p")],
            Some(&body),
        )
        .await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(gateway.payouts().len(), 1);
    let balances = s
        .call(
            "GET",
            "/api/v1/merchant/balances",
            Some(&merchant),
            &[],
            None,
        )
        .await;
    assert_eq!(balances.body["available"], 300);
}

/// The sandbox refunds each of our references once, however often asked,
/// and says whether a reference was refunded: what lets finance resolve a
/// send whose answer was lost by asking the channel.
#[tokio::test]
async fn the_sandbox_refunds_a_reference_once_and_says_whether_it_did() {
    let Shop { s, .. } = shop().await;
    let (cookie, order, url) = checkout(&s, "alice").await;
    s.call("POST", &format!("{}/pay", path_of(&url)), None, &[], None)
        .await;
    wait_for(&s, &cookie, order, "delivered").await;
    let no = "TG000000000001";
    let asked = |reference: &'static str| {
        [
            ("out_trade_no", no),
            ("reference", reference),
            ("amount", "5.00"),
            ("currency", "CNY"),
        ]
    };
    let first = api(&s, "refund", &asked("R1"), SECRET).await;
    assert_eq!(first["code"], "ok", "{first:?}");
    let again = api(&s, "refund", &asked("R1"), SECRET).await;
    assert_eq!(
        (&again["refund"], &again["refunded"]),
        (&first["refund"], &serde_json::json!("5.00")),
        "the same reference refunds nothing more"
    );
    let made = api(
        &s,
        "refund-query",
        &[("out_trade_no", no), ("reference", "R1")],
        SECRET,
    )
    .await;
    assert_eq!(made["refund"], first["refund"], "{made:?}");
    let never = api(
        &s,
        "refund-query",
        &[("out_trade_no", no), ("reference", "R2")],
        SECRET,
    )
    .await;
    assert_eq!(never["code"], "not_found");
    let second = api(&s, "refund", &asked("R2"), SECRET).await;
    assert_eq!(second["refunded"], "10.00", "{second:?}");
}

/// A refund whose answer was lost to a timeout is resolved by asking the
/// sandbox whether it made the refund under our reference: whatever it
/// says is recorded, and what the sandbox refunded in all is exactly what
/// the shop says was sent — never more.
#[tokio::test]
async fn finance_resolves_a_lost_refund_by_asking_the_sandbox() {
    let Shop { s, .. } = shop().await;
    let (cookie, order, url) = checkout(&s, "alice").await;
    s.call("POST", &format!("{}/pay", path_of(&url)), None, &[], None)
        .await;
    wait_for(&s, &cookie, order, "delivered").await;
    let seller = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.seller));
    let refund = |amount: u64, key: &'static str| {
        let s = &s;
        let seller = seller.clone();
        async move {
            let body = serde_json::json!({"amount": amount, "to_channel": true}).to_string();
            s.call(
                "POST",
                &format!("/api/v1/orders/{order}/refund"),
                Some(&seller),
                &[("idempotency-key", key)],
                Some(&body),
            )
            .await
        }
    };
    let r = refund(500, "r1").await;
    assert_eq!(r.body["channel"]["status"], "sent", "{:?}", r.body);
    // The sandbox answers after the transport has given up.
    signed_post(&s, "/sandbox/knobs", &[("latency_ms", "2500")], SECRET).await;
    let r = refund(300, "r2").await;
    assert_eq!(r.body["channel"]["status"], "pending", "{:?}", r.body);
    signed_post(&s, "/sandbox/knobs", &[("latency_ms", "0")], SECRET).await;
    tokio::time::sleep(std::time::Duration::from_millis(3_000)).await;

    let finance = common::http::staff(&s, "finance", trigate_core::AdminRole::Finance).await;
    let finance = format!("{}={}", trigate_web::COOKIE, s.sessions.open(finance));
    let body = serde_json::json!({"outcome": "ask_channel"}).to_string();
    let r = s
        .call(
            "POST",
            "/api/v1/admin/sends/2/resolve",
            Some(&finance),
            &[],
            Some(&body),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let resolved_sent = r.body["status"] == "sent";
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{order}/channel-refund"),
            Some(&seller),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["sent"], if resolved_sent { 0 } else { 300 });
    let q = api(&s, "query", &[("out_trade_no", "TG000000000001")], SECRET).await;
    assert_eq!(q["refunded"], "8.00", "{q:?}");
}
