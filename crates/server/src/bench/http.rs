//! `trigate bench http`: full checkouts per second over loopback HTTP —
//! create the order, pay it by balance, read its keys — from many buyers at
//! once on keep-alive connections, 90% of orders to one merchant, with the
//! server in the same process (client and server share the machine).

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use trigate_core::ProductId;

use super::loopback::{self, CONCURRENT, Loopback, share};
use super::seed::{self, PRICE};
use super::{BenchOptions, Latencies, Record};
use trigate_web::{AppState, Sessions};

const MERCHANTS: usize = 10;
const HOT_SHARE: f64 = 0.9;

/// The checkout with risk checks off, then on (the default pack deciding
/// every payment), then both again: the ratio of each pair measured in the
/// same run, since this machine's speed drifts between runs.
pub fn run(options: &BenchOptions) -> anyhow::Result<()> {
    super::block_on(async {
        let mut records = Vec::new();
        let rounds = if options.quick { 1 } else { 2 };
        for _ in 0..rounds {
            for risk in [false, true] {
                let case = if risk {
                    "checkout"
                } else {
                    "checkout_risk_off"
                };
                if options.case.as_deref().is_none_or(|c| c == case) {
                    records.push(checkout_case(options, risk).await?);
                }
            }
        }
        super::print(&records, options.json)?;
        if !options.json {
            for pair in records.chunks(2) {
                if let [off, on] = pair {
                    println!("risk on / risk off = {:.3}", on.per_sec / off.per_sec);
                }
            }
        }
        Ok(())
    })
}

/// The checkout case: `bench http`'s own, and `bench web`'s reference
/// (risk on).
pub async fn checkout_case(options: &BenchOptions, risk: bool) -> anyhow::Result<Record> {
    let (ops, _) = options.sizes(50_000, 500)?;
    let settings = trigate_core::risk::RiskSettings {
        enabled: risk,
        ..trigate_core::risk::RiskSettings::default()
    };
    let mut shop = Loopback::open_with("http", settings).await?;
    let app = shop.app.clone();
    // Every product can take every order: the hot one must never run out.
    let products = seed::merchants(&app, &[ops; MERCHANTS]).await?;
    let sessions = Arc::new(Sessions::default());
    let mut cookies = Vec::with_capacity(CONCURRENT);
    for b in 0..CONCURRENT {
        let funds = PRICE * (ops / CONCURRENT as u64 + 2);
        let user = seed::funded_buyer(&app, &format!("buyer{b}"), funds).await?;
        cookies.push(format!("{}={}", trigate_web::COOKIE, sessions.open(user)));
    }
    app.sync().await?;
    let state = AppState::new(app.clone(), sessions, false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = shop.serve(listener, state).await;

    let progress = super::progress_bar(ops, options.json)?;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (b, cookie) in cookies.into_iter().enumerate() {
        let share = share(ops, b);
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
    let mut latencies = loopback::latencies(tasks).await?;
    app.sync().await?;
    let secs = started.elapsed().as_secs_f64();
    progress.finish_and_clear();
    drop(app);
    shop.stop().await;
    let record = Record {
        bench: "http",
        case: if risk {
            "checkout"
        } else {
            "checkout_risk_off"
        }
        .to_string(),
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
        page_kb: None,
    };
    Ok(record)
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
pub(super) struct Conn {
    stream: BufReader<TcpStream>,
    cookie: String,
}

impl Conn {
    pub(super) async fn open(addr: std::net::SocketAddr, cookie: String) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream: BufReader::new(stream),
            cookie,
        })
    }

    pub(super) async fn call(
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
        let head = loopback::read_head(&mut self.stream).await?;
        let mut body = vec![0u8; head.length.unwrap_or(0)];
        self.stream.read_exact(&mut body).await?;
        Ok((head.status, String::from_utf8(body)?))
    }
}
