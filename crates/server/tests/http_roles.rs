//! Who may call what: every route against every role, and the audit log of
//! what staff do.

mod common;

use common::http::Server;
use common::http::staff;
use serde_json::json;
use trigate_core::{Command, Reply, Role};

#[tokio::test]
async fn every_route_allows_exactly_the_roles_it_should() {
    for db in common::TestDb::all("http_roles").await {
        role_matrix(Server::start_on(db).await).await;
    }
}

async fn role_matrix(s: Server) {
    use trigate_core::AdminRole;
    let (alice, alice_cookie) = s.sign_up("alice").await;
    let (_, bob_cookie) = s.sign_up("bob").await;
    s.fund(alice, 10_000).await;
    let mint = |user| format!("{}={}", trigate_web::COOKIE, s.sessions.open(user));
    let roles: Vec<(&str, Option<String>)> = vec![
        ("anonymous", None),
        ("buyer", Some(alice_cookie.clone())),
        ("other buyer", Some(bob_cookie)),
        ("merchant", Some(mint(s.seller))),
        ("other merchant", Some(mint(s.other_merchant))),
        ("admin", Some(mint(s.admin))),
        (
            "finance",
            Some(mint(staff(&s, "finance", AdminRole::Finance).await)),
        ),
        (
            "support",
            Some(mint(staff(&s, "support", AdminRole::Support).await)),
        ),
        (
            "auditor",
            Some(mint(staff(&s, "auditor", AdminRole::Auditor).await)),
        ),
        (
            "risk analyst",
            Some(mint(staff(&s, "risk", AdminRole::RiskAnalyst).await)),
        ),
    ];
    // Targets of the staff routes: a buyer and a merchant without a shop.
    let (carol, _) = s.sign_up("carol").await;
    let Reply::User(dave) = s
        .engine
        .submit(Command::Register {
            login: "dave".into(),
            role: Role::Merchant,
            referrer_code: None,
            password: None,
        })
        .await
        .unwrap()
    else {
        panic!()
    };
    let bought = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&alice_cookie),
            &[("idempotency-key", "setup")],
            Some(&json!({"product": 1, "quantity": 1}).to_string()),
        )
        .await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    let product = json!({"title": "New", "currency": "CNY", "price": 100}).to_string();
    let release = json!("release").to_string();
    let coupon = json!({"code": "TENOFF", "discount": {"percent_bps": 1000}, "uses": 5,
        "expires_at": 4_000_000_000u64})
    .to_string();
    let shop =
        json!({"owner": dave.0, "name": "Dave's", "fee_bps": 500, "holding_days": 1}).to_string();
    let credit = json!({"currency": "CNY", "amount": 1, "note": "bank transfer"}).to_string();
    let carol_path = |tail: &str| format!("/api/v1/admin/users/{carol}/{tail}");
    // (method, path, body, expected status per role in the order above)
    let matrix: Vec<(&str, String, Option<String>, [u16; 10])> = vec![
        (
            "GET",
            "/api/v1/orders/1".into(),
            None,
            [401, 200, 404, 200, 404, 200, 200, 200, 200, 200],
        ),
        (
            "GET",
            "/api/v1/orders/999".into(),
            None,
            [401, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        ),
        (
            "GET",
            "/api/v1/wallet".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET",
            "/api/v1/merchant/balances".into(),
            None,
            [401, 403, 403, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/merchant/products".into(),
            Some(product),
            [401, 403, 403, 201, 201, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/merchant/products/1/keys".into(),
            Some(String::new()),
            [401, 403, 403, 200, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/orders/1/refund".into(),
            Some(json!({"amount": 1}).to_string()),
            [401, 403, 403, 200, 403, 200, 200, 200, 403, 403],
        ),
        (
            "POST",
            "/api/v1/orders/1/dispute/decide".into(),
            Some(release),
            [401, 403, 403, 403, 403, 409, 403, 409, 403, 403],
        ),
        (
            "POST",
            "/api/v1/orders/1/confirm".into(),
            None,
            [401, 200, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/api/v1/orders".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET",
            "/api/v1/merchant/products".into(),
            None,
            [401, 403, 403, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/api/v1/me".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        ("GET", "/api/v1/products".into(), None, [200; 10]),
        (
            "GET",
            "/api/v1/admin/audit".into(),
            None,
            [401, 403, 403, 403, 403, 200, 403, 403, 200, 403],
        ),
        (
            "POST",
            "/api/v1/admin/merchants/2/status".into(),
            Some(json!({"status": "active"}).to_string()),
            [401, 403, 403, 403, 403, 200, 403, 403, 403, 200],
        ),
        (
            "GET",
            "/api/v1/withdrawals".into(),
            None,
            [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "POST",
            "/api/v1/admin/withdrawals/1/approve".into(),
            None,
            [401, 403, 403, 403, 403, 404, 404, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/admin/withdrawals/1/payout".into(),
            Some(json!({"paid": true, "reference": "x"}).to_string()),
            [401, 403, 403, 403, 403, 404, 404, 403, 403, 403],
        ),
        (
            "POST",
            carol_path("role"),
            Some(json!({"role": "buyer"}).to_string()),
            [401, 403, 403, 403, 403, 200, 403, 403, 403, 403],
        ),
        (
            "POST",
            carol_path("credit"),
            Some(credit),
            [401, 403, 403, 403, 403, 202, 202, 403, 403, 403],
        ),
        (
            // Credit 1 was asked for by the admin: finance approves it.
            "POST",
            "/api/v1/admin/credits/1".into(),
            Some(json!({"decision": "approve"}).to_string()),
            [401, 403, 403, 403, 403, 403, 200, 403, 403, 403],
        ),
        (
            "POST",
            carol_path("second-factor"),
            None,
            [401, 403, 403, 403, 403, 200, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/admin/merchants".into(),
            Some(shop),
            [401, 403, 403, 403, 403, 201, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/merchant/coupons".into(),
            Some(coupon),
            [401, 403, 403, 201, 201, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/merchant/products/1/on-sale".into(),
            Some(json!({"on_sale": true}).to_string()),
            [401, 403, 403, 200, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/merchant/deposit".into(),
            Some(json!({"currency": "CNY", "amount": 1}).to_string()),
            [401, 403, 403, 402, 402, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/orders/1/dispute/escalate".into(),
            None,
            [401, 409, 403, 409, 403, 409, 409, 409, 403, 403],
        ),
        (
            "POST",
            "/api/v1/orders/1/dispute/refund".into(),
            None,
            [401, 403, 403, 409, 403, 409, 409, 409, 403, 403],
        ),
        (
            "POST",
            "/api/v1/orders/1/cancel".into(),
            None,
            [401, 409, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/orders/1/pay-by-balance".into(),
            None,
            [401, 409, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/orders/1/dispute".into(),
            Some(json!({"reason": "the key does not work"}).to_string()),
            [401, 409, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/orders/1/dispute/replace-keys".into(),
            None,
            [401, 403, 403, 409, 403, 409, 409, 409, 403, 403],
        ),
        (
            "POST",
            "/api/v1/admin/withdrawals/1/reject".into(),
            None,
            [401, 403, 403, 403, 403, 404, 404, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/orders".into(),
            Some(json!({"product": 2, "quantity": 1}).to_string()),
            [401, 409, 402, 402, 402, 402, 402, 402, 402, 402],
        ),
        (
            "POST",
            "/api/v1/merchant/api-keys".into(),
            None,
            [401, 403, 403, 201, 201, 403, 403, 403, 403, 403],
        ),
        (
            // No channel is configured here: every payment is refused, but
            // only after who may pay was checked.
            "POST",
            "/api/v1/orders/1/pay".into(),
            Some(json!({"method": "alipay"}).to_string()),
            [401, 409, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/wallet/recharge".into(),
            // No channel is configured: a refusal the payer can read (422),
            // not an outage (503).
            Some(json!({"currency": "CNY", "amount": 100, "method": "alipay"}).to_string()),
            [401, 422, 422, 422, 422, 422, 422, 422, 422, 422],
        ),
        (
            // Order 1 was paid from the wallet: nothing to send through a
            // channel, told only to those who may refund it.
            "POST",
            "/api/v1/orders/1/channel-refund".into(),
            None,
            [401, 403, 403, 422, 403, 422, 422, 422, 403, 403],
        ),
        (
            "GET",
            "/api/v1/admin/channels".into(),
            None,
            [401, 403, 403, 403, 403, 200, 200, 200, 200, 200],
        ),
        (
            "POST",
            "/api/v1/admin/attempts/1/mark-paid".into(),
            None,
            [401, 403, 403, 403, 403, 404, 404, 403, 403, 403],
        ),
        (
            // Withdrawing needs a second factor none of them has enrolled.
            "POST",
            "/api/v1/withdrawals".into(),
            Some(
                json!({"from": "reward", "currency": "CNY", "amount": 1,
                    "destination": 1, "totp": "123456"})
                .to_string(),
            ),
            [401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
        ),
        (
            "POST",
            "/api/v1/me/second-factor".into(),
            Some(json!({"password": "correct horse"}).to_string()),
            [401, 200, 200, 401, 401, 401, 401, 401, 401, 401],
        ),
    ];
    let mut failures = Vec::new();
    for (row, (method, path, body, expected)) in matrix.iter().enumerate() {
        for ((role, cookie), want) in roles.iter().zip(expected) {
            let key = format!("m-{row}-{}", role.replace(' ', "-"));
            // Each role imports a key of its own.
            let body = body.as_ref().map(|b| {
                if b.is_empty() {
                    json!({"text": format!("NEW-{row}-{role}")}).to_string()
                } else {
                    b.clone()
                }
            });
            let r = s
                .call(
                    method,
                    path,
                    cookie.as_deref(),
                    &[("idempotency-key", key.as_str())],
                    body.as_deref(),
                )
                .await;
            if r.status != *want {
                failures.push(format!(
                    "{method} {path} as {role}: {} (wanted {want}) {:?}",
                    r.status, r.body
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn admin_actions_are_audited_and_auditors_only_read() {
    let s = Server::start().await;
    let Reply::User(auditor) = s
        .engine
        .submit(Command::Register {
            login: "auditor".into(),
            role: Role::Staff(trigate_core::AdminRole::Auditor),
            referrer_code: None,
            password: None,
        })
        .await
        .unwrap()
    else {
        panic!()
    };
    let (_, buyer) = s.sign_up("alice").await;
    let admin = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.admin));
    let auditor = format!("{}={}", trigate_web::COOKIE, s.sessions.open(auditor));
    let freeze = json!({"status": "frozen"}).to_string();
    for (who, cookie, want) in [
        ("buyer", &buyer, 403),
        ("auditor", &auditor, 403),
        ("admin", &admin, 200),
    ] {
        let key = format!("freeze-{who}");
        let r = s
            .call(
                "POST",
                "/api/v1/admin/merchants/1/status",
                Some(cookie),
                &[("idempotency-key", &key)],
                Some(&freeze),
            )
            .await;
        assert_eq!(r.status, want, "{who}: {:?}", r.body);
    }
    // A frozen merchant's products are off the storefront.
    let products = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert!(
        products.body["products"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["merchant"] != 1)
    );
    for (who, cookie, want) in [
        ("buyer", &buyer, 403),
        ("auditor", &auditor, 200),
        ("admin", &admin, 200),
    ] {
        let r = s
            .call("GET", "/api/v1/admin/audit", Some(cookie), &[], None)
            .await;
        assert_eq!(r.status, want, "{who}: {:?}", r.body);
        if want == 200 {
            let entries = r.body["entries"].as_array().unwrap();
            assert_eq!(entries.len(), 1, "{entries:?}");
            assert_eq!(entries[0]["actor"], s.admin.0);
            assert_eq!(entries[0]["action"], "set merchant 1 Frozen");
        }
    }
}
