//! Channel notifications end to end, against an epay gateway written from
//! the published protocol: a notification delivers once however often it
//! comes, every forged or bent one changes nothing (the channel is asked
//! instead), the browser's return credits nothing, and recharges and guest
//! orders are paid the same way.

mod common;

use std::sync::Arc;

use common::channels::*;
use common::epay_mock::{KEY, Mock, query_of};
use common::http::error_code;
use serde_json::json;
use trigate_channels::epay::Variant;

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
