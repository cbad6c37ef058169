//! Money that cannot stay: a late payment for an order that can no longer
//! take it lands in the buyer's wallet (a guest's goes back through the
//! channel), and refunds to the channel are sent back through it.

mod common;

use std::time::Duration;

use common::channels::*;
use common::epay_mock::Mock;
use serde_json::json;

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
    let seller = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.seller));
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
    assert_eq!(r.body["channel"]["status"], "pending", "{:?}", r.body);
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
    let (order, started) = guest_paying(&s, secret).await;
    let a = no(&started["attempt"]);
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

/// A hundred callers asking at once to send back what an order owes
/// through its channel send it once: the gateway sees one refund.
#[tokio::test]
async fn concurrent_channel_refunds_send_the_owed_amount_once() {
    let mock = Mock::start().await;
    let s = shop(vec![epay("epay", &mock, false, 0)]).await;
    let (cookie, id) = unpaid_order(&s, "alice").await;
    let a = no(&pay(&s, &cookie, id).await["attempt"]);
    let params = mock.pay(&a);
    assert_eq!(notify(&s, "epay", &a, &params).await.0, 200);
    let seller = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.seller));
    // The gateway is down when the refund is made: it stays owed.
    mock.gateway
        .down
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{id}/refund"),
            Some(&seller),
            &[("idempotency-key", "r")],
            Some(&json!({"amount": 700, "to_channel": true}).to_string()),
        )
        .await;
    assert_eq!(r.body["channel"]["status"], "pending", "{:?}", r.body);
    mock.gateway
        .down
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let path = format!("/api/v1/orders/{id}/channel-refund");
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let (addr, path, seller) = (s.addr, path.clone(), seller.clone());
        calls.spawn(async move {
            common::http::call(addr, "POST", &path, Some(&seller), &[], None).await
        });
    }
    let mut sent = 0;
    while let Some(r) = calls.join_next().await {
        let r = r.unwrap();
        assert_eq!(r.status, 200, "{:?}", r.body);
        sent += r.body["sent"].as_u64().unwrap();
    }
    assert_eq!(sent, 700, "the answers add up to what was owed");
    assert_eq!(
        *mock.gateway.refunds.lock().unwrap(),
        vec![(a.clone(), "7.00".to_string())],
        "one refund at the gateway"
    );
}

/// A guest's late payment whose sending back failed (the gateway was
/// down) stays owed; finance sends it back by its attempt, once — a second
/// call sends nothing, and no one else may.
#[tokio::test]
async fn finance_sends_back_a_guests_payment_whose_sending_failed() {
    let mock = Mock::start().await;
    let s = shop(vec![epay("epay", &mock, false, 0)]).await;
    let (_, started) = guest_paying(&s, "guest-secret-3").await;
    let a = no(&started["attempt"]);
    let attempt = started["attempt"].as_u64().unwrap();
    s.advance(Duration::from_secs(16 * 60));
    s.engine.submit(trigate_core::Command::Tick).await.unwrap();
    // The money arrives while the gateway cannot take a refund.
    mock.gateway
        .down
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let params = mock.pay(&a);
    assert_eq!(notify(&s, "epay", &a, &params).await.0, 200);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(mock.gateway.refunds.lock().unwrap().is_empty());
    mock.gateway
        .down
        .store(false, std::sync::atomic::Ordering::SeqCst);

    let path = format!("/api/v1/admin/attempts/{attempt}/send-back");
    let seller = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.seller));
    let r = s.call("POST", &path, Some(&seller), &[], None).await;
    assert_eq!(r.status, 403, "only finance: {:?}", r.body);
    let finance = common::http::staff(&s, "finance", trigate_core::AdminRole::Finance).await;
    let finance = format!("{}={}", trigate_web::COOKIE, s.sessions.open(finance));
    let r = s.call("POST", &path, Some(&finance), &[], None).await;
    assert_eq!(
        (r.status, &r.body["sent"], &r.body["currency"]),
        (200, &json!(1_500), &json!("CNY")),
        "{:?}",
        r.body
    );
    let r = s.call("POST", &path, Some(&finance), &[], None).await;
    assert_eq!(r.body["sent"], 0, "nothing owed, nothing sent twice");
    assert_eq!(
        *mock.gateway.refunds.lock().unwrap(),
        vec![(a.clone(), "15.00".to_string())]
    );
}

