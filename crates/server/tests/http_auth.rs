//! Signing in and signing requests: TOTP for staff, rate limits on
//! password guessing, HMAC-signed merchant requests.

mod common;

use common::http::{Server, error_code};
use serde_json::json;
use trigate_app::MasterKey;
use trigate_core::{Command, Reply, Role};

#[tokio::test]
async fn admin_signs_in_only_with_a_fresh_totp_code() {
    let s = Server::start().await;
    let master = MasterKey::load(Some(&"11".repeat(32)), std::path::Path::new("/x")).unwrap();
    let hash = trigate_app::identity::hash_password("admin password").unwrap();
    let Reply::User(admin) = s
        .engine
        .submit(Command::Register {
            login: "boss".into(),
            role: Role::Staff(trigate_core::AdminRole::Admin),
            referrer_code: None,
            password: Some(trigate_core::PasswordHash(hash)),
        })
        .await
        .unwrap()
    else {
        panic!()
    };
    let login = |totp: Option<String>| {
        let mut body = json!({"login": "boss", "password": "admin password"});
        if let Some(code) = totp {
            body["totp"] = json!(code);
        }
        body.to_string()
    };
    // Not enrolled yet: no way in.
    let r = s
        .call("POST", "/api/v1/auth/login", None, &[], Some(&login(None)))
        .await;
    assert_eq!((r.status, error_code(&r)), (401, "second_factor_required"));
    let seed = trigate_app::identity::new_totp_seed();
    s.engine
        .submit(Command::EnrollSecondFactor {
            actor: admin,
            user: admin,
            sealed: master.seal_secret(&seed),
        })
        .await
        .unwrap();
    let r = s
        .call("POST", "/api/v1/auth/login", None, &[], Some(&login(None)))
        .await;
    assert_eq!((r.status, error_code(&r)), (401, "second_factor_required"));
    let r = s
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            &[],
            Some(&login(Some("000000".into()))),
        )
        .await;
    let wrong_is_refused = (r.status, error_code(&r)) == (401, "bad_second_factor");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let code = trigate_app::identity::totp_code(&seed, now);
    // (000000 could be the real code, once in a million.)
    assert!(wrong_is_refused || code == "000000", "{:?}", r.body);
    let r = s
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            &[],
            Some(&login(Some(code.clone()))),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The same code again is a replay.
    let r = s
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            &[],
            Some(&login(Some(code))),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (401, "bad_second_factor"));
}

#[tokio::test]
async fn password_guessing_is_slowed_to_a_crawl() {
    let s = Server::start().await;
    s.sign_up("alice").await;
    let guess = json!({"login": "alice", "password": "not the password"}).to_string();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let r = s
            .call("POST", "/api/v1/auth/login", None, &[], Some(&guess))
            .await;
        statuses.push((r.status, error_code(&r).to_string()));
    }
    // One sign-in spent on signing up: nine wrong guesses, then refusals.
    assert!(
        statuses[..9]
            .iter()
            .all(|(s, c)| *s == 401 && c == "bad_credentials"),
        "{statuses:?}"
    );
    assert!(
        statuses[10..]
            .iter()
            .all(|(s, c)| *s == 429 && c == "rate_limited"),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn signed_merchant_requests_refuse_replays_stale_clocks_and_bad_signatures() {
    use hmac::{Hmac, KeyInit, Mac};
    let s = Server::start().await;
    let seller = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.seller));
    let r = s
        .call(
            "POST",
            "/api/v1/merchant/api-keys",
            Some(&seller),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let key_id = r.body["key_id"].as_str().unwrap().to_string();
    let secret: Vec<u8> = (0..64)
        .step_by(2)
        .map(|i| u8::from_str_radix(&r.body["secret"].as_str().unwrap()[i..i + 2], 16).unwrap())
        .collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let sign = |method: &str, path: &str, at: u64, nonce: &str, body: &str, secret: &[u8]| {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
        mac.update(&trigate_web::signed::signed_message(
            method,
            path,
            &at.to_string(),
            nonce,
            body.as_bytes(),
        ));
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let call = |method: &'static str,
                path: &'static str,
                at: u64,
                nonce: &'static str,
                body: &'static str,
                signature: String| {
        let key_id = key_id.clone();
        let s = &s;
        async move {
            let at = at.to_string();
            let headers = [
                ("x-trigate-key", key_id.as_str()),
                ("x-trigate-timestamp", at.as_str()),
                ("x-trigate-nonce", nonce),
                ("x-trigate-signature", signature.as_str()),
                ("idempotency-key", nonce),
            ];
            s.call(
                method,
                path,
                None,
                &headers,
                if body.is_empty() { None } else { Some(body) },
            )
            .await
        }
    };
    // A good signed read acts as the merchant.
    let sig = sign(
        "GET",
        "/api/v1/merchant/balances",
        now,
        "nonce-0001",
        "",
        &secret,
    );
    let r = call(
        "GET",
        "/api/v1/merchant/balances",
        now,
        "nonce-0001",
        "",
        sig.clone(),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The same request again is a replay.
    let r = call(
        "GET",
        "/api/v1/merchant/balances",
        now,
        "nonce-0001",
        "",
        sig,
    )
    .await;
    assert_eq!((r.status, error_code(&r)), (401, "replayed_nonce"));
    // Ten minutes late.
    let old = now - 600;
    let sig = sign(
        "GET",
        "/api/v1/merchant/balances",
        old,
        "nonce-0002",
        "",
        &secret,
    );
    let r = call(
        "GET",
        "/api/v1/merchant/balances",
        old,
        "nonce-0002",
        "",
        sig,
    )
    .await;
    assert_eq!((r.status, error_code(&r)), (401, "stale_timestamp"));
    // Signed with another secret, or the body changed after signing.
    let sig = sign(
        "GET",
        "/api/v1/merchant/balances",
        now,
        "nonce-0003",
        "",
        b"not the secret",
    );
    let r = call(
        "GET",
        "/api/v1/merchant/balances",
        now,
        "nonce-0003",
        "",
        sig,
    )
    .await;
    assert_eq!((r.status, error_code(&r)), (401, "bad_signature"));
    let body = r#"{"title":"Signed","currency":"CNY","price":100}"#;
    let sig = sign(
        "POST",
        "/api/v1/merchant/products",
        now,
        "nonce-0004",
        body,
        &secret,
    );
    let tampered = r#"{"title":"Signed","currency":"CNY","price":1}"#;
    let r = call(
        "POST",
        "/api/v1/merchant/products",
        now,
        "nonce-0004",
        tampered,
        sig.clone(),
    )
    .await;
    assert_eq!((r.status, error_code(&r)), (401, "bad_signature"));
    // The untampered one goes through once; replayed, it changes nothing.
    let r = call(
        "POST",
        "/api/v1/merchant/products",
        now,
        "nonce-0004",
        body,
        sig.clone(),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = call(
        "POST",
        "/api/v1/merchant/products",
        now,
        "nonce-0004",
        body,
        sig,
    )
    .await;
    assert_eq!((r.status, error_code(&r)), (401, "replayed_nonce"));
    let products = s.call("GET", "/api/v1/products", None, &[], None).await;
    let signed = products.body["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["title"] == "Signed")
        .count();
    assert_eq!(signed, 1);
}
