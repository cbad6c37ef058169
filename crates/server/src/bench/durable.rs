//! `trigate bench ledger --durable`: transfers per second through the whole
//! engine — queue, single writer, one database transaction per group commit,
//! reply after commit — on TigerBeetle's benchmark workload (10,000 accounts,
//! 10,000,000 transfers, batch 8189, uniform and with 90% on 100 hot
//! accounts), plus batch sizes 100 and 1, and the naive baseline (one locking
//! SQL transaction per transfer) in the same run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use indicatif::ProgressBar;
use tokio::task::JoinSet;
use trigate_ledger::Ledger;
use trigate_store::Store;

use super::workload::{Generator, MAX_BATCH, Workload};
use super::{BenchOptions, Latencies, Record, naive};
use trigate_engine::{
    Engine, EngineConfig, LedgerCommand, LedgerMachine, LedgerReply, SystemClock, WriterExit,
};

const HOT_ACCOUNTS: u64 = 100;

pub fn run(options: &BenchOptions) -> anyhow::Result<()> {
    super::block_on(run_cases(options))
}

/// Where each case writes: a fresh database every time.
struct Target {
    url: Option<String>,
    dir: std::path::PathBuf,
    n: usize,
}

impl Target {
    async fn fresh(&mut self) -> anyhow::Result<String> {
        self.n += 1;
        match &self.url {
            None => Ok(format!(
                "sqlite://{}",
                self.dir.join(format!("case{}.db", self.n)).display()
            )),
            Some(url) => {
                reset(url).await?;
                Ok(url.clone())
            }
        }
    }
}

/// Drops the benchmark's tables from a scratch database (on SQLite, from the
/// journal's file and the tables' file beside it).
pub(super) async fn reset(url: &str) -> anyhow::Result<()> {
    use sqlx::{Connection, Executor};
    let drop = [
        "journal",
        "accounts",
        "transfers",
        "checkpoint",
        "_sqlx_migrations",
        "naive_accounts",
        "naive_transfers",
    ]
    .map(|t| format!("DROP TABLE IF EXISTS {t};"))
    .concat();
    if url.starts_with("sqlite:") {
        for file in [url.to_string(), trigate_store::sqlite_tables_url(url)] {
            let options: sqlx::sqlite::SqliteConnectOptions = file.parse()?;
            let mut c = sqlx::ConnectOptions::connect(&options.create_if_missing(true)).await?;
            c.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(drop.clone())))
                .await?;
        }
    } else {
        let mut c = sqlx::PgConnection::connect(url)
            .await
            .with_context(|| format!("cannot open {}", trigate_store::mask_url(url)))?;
        c.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(drop))).await?;
    }
    Ok(())
}

