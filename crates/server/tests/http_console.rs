//! The merchant console over HTTP: only a merchant's owner gets in; its
//! products with stock and balances; putting one on or off sale; its
//! storefront details; and importing keys from an uploaded file whose
//! byte-order mark, CRLF line ends, duplicates, a line that is not UTF-8
//! and an over-long line are each reported by number — never a 500 — and
//! a file over 10 MB is a 413 page.

mod common;

use common::http::Server;
use common::pages::Browser;
use trigate_web::COOKIE;

/// A multipart POST of `fields` and a key file; (status, raw response).
async fn upload(
    s: &Server,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    file: &[u8],
) -> (u16, String) {
    let file = ("file", "keys.csv", "text/csv", file);
    common::pages::multipart(s, path, cookie, fields, Some(file)).await
}

fn seller_browser(s: &Server) -> Browser<'_> {
    let mut b = Browser::new(s);
    b.lang = Some("en");
    b.cookies.insert(COOKIE.into(), s.sessions.open(s.seller));
    b
}

#[tokio::test]
async fn a_key_file_imports_with_every_bad_line_reported_by_number() {
    let s = Server::start().await;
    let mut b = seller_browser(&s);
    let list = b.get("/merchant/products").await;
    assert_eq!(list.status, 200, "{}", list.html);
    assert!(list.html.contains("id=\"product-1\""));
    let page = b.get("/merchant/products/1").await;
    let (csrf, key) = (page.input("csrf"), page.input("idempotency_key"));
    let mut file = b"\xEF\xBB\xBFNEW-1\r\nNEW-2\r\nAAAA-1111\r\nNEW-1\r\n\xFF\xFEbad\r\n".to_vec();
    file.extend_from_slice("L".repeat(2_000).as_bytes());
    file.extend_from_slice(b"\r\nNEW-3\r\n");
    let cookie = b.cookie_header();
    let fields = [("csrf", csrf.as_str()), ("idempotency_key", key.as_str())];
    let (status, html) = upload(&s, "/merchant/products/1/keys", &cookie, &fields, &file).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("3 added"), "{html}");
    assert!(html.contains("2 duplicates skipped"), "{html}");
    assert!(html.contains("Line 5: not UTF-8 text"), "{html}");
    assert!(html.contains("Line 6: too long"), "{html}");
    let catalog = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(
        catalog.body["products"][0]["stock"], 6,
        "3 keys + 3 imported"
    );
    // The same form sent again imports nothing more.
    let (again, _) = upload(&s, "/merchant/products/1/keys", &cookie, &fields, &file).await;
    assert_eq!(again, 200);
    let catalog = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(catalog.body["products"][0]["stock"], 6);
}

#[tokio::test]
async fn uploads_without_a_token_or_over_10_mb_are_refused_as_pages() {
    let s = Server::start().await;
    let mut b = seller_browser(&s);
    let page = b.get("/merchant/products/1").await;
    let csrf = page.input("csrf");
    let cookie = b.cookie_header();
    let (status, _) = upload(
        &s,
        "/merchant/products/1/keys",
        &cookie,
        &[("idempotency_key", "k")],
        b"X-1\n",
    )
    .await;
    assert_eq!(status, 403);
    let big = vec![b'A'; 10 * 1024 * 1024 + 1];
    let (status, html) = upload(
        &s,
        "/merchant/products/1/keys",
        &cookie,
        &[("csrf", &csrf)],
        &big,
    )
    .await;
    assert_eq!(status, 413, "{}", &html[..html.len().min(300)]);
    assert!(
        html.contains("content-type: text/html"),
        "a page: {}",
        &html[..html.len().min(300)]
    );
    // Beyond what any route takes: the shop's page still, in its language.
    let bigger = vec![b'A'; 11 * 1024 * 1024];
    let (status, html) = upload(
        &s,
        "/merchant/products/1/keys",
        &cookie,
        &[("csrf", &csrf)],
        &bigger,
    )
    .await;
    assert_eq!(status, 413);
    assert!(
        html.contains("content-type: text/html"),
        "{}",
        &html[..html.len().min(300)]
    );
    assert!(
        html.contains("<html lang=\"en\""),
        "{}",
        &html[..html.len().min(300)]
    );
    // The API's own import route answers in the API's shape.
    let text = "K".repeat(100 * 1024);
    let r = s
        .call(
            "POST",
            "/api/v1/merchant/products/1/keys",
            Some(&cookie),
            &[("idempotency-key", "big")],
            Some(&serde_json::json!({ "text": text }).to_string()),
        )
        .await;
    assert_eq!(r.status, 413, "{:?}", r.body);
    assert_eq!(r.body["error"]["code"], "payload_too_large");
    let catalog = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(catalog.body["products"][0]["stock"], 3, "nothing imported");
}

