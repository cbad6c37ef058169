//! The log an operator reads: a whole run of the shop — sign-ups, sign-ins
//! with TOTP, key import, checkout, a channel payment and its
//! notification, a refund sent back through the channel, a withdrawal, a
//! guest order and a signed API request — logged at the default level
//! (and trigate's own crates at every level), then every line scanned for
//! every secret the run used: none appears. The lines it should hold are
//! there: each request with its id, the channel calls, staff actions.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use common::http::Server;
use common::sandbox::{SECRET, Shop, shop};
use serde_json::{Value, json};
use trigate_core::{AdminRole, Command, PasswordHash, Reply, Role};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// Every line logged in this test binary from now on.
fn captured() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "info,trigate=trace,trigate_app=trace,trigate_web=trace,\
                 trigate_engine=trace,trigate_core=trace",
            ))
            .with_writer(log.clone())
            .with_ansi(false)
            .init();
        log
    })
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn totp(secret: &str, at: u64) -> String {
    common::http::totp_from_base32(secret, at)
}

/// The session token a sign-in's `set-cookie` carries.
fn token_of(r: &common::http::Response) -> String {
    let cookie = r.header("set-cookie").unwrap();
    let pair = cookie.split(';').next().unwrap();
    pair.split_once('=').unwrap().1.to_string()
}

struct Run {
    s: Server,
    secrets: Vec<String>,
    codes: Vec<String>,
}

impl Run {
    fn secret(&mut self, s: impl Into<String>) -> String {
        let s = s.into();
        assert!(s.len() >= 6, "too short to look for: {s:?}");
        self.secrets.push(s.clone());
        s
    }

    async fn post(
        &self,
        path: &str,
        cookie: Option<&str>,
        key: Option<&str>,
        body: Value,
    ) -> common::http::Response {
        let headers: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
        self.s
            .call("POST", path, cookie, &headers, Some(&body.to_string()))
            .await
    }
}

