//! The admin console's orders and approvals over HTTP: every order, paged
//! and filtered by status; disputes decided from the list (released, or
//! refunded in part) once under a double submit; approvals decided by a
//! second member of finance, never the one who asked.

mod common;

use common::http::Server;
use common::pages::Browser;
use serde_json::json;
use trigate_core::AdminRole;
use trigate_web::COOKIE;

fn browser_of(s: &Server, user: trigate_core::UserId) -> Browser<'_> {
    let mut b = Browser::new(s);
    b.lang = Some("en");
    b.cookies.insert(COOKIE.into(), s.sessions.open(user));
    b
}

/// A buyer with `n` delivered orders of product 2 (keys imported for them).
async fn buyer_with_orders(s: &Server, login: &str, n: usize) -> String {
    let merchant = format!("{}={}", COOKIE, s.sessions.open(s.other_merchant));
    let text: String = (0..n).map(|i| format!("{login}-KEY-{i:04}\n")).collect();
    let r = s
        .call(
            "POST",
            "/api/v1/merchant/products/2/keys",
            Some(&merchant),
            &[("idempotency-key", login)],
            Some(&json!({ "text": text }).to_string()),
        )
        .await;
    assert_eq!(r.body["added"], n, "{:?}", r.body);
    let (buyer, cookie) = s.sign_up(login).await;
    s.fund(buyer, 1_000_000).await;
    for i in 0..n {
        s.buy_one(&cookie, 2, &format!("{login}-{i}")).await;
    }
    cookie
}

