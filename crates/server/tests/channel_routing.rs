//! Choosing a channel: an outage fails over to the next and opens the
//! breaker, which recovers after its cool-down; nobody pays another's
//! order; and 补单 is applied only when the channel confirms the payment.

mod common;

use std::time::Duration;

use common::channels::*;
use common::epay_mock::Mock;
use common::http::error_code;
use serde_json::json;

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
    let seller = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.seller));
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
    let admin = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.admin));
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
    assert_eq!(primary_health["breaker"], "open", "{health:?}");
    assert!(
        primary_health["open_until"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{health:?}"
    );
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
async fn finance_marks_a_payment_paid_only_when_the_channel_confirms_it() {
    let mock = Mock::start().await;
    let s = shop(vec![epay("epay", &mock, false, 0)]).await;
    let (cookie, id) = unpaid_order(&s, "alice").await;
    let attempt = pay(&s, &cookie, id).await["attempt"].as_u64().unwrap();
    let finance = format!(
        "{}={}",
        trigate_web::COOKIE,
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
    let admin = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.admin));
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
    // (The request id is random hex: only the message is looked at.)
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.contains("15"), "{:?}", r.body);
    assert_eq!(
        mock.gateway.calls.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    let admin = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.admin));
    let health = s
        .call("GET", "/api/v1/admin/channels", Some(&admin), &[], None)
        .await;
    assert_eq!(
        health.body["channels"][0]["attempts"], 0,
        "{:?}",
        health.body
    );
}
