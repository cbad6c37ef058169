//! `trigate bench http`: full checkouts per second over loopback HTTP —
//! create the order, pay it by balance, read its keys — from many buyers at
//! once on keep-alive connections, 90% of orders to one merchant, with the
//! server in the same process (client and server share the machine).

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use secrecy::SecretString;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use trigate_core::{Bps, Command, Currency, Delivery, NewProduct, ProductId, Reply, Role, UserId};
use trigate_store::Store;

use super::{BenchOptions, Latencies, Record};
use crate::engine::{Engine, EngineConfig, ShopMachine, SystemClock, open_state};
use crate::http::{AppState, Sessions, router};
use crate::secrets::MasterKey;

const MERCHANTS: usize = 10;
const HOT_SHARE: f64 = 0.9;
const PRICE: u64 = 1_000;
/// Buyers checking out at the same moment, each on its own connection.
const CONCURRENT: usize = 128;

pub fn run(options: &BenchOptions) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_case(options))
}

async fn run_case(options: &BenchOptions) -> anyhow::Result<()> {
    let (ops, _) = options.sizes(50_000, 500)?;
    let dir = std::env::temp_dir().join(format!("trigate-bench-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}", dir.join("shop.db").display());
    let store = Store::open(&url).await?;
    let recovered = open_state::<trigate_core::Shop>(&store, 0).await?;
    let (engine, writer) = Engine::start(
        ShopMachine::new(recovered),
        store.clone(),
        Arc::new(SystemClock),
        EngineConfig::default(),
    );
    let master = MasterKey::load(Some(&"5a".repeat(32)), &dir)?;
    let products = seed_catalog(&engine, &master, ops).await?;
    let sessions = Arc::new(Sessions::default());
    let mut cookies = Vec::with_capacity(CONCURRENT);
    for b in 0..CONCURRENT {
        let user = submit_user(&engine, &format!("buyer{b}")).await?;
        engine
            .submit(Command::CreditWallet {
                user,
                currency: Currency::new("CNY")?,
                amount: PRICE * (ops / CONCURRENT as u64 + 2),
            })
            .await?;
        cookies.push(format!("{}={}", crate::http::COOKIE, sessions.open(user)));
    }
    engine.sync().await?;
    let state = AppState {
        engine: engine.clone(),
        master: Arc::new(master),
        sessions,
        secure_cookies: false,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, router(state)).await });

    let progress = super::progress_bar(ops, options.json)?;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (b, cookie) in cookies.into_iter().enumerate() {
        let share = ops / CONCURRENT as u64 + u64::from((b as u64) < ops % CONCURRENT as u64);
        let products = products.clone();
        let progress = progress.clone();
        let seed = options.seed + b as u64;
        tasks.spawn(async move {
            let mut rng = SmallRng::seed_from_u64(seed);
            let mut conn = Conn::open(addr, cookie).await?;
            let mut latencies = Latencies::default();
            for i in 0..share {
                let product = if rng.random_bool(HOT_SHARE) {
                    products[0]
                } else {
                    products[rng.random_range(1..MERCHANTS)]
                };
                let t0 = Instant::now();
                checkout(&mut conn, product, &format!("{b}-{i}")).await?;
                latencies.record(t0.elapsed());
                progress.inc(1);
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Latencies::default();
    while let Some(done) = tasks.join_next().await {
        latencies.merge(done??);
    }
    engine.sync().await?;
    let secs = started.elapsed().as_secs_f64();
    progress.finish_and_clear();
    server.abort();
    drop(engine);
    let _ = writer.await;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    let record = Record {
        bench: "http",
        case: "checkout".to_string(),
        mode: "durable",
        backend: "sqlite",
        batch: 1,
        accounts: CONCURRENT as u64,
        hot_share: HOT_SHARE,
        ops,
        secs,
        per_sec: ops as f64 / secs,
        p50_us: latencies.percentile_us(50.0),
        p99_us: latencies.percentile_us(99.0),
        peak_rss_mb: super::peak_rss_mb(),
    };
    super::print(&[record], options.json)
}

/// One checkout: create the order, pay it from the wallet, read the keys.
async fn checkout(conn: &mut Conn, product: ProductId, key: &str) -> anyhow::Result<()> {
    let body = format!(r#"{{"product":{},"quantity":1,"pay":"later"}}"#, product.0);
    let (status, created) = conn
        .call("POST", "/api/v1/orders", Some(&format!("o-{key}")), &body)
        .await?;
    if status != 201 {
        bail!("create answered {status}: {created}");
    }
    let order: serde_json::Value = serde_json::from_str(&created)?;
    let id = order["order"].as_u64().context("no order id")?;
    let (status, paid) = conn
        .call(
            "POST",
            &format!("/api/v1/orders/{id}/pay-by-balance"),
            Some(&format!("p-{key}")),
            "",
        )
        .await?;
    if status != 200 {
        bail!("pay answered {status}: {paid}");
    }
    let (status, read) = conn
        .call("GET", &format!("/api/v1/orders/{id}"), None, "")
        .await?;
    let read: serde_json::Value = serde_json::from_str(&read)?;
    if status != 200 || read["keys"].as_array().is_none_or(|k| k.len() != 1) {
        bail!("reading order {id} answered {status}: {read}");
    }
    Ok(())
}

/// A keep-alive HTTP/1.1 connection: one request at a time.
struct Conn {
    stream: BufReader<TcpStream>,
    cookie: String,
}

impl Conn {
    async fn open(addr: std::net::SocketAddr, cookie: String) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream: BufReader::new(stream),
            cookie,
        })
    }

    async fn call(
        &mut self,
        method: &str,
        path: &str,
        idempotency_key: Option<&str>,
        body: &str,
    ) -> anyhow::Result<(u16, String)> {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nhost: bench\r\ncookie: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            self.cookie,
            body.len()
        );
        if let Some(key) = idempotency_key {
            request.push_str(&format!("idempotency-key: {key}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        self.stream.get_mut().write_all(request.as_bytes()).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line {line:?}"))?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse()?;
            }
        }
        let mut body = vec![0u8; length];
        self.stream.read_exact(&mut body).await?;
        Ok((status, String::from_utf8(body)?))
    }
}

