//! The risk desk's pages: a held checkout in the queue, explained, approved
//! once from the page (sent twice, delivered once); a rule saved and
//! backtested from the rules page (a bad one refused naming the feature);
//! an identifier listed and removed — in both languages, staff only.

mod common;

use common::http::{Server, staff};
use common::pages::Browser;
use serde_json::json;
use trigate_core::risk::RiskSettings;
use trigate_core::{AdminRole, Command};
use trigate_web::COOKIE;

#[tokio::test]
async fn an_analyst_works_the_queue_rules_and_lists_from_the_pages() {
    let s = Server::start().await;
    s.engine
        .submit(Command::StartRisk {
            settings: RiskSettings::default(),
        })
        .await
        .unwrap();
    let rita = staff(&s, "rita", AdminRole::RiskAnalyst).await;
    let mut analyst = Browser::new(&s);
    analyst.lang = Some("en");
    analyst.cookies.insert(COOKIE.into(), s.sessions.open(rita));

    // A rule from the page: a bad one is refused naming the feature.
    let page = analyst.get("/admin/risk/rules").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(
        page.html.contains("id=\"rule-failed_payment_burst\""),
        "the default pack is listed"
    );
    let csrf = page.input("csrf");
    let bad = analyst
        .post(
            "/admin/risk/rules",
            &[
                ("csrf", &csrf),
                ("action", "save"),
                ("name", "big"),
                ("expr", "amout > 1"),
                ("outcome", "hold"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    assert!(
        bad.html.contains("unknown feature &#34;amout&#34;"),
        "{}",
        bad.html
    );
    assert!(
        bad.html.contains("amout &#62; 1"),
        "what was typed comes back"
    );
    let saved = analyst
        .post(
            "/admin/risk/rules",
            &[
                ("csrf", &csrf),
                ("action", "save"),
                ("name", "big"),
                ("expr", "amount >= 1"),
                ("outcome", "hold"),
                ("points", "wallet_payment"),
                ("reason", "large_amount"),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.html);
    assert!(saved.html.contains("id=\"rule-big\""));

    // A buyer's checkout is held; the queue shows it.
    let (buyer, cookie) = s.sign_up("held-buyer").await;
    s.fund(buyer, 100_000).await;
    let r = s.buy_one(&cookie, 1, "k1").await;
    let order = r.body["order"].as_u64().unwrap();
    // The buyer's page says the payment is being checked, and shows no key.
    let mut buyer_page = Browser::new(&s);
    buyer_page.lang = Some("en");
    buyer_page
        .cookies
        .insert(COOKIE.into(), cookie.split_once('=').unwrap().1.to_string());
    let held = buyer_page.get(&format!("/orders/{order}")).await;
    assert!(held.html.contains("id=\"order-held\""), "{}", held.html);
    assert!(!held.html.contains("class=\"keys\""), "{}", held.html);
    let queue = analyst.get("/admin/risk").await;
    assert_eq!(queue.status, 200, "{}", queue.html);
    assert!(
        queue
            .html
            .contains(&format!("<a href=\"/orders/{order}\">Order {order}</a>")),
        "{}",
        queue.html
    );
    let decision = s
        .call(
            "GET",
            "/api/v1/risk/reviews",
            Some(&format!("{COOKIE}={}", s.sessions.open(rita))),
            &[],
            None,
        )
        .await;
    let review = decision.body[0]["id"].as_u64().unwrap();
    let decision_id = decision.body[0]["decision"].as_u64().unwrap();
    let explained = analyst
        .get(&format!("/admin/risk/decisions/{decision_id}"))
        .await;
    assert_eq!(explained.status, 200);
    assert!(
        explained.html.contains("rule big (v1) fired"),
        "{}",
        explained.html
    );

    // Approved from the page, sent twice: delivered once.
    let csrf = queue.input("csrf");
    let approve = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", "page-approve-1"),
        ("decision", "approve"),
        ("note", "known buyer"),
    ];
    let path = format!("/admin/risk/reviews/{review}/decide");
    for _ in 0..2 {
        let done = analyst.post(&path, &approve).await;
        assert_eq!(done.status, 200, "{}", done.html);
        assert!(done.html.contains("id=\"form-done\""), "{}", done.html);
    }
    let view = s
        .call(
            "GET",
            &format!("/api/v1/orders/{order}"),
            Some(&cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(view.body["status"], "delivered");
    let delivered = buyer_page.get(&format!("/orders/{order}")).await;
    assert!(
        !delivered.html.contains("id=\"order-held\""),
        "{}",
        delivered.html
    );
    assert!(
        delivered.html.contains("class=\"keys\""),
        "{}",
        delivered.html
    );

    // A backtest from the page over the recorded decisions.
    let tested = analyst
        .post(
            "/admin/risk/rules",
            &[
                ("csrf", &csrf),
                ("action", "backtest"),
                ("name", "big"),
                ("expr", "amount >= 1000000"),
                ("outcome", "hold"),
            ],
        )
        .await;
    assert_eq!(tested.status, 200, "{}", tested.html);
    assert!(
        tested.html.contains("id=\"backtest-changed\">1<"),
        "{}",
        tested.html
    );

    // Lists: add, then remove.
    let added = analyst
        .post(
            "/admin/risk/lists",
            &[
                ("csrf", &csrf),
                ("list", "block"),
                ("kind", "device"),
                ("value", "stolen-9"),
                ("reason", "chargeback"),
            ],
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.html);
    assert!(added.html.contains("stolen-9"));
    let removed = analyst
        .post(
            "/admin/risk/lists",
            &[
                ("csrf", &csrf),
                ("list", "remove"),
                ("kind", "device"),
                ("value", "stolen-9"),
            ],
        )
        .await;
    assert!(!removed.html.contains("stolen-9"), "{}", removed.html);

    // Chinese too; buyers see none of it.
    analyst.lang = Some("zh-CN");
    let zh = analyst.get("/admin/risk?status=all").await;
    assert!(zh.html.contains("审核"), "{}", zh.html);
    let mut buyer_browser = Browser::new(&s);
    buyer_browser
        .cookies
        .insert(COOKIE.into(), cookie.split('=').nth(1).unwrap().to_string());
    let denied = buyer_browser.get("/admin/risk").await;
    assert_eq!(denied.status, 403);
    let _ = json!({});
}
