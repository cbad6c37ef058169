//! The API describes itself: the OpenAPI document names routes the server
//! really serves, Swagger UI comes from the binary, and text full of SQL
//! and HTML metacharacters is stored as given and only ever sent back as
//! JSON.

mod common;

use common::http::{Server, error_code};
use serde_json::{Value, json};

#[tokio::test]
async fn the_openapi_document_describes_routes_the_server_serves() {
    let s = Server::start().await;
    let r = s.call("GET", "/api/openapi.json", None, &[], None).await;
    assert_eq!(r.status, 200);
    assert!(r.body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = r.body["paths"].as_object().unwrap();
    assert!(paths.len() >= 30, "only {} paths", paths.len());
    let mut checked = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", "1");
            let r = s
                .call(&method.to_uppercase(), &concrete, None, &[], None)
                .await;
            assert_ne!(r.status, 405, "{method} {path} is not served");
            assert!(
                !(error_code(&r) == "not_found" && r.body["error"]["message"] == "no such route"),
                "{method} {path} is not served"
            );
            checked += 1;
        }
    }
    assert!(checked >= 33, "{checked}");
    // Money- and stock-moving POSTs say they take an Idempotency-Key.
    for path in [
        "/api/v1/orders",
        "/api/v1/orders/{id}/pay-by-balance",
        "/api/v1/orders/{id}/refund",
        "/api/v1/withdrawals",
        "/api/v1/guest/orders",
        "/api/v1/admin/users/{id}/credit",
        "/api/v1/merchant/products/{id}/keys",
    ] {
        let params = &paths[path]["post"]["parameters"];
        let named = params
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
        assert!(
            named,
            "{path} does not document its Idempotency-Key: {params}"
        );
    }
    assert!(r.body["components"]["schemas"]["ErrorBody"].is_object());
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary_with_nothing_fetched_elsewhere() {
    let s = Server::start().await;
    let page = s.call("GET", "/api/docs/", None, &[], None).await;
    assert_eq!(page.status, 200);
    let html = page.body.as_str().unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    for attr in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "//cdn",
    ] {
        assert!(!html.contains(attr), "the page loads {attr}…: {html}");
    }
    let init = s
        .call("GET", "/api/docs/swagger-initializer.js", None, &[], None)
        .await;
    assert_eq!(init.status, 200);
    assert!(
        init.body.as_str().unwrap().contains("/api/openapi.json"),
        "{:?}",
        init.body
    );
    let bundle = s
        .call("GET", "/api/docs/swagger-ui-bundle.js", None, &[], None)
        .await;
    assert_eq!(bundle.status, 200);
}

const NASTY: &str = "<script>alert(1)</script>'; DROP TABLE orders;-- \" OR 1=1 & ü";

fn is_json(r: &common::http::Response) -> bool {
    r.header("content-type") == Some("application/json")
}

#[tokio::test]
async fn metacharacters_in_text_fields_are_kept_verbatim_and_sent_back_only_as_json() {
    let s = Server::start().await;
    // A login.
    let body = json!({"login": NASTY, "password": "correct horse"}).to_string();
    let r = s
        .call("POST", "/api/v1/auth/register", None, &[], Some(&body))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let login = s
        .call("POST", "/api/v1/auth/login", None, &[], Some(&body))
        .await;
    assert_eq!(login.status, 200);
    let cookie = login
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let me = s.call("GET", "/api/v1/me", Some(&cookie), &[], None).await;
    assert_eq!(me.body["login"], NASTY);
    assert!(is_json(&me));
    // The same login again is refused with the text inside JSON only.
    let r = s
        .call("POST", "/api/v1/auth/register", None, &[], Some(&body))
        .await;
    assert_eq!((r.status, error_code(&r)), (409, "login_taken"));
    assert!(is_json(&r));
    // A product title, a coupon code, a key line, a dispute reason.
    let seller = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.seller));
    let product = json!({"title": NASTY, "currency": "CNY", "price": 100}).to_string();
    let r = s
        .call(
            "POST",
            "/api/v1/merchant/products",
            Some(&seller),
            &[("idempotency-key", "p")],
            Some(&product),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let catalog = s.call("GET", "/api/v1/products", None, &[], None).await;
    let titles: Vec<&Value> = catalog.body["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["title"])
        .collect();
    assert!(titles.contains(&&json!(NASTY)), "{titles:?}");
    let coupon = json!({"code": NASTY, "discount": {"percent_bps": 100}, "uses": 1,
        "expires_at": 4_000_000_000u64})
    .to_string();
    let r = s
        .call(
            "POST",
            "/api/v1/merchant/coupons",
            Some(&seller),
            &[("idempotency-key", "c")],
            Some(&coupon),
        )
        .await;
    assert!(
        r.status == 201 || (r.status == 422 && !error_code(&r).is_empty()),
        "{:?}",
        r.body
    );
    assert!(is_json(&r));
    let keys = json!({"text": format!("{NASTY}\nKEY-OK-1")}).to_string();
    let r = s
        .call(
            "POST",
            "/api/v1/merchant/products/1/keys",
            Some(&seller),
            &[("idempotency-key", "k")],
            Some(&keys),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["added"], 2, "{:?}", r.body);
    // Everything still works: the tables were not touched by the text.
    let (buyer, buyer_cookie) = s.sign_up("alice").await;
    s.fund(buyer, 10_000).await;
    let bought = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&buyer_cookie),
            &[("idempotency-key", "b")],
            Some(&json!({"product": 1, "quantity": 1}).to_string()),
        )
        .await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    let order = bought.body["order"].as_u64().unwrap();
    let reason = json!({"reason": NASTY}).to_string();
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{order}/dispute"),
            Some(&buyer_cookie),
            &[],
            Some(&reason),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    s.engine.sync().await.unwrap();
    // Every response was JSON; none carried the text as markup.
    assert!(is_json(&bought));
    // Malformed JSON echoing the text back is refused as JSON too.
    let r = s
        .call(
            "POST",
            "/api/v1/auth/register",
            None,
            &[],
            Some(&format!("{{\"login\": {NASTY}}}")),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (400, "bad_request"));
    assert!(is_json(&r));
}
