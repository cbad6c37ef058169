//! Gate three over HTTP: analysts save rules at run time (a bad one is
//! refused naming what is wrong) that act on the very next checkout; a
//! held order shows no keys until an analyst approves it once per key;
//! the request's device and IP reach the decision; blocks and challenges
//! answer with their codes, and a one-time code sent with the request
//! answers a challenge; buyers cannot read the desk.

mod common;

use common::http::{Server, error_code, staff};
use serde_json::json;
use trigate_core::risk::RiskSettings;
use trigate_core::{AdminRole, Command, Reply};
use trigate_web::COOKIE;

async fn with_risk() -> (Server, String) {
    let s = Server::start().await;
    let reply = s
        .engine
        .submit(Command::StartRisk {
            settings: RiskSettings::default(),
        })
        .await
        .unwrap();
    assert_eq!(reply, Reply::Done);
    let analyst = staff(&s, "rita", AdminRole::RiskAnalyst).await;
    let cookie = format!("{COOKIE}={}", s.sessions.open(analyst));
    (s, cookie)
}

async fn save(s: &Server, analyst: &str, rule: serde_json::Value) -> common::http::Response {
    s.call(
        "POST",
        "/api/v1/risk/rules",
        Some(analyst),
        &[],
        Some(&rule.to_string()),
    )
    .await
}

async fn buy(
    s: &Server,
    cookie: &str,
    key: &str,
    extra: &[(&str, &str)],
) -> common::http::Response {
    let mut headers = vec![("idempotency-key", key)];
    headers.extend_from_slice(extra);
    s.call(
        "POST",
        "/api/v1/orders",
        Some(cookie),
        &headers,
        Some(&json!({"product": 1, "quantity": 1}).to_string()),
    )
    .await
}

