//! Withdrawals over HTTP: a TOTP code to ask (enrolled by the user
//! themselves), finance to approve and record the payout, and the balance
//! reserved the moment it is asked for.

mod common;

use common::http::{Server, error_code, staff};
use serde_json::{Value, json};
use trigate_core::AdminRole;

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn code(secret: &str, at: u64) -> String {
    common::http::totp_from_base32(secret, at)
}

/// The other merchant (holding period 0) with one settled, released sale
/// of 1,500: available 1,500.
async fn merchant_with_money(s: &Server) -> String {
    let merchant = s.released_sale().await;
    assert_eq!(available(s, &merchant).await, 1_500);
    // The shop's first destination: the one `withdraw_body` names.
    assert_eq!(s.add_destination(&merchant, "CN12 3456 7890").await, 1);
    merchant
}

async fn available(s: &Server, cookie: &str) -> u64 {
    let r = s
        .call("GET", "/api/v1/merchant/balances", Some(cookie), &[], None)
        .await;
    r.body["available"].as_u64().unwrap()
}

/// An admin enrols `user`'s second factor; the secret, shown once.
async fn admin_enrols(s: &Server, user: trigate_core::UserId) -> String {
    let admin = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.admin));
    let r = s
        .call(
            "POST",
            &format!("/api/v1/admin/users/{user}/second-factor"),
            Some(&admin),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(
        r.body["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    r.body["secret"].as_str().unwrap().to_string()
}

fn withdraw_body(amount: u64, totp: &str) -> String {
    json!({"from": "merchant", "currency": "CNY", "amount": amount,
        "destination": 1, "totp": totp})
    .to_string()
}

async fn withdraw(s: &Server, cookie: &str, key: &str, amount: u64, totp: &str) -> Value {
    let r = s
        .call(
            "POST",
            "/api/v1/withdrawals",
            Some(cookie),
            &[("idempotency-key", key)],
            Some(&withdraw_body(amount, totp)),
        )
        .await;
    json!({"status": r.status, "code": error_code(&r), "body": r.body})
}

#[tokio::test]
async fn a_merchant_withdraws_with_a_totp_code_and_finance_pays_it_out() {
    for db in common::TestDb::all("http_withdraw").await {
        withdrawal_journey(Server::start_on(db).await).await;
    }
}

async fn withdrawal_journey(s: Server) {
    let merchant = merchant_with_money(&s).await;
    // No second factor yet: refused, nothing reserved.
    let r = withdraw(&s, &merchant, "w0", 1_000, "000000").await;
    assert_eq!(r["code"], "second_factor_required", "{r}");
    // The merchant's owner signs in without a password here, so an admin
    // enrols the factor and hands the secret over.
    let secret = admin_enrols(&s, s.other_merchant).await;
    let t = now();
    let wrong = if code(&secret, t) == "123456" {
        "654321"
    } else {
        "123456"
    };
    let r = withdraw(&s, &merchant, "w1", 1_000, wrong).await;
    assert_eq!(
        (r["status"].as_u64(), &r["code"]),
        (Some(401), &json!("bad_second_factor"))
    );
    assert_eq!(available(&s, &merchant).await, 1_500, "nothing reserved");
    let good = code(&secret, t);
    let r = withdraw(&s, &merchant, "w2", 1_000, &good).await;
    assert_eq!(r["status"], 201, "{r}");
    let id = r["body"]["id"].as_u64().unwrap();
    assert_eq!(r["body"]["destination"], "********7890", "shown masked");
    // A retry under the same key replays the answer without a new code.
    let again = withdraw(&s, &merchant, "w2", 1_000, "000000").await;
    assert_eq!(
        (again["status"].as_u64(), &again["body"]["id"]),
        (Some(201), &json!(id)),
        "{again}"
    );
    let book = s
        .call("GET", "/api/v1/destinations", Some(&merchant), &[], None)
        .await;
    assert_eq!(book.body["destinations"][0]["masked"], "********7890");
    assert!(!book.body.to_string().contains("3456"), "{:?}", book.body);
    assert_eq!(available(&s, &merchant).await, 500, "reserved at once");
    // The same code twice is refused, even with a fresh key.
    let r = withdraw(&s, &merchant, "w3", 100, &good).await;
    assert_eq!(r["code"], "bad_second_factor", "{r}");
    // More than is available: refused, with the next code.
    let r = withdraw(&s, &merchant, "w4", 501, &code(&secret, t + 30)).await;
    assert_eq!(
        (r["status"].as_u64(), &r["code"]),
        (Some(402), &json!("insufficient_balance"))
    );

    let finance = format!(
        "{}={}",
        trigate_web::COOKIE,
        s.sessions
            .open(staff(&s, "finance", AdminRole::Finance).await)
    );
    let approve = format!("/api/v1/admin/withdrawals/{id}/approve");
    let r = s
        .call(
            "POST",
            &approve,
            Some(&merchant),
            &[("idempotency-key", "a0")],
            None,
        )
        .await;
    assert_eq!(r.status, 403, "the merchant approves nothing");
    let r = s
        .call(
            "POST",
            &approve,
            Some(&finance),
            &[("idempotency-key", "a1")],
            None,
        )
        .await;
    assert_eq!(
        (r.status, &r.body["status"]),
        (200, &json!("approved")),
        "{:?}",
        r.body
    );
    let payout = format!("/api/v1/admin/withdrawals/{id}/payout");
    let body = json!({"paid": true, "reference": "BANK-778"}).to_string();
    let r = s
        .call(
            "POST",
            &payout,
            Some(&finance),
            &[("idempotency-key", "p1")],
            Some(&body),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = s
        .call(
            "POST",
            &payout,
            Some(&finance),
            &[("idempotency-key", "p2")],
            Some(&body),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (409, "withdrawal_state"));
    let mine = s
        .call("GET", "/api/v1/withdrawals", Some(&merchant), &[], None)
        .await;
    let list = mine.body["withdrawals"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["status"], "paid_out");
    assert_eq!(list[0]["reference"], "BANK-778");
    assert_eq!(available(&s, &merchant).await, 500);
    let admin = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.admin));
    let audit = s
        .call("GET", "/api/v1/admin/audit", Some(&admin), &[], None)
        .await;
    let actions: Vec<&str> = audit.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&format!("approved withdrawal {id}").as_str()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&format!("recorded withdrawal {id} as paid_out (BANK-778)").as_str()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_rejected_withdrawal_frees_the_money_again() {
    let s = Server::start().await;
    let merchant = merchant_with_money(&s).await;
    let secret = admin_enrols(&s, s.other_merchant).await;
    let r = withdraw(&s, &merchant, "w", 1_500, &code(&secret, now())).await;
    assert_eq!(r["status"], 201, "{r}");
    assert_eq!(available(&s, &merchant).await, 0);
    let id = r["body"]["id"].as_u64().unwrap();
    let finance = format!(
        "{}={}",
        trigate_web::COOKIE,
        s.sessions
            .open(staff(&s, "finance", AdminRole::Finance).await)
    );
    let r = s
        .call(
            "POST",
            &format!("/api/v1/admin/withdrawals/{id}/reject"),
            Some(&finance),
            &[("idempotency-key", "r")],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(available(&s, &merchant).await, 1_500);
}

#[tokio::test]
async fn enrolling_needs_the_password_and_guessing_codes_locks_the_factor() {
    let s = Server::start().await;
    let (_, cookie) = s.sign_up("alice").await;
    let enrol = |body: Value| {
        let (s, cookie) = (&s, cookie.clone());
        async move {
            s.call(
                "POST",
                "/api/v1/me/second-factor",
                Some(&cookie),
                &[],
                Some(&body.to_string()),
            )
            .await
        }
    };
    // A session alone cannot enrol one.
    let r = enrol(json!({"password": "not it"})).await;
    assert_eq!((r.status, error_code(&r)), (401, "bad_credentials"));
    let r = enrol(json!({})).await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    let r = enrol(json!({"password": "correct horse"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let secret = r.body["secret"].as_str().unwrap().to_string();
    // Replacing it needs the current code as well.
    let r = enrol(json!({"password": "correct horse"})).await;
    assert_eq!(error_code(&r), "second_factor_required");
    // Five wrong codes lock it: then even the right one is not checked.
    let t = now();
    let right = code(&secret, t);
    let wrong = if right == "123456" {
        "654321"
    } else {
        "123456"
    };
    for _ in 0..5 {
        let r = enrol(json!({"password": "correct horse", "totp": wrong})).await;
        assert_eq!(error_code(&r), "bad_second_factor");
    }
    let r = enrol(json!({"password": "correct horse", "totp": right})).await;
    assert_eq!((r.status, error_code(&r)), (429, "second_factor_locked"));
}
