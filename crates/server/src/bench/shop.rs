//! `trigate bench shop`: checkouts per second through the durable engine —
//! each one a "buy with balance" command that creates the order, pays it
//! from the buyer's wallet into escrow and delivers one key — on SQLite by
//! default, with 90% of orders going to one merchant.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use tokio::task::JoinSet;
use trigate_core::{
    AdminRole, Bps, Command, Currency, Delivery, NewProduct, ProductId, Reply, Role, Shop, UserId,
};
use trigate_store::Store;

use super::{BenchOptions, Latencies, Record};
use crate::engine::{Engine, EngineConfig, ShopMachine, SystemClock, WriterExit, open_state};
use crate::secrets::MasterKey;
use secrecy::SecretString;

const MERCHANTS: usize = 10;
const HOT_SHARE: f64 = 0.9;
const PRICE: u64 = 1_000;
/// Checkouts in flight at once: many buyers at the same moment.
const IN_FLIGHT: usize = 4_096;
/// Keys per import command.
const IMPORT_CHUNK: usize = 8_192;

pub fn run(options: &BenchOptions) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_case(options))
}

async fn run_case(options: &BenchOptions) -> anyhow::Result<()> {
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
    let recovered = open_state::<Shop>(&store, 0).await?;
    let (engine, writer) = Engine::start(
        ShopMachine::new(recovered),
        store.clone(),
        Arc::new(SystemClock),
        EngineConfig::default(),
    );
    let plan = Plan::new(options.seed, ops, buyers);
    let (products, buyer_ids) = setup(&engine, &plan).await?;
    // The setup's rows (a million sealed keys) are written before the clock
    // starts: the figure is checkouts, not imports.
    engine.sync().await?;

    let progress = super::progress_bar(ops, options.json)?;
    let mut latencies = Latencies::default();
    let mut tasks = JoinSet::new();
    let mut next = 0usize;
    let started = Instant::now();
    loop {
        while next < plan.orders.len() && tasks.len() < IN_FLIGHT {
            let (buyer, product) = plan.orders[next];
            next += 1;
            let command = Command::BuyWithBalance {
                buyer: buyer_ids[buyer],
                product: products[product],
                quantity: 1,
                coupon: None,
            };
            let engine = engine.clone();
            tasks.spawn(async move {
                let t0 = Instant::now();
                (engine.submit(command).await, t0.elapsed())
            });
        }
        let Some(done) = tasks.join_next().await else {
            break;
        };
        let (reply, elapsed): (_, Duration) = done?;
        match reply? {
            Reply::Bought { keys, .. } if keys.len() == 1 => {}
            other => bail!("checkout failed: {other:?}"),
        }
        latencies.record(elapsed);
        progress.inc(1);
    }
    engine.sync().await?;
    let secs = started.elapsed().as_secs_f64();
    progress.finish_and_clear();
    drop(engine);
    if let WriterExit::Failed(e) = writer.await? {
        return Err(e.into());
    }
    let backend = store.backend();
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    let record = Record {
        bench: "shop",
        case: "checkout".to_string(),
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
    };
    super::print(&[record], options.json)
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
    engine: &Engine<ShopMachine>,
    plan: &Plan,
) -> anyhow::Result<(Vec<ProductId>, Vec<UserId>)> {
    let cny = Currency::new("CNY")?;
    let run = |command| async move {
        match engine.submit(command).await? {
            Reply::Refused { message, .. } => bail!("benchmark setup refused: {message}"),
            reply => Ok(reply),
        }
    };
    run(Command::Register {
        login: "admin".into(),
        role: Role::Staff(AdminRole::Admin),
        referrer_code: None,
        password: None,
    })
    .await?;
    // Keys sealed as in production, under a fixed benchmark master key.
    let master = MasterKey::load(Some(&"5a".repeat(32)), std::path::Path::new("."))?;
    let mut products = Vec::new();
    let mut key_no = 0u64;
    for m in 0..MERCHANTS {
        let Reply::User(owner) = run(Command::Register {
            login: format!("merchant{m}"),
            role: Role::Merchant,
            referrer_code: None,
            password: None,
        })
        .await?
        else {
            bail!("no merchant owner");
        };
        let (data_key, wrapped_key) = master.new_data_key();
        let Reply::Merchant(merchant) = run(Command::CreateMerchant {
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
            currency: cny,
            price: PRICE,
            tiers: vec![],
            min_per_order: 1,
            max_per_order: 1,
            commission_l1: Bps::ZERO,
            commission_l2: Bps::ZERO,
            membership: false,
        };
        let Reply::Product(product) = run(Command::CreateProduct { merchant, spec }).await? else {
            bail!("no product");
        };
        let mut left = plan.keys_per_product[m];
        while left > 0 {
            let n = left.min(IMPORT_CHUNK);
            let keys = (0..n)
                .map(|_| {
                    key_no += 1;
                    data_key.seal(&SecretString::from(format!("BENCH-{key_no:012}")))
                })
                .collect();
            run(Command::ImportKeys {
                product,
                keys,
                invalid: vec![],
            })
            .await?;
            left -= n;
        }
        products.push(product);
    }
    // Each buyer funded for every order the plan gives them.
    let mut spend = vec![0u64; plan.buyers];
    for (buyer, _) in &plan.orders {
        spend[*buyer] += PRICE;
    }
    let mut buyers = Vec::with_capacity(plan.buyers);
    for (b, amount) in spend.iter().enumerate() {
        let Reply::User(id) = run(Command::Register {
            login: format!("buyer{b}"),
            role: Role::Buyer,
            referrer_code: None,
            password: None,
        })
        .await?
        else {
            bail!("no buyer");
        };
        if *amount > 0 {
            run(Command::CreditWallet {
                user: id,
                currency: cny,
                amount: *amount,
            })
            .await?;
        }
        buyers.push(id);
    }
    Ok((products, buyers))
}
