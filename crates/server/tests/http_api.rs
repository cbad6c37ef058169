//! The HTTP API against a real server on a random port, over a fresh SQLite
//! database: sign up, sign in, buy with balance, see the keys, confirm —
//! and the refusals: no session, another buyer's order, a reused
//! idempotency key, malformed bodies.

mod common;

use std::sync::Arc;

use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use trigate::engine::{Engine, EngineConfig, ShopMachine, SystemClock, open_state};
use trigate::http::{AppState, Sessions, router};
use trigate::secrets::MasterKey;
use trigate_core::{Bps, Command, Currency, Delivery, NewProduct, Reply, Role};

struct Server {
    addr: std::net::SocketAddr,
    engine: Engine<ShopMachine>,
    sessions: Arc<Sessions>,
    /// The seller of product 1, another merchant (product 2), an admin.
    seller: trigate_core::UserId,
    other_merchant: trigate_core::UserId,
    admin: trigate_core::UserId,
    _db: common::TestDb,
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Server {
    async fn start() -> Server {
        Self::start_on(common::TestDb::sqlite()).await
    }

    async fn start_on(db: common::TestDb) -> Server {
        let store = db.open().await;
        let recovered = open_state::<trigate_core::Shop>(&store, 0).await.unwrap();
        let (engine, _writer) = Engine::start(
            ShopMachine::new(recovered),
            store,
            Arc::new(SystemClock),
            EngineConfig::default(),
        );
        let master = MasterKey::load(Some(&"11".repeat(32)), std::path::Path::new("/x")).unwrap();
        // A merchant selling three sealed keys.
        let run = |c| {
            let engine = engine.clone();
            async move { engine.submit(c).await.unwrap() }
        };
        let Reply::User(owner) = run(Command::Register {
            login: "seller".into(),
            role: Role::Merchant,
            referrer_code: None,
            password: None,
        })
        .await
        else {
            panic!()
        };
        let (data_key, wrapped_key) = master.new_data_key();
        let Reply::Merchant(merchant) = run(Command::CreateMerchant {
            owner,
            name: "Keys".into(),
            fee: Bps::new(1_000).unwrap(),
            holding_days: 1,
            wrapped_key,
        })
        .await
        else {
            panic!()
        };
        let spec = spec_for_tests();
        let Reply::Product(product) = run(Command::CreateProduct { merchant, spec }).await else {
            panic!()
        };
        assert_eq!(product.0, 1);
        let keys = ["AAAA-1111", "BBBB-2222", "CCCC-3333"]
            .iter()
            .map(|k| data_key.seal(&SecretString::from(k.to_string())))
            .collect();
        run(Command::ImportKeys {
            product,
            keys,
            invalid: vec![],
        })
        .await;
        let Reply::User(other_merchant) = run(Command::Register {
            login: "other-seller".into(),
            role: Role::Merchant,
            referrer_code: None,
            password: None,
        })
        .await
        else {
            panic!()
        };
        let (_, wrapped_key) = master.new_data_key();
        let Reply::Merchant(other) = run(Command::CreateMerchant {
            owner: other_merchant,
            name: "Other".into(),
            fee: Bps::ZERO,
            holding_days: 0,
            wrapped_key,
        })
        .await
        else {
            panic!()
        };
        let mut other_spec = spec_for_tests();
        other_spec.title = "Other key".into();
        run(Command::CreateProduct {
            merchant: other,
            spec: other_spec,
        })
        .await;
        let Reply::User(admin) = run(Command::Register {
            login: "root".into(),
            role: Role::Staff(trigate_core::AdminRole::Admin),
            referrer_code: None,
            password: None,
        })
        .await
        else {
            panic!()
        };
        let sessions = Arc::new(Sessions::default());
        let state = AppState {
            engine: engine.clone(),
            master: Arc::new(master),
            sessions: sessions.clone(),
            used_steps: Arc::default(),
            nonces: Arc::default(),
            secure_cookies: false,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router(state)).await });
        Server {
            addr,
            engine,
            sessions,
            seller: owner,
            other_merchant,
            admin,
            _db: db,
        }
    }

    /// One HTTP/1.1 request on a fresh connection.
    async fn call(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Response {
        let mut stream = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let body = body.unwrap_or("");
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            body.len()
        );
        if let Some(c) = cookie {
            request.push_str(&format!("cookie: {c}\r\n"));
        }
        for (n, v) in headers {
            request.push_str(&format!("{n}: {v}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8_lossy(&raw).to_string();
        let (head, rest) = text.split_once("\r\n\r\n").unwrap();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
        let body = if headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v == "chunked")
        {
            dechunk(rest)
        } else {
            rest.to_string()
        };
        Response {
            status,
            headers,
            body: serde_json::from_str(&body).unwrap_or(Value::String(body)),
        }
    }

    async fn sign_up(&self, login: &str) -> (u64, String) {
        let body = json!({"login": login, "password": "correct horse"}).to_string();
        let r = self
            .call("POST", "/api/v1/auth/register", None, &[], Some(&body))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.body["id"].as_u64().unwrap();
        let r = self
            .call("POST", "/api/v1/auth/login", None, &[], Some(&body))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let cookie = r.header("set-cookie").unwrap().to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        (id, cookie.split(';').next().unwrap().to_string())
    }

    async fn fund(&self, user: u64, amount: u64) {
        self.engine
            .submit(Command::CreditWallet {
                user: trigate_core::UserId(user),
                currency: Currency::new("CNY").unwrap(),
                amount,
            })
            .await
            .unwrap();
    }
}

fn spec_for_tests() -> NewProduct {
    NewProduct {
        title: "Game <b>key</b>".into(),
        delivery: Delivery::Keys,
        currency: Currency::new("CNY").unwrap(),
        price: 1_500,
        tiers: vec![],
        min_per_order: 1,
        max_per_order: 2,
        commission_l1: Bps::ZERO,
        commission_l2: Bps::ZERO,
        membership: false,
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    out
}

fn error_code(r: &Response) -> &str {
    r.body["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn buyer_signs_up_buys_with_balance_sees_keys_and_confirms() {
    for db in common::TestDb::all("http_journey").await {
        journey(Server::start_on(db).await).await;
    }
}

async fn journey(s: Server) {
    let (buyer, cookie) = s.sign_up("alice").await;
    s.fund(buyer, 10_000).await;

    let products = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(products.status, 200);
    assert_eq!(products.body["products"][0]["stock"], 3);

    let order = json!({"product": 1, "quantity": 2}).to_string();
    let r = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&cookie),
            &[("idempotency-key", "buy-1")],
            Some(&order),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["status"], "delivered");
    assert_eq!(r.body["keys"], json!(["AAAA-1111", "BBBB-2222"]));
    let id = r.body["order"].as_u64().unwrap();

    // The same request again: the same answer, nothing charged twice.
    let again = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&cookie),
            &[("idempotency-key", "buy-1")],
            Some(&order),
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body["order"], id);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));

    let seen = s
        .call(
            "GET",
            &format!("/api/v1/orders/{id}"),
            Some(&cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(seen.body["keys"], json!(["AAAA-1111", "BBBB-2222"]));
    assert_eq!(seen.body["amount"], 3_000);

    let confirmed = s
        .call(
            "POST",
            &format!("/api/v1/orders/{id}/confirm"),
            Some(&cookie),
            &[("idempotency-key", "c-1")],
            None,
        )
        .await;
    assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
    let after = s
        .call(
            "GET",
            &format!("/api/v1/orders/{id}"),
            Some(&cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(after.body["status"], "settled");
    let products = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(products.body["products"][0]["stock"], 1);
}

#[tokio::test]
async fn refusals_have_their_own_codes_and_change_nothing() {
    let s = Server::start().await;
    let (alice, alice_cookie) = s.sign_up("alice").await;
    let (_, bob_cookie) = s.sign_up("bob").await;
    s.fund(alice, 10_000).await;
    let order = json!({"product": 1, "quantity": 1}).to_string();

    let r = s
        .call(
            "POST",
            "/api/v1/orders",
            None,
            &[("idempotency-key", "k")],
            Some(&order),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (401, "unauthenticated"));

    let r = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&alice_cookie),
            &[],
            Some(&order),
        )
        .await;
    assert_eq!(
        (r.status, error_code(&r)),
        (400, "idempotency_key_required")
    );

    let r = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&alice_cookie),
            &[("idempotency-key", "k")],
            Some(&order),
        )
        .await;
    assert_eq!(r.status, 201);
    let id = r.body["order"].as_u64().unwrap();

    let other = json!({"product": 1, "quantity": 2}).to_string();
    let r = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&alice_cookie),
            &[("idempotency-key", "k")],
            Some(&other),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (409, "idempotency_conflict"));

    // Bob cannot see Alice's order, nor learn that it exists.
    let r = s
        .call(
            "GET",
            &format!("/api/v1/orders/{id}"),
            Some(&bob_cookie),
            &[],
            None,
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (404, "order_not_found"));
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{id}/confirm"),
            Some(&bob_cookie),
            &[("idempotency-key", "x")],
            None,
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (403, "forbidden"));

    // Bob has no money.
    let r = s
        .call(
            "POST",
            "/api/v1/orders",
            Some(&bob_cookie),
            &[("idempotency-key", "b")],
            Some(&order),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (402, "insufficient_balance"));

    for bad in [
        "{not json",
        r#"{"product": "1", "quantity": 1}"#,
        r#"{"product": 1, "quantity": -1}"#,
        r#"{"product": 1, "quantity": 1.5}"#,
        r#"{"product": 1, "quantity": 1, "price": 1}"#,
    ] {
        let r = s
            .call(
                "POST",
                "/api/v1/orders",
                Some(&alice_cookie),
                &[("idempotency-key", bad)],
                Some(bad),
            )
            .await;
        assert_eq!((r.status, error_code(&r)), (400, "bad_request"), "{bad}");
    }
    let huge = format!(r#"{{"login": "{}", "password": "x"}}"#, "a".repeat(100_000));
    let r = s
        .call("POST", "/api/v1/auth/register", None, &[], Some(&huge))
        .await;
    assert_eq!(r.status, 413);

    let wrong = json!({"login": "alice", "password": "wrong password"}).to_string();
    let r = s
        .call("POST", "/api/v1/auth/login", None, &[], Some(&wrong))
        .await;
    assert_eq!((r.status, error_code(&r)), (401, "bad_credentials"));

    // Still one key sold.
    let products = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(products.body["products"][0]["stock"], 2);
    // Markup in text comes back as data, never as a page.
    assert_eq!(products.body["products"][0]["title"], "Game <b>key</b>");
    assert_eq!(products.header("content-type"), Some("application/json"));
    assert_eq!(products.header("x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn serve_answers_health_checks_and_stops_cleanly_on_sigterm() {
    use tokio::io::AsyncBufReadExt;
    let dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(common::trigate_bin())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("TRIGATE_DATA_DIR", dir.path())
        .env_remove("TRIGATE_DATABASE_URL")
        .env_remove("TRIGATE_MASTER_KEY")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().unwrap();
    let addr: std::net::SocketAddr = line.rsplit("http://").next().unwrap().parse().unwrap();
    for path in ["/healthz", "/readyz"] {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(
                format!("GET {path} HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n").as_bytes(),
            )
            .await
            .unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).await.unwrap();
        assert!(raw.starts_with("HTTP/1.1 200"), "{path}: {raw}");
    }
    // The master key file was made on first start, private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("master.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let pid = child.id().unwrap();
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("serve stops on SIGTERM")
        .unwrap();
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn demo_serves_a_seeded_shop_a_buyer_can_buy_from() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(common::trigate_bin())
        .args(["demo", "--listen", "127.0.0.1:0"])
        .env_remove("TRIGATE_MASTER_KEY")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    let addr: std::net::SocketAddr = loop {
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
            .await
            .expect("the demo starts")
            .unwrap()
            .expect("the demo prints its address");
        printed.push_str(&line);
        printed.push('\n');
        if let Some(addr) = line.strip_prefix("trigate listening on http://") {
            break addr.parse().unwrap();
        }
    };
    assert!(printed.contains("carol / demo-buyer-password"), "{printed}");
    let call = |method: &'static str,
                path: String,
                cookie: Option<String>,
                key: Option<&'static str>,
                body: String| async move {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nhost: t\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            body.len()
        );
        if let Some(c) = cookie {
            request.push_str(&format!("cookie: {c}\r\n"));
        }
        if let Some(k) = key {
            request.push_str(&format!("idempotency-key: {k}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(&body);
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).await.unwrap();
        raw
    };
    let products = call("GET", "/api/v1/products".into(), None, None, String::new()).await;
    assert!(products.starts_with("HTTP/1.1 200"), "{products}");
    assert!(
        products.contains("Game activation key") && products.contains("\"stock\":20"),
        "{products}"
    );
    let login = call(
        "POST",
        "/api/v1/auth/login".into(),
        None,
        None,
        json!({"login": "carol", "password": "demo-buyer-password"}).to_string(),
    )
    .await;
    let cookie = login
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let bought = call(
        "POST",
        "/api/v1/orders".into(),
        Some(cookie),
        Some("demo-1"),
        json!({"product": 1, "quantity": 1}).to_string(),
    )
    .await;
    assert!(bought.starts_with("HTTP/1.1 201"), "{bought}");
    assert!(bought.contains("GAME-DEMO-0001"), "{bought}");
    let pid = child.id().unwrap();
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("the demo stops on SIGTERM")
        .unwrap();
    assert!(status.success(), "{status}");
}

/// A member of staff with `role`, signed in by a minted session.
async fn staff(s: &Server, login: &str, role: trigate_core::AdminRole) -> trigate_core::UserId {
    let Reply::User(id) = s
        .engine
        .submit(Command::Register {
            login: login.into(),
            role: Role::Staff(role),
            referrer_code: None,
            password: None,
        })
        .await
        .unwrap()
    else {
        panic!("no {login}")
    };
    id
}

#[tokio::test]
async fn every_route_allows_exactly_the_roles_it_should() {
    use trigate_core::AdminRole;
    let s = Server::start().await;
    let (alice, alice_cookie) = s.sign_up("alice").await;
    let (_, bob_cookie) = s.sign_up("bob").await;
    s.fund(alice, 10_000).await;
    let mint = |user| format!("{}={}", trigate::http::COOKIE, s.sessions.open(user));
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
    ];
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
    // (method, path, body, expected status per role in the order above)
    let matrix: Vec<(&str, &str, Option<String>, [u16; 9])> = vec![
        (
            "GET",
            "/api/v1/orders/1",
            None,
            [401, 200, 404, 200, 404, 200, 200, 200, 200],
        ),
        (
            "GET",
            "/api/v1/orders/999",
            None,
            [401, 404, 404, 404, 404, 404, 404, 404, 404],
        ),
        (
            "GET",
            "/api/v1/wallet",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET",
            "/api/v1/merchant/balances",
            None,
            [401, 403, 403, 200, 200, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/merchant/products",
            Some(product),
            [401, 403, 403, 201, 201, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/merchant/products/1/keys",
            Some(String::new()),
            [401, 403, 403, 200, 404, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/orders/1/refund",
            Some(json!({"amount": 1}).to_string()),
            [401, 403, 403, 200, 403, 200, 200, 200, 403],
        ),
        (
            "POST",
            "/api/v1/orders/1/dispute/decide",
            Some(release),
            [401, 403, 403, 403, 403, 409, 403, 409, 403],
        ),
        (
            "POST",
            "/api/v1/orders/1/confirm",
            None,
            [401, 200, 403, 403, 403, 403, 403, 403, 403],
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
async fn admin_signs_in_only_with_a_fresh_totp_code() {
    let s = Server::start().await;
    let master = MasterKey::load(Some(&"11".repeat(32)), std::path::Path::new("/x")).unwrap();
    let hash = trigate::http::hash_password("admin password").unwrap();
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
    let seed = trigate::http::new_totp_seed();
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
    let code = trigate::http::totp_code(&seed, now);
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
async fn metrics_count_requests_and_time_the_writer() {
    let s = Server::start().await;
    s.call("GET", "/api/v1/products", None, &[], None).await;
    s.call("GET", "/api/v1/orders/7", None, &[], None).await;
    let r = s.call("GET", "/metrics", None, &[], None).await;
    assert_eq!(r.status, 200);
    let text = r.body.as_str().unwrap_or_default().to_string();
    for needle in [
        "trigate_http_requests_total{route=\"/api/v1/products\",method=\"GET\",status=\"200\"}",
        "route=\"/api/v1/orders/{id}\",method=\"GET\",status=\"401\"",
        "trigate_http_request_seconds_bucket",
        "trigate_writer_commit_seconds_bucket",
        "trigate_writer_group_commands",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
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
    let admin = format!("{}={}", trigate::http::COOKIE, s.sessions.open(s.admin));
    let auditor = format!("{}={}", trigate::http::COOKIE, s.sessions.open(auditor));
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

#[tokio::test]
async fn signed_merchant_requests_refuse_replays_stale_clocks_and_bad_signatures() {
    use hmac::{Hmac, KeyInit, Mac};
    let s = Server::start().await;
    let seller = format!("{}={}", trigate::http::COOKIE, s.sessions.open(s.seller));
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
        mac.update(&trigate::http::signed::signed_message(
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