async fn run_cases(options: &BenchOptions) -> anyhow::Result<()> {
    let (ops, accounts) = options.sizes(10_000_000, 40_000)?;
    let dir = std::env::temp_dir().join(format!("trigate-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut target = Target {
        url: options.database_url.clone(),
        dir: dir.clone(),
        n: 0,
    };
    // Smaller batches pay a commit per fewer transfers; they run fewer.
    let cases = [
        ("uniform", 0.0, MAX_BATCH, ops),
        ("hot", 0.9, MAX_BATCH, ops),
        ("uniform", 0.0, 100, (ops / 10).max(1)),
        ("hot", 0.9, 100, (ops / 10).max(1)),
        ("uniform", 0.0, 1, (ops / 100).max(1)),
        ("hot", 0.9, 1, (ops / 100).max(1)),
    ];
    let cases: Vec<_> = cases
        .into_iter()
        .filter(|(name, _, batch, _)| options.wants(name, *batch))
        .collect();
    let naive_ops = if !options.wants("naive", 1) {
        0
    } else if options.quick {
        300
    } else {
        5_000
    };
    let total: u64 = cases.iter().map(|c| c.3).sum::<u64>() + naive_ops;
    let progress = super::progress_bar(total, options.json)?;
    let mut records = Vec::new();
    for (name, hot_share, batch, case_ops) in cases {
        let url = target.fresh().await?;
        let workload = Workload {
            accounts,
            hot_share,
            hot_accounts: HOT_ACCOUNTS.min(accounts),
            seed: options.seed,
        };
        let record = durable_case(&url, name, workload, batch, case_ops, &progress).await?;
        records.push(record);
    }
    if naive_ops > 0 {
        records.push(naive_case(&mut target, accounts, naive_ops, options.seed).await?);
        progress.inc(naive_ops);
    }
    progress.finish_and_clear();
    let _ = std::fs::remove_dir_all(&dir);
    super::print(&records, options.json)?;
    if !options.json {
        super::print_ratios(&records);
    }
    Ok(())
}

async fn naive_case(
    target: &mut Target,
    accounts: u64,
    naive_ops: u64,
    seed: u64,
) -> anyhow::Result<Record> {
    let url = target.fresh().await?;
    let run = naive::run(&url, accounts, 0.0, naive_ops, seed).await?;
    let mut latencies = run.latencies;
    Ok(Record {
        bench: "ledger",
        case: "naive".to_string(),
        mode: "durable",
        backend: if url.starts_with("sqlite:") {
            "sqlite"
        } else {
            "postgres"
        },
        batch: 1,
        accounts,
        hot_share: 0.0,
        ops: naive_ops,
        secs: run.secs,
        per_sec: naive_ops as f64 / run.secs,
        p50_us: latencies.percentile_us(50.0),
        p99_us: latencies.percentile_us(99.0),
        peak_rss_mb: super::peak_rss_mb(),
        page_kb: None,
    })
}

async fn durable_case(
    url: &str,
    name: &str,
    workload: Workload,
    batch: usize,
    ops: u64,
    progress: &ProgressBar,
) -> anyhow::Result<Record> {
    let store = Store::open(url).await?;
    let mut generator = Generator::new(workload);
    let accounts = usize::try_from(workload.accounts + 1)?;
    let ledger = Ledger::with_capacity(accounts, usize::try_from(ops)? + accounts);
    // Many clients at once, as a busy shop has: enough commands in flight to
    // fill a group commit of about four batches of 8189, whatever each holds.
    let in_flight = (4 * MAX_BATCH / batch).max(2);
    let (engine, writer) = Engine::start(
        LedgerMachine::new(ledger),
        store.clone(),
        Arc::new(SystemClock),
        EngineConfig {
            max_batch: in_flight,
            queue_depth: in_flight,
            ..EngineConfig::default()
        },
    );
    engine
        .submit(LedgerCommand::CreateAccounts(generator.accounts()))
        .await?;
    for chunk in generator.funding().chunks(MAX_BATCH) {
        engine
            .submit(LedgerCommand::CreateTransfers(chunk.to_vec()))
            .await?;
    }

    let mut latencies = Latencies::default();
    let mut tasks = JoinSet::new();
    let mut left = ops;
    let started = Instant::now();
    loop {
        while left > 0 && tasks.len() < in_flight {
            let len = left.min(batch as u64) as usize;
            let mut events = Vec::with_capacity(len);
            generator.fill(&mut events, len);
            left -= len as u64;
            let engine = engine.clone();
            tasks.spawn(async move {
                let t0 = Instant::now();
                let reply = engine.submit(LedgerCommand::CreateTransfers(events)).await;
                (reply, t0.elapsed(), len)
            });
        }
        let Some(done) = tasks.join_next().await else {
            break;
        };
        let (reply, elapsed, len): (_, Duration, usize) = done?;
        match reply? {
            LedgerReply::Transfers(results) if results.iter().all(|r| r.is_success()) => {}
            other => bail!("benchmark transfer failed: {other:?}"),
        }
        latencies.record(elapsed);
        progress.inc(len as u64);
    }
    // The figure counts the tables catching up, too: a rate the
    // checkpointer could not keep would otherwise look free.
    engine.sync().await?;
    let secs = started.elapsed().as_secs_f64();
    drop(engine);
    if let WriterExit::Failed(e) = writer.await? {
        return Err(e.into());
    }
    let backend = store.backend();
    store.close().await;
    Ok(Record {
        bench: "ledger",
        case: name.to_string(),
        mode: "durable",
        backend,
        batch,
        accounts: workload.accounts,
        hot_share: workload.hot_share,
        ops,
        secs,
        per_sec: ops as f64 / secs,
        p50_us: latencies.percentile_us(50.0),
        p99_us: latencies.percentile_us(99.0),
        peak_rss_mb: super::peak_rss_mb(),
        page_kb: None,
    })
}
