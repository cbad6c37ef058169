//! `trigate bench shop`: checkouts per second through the durable engine,
//! on SQLite by default, with 90% of orders going to one merchant. Two
//! cases:
//! - `checkout`: each a "buy with balance" command that creates the order,
//!   pays it from the buyer's wallet into escrow and delivers one key;
//! - `settle`: each that checkout and then the buyer's confirmation, which
//!   splits the order out of escrow (the merchant's share and the platform
//!   fee); merchants hold nothing, so every command's tick releases the
//!   shares settled before it from pending to available.

use std::time::{Duration, Instant};

use anyhow::bail;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use tokio::task::JoinSet;
use trigate_app::{App, Caller, ops};
use trigate_core::{AdminRole, ProductId, Role, UserId};
use trigate_engine::{WriterExit, start_shop};
use trigate_store::Store;

use super::seed::{self, PRICE};
use super::{BenchOptions, Latencies, Record};

const MERCHANTS: usize = 10;
const HOT_SHARE: f64 = 0.9;
/// Checkouts in flight at once: many buyers at the same moment.
const IN_FLIGHT: usize = 4_096;

pub fn run(options: &BenchOptions) -> anyhow::Result<()> {
    let mut records = Vec::new();
    for case in [Case::Checkout, Case::Settle] {
        if options.wants(case.name(), 1) {
            records.push(super::block_on(run_case(options, case))?);
        }
    }
    if records.is_empty() {
        bail!("bench shop has the cases checkout and settle");
    }
    super::print(&records, options.json)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Checkout,
    Settle,
}

impl Case {
    fn name(self) -> &'static str {
        match self {
            Case::Checkout => "checkout",
            Case::Settle => "settle",
        }
    }
}

async fn run_case(options: &BenchOptions, case: Case) -> anyhow::Result<Record> {
    let (ops, buyers) = options.sizes(1_000_000, 10_000)?;
    let dir = std::env::temp_dir().join(format!("trigate-bench-shop-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = match &options.database_url {
        Some(url) => {
            super::durable::reset(url).await?;
            url.clone()
        }
        None => format!("sqlite://{}", dir.join("shop.db").display()),
    };
    let store = Store::open(&url).await?;
    let (engine, writer) = start_shop(&store, trigate_core::Config::default()).await?;
    let app = App::new(engine, seed::master_key()?);
    let plan = Plan::new(options.seed, ops, buyers);
    let holding_days = if case == Case::Settle { 0 } else { 1 };
    let (products, buyer_ids) = setup(&app, &plan, holding_days).await?;
    // The setup's rows (a million sealed keys) are written before the clock
    // starts: the figure is checkouts, not imports.
    app.sync().await?;

    let progress = super::progress_bar(ops, options.json)?;
    let mut latencies = Latencies::default();
    let mut tasks = JoinSet::new();
    let mut next = 0usize;
    let started = Instant::now();
    loop {
        while next < plan.orders.len() && tasks.len() < IN_FLIGHT {
            let (buyer, product) = plan.orders[next];
            next += 1;
            let buyer = Caller(buyer_ids[buyer]);
            let buy = ops::BuyWithBalance {
                product: products[product],
                quantity: 1,
                coupon: None,
            };
            let app = app.clone();
            tasks.spawn(async move {
                let t0 = Instant::now();
                let bought = app.change(buyer, buy).await;
                let done = match (case, bought) {
                    (Case::Settle, Ok((order, keys))) => app
                        .change(buyer, ops::ConfirmOrder { order })
                        .await
                        .map(|_| (order, keys)),
                    (_, bought) => bought,
                };
                (done, t0.elapsed())
            });
        }
        let Some(done) = tasks.join_next().await else {
            break;
        };
        let (reply, elapsed): (_, Duration) = done?;
        match reply {
            Ok((_, keys)) if keys.len() == 1 => {}
            other => bail!("checkout failed: {other:?}"),
        }
        latencies.record(elapsed);
        progress.inc(1);
    }
    app.sync().await?;
    let secs = started.elapsed().as_secs_f64();
    progress.finish_and_clear();
    drop(app);
    if let WriterExit::Failed(e) = writer.await? {
        return Err(e.into());
    }
    let backend = store.backend();
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Record {
        bench: "shop",
        case: case.name().to_string(),
        mode: "durable",
        backend,
        batch: 1,
        accounts: buyers,
        hot_share: HOT_SHARE,
        ops,
        secs,
        per_sec: ops as f64 / secs,
        p50_us: latencies.percentile_us(50.0),
        p99_us: latencies.percentile_us(99.0),
        peak_rss_mb: super::peak_rss_mb(),
        page_kb: None,
    })
}

/// Who buys what, decided up front so the timed part only submits.
struct Plan {
    buyers: usize,
    /// (buyer index, product index) per order.
    orders: Vec<(usize, usize)>,
    keys_per_product: [usize; MERCHANTS],
}

impl Plan {
    fn new(seed: u64, ops: u64, buyers: u64) -> Self {
        let mut rng = SmallRng::seed_from_u64(seed);
        let buyers = buyers as usize;
        let mut keys_per_product = [0; MERCHANTS];
        let orders = (0..ops)
            .map(|_| {
                let product = if rng.random_bool(HOT_SHARE) {
                    0
                } else {
                    rng.random_range(1..MERCHANTS)
                };
                keys_per_product[product] += 1;
                (rng.random_range(0..buyers), product)
            })
            .collect();
        Self {
            buyers,
            orders,
            keys_per_product,
        }
    }
}

async fn setup(
    app: &App,
    plan: &Plan,
    holding_days: u32,
) -> anyhow::Result<(Vec<ProductId>, Vec<UserId>)> {
    seed::user(app, "admin", Role::Staff(AdminRole::Admin)).await?;
    let keys: Vec<u64> = plan.keys_per_product.iter().map(|k| *k as u64).collect();
    let products = seed::merchants_holding(app, &keys, holding_days).await?;
    // Each buyer funded for every order the plan gives them.
    let mut spend = vec![0u64; plan.buyers];
    for (buyer, _) in &plan.orders {
        spend[*buyer] += PRICE;
    }
    let mut buyers = Vec::with_capacity(plan.buyers);
    for (b, amount) in spend.iter().enumerate() {
        buyers.push(seed::funded_buyer(app, &format!("buyer{b}"), *amount).await?);
    }
    Ok((products, buyers))
}