#[tokio::test]
async fn only_a_merchants_owner_gets_in_and_puts_products_on_and_off_sale() {
    let s = Server::start().await;
    let mut buyer = Browser::new(&s);
    buyer.sign_up("not-a-merchant").await;
    assert_eq!(buyer.get("/merchant/products").await.status, 403);
    let mut out = Browser::new(&s);
    assert_eq!(out.get("/merchant/products").await.status, 303);
    let mut b = seller_browser(&s);
    let list = b.get("/merchant/products").await;
    assert!(list.html.contains("Available"), "balances are shown");
    let csrf = list.input("csrf");
    let off = b
        .post(
            "/merchant/products/1/on-sale",
            &[("csrf", &csrf), ("on_sale", "false")],
        )
        .await;
    assert_eq!(off.status, 303);
    let catalog = s.call("GET", "/api/v1/products", None, &[], None).await;
    let on_sale = |body: &serde_json::Value, id: u64| {
        body["products"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id)
    };
    assert!(!on_sale(&catalog.body, 1), "off sale");
    let details = b
        .post(
            "/merchant/products/1/details",
            &[
                ("csrf", &csrf),
                ("category", "Games"),
                ("description", "Fast"),
                ("stock", "in_stock_or_not"),
            ],
        )
        .await;
    assert_eq!(details.status, 200);
    assert!(details.html.contains("id=\"details-saved\""));
    let on = b
        .post(
            "/merchant/products/1/on-sale",
            &[("csrf", &csrf), ("on_sale", "true")],
        )
        .await;
    assert_eq!(on.status, 303);
    let catalog = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert!(on_sale(&catalog.body, 1));
    assert_eq!(catalog.body["products"][0]["category"], "Games");
    let other = s.sessions.open(s.other_merchant);
    let mut other_b = Browser::new(&s);
    other_b.cookies.insert(COOKIE.into(), other);
    assert_eq!(
        other_b.get("/merchant/products/1").await.status,
        404,
        "not its product"
    );
}

