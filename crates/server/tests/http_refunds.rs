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