async fn dispute(s: &Server, cookie: &str, order: u64) {
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{order}/dispute"),
            Some(cookie),
            &[],
            Some(&json!({"reason": "the key does not work"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

/// The buyer asks staff to decide the dispute.
async fn escalate(s: &Server, cookie: &str, order: u64) {
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{order}/dispute/escalate"),
            Some(cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[tokio::test]
async fn order_lists_are_paged_and_filtered_by_status() {
    let s = Server::start().await;
    let cookie = buyer_with_orders(&s, "many-orders", 55).await;
    let mut buyer = Browser::new(&s);
    buyer.lang = Some("en");
    let (name, value) = cookie.split_once('=').unwrap();
    buyer.cookies.insert(name.into(), value.into());
    let first = buyer.get("/account/orders").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.html.matches("class=\"product\"").count(), 50);
    let at = first
        .html
        .find("id=\"older\"")
        .expect("a link to older orders");
    let href = &first.html[..at];
    let href = &href[href.rfind("href=\"").unwrap() + 6..];
    let href = &href[..href.find('"').unwrap()].replace("&amp;", "&");
    let older = buyer.get(href).await;
    assert_eq!(older.html.matches("class=\"product\"").count(), 5, "{href}");
    assert!(!older.html.contains("id=\"older\""));

    // One of them disputed: the filter shows it alone, to staff too.
    let r = s
        .call("GET", "/api/v1/orders?limit=1", Some(&cookie), &[], None)
        .await;
    let newest = r.body["orders"][0]["order"].as_u64().unwrap();
    dispute(&s, &cookie, newest).await;
    let disputed = buyer.get("/account/orders?status=disputed").await;
    assert_eq!(disputed.html.matches("class=\"product\"").count(), 1);
    let mut admin = browser_of(&s, s.admin);
    let listed = admin.get("/admin/orders?status=disputed").await;
    assert_eq!(listed.status, 200, "{}", listed.html);
    assert_eq!(listed.html.matches("data-status=\"disputed\"").count(), 1);
    assert!(listed.html.contains("value=\"disputed\" selected"));
    // An unknown status on a page shows every order; on the API it is 422.
    let all = admin.get("/admin/orders?status=nonsense&before=x").await;
    assert_eq!(all.status, 200);
    assert_eq!(all.html.matches("<tr id=\"order-").count(), 50);
    let r = s
        .call(
            "GET",
            "/api/v1/orders?status=nonsense",
            Some(&cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let r = s
        .call(
            "GET",
            "/api/v1/orders?status=disputed",
            Some(&cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(r.body["orders"].as_array().unwrap().len(), 1);
    // Buyers and merchants are not let in.
    assert_eq!(buyer.get("/admin/orders").await.status, 403);
}

#[tokio::test]
async fn staff_decide_disputes_from_the_list_once() {
    let s = Server::start().await;
    let cookie = buyer_with_orders(&s, "disputes", 2).await;
    let r = s
        .call("GET", "/api/v1/orders", Some(&cookie), &[], None)
        .await;
    let ids: Vec<u64> = r.body["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order"].as_u64().unwrap())
        .collect();
    for id in &ids {
        dispute(&s, &cookie, *id).await;
    }
    let mut admin = browser_of(&s, s.admin);
    // Staff decide only what the merchant did not settle.
    let waiting = admin.get("/admin/orders?status=disputed").await;
    assert!(!waiting.html.contains("/decide\""), "{}", waiting.html);
    for id in &ids {
        escalate(&s, &cookie, *id).await;
    }
    let listed = admin.get("/admin/orders?status=disputed").await;
    assert_eq!(
        listed.html.matches("/decide\"").count(),
        4,
        "{}",
        listed.html
    );
    let csrf = listed.input("csrf");
    // A part refund, sent twice: one refund.
    let refund = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", "refund-1"),
        ("decision", "refund"),
        ("amount", "5.00"),
        ("full", "15.00"),
        ("currency", "CNY"),
    ];
    let path = format!("/admin/orders/{}/decide", ids[0]);
    for _ in 0..2 {
        let done = admin.post(&path, &refund).await;
        assert_eq!(done.status, 303, "{}", done.html);
    }
    let r = s
        .call(
            "GET",
            &format!("/api/v1/orders/{}", ids[0]),
            Some(&cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(r.body["refunded"], 500, "{:?}", r.body);
    // A release; a refund without an amount takes what is left.
    let release = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", "release-1"),
        ("decision", "release"),
    ];
    let done = admin
        .post(&format!("/admin/orders/{}/decide", ids[1]), &release)
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    let left = admin.get("/admin/orders?status=disputed").await;
    assert!(left.html.contains("id=\"orders-none\""), "{}", left.html);
    // Nonsense comes back as the list with its reason, deciding nothing.
    let bad = admin
        .post(
            &format!("/admin/orders/{}/decide", ids[1]),
            &[
                ("csrf", &csrf),
                ("idempotency_key", "x"),
                ("decision", "maybe"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    assert!(bad.html.contains("id=\"form-error\""));
}

#[tokio::test]
async fn an_approval_is_decided_by_a_second_member_of_finance() {
    let s = Server::start().await;
    let first = common::http::staff(&s, "fin-a", AdminRole::Finance).await;
    let second = common::http::staff(&s, "fin-b", AdminRole::Finance).await;
    let asker = format!("{COOKIE}={}", s.sessions.open(first));
    let r = s
        .call(
            "POST",
            "/api/v1/admin/reserve/top-ups",
            Some(&asker),
            &[("idempotency-key", "top-up")],
            Some(&json!({"currency": "CNY", "amount": 20_000}).to_string()),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let approval = r.body["approval"].as_u64().unwrap();
    let mut a = browser_of(&s, first);
    let page = a.get("/admin/approvals").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains(&format!("id=\"approval-{approval}\"")));
    assert!(page.html.contains("Reserve top-up"));
    let csrf = page.input("csrf");
    let approve = format!("/admin/approvals/{approval}/approve");
    let own = a
        .post(&approve, &[("csrf", &csrf), ("idempotency_key", "own")])
        .await;
    assert_eq!(own.status, 403, "not the one who asked: {}", own.html);
    assert!(own.html.contains("id=\"form-error\""));
    let mut b = browser_of(&s, second);
    let csrf = b.get("/admin/approvals").await.input("csrf");
    let done = b
        .post(&approve, &[("csrf", &csrf), ("idempotency_key", "second")])
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    let after = b.get("/admin/approvals").await;
    assert!(
        after.html.contains("id=\"approvals-none\""),
        "{}",
        after.html
    );
    // Merchants are not let in.
    let mut seller = browser_of(&s, s.seller);
    assert_eq!(seller.get("/admin/approvals").await.status, 403);
}

#[tokio::test]
async fn the_channels_page_takes_no_nonsense_for_a_mark_paid() {
    let s = Server::start().await;
    let finance = common::http::staff(&s, "fin-c", AdminRole::Finance).await;
    let mut f = browser_of(&s, finance);
    let page = f.get("/admin/channels").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("id=\"sends-none\""), "{}", page.html);
    let csrf = page.input("csrf");
    for (attempt, status) in [("", 422), ("P-x", 422), ("999", 404)] {
        let r = f
            .post(
                "/admin/attempts/mark-paid",
                &[
                    ("csrf", &csrf),
                    ("idempotency_key", attempt),
                    ("attempt", attempt),
                ],
            )
            .await;
        assert_eq!(r.status, status, "{attempt:?}: {}", r.html);
        assert!(r.html.contains("id=\"form-error\""), "{attempt:?}");
    }
    let r = f
        .post(
            "/admin/sends/1/resolve",
            &[("csrf", &csrf), ("outcome", "perhaps")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.html);
    let mut seller = browser_of(&s, s.seller);
    assert_eq!(seller.get("/admin/channels").await.status, 403);
}

#[tokio::test]
async fn users_are_found_by_login_and_role_and_given_another_role() {
    let s = Server::start().await;
    let (buyer, _) = s.sign_up("role-change-me").await;
    let mut admin = browser_of(&s, s.admin);
    let page = admin.get("/admin/users?q=CHANGE-me").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert_eq!(
        page.html.matches("<tr id=\"user-").count(),
        1,
        "{}",
        page.html
    );
    let staff = admin.get("/admin/users?role=admin").await;
    assert!(staff.html.contains(&format!("id=\"user-{}\"", s.admin.0)));
    assert!(!staff.html.contains(&format!("id=\"user-{buyer}\"")));
    let csrf = page.input("csrf");
    let set = admin
        .post(
            &format!("/admin/users/{buyer}/role"),
            &[("csrf", &csrf), ("role", "support")],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.html);
    let after = admin.get("/admin/users?q=role-change-me").await;
    assert!(
        after.html.contains("data-role=\"support\""),
        "{}",
        after.html
    );
    // Not one's own role, and not a role that does not exist.
    let own = admin
        .post(
            &format!("/admin/users/{}/role", s.admin.0),
            &[("csrf", &csrf), ("role", "buyer")],
        )
        .await;
    assert_eq!(own.status, 403, "{}", own.html);
    let bad = admin
        .post(
            &format!("/admin/users/{buyer}/role"),
            &[("csrf", &csrf), ("role", "emperor")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    let mut seller = browser_of(&s, s.seller);
    assert_eq!(seller.get("/admin/users").await.status, 403);
}

#[tokio::test]
async fn a_wallet_credit_asked_on_the_users_page_is_approved_by_another() {
    let s = Server::start().await;
    let (buyer, cookie) = s.sign_up("credited-buyer").await;
    let first = common::http::staff(&s, "fin-d", AdminRole::Finance).await;
    let second = common::http::staff(&s, "fin-e", AdminRole::Finance).await;
    let mut a = browser_of(&s, first);
    let csrf = a.get("/admin/users").await.input("csrf");
    let credit = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", "credit-1"),
        ("currency", "CNY"),
        ("amount", "12.50"),
        ("note", "bank transfer 0042"),
    ];
    for _ in 0..2 {
        let asked = a
            .post(&format!("/admin/users/{buyer}/credit"), &credit)
            .await;
        assert_eq!(asked.status, 200, "{}", asked.html);
        assert!(asked.html.contains("id=\"form-done\""));
    }
    let bad = a
        .post(
            &format!("/admin/users/{buyer}/credit"),
            &[
                ("csrf", &csrf),
                ("idempotency_key", "credit-2"),
                ("currency", "CNY"),
                ("amount", "-3"),
                ("note", "x"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    let waiting = a.get("/admin/approvals").await;
    assert_eq!(
        waiting.html.matches("<tr id=\"credit-").count(),
        1,
        "asked once: {}",
        waiting.html
    );
    let own = a
        .post(
            "/admin/credits/1/approve",
            &[("csrf", &csrf), ("idempotency_key", "o")],
        )
        .await;
    assert_eq!(own.status, 403, "{}", own.html);
    let mut b = browser_of(&s, second);
    let csrf_b = b.get("/admin/approvals").await.input("csrf");
    let done = b
        .post(
            "/admin/credits/1/approve",
            &[("csrf", &csrf_b), ("idempotency_key", "b")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    let wallet = s
        .call("GET", "/api/v1/wallet", Some(&cookie), &[], None)
        .await;
    assert_eq!(wallet.status, 200, "{:?}", wallet.body);
    assert!(
        wallet.body.to_string().contains("1250"),
        "{:?}",
        wallet.body
    );
}

#[tokio::test]
async fn an_admin_sets_the_look_with_a_logo_and_a_bad_one_comes_back() {
    let s = Server::start().await;
    let mut admin = browser_of(&s, s.admin);
    let page = admin.get("/admin/look").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("id=\"settings\""));
    assert!(page.html.contains("UTC+08:00"), "{}", page.html);
    let csrf = page.input("csrf");
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\xdacd\xf8\xcf\x00\x00\x03\x06\x01\x80Z4}k\0\0\0\0IEND\xaeB`\x82";
    let cookie = admin.cookie_header();
    let post = |fields: Vec<(&'static str, String)>, logo: Option<Vec<u8>>| {
        let cookie = cookie.clone();
        let s = &s;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let file = logo
                .as_deref()
                .map(|b| ("logo", "logo.png", "image/png", b));
            common::pages::multipart(s, "/admin/look", &cookie, &fields, file).await
        }
    };
    let (status, text) = post(
        vec![
            ("csrf", csrf.clone()),
            ("name", "Key Corner".into()),
            ("colour", "#1e6b52".into()),
            ("announcement", "Hello".into()),
        ],
        Some(png.to_vec()),
    )
    .await;
    assert_eq!(status, 303, "{text}");
    let r = s.call("GET", "/api/v1/look", None, &[], None).await;
    assert_eq!(r.body["name"], "Key Corner", "{:?}", r.body);
    assert!(
        r.body["logo"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,")
    );
    // A colour that is not one comes back with what was typed.
    let typed = vec![
        ("csrf", csrf.clone()),
        ("name", "Other name".into()),
        ("colour", "red".into()),
        ("announcement", String::new()),
    ];
    let (status, text) = post(typed, None).await;
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("value=\"Other name\""), "{text}");
    // A logo over 36 KB is a 413 page.
    let big = vec![0u8; 40 * 1024];
    let (status, text) = post(
        vec![("csrf", csrf.clone()), ("name", "x".into())],
        Some(big),
    )
    .await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("36 KB"), "{text}");
    // Without the token: refused.
    let (status, _) = post(vec![("name", "x".into())], None).await;
    assert_eq!(status, 403);
    let mut seller = browser_of(&s, s.seller);
    assert_eq!(seller.get("/admin/look").await.status, 403);
}

#[tokio::test]
async fn an_admin_opens_a_merchant_and_finance_asks_to_forfeit_a_banned_ones_deposit() {
    let s = Server::start().await;
    let (user, _) = s.sign_up("future-merchant").await;
    let mut admin = browser_of(&s, s.admin);
    let csrf = admin.get("/admin/users").await.input("csrf");
    let set = admin
        .post(
            &format!("/admin/users/{user}/role"),
            &[("csrf", &csrf), ("role", "merchant")],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.html);
    let open = |owner: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("owner", owner.to_string()),
            ("name", "Fresh Keys".to_string()),
            ("fee", "4.50".to_string()),
            ("holding_days", "2".to_string()),
        ]
    };
    let unknown = open("nobody-here");
    let unknown: Vec<(&str, &str)> = unknown.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let refused = admin.post("/admin/merchants/open", &unknown).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(refused.html.contains("id=\"form-error\""));
    let known = open("Future-Merchant");
    let known: Vec<(&str, &str)> = known.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let opened = admin.post("/admin/merchants/open", &known).await;
    assert_eq!(opened.status, 303, "{}", opened.html);
    assert!(
        admin
            .get("/admin/merchants")
            .await
            .html
            .contains("Fresh Keys")
    );

    // The other merchant earns, pays a deposit, is banned; finance asks.
    let merchant = s.released_sale().await;
    let r = s
        .call(
            "POST",
            "/api/v1/merchant/deposit",
            Some(&merchant),
            &[("idempotency-key", "dep")],
            Some(&json!({"currency": "CNY", "amount": 100}).to_string()),
        )
        .await;
    assert!(r.status < 300, "{:?}", r.body);
    let ban = admin
        .post(
            "/admin/merchants/2/status",
            &[("csrf", &csrf), ("status", "banned")],
        )
        .await;
    assert_eq!(ban.status, 303, "{}", ban.html);
    let finance = common::http::staff(&s, "fin-f", AdminRole::Finance).await;
    let mut f = browser_of(&s, finance);
    let csrf_f = f.get("/admin/merchants").await.input("csrf");
    let bad = f
        .post(
            "/admin/merchants/2/forfeit",
            &[
                ("csrf", &csrf_f),
                ("idempotency_key", "ff0"),
                ("currency", "C1"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    let asked = f
        .post(
            "/admin/merchants/2/forfeit",
            &[
                ("csrf", &csrf_f),
                ("idempotency_key", "ff1"),
                ("currency", "CNY"),
            ],
        )
        .await;
    assert_eq!(asked.status, 303, "{}", asked.html);
    let waiting = f.get("/admin/approvals").await;
    assert!(waiting.html.contains("Deposit forfeit"), "{}", waiting.html);
}

/// Sets merchant 2's status from the merchants page: the answer's status.
async fn set_status(b: &mut Browser<'_>, csrf: &str, to: &str) -> u16 {
    let fields = [("csrf", csrf), ("status", to)];
    b.post("/admin/merchants/2/status", &fields).await.status
}

#[tokio::test]
async fn merchants_withdrawals_and_the_audit_log_are_filtered_and_paged() {
    let s = Server::start().await;
    let mut admin = browser_of(&s, s.admin);
    let csrf = admin.get("/admin/merchants").await.input("csrf");
    assert_eq!(set_status(&mut admin, &csrf, "frozen").await, 303);
    let frozen = admin.get("/admin/merchants?status=frozen").await;
    assert_eq!(
        frozen.html.matches("<tr id=\"merchant-").count(),
        1,
        "{}",
        frozen.html
    );
    assert!(frozen.html.contains("id=\"merchant-2\""));
    let active = admin.get("/admin/merchants?status=active").await;
    assert!(!active.html.contains("id=\"merchant-2\""));
    let w = admin
        .get("/admin/withdrawals?status=requested&page=x")
        .await;
    assert_eq!(w.status, 200, "{}", w.html);
    assert!(w.html.contains("value=\"requested\" selected"));
    // The audit log, 100 entries a page.
    for i in 0..110 {
        assert_eq!(
            set_status(
                &mut admin,
                &csrf,
                if i % 2 == 0 { "active" } else { "frozen" }
            )
            .await,
            303
        );
    }
    let audit = admin.get("/admin/audit").await;
    let rows = |html: &str| html.matches("<tr><td>").count();
    assert_eq!(rows(&audit.html), 100);
    let at = audit.html.find("id=\"older\"").expect("older entries");
    let href = &audit.html[..at];
    let href = &href[href.rfind("href=\"").unwrap() + 6..];
    let href = href[..href.find('"').unwrap()].replace("&amp;", "&");
    let older = admin.get(&href).await;
    assert!(rows(&older.html) >= 11, "{href}: {}", older.html);
}
