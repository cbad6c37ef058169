//! `trigate bench notify`: payment notifications per second through the
//! HTTP endpoint — each one an epay notification for its own attempt,
//! signature checked, bound to the attempt, and applied by the engine
//! (paying the order into escrow and delivering its key) — from many
//! connections at once, over loopback, server in the same process.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use secrecy::SecretString;
use trigate_app::payments::{ChannelConfig, ChannelKind, HyperTransport, Payments, out_trade_no};
use trigate_app::{App, Caller, ops};
use trigate_channels::epay::{Variant, sign};
use trigate_core::OrderId;
use trigate_web::{AppState, Sessions};

use super::http::Conn;
use super::loopback::{self, CONCURRENT, Loopback, share};
use super::seed::{self, PRICE};
use super::{BenchOptions, Latencies, Record};

const PID: &str = "1001";
const KEY: &str = "bench-epay-key-0123456789abcdef";

pub fn run(options: &BenchOptions) -> anyhow::Result<()> {
    super::block_on(run_case(options))
}

async fn run_case(options: &BenchOptions) -> anyhow::Result<()> {
    let (ops, _) = options.sizes(50_000, 500)?;
    let mut shop = Loopback::open("notify").await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let channel = ChannelConfig {
        name: "epay".into(),
        kind: ChannelKind::Epay,
        gateway: "http://127.0.0.1:9/".into(),
        merchant: PID.into(),
        key: SecretString::from(KEY),
        variant: Variant::Plain,
        server_create: false,
        methods: vec!["alipay".into()],
        currencies: vec!["CNY".into()],
        min_amount: 1,
        max_amount: u64::MAX,
        priority: 0,
        merchants: vec![],
    };
    let payments = Payments::new(
        &[channel],
        Arc::new(HyperTransport::new(Duration::from_secs(5))),
        &format!("http://{addr}"),
    )?;
    let app = shop.app.clone().with_payments(payments);
    let products = seed::merchants(&app, &[ops]).await?;
    let product = products[0];
    // Each buyer's unpaid orders, each with an attempt at the channel.
    let mut seeding = tokio::task::JoinSet::new();
    for b in 0..CONCURRENT {
        let app = app.clone();
        let share = share(ops, b);
        seeding.spawn(async move {
            let buyer = seed::user(&app, &format!("buyer{b}"), trigate_core::Role::Buyer).await?;
            let mut notes = Vec::with_capacity(share as usize);
            for _ in 0..share {
                let create = ops::CreateOrder {
                    product,
                    quantity: 1,
                    coupon: None,
                };
                let order = app.change(Caller(buyer), create).await?;
                notes.push(notification(&app, Caller(buyer), order).await?);
            }
            anyhow::Ok(notes)
        });
    }
    let mut shares = Vec::with_capacity(CONCURRENT);
    while let Some(done) = seeding.join_next().await {
        shares.push(done??);
    }
    app.sync().await?;
    let state = AppState::new(app.clone(), Arc::new(Sessions::default()), false);
    shop.serve(listener, state).await;

    let progress = super::progress_bar(ops, options.json)?;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for notes in shares {
        let progress = progress.clone();
        tasks.spawn(async move {
            let mut conn = Conn::open(addr, "bench=1".into()).await?;
            let mut latencies = Latencies::default();
            for path in notes {
                let t0 = Instant::now();
                let (status, body) = conn.call("GET", &path, None, "").await?;
                if status != 200 || body != "success" {
                    bail!("{path} answered {status}: {body}");
                }
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
        bench: "notify",
        case: "epay".to_string(),
        mode: "durable",
        backend: "sqlite",
        batch: 1,
        accounts: CONCURRENT as u64,
        hot_share: 1.0,
        ops,
        secs,
        per_sec: ops as f64 / secs,
        p50_us: latencies.percentile_us(50.0),
        p99_us: latencies.percentile_us(99.0),
        peak_rss_mb: super::peak_rss_mb(),
        page_kb: None,
    };
    super::print(&[record], options.json)
}

/// Starts paying `order` at the channel (a redirect: nothing is sent) and
/// returns the path of its signed notification, as the gateway would send
/// it.
async fn notification(app: &App, buyer: Caller, order: OrderId) -> anyhow::Result<String> {
    let attempt = app.pay_order(buyer, order, "alipay").await?.attempt;
    let no = out_trade_no(attempt);
    let trade_no = format!("E{}", attempt.0);
    let money = trigate_channels::amount::format(PRICE, seed::cny());
    let params = [
        ("pid", PID),
        ("trade_no", trade_no.as_str()),
        ("out_trade_no", no.as_str()),
        ("type", "alipay"),
        ("name", "bench"),
        ("money", money.as_str()),
        ("trade_status", "TRADE_SUCCESS"),
    ];
    let signature = sign(params.iter().copied(), KEY, Variant::Plain);
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().copied())
        .append_pair("sign", &signature)
        .append_pair("sign_type", "MD5")
        .finish();
    Ok(format!("/pay/epay/notify/{no}?{query}"))
}
