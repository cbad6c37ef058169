//! The pages beyond checkout: the storefront as merchants and admins
//! describe it (categories, descriptions, stock shown as chosen, the look
//! and announcement), emails, a dispute written in from the page and the
//! API, the staff outbox, the wallet's and withdrawals' forms coming back
//! with their errors — and no form answering 500, whatever is posted.

mod common;

use common::http::{Server, staff};
use common::pages::Browser;
use serde_json::json;
use trigate_core::AdminRole;
use trigate_web::COOKIE;

fn session(s: &Server, user: trigate_core::UserId) -> String {
    format!("{}={}", COOKIE, s.sessions.open(user))
}

/// Calls the API as `cookie`, expecting `status`.
async fn api(s: &Server, cookie: &str, path: &str, body: serde_json::Value, status: u16) {
    let r = s
        .call("POST", path, Some(cookie), &[], Some(&body.to_string()))
        .await;
    assert_eq!(r.status, status, "{path}: {:?}", r.body);
}

#[tokio::test]
async fn the_storefront_shows_what_merchants_and_admins_set() {
    let s = Server::start().await;
    let seller = session(&s, s.seller);
    let details = json!({"category": "Games", "description": "Line one\n<b>bold?</b>", "stock": "in_stock_or_not"});
    api(
        &s,
        &seller,
        "/api/v1/merchant/products/1/details",
        details,
        204,
    )
    .await;
    let admin = session(&s, s.admin);
    let look = json!({"name": "Key Corner", "colour": "#1E6B52", "announcement": "Open all night"});
    api(&s, &admin, "/api/v1/admin/look", look, 204).await;
    api(
        &s,
        &seller,
        "/api/v1/admin/look",
        json!({"name": "mine"}),
        403,
    )
    .await;
    let bad = json!({"colour": "red"});
    api(&s, &admin, "/api/v1/admin/look", bad, 422).await;

    let mut b = Browser::new(&s);
    b.lang = Some("en");
    let home = b.get("/").await;
    assert!(home.html.contains("Open all night"), "{}", home.html);
    assert!(home.html.contains("Key Corner"));
    assert!(home.html.contains("/theme.css?c=1e6b52"));
    assert!(home.html.contains("href=\"/?category=Games\""));
    assert!(
        !home.html.contains("3 in stock"),
        "the stock shows only as in stock"
    );
    assert!(home.html.contains("In stock"));
    let other = b.get("/?category=Nothing").await;
    assert_eq!(other.status, 200, "an unknown category shows everything");
    let product = b.get("/products/1").await;
    assert!(
        product
            .html
            .contains("Line one\n&#60;b&#62;bold?&#60;/b&#62;"),
        "{}",
        product.html
    );
    let theme = b.get("/theme.css?c=1e6b52").await;
    assert!(theme.html.contains("--brand:#1e6b52"));
    let catalog = s.call("GET", "/api/v1/products", None, &[], None).await;
    let p = &catalog.body["products"][0];
    assert_eq!(p["stock"], serde_json::Value::Null, "{p}");
    assert_eq!(
        (p["in_stock"].clone(), p["stock_shown"].clone()),
        (json!(true), json!("in_stock_or_not"))
    );
    assert_eq!(p["category"], "Games");
    let look = s.call("GET", "/api/v1/look", None, &[], None).await;
    assert_eq!(look.body["colour"], "#1e6b52");
}