#[tokio::test]
async fn a_merchant_answers_a_dispute_from_the_order_page_once() {
    let s = Server::start().await;
    let (buyer, cookie) = s.sign_up("disputing-buyer").await;
    s.fund(buyer, 10_000).await;
    let order = s.buy_one(&cookie, 1, "b1").await.body["order"]
        .as_u64()
        .unwrap();
    let path = format!("/api/v1/orders/{order}/dispute");
    let r = s
        .call(
            "POST",
            &path,
            Some(&cookie),
            &[],
            Some(&serde_json::json!({"reason": "used"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let mut b = seller_browser(&s);
    let sales = b.get("/merchant/orders").await;
    assert!(
        sales.html.contains(&format!("href=\"/orders/{order}\"")),
        "{}",
        sales.html
    );
    let page = b.get(&format!("/orders/{order}")).await;
    assert!(page.html.contains("id=\"replace-keys\""), "{}", page.html);
    assert!(
        !page.html.contains("id=\"confirm\""),
        "the buyer's forms are not the seller's"
    );
    let (csrf, key) = (page.input("csrf"), page.input("idempotency_key"));
    let fields = [("csrf", csrf.as_str()), ("idempotency_key", key.as_str())];
    let first = b
        .post(&format!("/orders/{order}/replace-keys"), &fields)
        .await;
    let again = b
        .post(&format!("/orders/{order}/replace-keys"), &fields)
        .await;
    assert_eq!((first.status, again.status), (303, 303), "{}", first.html);
    let seen = s
        .call(
            "GET",
            &format!("/api/v1/orders/{order}"),
            Some(&cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(seen.body["status"], "delivered");
    let catalog = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(
        catalog.body["products"][0]["stock"], 1,
        "3 keys: one sold, one replacement, once"
    );
    // Refunding an order no longer disputed comes back with the refusal.
    let refund = [("csrf", csrf.as_str()), ("idempotency_key", "refund-1")];
    let r = b
        .post(&format!("/orders/{order}/refund-dispute"), &refund)
        .await;
    assert_eq!(r.status, 409, "{}", r.html);
    assert!(r.html.contains("id=\"form-error\""));
}

#[tokio::test]
async fn a_new_product_form_comes_back_with_its_errors_then_creates_once() {
    let s = Server::start().await;
    let mut b = seller_browser(&s);
    let form = b.get("/merchant/products/new").await;
    assert_eq!(form.status, 200);
    let (csrf, key) = (form.input("csrf"), form.input("idempotency_key"));
    let bad = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("title", "Gift card <50>"),
        ("price", "abc"),
        ("min", "3"),
        ("max", "2"),
        ("tiers", "10=x"),
        ("delivery", "keys"),
        ("l1", "150"),
    ];
    let r = b.post("/merchant/products/new", &bad).await;
    assert_eq!(r.status, 422, "{}", r.html);
    for id in [
        "price-error",
        "quantities-error",
        "tiers-error",
        "commissions-error",
    ] {
        assert!(r.html.contains(&format!("id=\"{id}\"")), "{id}: {}", r.html);
    }
    assert!(
        r.html.contains("value=\"Gift card &#60;50&#62;\""),
        "typed kept, escaped"
    );
    let good = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("title", "Gift card"),
        ("price", "50"),
        ("min", "1"),
        ("max", "3"),
        ("tiers", "2=45.50"),
        ("delivery", "text"),
        ("text", "https://example.com/redeem"),
        ("l1", "2.5"),
        ("l2", "0"),
    ];
    let first = b.post("/merchant/products/new", &good).await;
    let again = b.post("/merchant/products/new", &good).await;
    assert_eq!(first.status, 303, "{}", first.html);
    assert_eq!(
        first.header("location"),
        again.header("location"),
        "a double click is one product"
    );
    let catalog = s.call("GET", "/api/v1/products", None, &[], None).await;
    let made: Vec<_> = catalog.body["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["title"] == "Gift card")
        .collect();
    assert_eq!(made.len(), 1, "{:?}", catalog.body);
    assert_eq!(made[0]["price"], 5_000);
}

#[tokio::test]
async fn an_admin_freezes_a_merchant_and_its_products_leave_the_storefront() {
    let s = Server::start().await;
    let mut admin = Browser::new(&s);
    admin.lang = Some("en");
    admin
        .cookies
        .insert(COOKIE.into(), s.sessions.open(s.admin));
    let page = admin.get("/admin/merchants").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(
        page.html
            .contains("id=\"merchant-1\" data-status=\"active\""),
        "{}",
        page.html
    );
    let csrf = page.input("csrf");
    let frozen = admin
        .post(
            "/admin/merchants/1/status",
            &[("csrf", &csrf), ("status", "frozen")],
        )
        .await;
    assert_eq!(frozen.status, 303);
    let catalog = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert!(
        !catalog.body["products"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == 1),
        "a frozen merchant sells nothing"
    );
    let back = admin
        .post(
            "/admin/merchants/1/status",
            &[("csrf", &csrf), ("status", "active")],
        )
        .await;
    assert_eq!(back.status, 303);
    let catalog = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert!(
        catalog.body["products"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == 1)
    );
    let bad = admin
        .post(
            "/admin/merchants/1/status",
            &[("csrf", &csrf), ("status", "gone")],
        )
        .await;
    assert_eq!(bad.status, 422);
    let mut seller = seller_browser(&s);
    assert_eq!(
        seller.get("/admin/merchants").await.status,
        403,
        "staff only"
    );
}

#[tokio::test]
async fn the_withdrawals_console_is_for_staff_and_refusals_come_back_on_it() {
    let s = Server::start().await;
    let mut admin = Browser::new(&s);
    admin.lang = Some("en");
    admin
        .cookies
        .insert(COOKIE.into(), s.sessions.open(s.admin));
    let page = admin.get("/admin/withdrawals").await;
    assert_eq!(page.status, 200, "{}", page.html);
    let csrf = page.input("csrf");
    let r = admin
        .post(
            "/admin/withdrawals/99/approve",
            &[("csrf", &csrf), ("idempotency_key", "a99")],
        )
        .await;
    assert!(
        r.status == 404 || r.status == 409,
        "{}: {}",
        r.status,
        r.html
    );
    assert!(r.html.contains("id=\"form-error\""), "{}", r.html);
    let r = admin
        .post(
            "/admin/withdrawals/x/paid",
            &[
                ("csrf", &csrf),
                ("idempotency_key", "p"),
                ("reference", "R"),
            ],
        )
        .await;
    assert_eq!(r.status, 404);
    let mut seller = seller_browser(&s);
    assert_eq!(seller.get("/admin/withdrawals").await.status, 403);
}

#[tokio::test]
async fn admins_stop_and_lift_outflows_and_read_the_audit_log_filtered() {
    let s = Server::start().await;
    let second = common::http::staff(&s, "admin2", trigate_core::AdminRole::Admin).await;
    let mut a = Browser::new(&s);
    a.lang = Some("en");
    a.cookies.insert(COOKIE.into(), s.sessions.open(s.admin));
    let page = a.get("/admin/custody").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("data-stopped=\"false\""));
    let csrf = page.input("csrf");
    let stopped = a
        .post(
            "/admin/outflows/stop",
            &[("csrf", &csrf), ("note", "bank incident <7>")],
        )
        .await;
    assert_eq!(stopped.status, 303, "{}", stopped.html);
    let page = a.get("/admin/custody").await;
    assert!(page.html.contains("data-stopped=\"true\""), "{}", page.html);
    assert!(page.html.contains("bank incident &#60;7&#62;"));
    a.post("/admin/outflows/lift", &[("csrf", &csrf)]).await;
    assert!(a.get("/admin/custody").await.html.contains("1 of 2 admins"));
    let mut b = Browser::new(&s);
    b.cookies.insert(COOKIE.into(), s.sessions.open(second));
    let csrf_b = b.get("/admin/custody").await.input("csrf");
    let lifted = b.post("/admin/outflows/lift", &[("csrf", &csrf_b)]).await;
    assert_eq!(lifted.status, 303);
    assert!(
        a.get("/admin/custody")
            .await
            .html
            .contains("data-stopped=\"false\"")
    );
    let audit = a.get("/admin/audit").await;
    assert_eq!(audit.status, 200);
    let by_second = a.get(&format!("/admin/audit?actor={}", second.0)).await;
    let rows = |html: &str| html.matches("<tr><td>").count();
    assert!(
        rows(&by_second.html) >= 1 && rows(&by_second.html) < rows(&audit.html),
        "{}",
        by_second.html
    );
    let none = a.get("/admin/audit?q=no-such-action-here").await;
    assert_eq!(rows(&none.html), 0);
    let mut seller = seller_browser(&s);
    assert_eq!(seller.get("/admin/custody").await.status, 403);
}

#[tokio::test]
async fn every_staff_role_signs_in_with_a_second_factor() {
    let s = Server::start().await;
    for (login, role) in [
        ("support", trigate_core::AdminRole::Support),
        ("auditor", trigate_core::AdminRole::Auditor),
        ("risk", trigate_core::AdminRole::RiskAnalyst),
    ] {
        let hash = trigate_app::identity::hash_password("staff-password").unwrap();
        s.engine
            .submit(trigate_core::Command::Register {
                login: login.into(),
                role: trigate_core::Role::Staff(role),
                referrer_code: None,
                password: Some(trigate_core::PasswordHash(hash)),
            })
            .await
            .unwrap();
        let body = serde_json::json!({"login": login, "password": "staff-password"}).to_string();
        let r = s
            .call("POST", "/api/v1/auth/login", None, &[], Some(&body))
            .await;
        assert_eq!(r.status, 401, "{login}: {:?}", r.body);
        assert_eq!(
            common::http::error_code(&r),
            "second_factor_required",
            "{login}"
        );
    }
}

#[tokio::test]
async fn a_merchant_makes_an_api_key_whose_secret_is_shown_once() {
    let s = Server::start().await;
    let mut b = seller_browser(&s);
    let page = b.get("/merchant/api-keys").await;
    assert_eq!(page.status, 200);
    assert!(!page.html.contains("id=\"api-key-secret\""));
    let csrf = page.input("csrf");
    let made = b.post("/merchant/api-keys", &[("csrf", &csrf)]).await;
    assert_eq!(made.status, 200, "{}", made.html);
    let grab = |id: &str| {
        let at = made.html.find(&format!("id=\"{id}\">")).unwrap() + id.len() + 6;
        made.html[at..at + made.html[at..].find('<').unwrap()].to_string()
    };
    let (key_id, secret) = (grab("api-key-id"), grab("api-key-secret"));
    assert!(
        !key_id.is_empty() && secret.len() >= 32,
        "{key_id} {secret}"
    );
    let again = b.get("/merchant/api-keys").await;
    assert!(!again.html.contains(&secret), "shown once");
    let mut buyer = Browser::new(&s);
    buyer.sign_up("no-keys").await;
    assert_eq!(buyer.get("/merchant/api-keys").await.status, 403);
}