/// Waits up to two seconds for `order` to be delivered.
async fn delivered(s: &Server, cookie: &str, order: u64) -> Value {
    for _ in 0..100 {
        let r = s
            .call(
                "GET",
                &format!("/api/v1/orders/{order}"),
                Some(cookie),
                &[],
                None,
            )
            .await;
        if r.body["status"] == "delivered" {
            return r.body;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("order {order} was never delivered");
}

#[tokio::test]
async fn no_secret_of_a_whole_run_reaches_the_log() {
    let log = captured();
    let Shop { s, .. } = shop().await;
    let mut run = Run {
        s,
        secrets: vec![SECRET.to_string()],
        codes: Vec::new(),
    };

    // A buyer signs up and in.
    let password = run.secret("buyer-Pass-7f3a9");
    let body = json!({"login": "carol", "password": password});
    assert_eq!(
        run.post("/api/v1/auth/register", None, None, body.clone())
            .await
            .status,
        201
    );
    let r = run.post("/api/v1/auth/login", None, None, body).await;
    assert_eq!(r.status, 200);
    let token = run.secret(token_of(&r));
    let buyer = format!("{}={token}", trigate_web::COOKIE);
    let buyer_id = r.body["id"].as_u64().unwrap();
    run.s.fund(buyer_id, 100_000).await;

    // Finance: a password, a second factor enrolled with it, a sign-in
    // with a fresh code.
    let finance_password = run.secret("finance-Pass-2c81");
    let hash = trigate_app::identity::hash_password(&finance_password).unwrap();
    let Reply::User(finance) = run
        .s
        .engine
        .submit(Command::Register {
            login: "fin".into(),
            role: Role::Staff(AdminRole::Finance),
            referrer_code: None,
            password: Some(PasswordHash(hash)),
        })
        .await
        .unwrap()
    else {
        panic!("no finance")
    };
    let first = run.secret(run.s.sessions.open(finance));
    let r = run
        .post(
            "/api/v1/me/second-factor",
            Some(&format!("{}={first}", trigate_web::COOKIE)),
            None,
            json!({"password": finance_password}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let seed = run.secret(r.body["secret"].as_str().unwrap());
    let code = totp(&seed, unix_now());
    run.codes.push(code.clone());
    let r = run
        .post(
            "/api/v1/auth/login",
            None,
            None,
            json!({"login": "fin", "password": finance_password, "totp": code}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    run.secret(token_of(&r));

    // The seller imports keys and makes an API key, and signs a request.
    let seller_token = run.secret(run.s.sessions.open(run.s.seller));
    let seller = format!("{}={seller_token}", trigate_web::COOKIE);
    let keys = [run.secret("KEY-SECRET-0001"), run.secret("KEY-SECRET-0002")];
    let r = run
        .post(
            "/api/v1/merchant/products/1/keys",
            Some(&seller),
            Some("import-1"),
            json!({"text": keys.join("\n")}),
        )
        .await;
    assert_eq!(r.body["added"], 2, "{:?}", r.body);
    let r = run
        .post(
            "/api/v1/merchant/api-keys",
            Some(&seller),
            None,
            json!(null),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let key_id = r.body["key_id"].as_str().unwrap().to_string();
    let api_secret = run.secret(r.body["secret"].as_str().unwrap());
    {
        use hmac::{KeyInit, Mac};
        let ts = unix_now().to_string();
        let nonce = "nonce-0001";
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(
            &(0..api_secret.len() / 2)
                .map(|i| u8::from_str_radix(&api_secret[2 * i..2 * i + 2], 16).unwrap())
                .collect::<Vec<_>>(),
        )
        .unwrap();
        mac.update(&trigate_web::signed::signed_message(
            "GET",
            "/api/v1/merchant/balances",
            &ts,
            nonce,
            b"",
        ));
        let signature = run.secret(
            mac.finalize()
                .into_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
        );
        let r = run
            .s
            .call(
                "GET",
                "/api/v1/merchant/balances",
                None,
                &[
                    ("x-trigate-key", key_id.as_str()),
                    ("x-trigate-timestamp", ts.as_str()),
                    ("x-trigate-nonce", nonce),
                    ("x-trigate-signature", signature.as_str()),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }

    // The buyer checks out from the wallet: the keys come back opened.
    let r = run
        .post(
            "/api/v1/orders",
            Some(&buyer),
            Some("buy-1"),
            json!({"product": 1, "quantity": 2}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    for key in r.body["keys"].as_array().unwrap() {
        run.secret(key.as_str().unwrap());
    }

    // … and pays another order through the channel: the sandbox's page,
    // its signed notification, the keys delivered.
    let r = run
        .post(
            "/api/v1/orders",
            Some(&buyer),
            Some("buy-2"),
            json!({"product": 1, "quantity": 1, "pay": "later"}),
        )
        .await;
    let order = r.body["order"].as_u64().unwrap();
    let r = run
        .post(
            &format!("/api/v1/orders/{order}/pay"),
            Some(&buyer),
            None,
            json!({"method": "card"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let url = r.body["checkout"]["redirect"].as_str().unwrap().to_string();
    let page = format!(
        "/{}",
        url.trim_start_matches("http://").split_once('/').unwrap().1
    );
    let paid = run
        .s
        .call("POST", &format!("{page}/pay"), None, &[], None)
        .await;
    assert_eq!(paid.status, 303);
    let shown = delivered(&run.s, &buyer, order).await;
    for key in shown["keys"].as_array().unwrap() {
        run.secret(key.as_str().unwrap());
    }

    // The seller refunds part of it back through the channel.
    let r = run
        .post(
            &format!("/api/v1/orders/{order}/refund"),
            Some(&seller),
            Some("refund-1"),
            json!({"amount": 500, "to_channel": true}),
        )
        .await;
    assert_eq!(r.body["channel"]["sent"], 500, "{:?}", r.body);

    // A guest buys with a lookup secret and reads the order back.
    let lookup = run.secret("guest-Lookup-5521");
    let r = run
        .post(
            "/api/v1/guest/orders",
            None,
            Some("guest-1"),
            json!({"product": 1, "quantity": 1, "lookup_secret": lookup}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let guest_order = r.body["order"].as_u64().unwrap();
    let r = run
        .post(
            "/api/v1/guest/orders/lookup",
            None,
            None,
            json!({"order": guest_order, "lookup_secret": lookup}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    // The other merchant, with a released sale, withdraws with its code.
    let merchant = run.s.released_sale().await;
    run.secrets.push("correct horse".into());
    run.secret(merchant.split_once('=').unwrap().1);
    let admin = run.secret(run.s.sessions.open(run.s.admin));
    let r = run
        .post(
            &format!("/api/v1/admin/users/{}/second-factor", run.s.other_merchant),
            Some(&format!("{}={admin}", trigate_web::COOKIE)),
            None,
            json!(null),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let merchant_seed = run.secret(r.body["secret"].as_str().unwrap());
    let account = run.secret("CN00 1111 2222 3333");
    let destination = run.s.add_destination(&merchant, &account).await;
    let code = totp(&merchant_seed, unix_now());
    run.codes.push(code.clone());
    let r = run
        .post(
            "/api/v1/withdrawals",
            Some(&merchant),
            Some("withdraw-1"),
            json!({"from": "merchant", "currency": "CNY", "amount": 1000,
                "destination": destination, "totp": code}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);

    // A refusal carries the request's id, as its header does.
    let r = run.s.call("GET", "/api/v1/me", None, &[], None).await;
    assert_eq!(r.status, 401);
    let id = r.header("x-request-id").unwrap().to_string();
    assert_eq!(r.body["error"]["request_id"], id.as_str(), "{:?}", r.body);

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    if std::env::var_os("TRIGATE_SHOW_LOG").is_some() {
        eprintln!("{text}");
    }
    // What the log should hold is there.
    assert!(
        text.lines()
            .any(|l| l.contains(&format!("request_id={id}")) && l.contains("status=401")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("route=\"/api/v1/orders\"") && l.contains("status=201"))
    );
    assert!(
        text.lines()
            .any(|l| l.contains("channel call succeeded") && l.contains("call=\"refund\""))
    );
    assert!(
        text.lines()
            .any(|l| l.contains("trigate::actions") && l.contains("Refund"))
    );
    // No secret is.
    for line in text.lines() {
        for secret in &run.secrets {
            assert!(
                !line.contains(secret.as_str()),
                "{secret:?} is logged: {line}"
            );
        }
        let without_numbers = line
            .split_whitespace()
            .filter(|w| !w.starts_with("latency_us=") && !w.starts_with("request_id="))
            .collect::<Vec<_>>()
            .join(" ");
        for code in &run.codes {
            assert!(
                !without_numbers.contains(code.as_str()),
                "the TOTP code {code} is logged: {line}"
            );
        }
    }
}
