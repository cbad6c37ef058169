//! Guest checkout and order lookup: an order read back only with its
//! number and the lookup secret, the secret kept only as a hash, and
//! lookups limited per order and per address.

mod common;

use common::http::{Server, error_code};
use serde_json::json;
use trigate_core::query::{Query, View};
use trigate_core::{Command, Currency, OrderId, Reply};

const SECRET: &str = "tulip-velvet-42";

async fn guest_order(s: &Server, key: &str, secret: &str) -> common::http::Response {
    let body = json!({"product": 1, "quantity": 1, "lookup_secret": secret}).to_string();
    s.call(
        "POST",
        "/api/v1/guest/orders",
        None,
        &[("idempotency-key", key)],
        Some(&body),
    )
    .await
}

async fn lookup(s: &Server, order: u64, secret: &str) -> common::http::Response {
    let body = json!({"order": order, "lookup_secret": secret}).to_string();
    s.call(
        "POST",
        "/api/v1/guest/orders/lookup",
        None,
        &[],
        Some(&body),
    )
    .await
}

/// Pays a guest order as a channel would (channels come with their own
/// routes; here the notification is a command).
async fn pay(s: &Server, order: u64) {
    let View::GuestOrder(trigate_core::query::GuestOrderView { order: view, .. }) = s
        .engine
        .submit(Command::Query(Query::GuestOrder {
            order: OrderId(order),
        }))
        .await
        .unwrap()
        .into_view()
    else {
        panic!("no guest order {order}")
    };
    let Reply::Attempt(attempt) = s
        .engine
        .submit(Command::StartPayment {
            actor: view.buyer,
            order: OrderId(order),
            channel: "sandbox".into(),
        })
        .await
        .unwrap()
    else {
        panic!("no attempt")
    };
    let paid = s
        .engine
        .submit(Command::PaymentSucceeded {
            attempt,
            channel_txn: format!("txn-{order}"),
            amount: view.trail.amount,
            currency: Currency::new("CNY").unwrap(),
        })
        .await
        .unwrap();
    assert!(matches!(paid, Reply::Payment(_)), "{paid:?}");
}

trait IntoView {
    fn into_view(self) -> View;
}

impl IntoView for Reply {
    fn into_view(self) -> View {
        match self {
            Reply::View(v) => v,
            other => panic!("not a view: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_guest_reads_their_order_and_keys_only_with_the_lookup_secret() {
    for db in common::TestDb::all("http_guest").await {
        guest_journey(Server::start_on(db).await).await;
    }
}

async fn guest_journey(s: Server) {
    let r = guest_order(&s, "g1", SECRET).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["status"], "created");
    let order = r.body["order"].as_u64().unwrap();
    // The same request again is the same order; no second reservation.
    let again = guest_order(&s, "g1", SECRET).await;
    assert_eq!(again.body["order"], order);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let unpaid = lookup(&s, order, SECRET).await;
    assert_eq!(unpaid.status, 200, "{:?}", unpaid.body);
    assert_eq!(unpaid.body["keys"], json!([]));
    pay(&s, order).await;
    let wrong = lookup(&s, order, "tulip-velvet-43").await;
    assert_eq!((wrong.status, error_code(&wrong)), (404, "lookup_refused"));
    assert!(wrong.body.get("keys").is_none());
    let paid = lookup(&s, order, SECRET).await;
    assert_eq!(paid.status, 200, "{:?}", paid.body);
    assert_eq!(paid.body["status"], "delivered");
    let keys = paid.body["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert!(
        ["AAAA-1111", "BBBB-2222", "CCCC-3333"].contains(&keys[0].as_str().unwrap()),
        "{keys:?}"
    );
    // Replaying someone's Idempotency-Key without their secret shows nothing.
    let thief = guest_order(&s, "g1", "another-secret").await;
    assert_eq!(
        (thief.status, error_code(&thief)),
        (409, "idempotency_conflict")
    );
    assert!(thief.body.get("keys").is_none(), "{:?}", thief.body);
    // No such order, and a signed-in buyer's order (which has no lookup
    // secret), are refused exactly like a wrong secret.
    let none = lookup(&s, 999, SECRET).await;
    assert_eq!((none.status, error_code(&none)), (404, "lookup_refused"));
    let (buyer, cookie) = s.sign_up("alice").await;
    s.fund(buyer, 10_000).await;
    let bought = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&cookie),
            &[("idempotency-key", "b1")],
            Some(&json!({"product": 1, "quantity": 1}).to_string()),
        )
        .await;
    let theirs = bought.body["order"].as_u64().unwrap();
    let r = lookup(&s, theirs, SECRET).await;
    assert_eq!((r.status, error_code(&r)), (404, "lookup_refused"));
}

