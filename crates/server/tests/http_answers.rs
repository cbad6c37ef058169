//! Answers a person or a program can read without knowing the code behind
//! them: roles and reasons as names, times as RFC 3339 in UTC, a
//! settlement as one flat object, and every object holding amounts naming
//! their currency.

mod common;

use common::http::Server;
use serde_json::{Value, json};

/// An RFC 3339 time in UTC, as the answers give them.
fn is_utc_time(v: &Value) -> bool {
    v.as_str().is_some_and(|t| {
        let b = t.as_bytes();
        t.len() >= 20
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && t.ends_with('Z')
            && t.starts_with("20")
    })
}

#[tokio::test]
async fn answers_show_names_rfc3339_times_flat_settlements_and_currencies() {
    let s = Server::start().await;
    let (buyer, cookie) = s.sign_up("reader").await;
    s.fund(buyer, 10_000).await;

    let me = s.call("GET", "/api/v1/me", Some(&cookie), &[], None).await;
    assert_eq!(me.body["role"], "buyer", "{:?}", me.body);

    let r = s.buy_one(&cookie, 1, "read-1").await;
    assert_eq!(r.body["currency"], "CNY");
    let id = r.body["order"].as_u64().unwrap();
    let paid = &r.body["money"][0];
    assert_eq!(paid["why"], "pay_by_balance", "{paid:?}");
    assert_eq!(
        (&paid["from"], &paid["to"]),
        (&json!("wallet:recharge"), &json!("escrow"))
    );
    assert_eq!(paid["currency"], "CNY");
    assert!(is_utc_time(&paid["at"]), "{paid:?}");

    let path = format!("/api/v1/orders/{id}/confirm");
    let r = s
        .call(
            "POST",
            &path,
            Some(&cookie),
            &[("idempotency-key", "c-1")],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let b = &r.body;
    assert_eq!(
        (&b["order"], &b["status"], &b["currency"]),
        (&json!(id), &json!("settled"), &json!("CNY"))
    );
    let parts = ["merchant", "fee", "level1", "level2"].map(|k| b[k].as_u64().unwrap());
    assert_eq!(
        parts.iter().sum::<u64>(),
        r_amount(&s, &cookie, id).await,
        "{b:?}"
    );
    assert!(is_utc_time(&b["release_at"]), "{b:?}");
    assert!(b.get("settlement").is_none(), "no enum shape: {b:?}");

    let wallet = s
        .call("GET", "/api/v1/wallet", Some(&cookie), &[], None)
        .await;
    let whys: Vec<&str> = wallet.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["why"].as_str().unwrap())
        .collect();
    assert_eq!(whys, ["credit", "pay_by_balance"], "{:?}", wallet.body);

    let list = s
        .call("GET", "/api/v1/orders", Some(&cookie), &[], None)
        .await;
    let line = &list.body["orders"][0];
    assert_eq!(
        (&line["status"], &line["currency"]),
        (&json!("settled"), &json!("CNY"))
    );
    assert!(is_utc_time(&line["created_at"]), "{line:?}");

    let seller = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.seller));
    let b = s
        .call("GET", "/api/v1/merchant/balances", Some(&seller), &[], None)
        .await;
    assert_eq!(b.body["currency"], "CNY", "{:?}", b.body);
}

async fn r_amount(s: &Server, cookie: &str, id: u64) -> u64 {
    let path = format!("/api/v1/orders/{id}");
    let r = s.call("GET", &path, Some(cookie), &[], None).await;
    r.body["amount"].as_u64().unwrap()
}