#[tokio::test]
async fn emails_are_checked_on_checkout_and_on_the_account_page() {
    let s = Server::start().await;
    let mut b = Browser::new(&s);
    b.lang = Some("en");
    let form = b.get("/products/1").await;
    let fields = [
        ("csrf", form.input("csrf")),
        ("idempotency_key", form.input("idempotency_key")),
        ("product", "1".into()),
        ("quantity", "1".into()),
        ("lookup_secret", "secret-one".into()),
        ("email", "not an email".into()),
        ("method", "alipay".into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let r = b.post("/checkout", &fields).await;
    assert_eq!(r.status, 422);
    assert!(r.html.contains("Enter an email address"), "{}", r.html);
    assert!(
        r.html.contains("value=\"not an email\""),
        "what was typed is kept"
    );

    b.sign_up("email-owner").await;
    let page = b.get("/account/security").await;
    let csrf = page.input("csrf");
    let bad = b
        .post("/account/email", &[("csrf", &csrf), ("email", "a@b")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.html.contains("value=\"a@b\""));
    let good = b
        .post(
            "/account/email",
            &[("csrf", &csrf), ("email", "Owner@Example.com")],
        )
        .await;
    assert_eq!(good.status, 200);
    assert!(good.html.contains("id=\"email-saved\""));
    let me = s
        .call("GET", "/api/v1/me", Some(&b.cookie_header()), &[], None)
        .await;
    assert_eq!(me.body["email"], "Owner@example.com");
}

#[tokio::test]
async fn a_dispute_is_written_in_from_the_page_and_followed_with_the_outbox() {
    let s = Server::start().await;
    let mut b = Browser::new(&s);
    b.sign_up("disputer").await;
    let cookie = b.cookie_header();
    let me = s.call("GET", "/api/v1/me", Some(&cookie), &[], None).await;
    s.fund(me.body["id"].as_u64().unwrap(), 10_000).await;
    api(
        &s,
        &cookie,
        "/api/v1/me/email",
        json!({"email": "d@example.com"}),
        204,
    )
    .await;
    let order = s.buy_one(&cookie, 1, "d1").await.body["order"]
        .as_u64()
        .unwrap();
    let page = b.get(&format!("/orders/{order}")).await;
    let csrf = page.input("csrf");
    let opened = b
        .post(
            &format!("/orders/{order}/dispute"),
            &[("csrf", &csrf), ("reason", "used <key>")],
        )
        .await;
    assert_eq!(opened.status, 303, "{}", opened.html);
    let written = b
        .post(
            &format!("/orders/{order}/messages"),
            &[("csrf", &csrf), ("text", "please help")],
        )
        .await;
    assert_eq!(written.status, 303);
    let empty = b
        .post(
            &format!("/orders/{order}/messages"),
            &[("csrf", &csrf), ("text", "  ")],
        )
        .await;
    assert_eq!(empty.status, 422);
    assert!(
        empty.html.contains("id=\"message-error\""),
        "the order page again, with the error"
    );
    let long = "y".repeat(2_001);
    let too_long = b
        .post(
            &format!("/orders/{order}/messages"),
            &[("csrf", &csrf), ("text", &long)],
        )
        .await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.html.contains(&long), "what was typed is kept");
    let seller = session(&s, s.seller);
    let path = format!("/api/v1/orders/{order}/dispute/messages");
    api(&s, &seller, &path, json!({"text": "new key coming"}), 204).await;
    let stranger = session(&s, s.other_merchant);
    api(&s, &stranger, &path, json!({"text": "hi"}), 403).await;
    let shown = b.get(&format!("/orders/{order}")).await;
    for said in ["used &#60;key&#62;", "please help", "new key coming"] {
        assert!(shown.html.contains(said), "{said}: {}", shown.html);
    }
    // Staff read the outbox: the delivery, and the seller's message.
    let support = staff(&s, "support", AdminRole::Support).await;
    let mut desk = Browser::new(&s);
    desk.cookies.insert(COOKIE.into(), s.sessions.open(support));
    let outbox = desk.get("/staff/outbox").await;
    assert_eq!(outbox.status, 200);
    assert_eq!(
        outbox.html.matches("d@example.com").count(),
        2,
        "{}",
        outbox.html
    );
    let refused = b.get("/staff/outbox").await;
    assert_eq!(refused.status, 403);
    let api_outbox = s
        .call(
            "GET",
            "/api/v1/admin/outbox",
            Some(&session(&s, support)),
            &[],
            None,
        )
        .await;
    assert_eq!(api_outbox.body["messages"][0]["kind"], "dispute_updated");
}

#[tokio::test]
async fn wallet_and_withdrawal_forms_come_back_with_their_errors() {
    let s = Server::start().await;
    let mut b = Browser::new(&s);
    b.lang = Some("en");
    b.sign_up("forms").await;
    let wallet = b.get("/wallet").await;
    assert_eq!(wallet.status, 200);
    let csrf = wallet.input("csrf");
    let key = wallet.input("idempotency_key");
    let r = b
        .post(
            "/wallet/recharge",
            &[
                ("csrf", &csrf),
                ("idempotency_key", &key),
                ("amount", "12.345"),
                ("method", "alipay"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.html.contains("Enter an amount such as 12.50."),
        "{}",
        r.html
    );
    assert!(r.html.contains("value=\"12.345\""));
    let page = b.get("/withdrawals").await;
    let csrf = page.input("csrf");
    let added = b
        .post(
            "/destinations",
            &[("csrf", &csrf), ("label", ""), ("account", "6222")],
        )
        .await;
    assert_eq!(added.status, 422);
    assert!(added.html.contains("A name is 1 to 40 characters."));
    let added = b
        .post(
            "/destinations",
            &[("csrf", &csrf), ("label", "card"), ("account", "6222 1234")],
        )
        .await;
    assert_eq!(added.status, 303);
    let page = b.get("/withdrawals").await;
    assert!(page.html.contains("****1234"), "{}", page.html);
    let asked = b
        .post(
            "/withdrawals",
            &[
                ("csrf", &csrf),
                ("idempotency_key", "w1"),
                ("amount", "1"),
                ("destination", "1"),
                ("totp", ""),
            ],
        )
        .await;
    assert_eq!(asked.status, 422);
    assert!(
        asked
            .html
            .contains("Enter the code from your authenticator app.")
    );
    let asked = b
        .post(
            "/withdrawals",
            &[
                ("csrf", &csrf),
                ("idempotency_key", "w1"),
                ("amount", "1"),
                ("destination", "1"),
                ("totp", "123456"),
            ],
        )
        .await;
    assert_ne!(asked.status, 303, "no factor enrolled: refused");
    assert!(asked.html.contains("id=\"totp-error\"") || asked.html.contains("id=\"form-error\""));
    // Signed out, the buyer's pages send one to sign in first.
    let mut out = Browser::new(&s);
    for path in [
        "/wallet",
        "/withdrawals",
        "/account/orders",
        "/account/security",
    ] {
        let r = out.get(path).await;
        assert_eq!(r.status, 303, "{path}");
        assert!(
            r.header("location").unwrap().starts_with("/signin?next="),
            "{path}"
        );
    }
}

/// Whatever a form carries — nothing, garbage, huge or strange values —
/// the answer is a page, never a 500.
#[tokio::test]
async fn no_form_answers_500_whatever_is_posted() {
    let s = Server::start().await;
    let mut b = Browser::new(&s);
    b.sign_up("fuzzer").await;
    let csrf = b.get("/").await.input("csrf");
    let long = "x".repeat(70_000);
    let values = [
        "",
        "0",
        "-1",
        "18446744073709551616",
        "1e9",
        "<script>",
        "\u{0}",
        "%ff",
        long.as_str(),
    ];
    let routes = [
        "/checkout",
        "/lookup",
        "/signin",
        "/signup",
        "/wallet/recharge",
        "/withdrawals",
        "/destinations",
        "/destinations/1/remove",
        "/destinations/x/remove",
        "/account/security",
        "/account/email",
        "/orders/1/confirm",
        "/orders/1/dispute",
        "/orders/1/messages",
        "/orders/abc/messages",
    ];
    let names = [
        "product",
        "quantity",
        "coupon",
        "lookup_secret",
        "email",
        "method",
        "idempotency_key",
        "order",
        "login",
        "password",
        "totp",
        "amount",
        "destination",
        "label",
        "account",
        "reason",
        "text",
        "next",
    ];
    for route in routes {
        for value in values {
            let mut fields = vec![("csrf", csrf.as_str())];
            fields.extend(names.iter().map(|n| (*n, value)));
            let r = b.post(route, &fields).await;
            assert!(
                r.status < 500,
                "{route} with {:?}: {}",
                &value[..value.len().min(20)],
                r.status
            );
        }
        let raw = b.send("POST", route, Some("csrf=%zz&&==&quantity")).await;
        assert!(
            raw.status < 500,
            "{route} with a malformed body: {}",
            raw.status
        );
    }
}

/// The href of the pay page's link to the channel.
fn pay_link(html: &str) -> String {
    let at = html.find("id=\"pay-link\" href=\"").expect(html) + 20;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn a_top_up_form_sent_twice_shows_one_payment_and_a_guests_pass_opens_its_order() {
    let mock = common::epay_mock::Mock::start().await;
    let s = common::channels::shop(vec![common::channels::epay("alpha", &mock, false, 0)]).await;
    let mut b = Browser::new(&s);
    b.sign_up("topper").await;
    let wallet = b.get("/wallet").await;
    let (csrf, key) = (wallet.input("csrf"), wallet.input("idempotency_key"));
    let form = |amount: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("idempotency_key", key.clone()),
            ("amount", amount.to_string()),
            ("method", "alipay".to_string()),
        ]
    };
    let first_fields = form("12.50");
    let first_fields: Vec<(&str, &str)> =
        first_fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let first = b.post("/wallet/recharge", &first_fields).await;
    let second = b.post("/wallet/recharge", &first_fields).await;
    assert_eq!((first.status, second.status), (200, 200), "{}", first.html);
    assert!(first.html.contains("¥12.50"));
    assert_eq!(
        pay_link(&first.html),
        pay_link(&second.html),
        "one payment for a double click"
    );
    let other = form("20");
    let other: Vec<(&str, &str)> = other.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let conflict = b.post("/wallet/recharge", &other).await;
    assert_eq!(conflict.status, 409, "the key on another amount");

    // A guest checks out through the channel: the pay page, and a pass
    // that opens the order (and only in this browser).
    let mut guest = Browser::new(&s);
    let product = guest.get("/products/1").await;
    let fields = [
        ("csrf", product.input("csrf")),
        ("idempotency_key", product.input("idempotency_key")),
        ("product", "1".into()),
        ("quantity", "1".into()),
        ("lookup_secret", "guest-secret".into()),
        ("email", "guest@example.com".into()),
        ("method", "alipay".into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let paying = guest.post("/checkout", &fields).await;
    assert_eq!(paying.status, 200, "{}", paying.html);
    assert!(!pay_link(&paying.html).is_empty());
    assert!(guest.cookies.contains_key("trigate_guest"));
    let at = paying.html.find("hx-get=\"/orders/").unwrap() + 16;
    let order: String = paying.html[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let page = guest.get(&format!("/orders/{order}")).await;
    assert_eq!(page.status, 200, "{}", page.html);
    for _ in 0..8 {
        let live = guest.get(&format!("/orders/{order}/live")).await;
        assert_eq!(live.status, 200, "following a payment is never limited");
    }
    let mut other_browser = Browser::new(&s);
    let r = other_browser.get(&format!("/orders/{order}")).await;
    assert_eq!(r.status, 303, "another browser goes to the lookup");
}
