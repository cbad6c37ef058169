//! The HTTP API against a real server on a random port, over a fresh SQLite
//! database (and PostgreSQL when configured): sign up, sign in, buy with
//! balance, see the keys, confirm — and the refusals: no session, another
//! buyer's order, a reused idempotency key, malformed bodies.

mod common;

use common::http::{Server, error_code};
use serde_json::json;

#[tokio::test]
async fn buyer_signs_up_buys_with_balance_sees_keys_and_confirms() {
    for db in common::TestDb::all("http_journey").await {
        journey(Server::start_on(db).await).await;
    }
}

async fn journey(s: Server) {
    let (buyer, cookie) = s.sign_up("alice").await;
    s.fund(buyer, 10_000).await;

    let products = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(products.status, 200);
    assert_eq!(products.body["products"][0]["stock"], 3);

    let order = json!({"product": 1, "quantity": 2}).to_string();
    let r = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&cookie),
            &[("idempotency-key", "buy-1")],
            Some(&order),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["status"], "delivered");
    assert_eq!(r.body["keys"], json!(["AAAA-1111", "BBBB-2222"]));
    let id = r.body["order"].as_u64().unwrap();

    // The same request again: the same answer, nothing charged twice.
    let again = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&cookie),
            &[("idempotency-key", "buy-1")],
            Some(&order),
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body["order"], id);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));

    let seen = s
        .call(
            "GET",
            &format!("/api/v1/orders/{id}"),
            Some(&cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(seen.body["keys"], json!(["AAAA-1111", "BBBB-2222"]));
    assert_eq!(seen.body["amount"], 3_000);

    let confirmed = s
        .call(
            "POST",
            &format!("/api/v1/orders/{id}/confirm"),
            Some(&cookie),
            &[("idempotency-key", "c-1")],
            None,
        )
        .await;
    assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
    let after = s
        .call(
            "GET",
            &format!("/api/v1/orders/{id}"),
            Some(&cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(after.body["status"], "settled");
    let products = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(products.body["products"][0]["stock"], 1);
}

#[tokio::test]
async fn refusals_have_their_own_codes_and_change_nothing() {
    let s = Server::start().await;
    let (alice, alice_cookie) = s.sign_up("alice").await;
    let (_, bob_cookie) = s.sign_up("bob").await;
    s.fund(alice, 10_000).await;
    let order = json!({"product": 1, "quantity": 1}).to_string();

    let r = s
        .call(
            "POST",
            "/api/v1/orders",
            None,
            &[("idempotency-key", "k")],
            Some(&order),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (401, "unauthenticated"));

    let r = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&alice_cookie),
            &[],
            Some(&order),
        )
        .await;
    assert_eq!(
        (r.status, error_code(&r)),
        (400, "idempotency_key_required")
    );

    let r = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&alice_cookie),
            &[("idempotency-key", "k")],
            Some(&order),
        )
        .await;
    assert_eq!(r.status, 201);
    let id = r.body["order"].as_u64().unwrap();

    let other = json!({"product": 1, "quantity": 2}).to_string();
    let r = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&alice_cookie),
            &[("idempotency-key", "k")],
            Some(&other),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (409, "idempotency_conflict"));

    // Bob cannot see Alice's order, nor learn that it exists.
    let r = s
        .call(
            "GET",
            &format!("/api/v1/orders/{id}"),
            Some(&bob_cookie),
            &[],
            None,
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (404, "order_not_found"));
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{id}/confirm"),
            Some(&bob_cookie),
            &[("idempotency-key", "x")],
            None,
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (403, "forbidden"));

    // Bob has no money.
    let r = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&bob_cookie),
            &[("idempotency-key", "b")],
            Some(&order),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (402, "insufficient_balance"));

    for bad in [
        "{not json",
        r#"{"product": "1", "quantity": 1}"#,
        r#"{"product": 1, "quantity": -1}"#,
        r#"{"product": 1, "quantity": 1.5}"#,
        r#"{"product": 1, "quantity": 1, "price": 1}"#,
    ] {
        let r = s
            .call(
                "POST",
                "/api/v1/orders",
                Some(&alice_cookie),
                &[("idempotency-key", bad)],
                Some(bad),
            )
            .await;
        assert_eq!((r.status, error_code(&r)), (400, "bad_request"), "{bad}");
    }
    let huge = format!(r#"{{"login": "{}", "password": "x"}}"#, "a".repeat(100_000));
    let r = s
        .call("POST", "/api/v1/auth/register", None, &[], Some(&huge))
        .await;
    assert_eq!(r.status, 413);

    let wrong = json!({"login": "alice", "password": "wrong password"}).to_string();
    let r = s
        .call("POST", "/api/v1/auth/login", None, &[], Some(&wrong))
        .await;
    assert_eq!((r.status, error_code(&r)), (401, "bad_credentials"));

    // Still one key sold.
    let products = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(products.body["products"][0]["stock"], 2);
    // Markup in text comes back as data, never as a page.
    assert_eq!(products.body["products"][0]["title"], "Game <b>key</b>");
    assert_eq!(products.header("content-type"), Some("application/json"));
    assert_eq!(products.header("x-content-type-options"), Some("nosniff"));
}
