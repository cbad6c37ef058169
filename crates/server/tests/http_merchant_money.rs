//! The merchant console's money over HTTP: balances, settled sales with
//! each order's money trail (shown to its merchant and staff, not to its
//! buyer), the deposit paid from the available balance once per form key,
//! and a withdrawal asked from the merchant's available balance.

mod common;

use common::http::Server;
use common::pages::Browser;

fn browser(cookie: &str) -> (String, String) {
    let (name, value) = cookie.split_once('=').unwrap();
    (name.to_string(), value.to_string())
}

async fn balances(s: &Server, cookie: &str) -> serde_json::Value {
    s.call(
        "GET",
        "/api/v1/merchant/balances?currency=CNY",
        Some(cookie),
        &[],
        None,
    )
    .await
    .body
}

#[tokio::test]
async fn a_merchant_sees_its_money_and_pays_its_deposit_once() {
    let s = Server::start().await;
    let merchant_cookie = s.released_sale().await;
    let mut m = Browser::new(&s);
    m.lang = Some("en");
    let (n, v) = browser(&merchant_cookie);
    m.cookies.insert(n, v);
    let page = m.get("/merchant/money").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("id=\"balance-CNY\""));
    let before = balances(&s, &merchant_cookie).await;
    let available = before["available"].as_u64().unwrap();
    assert!(available >= 100, "{before:?}");
    // The settled sale is listed, and its page shows the money trail.
    let at = page.html.find("id=\"settled\"").expect("a settled sale");
    let link = &page.html[at..];
    let link = &link[link.find("href=\"/orders/").unwrap() + 6..];
    let order_path = link[..link.find('"').unwrap()].to_string();
    let order = m.get(&order_path).await;
    assert!(order.html.contains("id=\"money-trail\""), "{}", order.html);
    assert!(order.html.contains("Escrow"), "{}", order.html);

    let csrf = page.input("csrf");
    let pay = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", "deposit-1"),
        ("currency", "CNY"),
        ("amount", "1.00"),
    ];
    for _ in 0..2 {
        let done = m.post("/merchant/deposit", &pay).await;
        assert_eq!(done.status, 303, "{}", done.html);
    }
    let after = balances(&s, &merchant_cookie).await;
    assert_eq!(
        after["available"].as_u64().unwrap(),
        available - 100,
        "once: {after:?}"
    );
    assert_eq!(
        after["deposit"].as_u64().unwrap(),
        before["deposit"].as_u64().unwrap() + 100
    );
    // More than is available comes back with what was typed.
    let too_much = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", "deposit-2"),
        ("currency", "CNY"),
        ("amount", "99999.00"),
    ];
    let refused = m.post("/merchant/deposit", &too_much).await;
    assert!(refused.status >= 400, "{}", refused.html);
    assert!(
        refused.html.contains("value=\"99999.00\""),
        "{}",
        refused.html
    );
    // A buyer is not let in.
    let (_, buyer) = s.sign_up("not-a-merchant").await;
    let mut b = Browser::new(&s);
    let (n, v) = browser(&buyer);
    b.cookies.insert(n, v);
    assert_eq!(b.get("/merchant/money").await.status, 403);
}

#[tokio::test]
async fn the_money_trail_is_not_shown_to_the_buyer() {
    let s = Server::start().await;
    let (buyer, cookie) = s.sign_up("trail-buyer").await;
    s.fund(buyer, 10_000).await;
    let order = s.buy_one(&cookie, 1, "t1").await.body["order"]
        .as_u64()
        .unwrap();
    let mut b = Browser::new(&s);
    let (n, v) = browser(&cookie);
    b.cookies.insert(n, v);
    let page = b.get(&format!("/orders/{order}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.html.contains("id=\"money-trail\""));
    let mut admin = Browser::new(&s);
    admin
        .cookies
        .insert(trigate_web::COOKIE.into(), s.sessions.open(s.admin));
    let page = admin.get(&format!("/orders/{order}")).await;
    assert!(page.html.contains("id=\"money-trail\""), "{}", page.html);
}
