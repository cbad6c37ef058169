//! Refunds over the API: where refunded money lands, and what the answer
//! says of it.

mod common;

use common::http::Server;
use serde_json::json;

/// A refund asked to go back "to the channel" of an order paid from the
/// wallet has no channel to go through: it lands in the buyer's wallet
/// (recharge first, up to what was paid from it), the answer says so, and
/// nothing is left owed in `refunds_due`.
#[tokio::test]
async fn a_refund_to_the_channel_of_a_balance_paid_order_lands_in_the_wallet() {
    let s = Server::start().await;
    let (buyer, cookie) = s.sign_up("walletbuyer").await;
    s.fund(buyer, 10_000).await;
    let r = s.buy_one(&cookie, 1, "buy").await;
    let id = r.body["order"].as_u64().unwrap();
    let price = r.body["amount"].as_u64().unwrap();

    let seller = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.seller));
    let path = format!("/api/v1/orders/{id}/refund");
    let body = json!({"amount": price, "to_channel": true}).to_string();
    let r = s
        .call(
            "POST",
            &path,
            Some(&seller),
            &[("idempotency-key", "r")],
            Some(&body),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        (&r.body["to"], &r.body["channel"], &r.body["refunded"]),
        (&json!("wallet"), &json!(null), &json!(price)),
        "{:?}",
        r.body
    );

    let wallet = s
        .call("GET", "/api/v1/wallet", Some(&cookie), &[], None)
        .await;
    assert_eq!(
        (&wallet.body["recharge"], &wallet.body["reward"]),
        (&json!(10_000), &json!(0)),
        "{:?}",
        wallet.body
    );
    let last = wallet.body["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (&last["from"], &last["to"], &last["why"]),
        (
            &json!("escrow"),
            &json!("wallet:recharge"),
            &json!("refund")
        ),
        "{last:?}"
    );
    let order = s
        .call(
            "GET",
            &format!("/api/v1/orders/{id}"),
            Some(&cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(order.body["status"], "refunded");
    assert!(
        order.body["money"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["to"] != "refunds_due"),
        "nothing owed through a channel: {:?}",
        order.body
    );
}

/// A refund the reserve would pay (the merchant has withdrawn the sale's
/// money) is not refused and not done: it waits (202) for a second member
/// of staff. The merchant cannot approve it, finance can; then the buyer
/// has the money back and the merchant owes the reserve, shown in its
/// balances.
#[tokio::test]
async fn a_refund_the_reserve_would_pay_waits_for_finance_to_approve_it() {
    use trigate_core::{Command, Currency, WithdrawFrom};
    let s = Server::start().await;
    let merchant = s.released_sale().await;
    let sales = s
        .call("GET", "/api/v1/orders", Some(&merchant), &[], None)
        .await;
    let order = &sales.body["orders"][0];
    let (id, amount) = (
        order["order"].as_u64().unwrap(),
        order["amount"].as_u64().unwrap(),
    );
    let balances = s
        .call(
            "GET",
            "/api/v1/merchant/balances?currency=CNY",
            Some(&merchant),
            &[],
            None,
        )
        .await;
    let available = balances.body["available"].as_u64().unwrap();
    assert!(available > 0, "{:?}", balances.body);
    let withdrawn = s
        .engine
        .submit(Command::RequestWithdrawal {
            actor: s.other_merchant,
            from: WithdrawFrom::Merchant,
            currency: Currency::new("CNY").unwrap(),
            amount: available,
            destination: "bank".into(),
        })
        .await
        .unwrap();
    assert!(
        matches!(withdrawn, trigate_core::Reply::Withdrawal(_)),
        "{withdrawn:?}"
    );

    let body = json!({ "amount": amount }).to_string();
    let path = format!("/api/v1/orders/{id}/refund");
    let r = s
        .call(
            "POST",
            &path,
            Some(&merchant),
            &[("idempotency-key", "r")],
            Some(&body),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert_eq!(
        (&r.body["status"], &r.body["refunded"]),
        (&json!("waiting_approval"), &json!(0))
    );
    let approval = r.body["approval"].as_u64().unwrap();
    // The same request again is the same approval.
    let again = s
        .call(
            "POST",
            &path,
            Some(&merchant),
            &[("idempotency-key", "r")],
            Some(&body),
        )
        .await;
    assert_eq!(again.body["approval"], json!(approval), "{:?}", again.body);

    let finance = common::http::staff(&s, "finance", trigate_core::AdminRole::Finance).await;
    let finance = format!("{}={}", trigate_web::COOKIE, s.sessions.open(finance));
    let waiting = s
        .call("GET", "/api/v1/admin/approvals", Some(&finance), &[], None)
        .await;
    assert_eq!(
        waiting.body["approvals"].as_array().unwrap().len(),
        1,
        "{:?}",
        waiting.body
    );
    assert_eq!(
        (
            &waiting.body["approvals"][0]["kind"],
            &waiting.body["approvals"][0]["amount"]
        ),
        (&json!("refund"), &json!(amount))
    );
    let approve = format!("/api/v1/admin/approvals/{approval}/approve");
    let r = decide(&s, &approve, &merchant, "a").await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let r = decide(&s, &approve, &finance, "a").await;
    assert_eq!(
        (r.status, &r.body["status"]),
        (200, &json!("approved")),
        "{:?}",
        r.body
    );
    let balances = s
        .call(
            "GET",
            "/api/v1/merchant/balances?currency=CNY",
            Some(&merchant),
            &[],
            None,
        )
        .await;
    assert!(
        balances.body["debt"].as_u64().unwrap() > 0,
        "{:?}",
        balances.body
    );
    let waiting = s
        .call("GET", "/api/v1/admin/approvals", Some(&finance), &[], None)
        .await;
    assert_eq!(waiting.body["approvals"], json!([]));
}

/// The reserve is topped up by one member of finance and approved by
/// another, never by the one who asked.
#[tokio::test]
async fn the_reserve_is_topped_up_with_four_eyes() {
    let s = Server::start().await;
    let session = |id| format!("{}={}", trigate_web::COOKIE, s.sessions.open(id));
    let first = common::http::staff(&s, "fin1", trigate_core::AdminRole::Finance).await;
    let second = common::http::staff(&s, "fin2", trigate_core::AdminRole::Finance).await;
    let (first, second) = (session(first), session(second));
    let body = json!({"currency": "CNY", "amount": 50_000}).to_string();
    let r = s
        .call(
            "POST",
            "/api/v1/admin/reserve/top-ups",
            Some(&first),
            &[("idempotency-key", "t")],
            Some(&body),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["status"]),
        (202, &json!("waiting")),
        "{:?}",
        r.body
    );
    let approval = r.body["approval"].as_u64().unwrap();
    let approve = format!("/api/v1/admin/approvals/{approval}/approve");
    let r = decide(&s, &approve, &first, "a").await;
    assert_eq!(r.status, 403, "not the one who asked: {:?}", r.body);
    let r = decide(&s, &approve, &second, "a").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let reject = format!("/api/v1/admin/approvals/{approval}/reject");
    let r = decide(&s, &reject, &second, "b").await;
    assert_eq!(r.status, 422, "decided once: {:?}", r.body);
}

/// POSTs an approval's approve or reject route as `cookie`, under `key`.
async fn decide(s: &Server, path: &str, cookie: &str, key: &str) -> common::http::Response {
    s.call(
        "POST",
        path,
        Some(cookie),
        &[("idempotency-key", key)],
        None,
    )
    .await
}
