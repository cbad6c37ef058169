//! A real server on a random port for HTTP tests, a minimal HTTP/1.1
//! client, and the shop it serves: a seller with three sealed keys on
//! product 1, another merchant with product 2, and an admin.

use std::sync::Arc;

use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use trigate_app::MasterKey;
use trigate_core::{Bps, Command, Currency, Delivery, NewProduct, Reply, Role};
use trigate_engine::{Engine, EngineConfig, ShopMachine, SystemClock, open_state};
use trigate_web::{AppState, COOKIE, Sessions, router};

/// The system clock, moved on by whatever a test says has passed.
#[derive(Debug, Default)]
pub struct SkewedClock {
    pub skew: std::sync::atomic::AtomicU64,
}

impl trigate_engine::Clock for SkewedClock {
    fn now_nanos(&self) -> u64 {
        SystemClock.now_nanos() + self.skew.load(std::sync::atomic::Ordering::SeqCst)
    }
}

pub struct Server {
    pub addr: std::net::SocketAddr,
    /// The engine's clock: `advance` moves it on.
    pub clock: Arc<SkewedClock>,
    pub engine: Engine<ShopMachine>,
    pub sessions: Arc<Sessions>,
    /// The seller of product 1, another merchant (product 2), an admin.
    pub seller: trigate_core::UserId,
    pub other_merchant: trigate_core::UserId,
    pub admin: trigate_core::UserId,
    pub db: super::TestDb,
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Server {
    pub async fn start() -> Server {
        Self::start_on(super::TestDb::sqlite()).await
    }

    pub async fn start_on(db: super::TestDb) -> Server {
        Self::start_with(db, |_| None).await
    }

    /// A server whose payments `payments` makes, given the server's own
    /// address (channels notify it there).
    pub async fn start_with(
        db: super::TestDb,
        payments: impl FnOnce(std::net::SocketAddr) -> Option<trigate_app::payments::Payments>,
    ) -> Server {
        Self::start_custom(db, |addr, state| match payments(addr) {
            Some(p) => state.with_payments(p),
            None => state,
        })
        .await
    }

    /// A server whose state `custom` finishes, given its own address.
    pub async fn start_custom(
        db: super::TestDb,
        custom: impl FnOnce(std::net::SocketAddr, AppState) -> AppState,
    ) -> Server {
        let store = db.open().await;
        let recovered = open_state::<trigate_core::Shop>(&store, 0).await.unwrap();
        let clock = Arc::new(SkewedClock::default());
        let (engine, _writer) = Engine::start(
            ShopMachine::new(recovered),
            store,
            clock.clone(),
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
        // Destinations are paid at once here; the cooling period has tests
        // of its own.
        let rules = trigate_core::Rules {
            destination_cooling_hours: 0,
            ..trigate_core::Rules::default()
        };
        run(Command::ChangeRules { rules }).await;
        let sessions = Arc::new(Sessions::default());
        let app = trigate_app::App::new(engine.clone(), master);
        let state = AppState::new(app, sessions.clone(), false);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = custom(addr, state);
        tokio::spawn(async move {
            let service =
                router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, service).await
        });
        Server {
            addr,
            clock,
            engine,
            sessions,
            seller: owner,
            other_merchant,
            admin,
            db,
        }
    }

    /// One HTTP/1.1 request on a fresh connection.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Response {
        call(self.addr, method, path, cookie, headers, body).await
    }

    /// Adds a withdrawal destination to the book of the one signed in
    /// with `cookie`; its id.
    pub async fn add_destination(&self, cookie: &str, account: &str) -> u64 {
        let body = json!({"label": "bank", "account": account}).to_string();
        let r = self
            .call(
                "POST",
                "/api/v1/destinations",
                Some(cookie),
                &[],
                Some(&body),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["id"].as_u64().unwrap()
    }

    pub async fn sign_up(&self, login: &str) -> (u64, String) {
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

    /// The other merchant (no holding period) sells a key of product 2 for
    /// 1,500 to a new buyer, who confirms; a tick releases it. The
    /// merchant's session cookie.
    pub async fn released_sale(&self) -> String {
        let merchant = format!("{}={}", COOKIE, self.sessions.open(self.other_merchant));
        let r = self
            .call(
                "POST",
                "/api/v1/merchant/products/2/keys",
                Some(&merchant),
                &[("idempotency-key", "released-sale")],
                Some(&json!({"text": "ZZZZ-9999"}).to_string()),
            )
            .await;
        assert_eq!(r.body["added"], 1, "{:?}", r.body);
        let (buyer, cookie) = self.sign_up("released-sale-buyer").await;
        self.fund(buyer, 10_000).await;
        let bought = self.buy_one(&cookie, 2, "buy").await;
        let order = bought.body["order"].as_u64().unwrap();
        let r = self
            .call(
                "POST",
                &format!("/api/v1/orders/{order}/confirm"),
                Some(&cookie),
                &[("idempotency-key", "c")],
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        self.engine.submit(Command::Tick).await.unwrap();
        merchant
    }

    /// The signed-in buyer buys one of `product` from the wallet, under
    /// the idempotency key `key`: the order, delivered.
    pub async fn buy_one(&self, cookie: &str, product: u64, key: &str) -> Response {
        let order = json!({"product": product, "quantity": 1}).to_string();
        let r = self
            .call(
                "POST",
                "/api/v1/orders",
                Some(cookie),
                &[("idempotency-key", key)],
                Some(&order),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r
    }

    /// Moves the shop's clock on by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.clock
            .skew
            .fetch_add(nanos, std::sync::atomic::Ordering::SeqCst);
    }

    pub async fn fund(&self, user: u64, amount: u64) {
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

pub fn spec_for_tests() -> NewProduct {
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

pub fn error_code(r: &Response) -> &str {
    r.body["error"]["code"].as_str().unwrap_or("")
}

/// One HTTP/1.1 request on a fresh connection to `addr`.
pub async fn call(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Response {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
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

/// A member of staff with `role`, signed in by a minted session.
pub async fn staff(s: &Server, login: &str, role: trigate_core::AdminRole) -> trigate_core::UserId {
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

/// The TOTP code at `at` (Unix seconds) for a secret as authenticator apps
/// read it (base32, RFC 4648, no padding).
pub fn totp_from_base32(secret: &str, at: u64) -> String {
    let (mut seed, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in secret.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => panic!("not base32: {secret}"),
        };
        buffer = (buffer << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            seed.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    trigate_app::identity::totp_code(&secrecy::SecretBox::new(Box::new(seed)), at)
}