async fn submit_user(engine: &Engine<ShopMachine>, login: &str) -> anyhow::Result<UserId> {
    match engine
        .submit(Command::Register {
            login: login.into(),
            role: if login.starts_with("merchant") {
                Role::Merchant
            } else {
                Role::Buyer
            },
            referrer_code: None,
            password: None,
        })
        .await?
    {
        Reply::User(id) => Ok(id),
        other => bail!("registering {login}: {other:?}"),
    }
}

/// Ten merchants, a product each, enough sealed keys for every order.
async fn seed_catalog(
    engine: &Engine<ShopMachine>,
    master: &MasterKey,
    ops: u64,
) -> anyhow::Result<Vec<ProductId>> {
    let mut products = Vec::new();
    let mut n = 0u64;
    for m in 0..MERCHANTS {
        let owner = submit_user(engine, &format!("merchant{m}")).await?;
        let (data_key, wrapped_key) = master.new_data_key();
        let Reply::Merchant(merchant) = engine
            .submit(Command::CreateMerchant {
                owner,
                name: format!("Shop {m}"),
                fee: Bps::new(500)?,
                holding_days: 1,
                wrapped_key,
            })
            .await?
        else {
            bail!("no merchant");
        };
        let spec = NewProduct {
            title: format!("Key {m}"),
            delivery: Delivery::Keys,
            currency: Currency::new("CNY")?,
            price: PRICE,
            tiers: vec![],
            min_per_order: 1,
            max_per_order: 1,
            commission_l1: Bps::ZERO,
            commission_l2: Bps::ZERO,
            membership: false,
        };
        let Reply::Product(product) = engine
            .submit(Command::CreateProduct { merchant, spec })
            .await?
        else {
            bail!("no product");
        };
        // Every product can take every order: the hot one must never run out.
        let mut left = ops;
        while left > 0 {
            let chunk = left.min(8_192);
            let keys = (0..chunk)
                .map(|_| {
                    n += 1;
                    data_key.seal(&SecretString::from(format!("HTTP-{n:012}")))
                })
                .collect();
            engine
                .submit(Command::ImportKeys {
                    product,
                    keys,
                    invalid: vec![],
                })
                .await?;
            left -= chunk;
        }
        products.push(product);
    }
    Ok(products)
}