#[tokio::test]
async fn guest_checkout_refuses_bad_requests_and_changes_nothing() {
    let s = Server::start().await;
    let body = json!({"product": 1, "quantity": 1, "lookup_secret": SECRET}).to_string();
    let r = s
        .call("POST", "/api/v1/guest/orders", None, &[], Some(&body))
        .await;
    assert_eq!(
        (r.status, error_code(&r)),
        (400, "idempotency_key_required")
    );
    let r = guest_order(&s, "short", "12345").await;
    assert_eq!((r.status, error_code(&r)), (422, "invalid"));
    for (key, body) in [
        (
            "q",
            json!({"product": 1, "quantity": 9, "lookup_secret": SECRET}),
        ),
        (
            "p",
            json!({"product": 77, "quantity": 1, "lookup_secret": SECRET}),
        ),
        (
            "n",
            json!({"product": 1, "quantity": -1, "lookup_secret": SECRET}),
        ),
        (
            "u",
            json!({"product": 1, "quantity": 1, "lookup_secret": SECRET, "buyer": 1}),
        ),
        (
            "a",
            json!({"product": 1, "quantity": 1, "lookup_secret": [SECRET]}),
        ),
    ] {
        let r = s
            .call(
                "POST",
                "/api/v1/guest/orders",
                None,
                &[("idempotency-key", key)],
                Some(&body.to_string()),
            )
            .await;
        assert!((400..500).contains(&r.status), "{body}: {:?}", r.body);
        assert!(!error_code(&r).is_empty(), "{:?}", r.body);
    }
    // Nothing was reserved: all three keys are still in stock.
    let products = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(products.body["products"][0]["stock"], 3);
}

#[tokio::test]
async fn lookups_are_limited_per_order_and_per_address() {
    let s = Server::start().await;
    let order = guest_order(&s, "g", SECRET).await.body["order"]
        .as_u64()
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(lookup(&s, order, "guess-guess").await.status);
    }
    assert_eq!(statuses[..5], [404; 5], "{statuses:?}");
    assert_eq!(statuses[5..], [429; 2], "{statuses:?}");
    // Even the right secret waits now: guessing cannot go faster.
    let r = lookup(&s, order, SECRET).await;
    assert_eq!((r.status, error_code(&r)), (429, "rate_limited"));
    // Across orders, one address gets 20 lookups at once, then waits.
    let mut limited = 0;
    for other in 100..130 {
        if lookup(&s, other, SECRET).await.status == 429 {
            limited += 1;
        }
    }
    assert!(limited >= 5, "only {limited} of 30 were limited");
}

#[tokio::test]
async fn the_lookup_secret_is_kept_only_as_a_hash() {
    let s = Server::start().await;
    let r = guest_order(&s, "g", SECRET).await;
    assert_eq!(r.status, 201);
    s.engine.sync().await.unwrap();
    let dir = std::path::Path::new(s.db.url.trim_start_matches("sqlite://"))
        .parent()
        .unwrap()
        .to_path_buf();
    let mut scanned = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        scanned += bytes.len();
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "the secret is in the clear on disk"
        );
        assert!(
            !bytes
                .windows(64)
                .any(|w| w == blake3::hash(SECRET.as_bytes()).to_hex().as_bytes()),
            "an unsalted digest of the secret is on disk"
        );
    }
    assert!(scanned > 0);
}
