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

#[tokio::test]
async fn order_lists_show_only_the_callers_orders_and_sales() {
    let s = Server::start().await;
    let (alice, alice_cookie) = s.sign_up("alice").await;
    let (bob, bob_cookie) = s.sign_up("bob").await;
    s.fund(alice, 10_000).await;
    s.fund(bob, 10_000).await;
    let mut alice_orders = Vec::new();
    for (cookie, key) in [
        (&alice_cookie, "a1"),
        (&bob_cookie, "b1"),
        (&alice_cookie, "a2"),
    ] {
        let r = s
            .call(
                "POST",
                "/api/v1/orders",
                Some(cookie),
                &[("idempotency-key", key)],
                Some(&json!({"product": 1, "quantity": 1}).to_string()),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        if key.starts_with('a') {
            alice_orders.push(r.body["order"].as_u64().unwrap());
        }
    }
    let list = |cookie: String, query: &'static str| {
        let s = &s;
        async move {
            let r = s
                .call(
                    "GET",
                    &format!("/api/v1/orders{query}"),
                    Some(&cookie),
                    &[],
                    None,
                )
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            let ids: Vec<u64> = r.body["orders"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["order"].as_u64().unwrap())
                .collect();
            (ids, r.body["next_before"].clone())
        }
    };
    let mint = |user| format!("{}={}", trigate_web::COOKIE, s.sessions.open(user));
    alice_orders.reverse();
    assert_eq!(list(alice_cookie.clone(), "").await.0, alice_orders);
    assert_eq!(list(bob_cookie.clone(), "").await.0.len(), 1);
    assert_eq!(list(mint(s.seller), "").await.0, vec![3, 2, 1]);
    assert!(list(mint(s.other_merchant), "").await.0.is_empty());
    assert_eq!(list(mint(s.admin), "").await.0, vec![3, 2, 1]);
    // A page at a time: the first names where the next starts.
    let (first, next) = list(alice_cookie.clone(), "?limit=1").await;
    assert_eq!(first, vec![alice_orders[0]]);
    assert_eq!(next, json!(alice_orders[0]));
    let (second, _) = list(alice_cookie.clone(), "?limit=1&before=3").await;
    assert_eq!(second, vec![alice_orders[1]]);
    let r = s
        .call(
            "GET",
            "/api/v1/orders?limit=abc",
            Some(&alice_cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    let r = s.call("GET", "/api/v1/orders", None, &[], None).await;
    assert_eq!(r.status, 401);
    // A merchant's own products, sold out but still listed.
    let r = s
        .call(
            "GET",
            "/api/v1/merchant/products",
            Some(&mint(s.seller)),
            &[],
            None,
        )
        .await;
    assert_eq!(r.body["products"][0]["stock"], 0, "{:?}", r.body);
    assert_eq!(r.body["products"].as_array().unwrap().len(), 1);
    let r = s
        .call(
            "GET",
            "/api/v1/merchant/products",
            Some(&alice_cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 403);
}