#[tokio::test]
async fn a_rule_saved_at_run_time_holds_the_next_checkout_until_an_analyst_approves_it() {
    let (s, analyst) = with_risk().await;
    let bad = save(
        &s,
        &analyst,
        json!({"name": "big", "expr": "amout >= 1", "outcome": "hold"}),
    )
    .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert_eq!(error_code(&bad), "rule_invalid");
    assert!(
        bad.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown feature \"amout\""),
        "{:?}",
        bad.body
    );
    let odd = save(
        &s,
        &analyst,
        json!({"name": "big", "expr": "amount > 1", "outcome": "maybe"}),
    )
    .await;
    assert_eq!((odd.status, error_code(&odd)), (422, "invalid"));

    let (buyer, cookie) = s.sign_up("held-buyer").await;
    s.fund(buyer, 100_000).await;
    let first = buy(&s, &cookie, "k1", &[("x-device-id", "phone-7")]).await;
    assert_eq!(first.status, 201, "{:?}", first.body);

    let saved = save(
        &s,
        &analyst,
        json!({"name": "big", "expr": "amount >= 1", "outcome": "hold",
               "points": ["wallet_payment"], "reason": "large_amount"}),
    )
    .await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    assert_eq!(saved.body["version"], 1);

    let held = buy(&s, &cookie, "k2", &[("x-device-id", "phone-7")]).await;
    assert_eq!(held.status, 201, "{:?}", held.body);
    let order = held.body["order"].as_u64().unwrap();
    let view = s
        .call(
            "GET",
            &format!("/api/v1/orders/{order}"),
            Some(&cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(view.body["status"], "paid", "{:?}", view.body);
    assert_eq!(view.body["held_for_review"], true, "{:?}", view.body);
    assert_eq!(
        view.body["keys"].as_array().map(Vec::len),
        Some(0),
        "{:?}",
        view.body
    );

    let queue = s
        .call("GET", "/api/v1/risk/reviews", Some(&analyst), &[], None)
        .await;
    assert_eq!(queue.status, 200, "{:?}", queue.body);
    let review = &queue.body.as_array().unwrap()[0];
    assert_eq!(
        (
            &review["status"],
            &review["point"],
            &review["amount"],
            &review["currency"]
        ),
        (
            &json!("open"),
            &json!("wallet_payment"),
            &json!(1_500),
            &json!("CNY")
        ),
        "{review:?}"
    );
    assert_eq!(review["subject"], json!({"kind": "order", "id": order}));
    let (id, decision) = (
        review["id"].as_u64().unwrap(),
        review["decision"].as_u64().unwrap(),
    );
    let explained = s
        .call(
            "GET",
            &format!("/api/v1/risk/decisions/{decision}"),
            Some(&analyst),
            &[],
            None,
        )
        .await;
    assert_eq!(explained.status, 200, "{:?}", explained.body);
    let d = &explained.body["decision"];
    assert_eq!(
        (&d["point"], &d["outcome"], &d["effect"], &d["reason"]),
        (
            &json!("wallet_payment"),
            &json!("hold"),
            &json!("held"),
            &json!("large_amount")
        ),
        "{d:?}"
    );
    assert_eq!(d["fired"][0]["rule"], "big");
    assert_eq!(explained.body["review"], id);
    let signals = &d["signals"];
    assert_eq!(signals["device"], "phone-7");
    assert_eq!(signals["ip"], "127.0.0.1");
    assert!(
        explained.body["explanation"][0]
            .as_str()
            .unwrap()
            .starts_with("rule big (v1) fired"),
        "{:?}",
        explained.body
    );

    let path = format!("/api/v1/risk/reviews/{id}/approve");
    let note = json!({"note": "known buyer"}).to_string();
    let keyless = s
        .call("POST", &path, Some(&analyst), &[], Some(&note))
        .await;
    assert_eq!(error_code(&keyless), "idempotency_key_required");
    let ok = s
        .call(
            "POST",
            &path,
            Some(&analyst),
            &[("idempotency-key", "r1")],
            Some(&note),
        )
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    let again = s
        .call(
            "POST",
            &path,
            Some(&analyst),
            &[("idempotency-key", "r1")],
            Some(&note),
        )
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let view = s
        .call(
            "GET",
            &format!("/api/v1/orders/{order}"),
            Some(&cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(view.body["status"], "delivered", "{:?}", view.body);
    assert_eq!(view.body["held_for_review"], false, "{:?}", view.body);
    assert_eq!(view.body["keys"].as_array().map(Vec::len), Some(1));

    // The buyer sees none of the desk.
    let r = s
        .call("GET", "/api/v1/risk/rules", Some(&cookie), &[], None)
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn a_block_answers_its_reason_and_a_challenge_is_answered_with_a_code() {
    let (s, analyst) = with_risk().await;
    let (buyer, cookie) = s.sign_up("challenged").await;
    s.fund(buyer, 100_000).await;
    let blocked = json!({"name": "no_phones", "expr": "device == \"burner\"", "outcome": "block",
                         "reason": "device_refused"});
    assert_eq!(save(&s, &analyst, blocked).await.status, 200);
    let r = buy(&s, &cookie, "b1", &[("x-device-id", "burner")]).await;
    assert_eq!(
        (r.status, error_code(&r)),
        (403, "risk_blocked"),
        "{:?}",
        r.body
    );
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("device_refused")
    );

    let ask = json!({"name": "ask", "expr": "amount >= 1", "outcome": "challenge",
                     "points": ["wallet_payment"]});
    assert_eq!(save(&s, &analyst, ask).await.status, 200);
    // The buyer enrols a second factor.
    let admin = format!("{COOKIE}={}", s.sessions.open(s.admin));
    let enrolled = s
        .call(
            "POST",
            &format!("/api/v1/admin/users/{buyer}/second-factor"),
            Some(&admin),
            &[],
            None,
        )
        .await;
    assert_eq!(enrolled.status, 200, "{:?}", enrolled.body);
    let secret = enrolled.body["secret"].as_str().unwrap().to_string();
    let r = buy(&s, &cookie, "c1", &[]).await;
    assert_eq!(
        (r.status, error_code(&r)),
        (401, "challenge_required"),
        "{:?}",
        r.body
    );
    let wrong = buy(&s, &cookie, "c2", &[("x-second-factor", "000000")]).await;
    assert_eq!(wrong.status, 401, "{:?}", wrong.body);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let code = common::http::totp_from_base32(&secret, now);
    let r = buy(&s, &cookie, "c3", &[("x-second-factor", &code)]).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(
        r.body["keys"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        r.body
    );
}

#[tokio::test]
async fn lists_backtests_and_features_over_the_api() {
    let (s, analyst) = with_risk().await;
    let (buyer, cookie) = s.sign_up("listed").await;
    s.fund(buyer, 100_000).await;
    let list =
        json!({"list": "block", "kind": "device", "value": "stolen-1", "reason": "chargeback"});
    let r = s
        .call(
            "POST",
            "/api/v1/risk/lists",
            Some(&analyst),
            &[],
            Some(&list.to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = buy(&s, &cookie, "l1", &[("x-device-id", "stolen-1")]).await;
    assert_eq!(error_code(&r), "risk_blocked");
    let r = buy(&s, &cookie, "l2", &[("x-device-id", "mine")]).await;
    assert_eq!(r.status, 201);
    let off = json!({"kind": "device", "value": "stolen-1"}).to_string();
    let r = s
        .call(
            "POST",
            "/api/v1/risk/lists/remove",
            Some(&analyst),
            &[],
            Some(&off),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = s
        .call(
            "POST",
            "/api/v1/risk/lists/remove",
            Some(&analyst),
            &[],
            Some(&off),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (422, "invalid"));
    // Decisions recorded: the sign-up, the sign-in, a block, an allowed
    // purchase from "mine": a rule blocking devices named "mine" would move
    // that one.
    let candidate = json!({"name": "mine", "expr": "device == \"mine\"", "outcome": "block"});
    let r = s
        .call(
            "POST",
            "/api/v1/risk/rules/backtest",
            Some(&analyst),
            &[],
            Some(&candidate.to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The buyer's sign-up and sign-in were decided too.
    assert_eq!(r.body["decisions"], 4);
    assert_eq!(r.body["fired"], 1);
    assert_eq!(
        r.body["before"],
        json!({"allow": 3, "challenge": 0, "hold": 0, "block": 1})
    );
    assert_eq!(
        r.body["after"],
        json!({"allow": 2, "challenge": 0, "hold": 0, "block": 2})
    );
    assert_eq!(
        r.body["moves"],
        json!([{"from": "allow", "to": "block", "count": 1}])
    );
    let features = s
        .call("GET", "/api/v1/risk/features", Some(&analyst), &[], None)
        .await;
    assert!(
        features
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "device_fail_10m")
    );
}

#[tokio::test]
async fn the_operators_country_file_gives_the_ip_its_country_for_the_rules() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/testdata/countries.mmdb");
    let file = trigate_web::geoip::CountryFile::open(&path).unwrap();
    let s = Server::start_custom(common::TestDb::sqlite(), |_, state| {
        state.with_client_headers(trigate_web::client::ClientHeaders {
            country_file: Some(std::sync::Arc::new(file)),
            ..Default::default()
        })
    })
    .await;
    s.engine
        .submit(Command::StartRisk {
            settings: RiskSettings::default(),
        })
        .await
        .unwrap();
    let analyst = staff(&s, "rita", AdminRole::RiskAnalyst).await;
    let analyst = format!("{COOKIE}={}", s.sessions.open(analyst));
    let rule = json!({"name": "far_away", "expr": "ip_country == \"NZ\"", "outcome": "block",
                      "points": ["wallet_payment"], "reason": "country_refused"});
    assert_eq!(save(&s, &analyst, rule).await.status, 200);
    let (buyer, cookie) = s.sign_up("kiwi").await;
    s.fund(buyer, 100_000).await;
    // The test file places loopback, where this request comes from, in NZ.
    let r = buy(&s, &cookie, "nz1", &[]).await;
    assert_eq!(
        (r.status, error_code(&r)),
        (403, "risk_blocked"),
        "{:?}",
        r.body
    );
    let decisions = s
        .call("GET", "/api/v1/risk/decisions", Some(&analyst), &[], None)
        .await;
    let last = &decisions.body.as_array().unwrap()[0];
    assert_eq!(last["outcome"], "block", "{last:?}");
    assert_eq!(last["signals"]["ip"], "127.0.0.1", "{last:?}");
    assert_eq!(last["signals"]["ip_country"], "NZ", "{last:?}");
}