/// A refund whose answer is lost (the gateway answered 500) is left
/// unknown, reserved: later calls send nothing and say why, until finance
/// resolves it. Epay cannot say whether a refund was made, so finance
/// resolves by hand: first a send the gateway never made (not sent: it
/// stays owed and goes out on the next call), then one it made (sent:
/// nothing more is owed). One refund reaches the gateway in all.
#[tokio::test]
async fn a_refund_whose_answer_was_lost_is_sent_once_after_finance_resolves_it() {
    use std::sync::atomic::Ordering::SeqCst;
    let mock = Mock::start().await;
    let s = shop(vec![epay("epay", &mock, false, 0)]).await;
    let (cookie, id) = unpaid_order(&s, "alice").await;
    let a = no(&pay(&s, &cookie, id).await["attempt"]);
    let params = mock.pay(&a);
    assert_eq!(notify(&s, "epay", &a, &params).await.0, 200);
    let seller = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.seller));
    let finance = common::http::staff(&s, "finance", trigate_core::AdminRole::Finance).await;
    let finance = format!("{}={}", trigate_web::COOKIE, s.sessions.open(finance));
    let channel_refund = format!("/api/v1/orders/{id}/channel-refund");

    // The gateway fails before refunding: the outcome is unknown all the same.
    mock.gateway.crash_refunds.store(true, SeqCst);
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{id}/refund"),
            Some(&seller),
            &[("idempotency-key", "r")],
            Some(&json!({"amount": 700, "to_channel": true}).to_string()),
        )
        .await;
    assert_eq!(r.body["channel"]["status"], "pending", "{:?}", r.body);
    mock.gateway.crash_refunds.store(false, SeqCst);
    let r = s
        .call("POST", &channel_refund, Some(&seller), &[], None)
        .await;
    assert_eq!(
        (r.status, common::http::error_code(&r)),
        (409, "send_unresolved"),
        "{:?}",
        r.body
    );
    assert!(mock.gateway.refunds.lock().unwrap().is_empty());
    let open = s
        .call("GET", "/api/v1/admin/sends", Some(&finance), &[], None)
        .await;
    let sends = open.body["sends"].as_array().unwrap().clone();
    assert_eq!(sends.len(), 1, "{:?}", open.body);
    assert_eq!(
        (
            &sends[0]["reference"],
            &sends[0]["status"],
            &sends[0]["amount"]
        ),
        (&json!("R1"), &json!("unknown"), &json!(700))
    );
    let r = resolve(&s, &seller, 1, "not_sent").await;
    assert_eq!(r.status, 403, "only finance: {:?}", r.body);
    let r = resolve(&s, &finance, 1, "ask_channel").await;
    assert_eq!(r.status, 422, "epay cannot say: {:?}", r.body);
    let r = resolve(&s, &finance, 1, "not_sent").await;
    assert_eq!(
        (r.status, &r.body["status"]),
        (200, &json!("not_sent")),
        "{:?}",
        r.body
    );

    // Still owed: the next call sends it, and this answer is lost too.
    mock.gateway.lose_refund_answers.store(true, SeqCst);
    let r = s
        .call("POST", &channel_refund, Some(&seller), &[], None)
        .await;
    assert_eq!(r.status, 502, "{:?}", r.body);
    mock.gateway.lose_refund_answers.store(false, SeqCst);
    for _ in 0..3 {
        let r = s
            .call("POST", &channel_refund, Some(&seller), &[], None)
            .await;
        assert_eq!(r.status, 409, "{:?}", r.body);
    }
    let r = resolve(&s, &finance, 2, "sent").await;
    assert_eq!(
        (r.status, &r.body["status"]),
        (200, &json!("sent")),
        "{:?}",
        r.body
    );
    let r = resolve(&s, &finance, 2, "not_sent").await;
    assert_eq!(r.status, 422, "resolved once: {:?}", r.body);
    let r = s
        .call("POST", &channel_refund, Some(&seller), &[], None)
        .await;
    assert_eq!(
        (r.status, &r.body["sent"]),
        (200, &json!(0)),
        "{:?}",
        r.body
    );
    assert_eq!(
        *mock.gateway.refunds.lock().unwrap(),
        vec![(a.clone(), "7.00".to_string())],
        "one refund at the gateway"
    );
    let open = s
        .call("GET", "/api/v1/admin/sends", Some(&finance), &[], None)
        .await;
    assert_eq!(open.body["sends"], json!([]));
}

/// Finance (or whoever `cookie` is) resolves send `send` with `outcome`.
async fn resolve(
    s: &common::http::Server,
    cookie: &str,
    send: u64,
    outcome: &str,
) -> common::http::Response {
    let path = format!("/api/v1/admin/sends/{send}/resolve");
    let body = json!({ "outcome": outcome }).to_string();
    s.call("POST", &path, Some(cookie), &[], Some(&body)).await
}
