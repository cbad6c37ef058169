//! `trigate bench ledger`: transfers applied per second by the in-memory
//! ledger on one core, at batch sizes 1, 100 and 8189, with the transfers
//! spread uniformly over the accounts and with 90% of them on one hot account
//! (the escrow account of a busy shop).

use std::time::Instant;

use anyhow::{Context, bail};
use indicatif::ProgressBar;
use trigate_ledger::{CreateTransferResult, Ledger};

use super::workload::{BATCHES, Generator, MAX_BATCH, Workload};
use super::{BenchOptions, Latencies, Record};

/// A ledger holding the workload's accounts, funded; and the next timestamp.
/// The ledger is sized up front for everything the case will apply, as the
/// engine sizes it from its configuration, so no batch pauses to grow an index.
pub fn prepared_ledger(generator: &mut Generator, ops: u64) -> anyhow::Result<(Ledger, u64)> {
    let accounts = usize::try_from(generator.workload().accounts + 1)?;
    let transfers = usize::try_from(ops)?.saturating_add(accounts);
    let mut ledger = Ledger::with_capacity(accounts, transfers);
    let accounts = generator.accounts();
    let results = ledger.create_accounts(1, &accounts)?;
    if let Some(bad) = results.iter().find(|r| !r.is_success()) {
        bail!("setting up accounts failed: {bad}");
    }
    let mut ts = ledger.last_timestamp() + 1;
    for chunk in generator.funding().chunks(MAX_BATCH) {
        let results = ledger.create_transfers(ts, chunk)?;
        if let Some(bad) = results.iter().find(|r| !r.is_success()) {
            bail!("funding accounts failed: {bad}");
        }
        ts = ledger.last_timestamp() + 1;
    }
    Ok((ledger, ts))
}

/// Runs one case and returns its record.
pub fn run_case(
    name: &str,
    workload: Workload,
    batch: usize,
    ops: u64,
    progress: &ProgressBar,
) -> anyhow::Result<Record> {
    let mut generator = Generator::new(workload);
    let (mut ledger, mut ts) = prepared_ledger(&mut generator, ops)?;
    let mut latencies = Latencies::default();
    let mut events = Vec::with_capacity(batch);
    let mut left = ops;
    while left > 0 {
        let len = usize::try_from(left.min(batch as u64)).context("batch size")?;
        generator.fill(&mut events, len);
        let started = Instant::now();
        let results = ledger.create_transfers(ts, &events)?;
        latencies.record(started.elapsed());
        if let Some(bad) = results.iter().find(|r| **r != CreateTransferResult::Ok) {
            bail!("benchmark transfer failed: {bad}");
        }
        ts = ledger.last_timestamp() + 1;
        left -= len as u64;
        progress.inc(len as u64);
    }
    let secs = latencies.total().as_secs_f64();
    Ok(Record {
        bench: "ledger",
        case: name.to_string(),
        mode: "memory",
        backend: "memory",
        batch,
        accounts: workload.accounts,
        hot_share: workload.hot_share,
        ops,
        secs,
        per_sec: if secs > 0.0 { ops as f64 / secs } else { 0.0 },
        p50_us: latencies.percentile_us(50.0),
        p99_us: latencies.percentile_us(99.0),
        peak_rss_mb: super::peak_rss_mb(),
        page_kb: None,
    })
}

pub fn run(options: &BenchOptions) -> anyhow::Result<()> {
    if options.durable {
        return super::durable::run(options);
    }
    let (ops, accounts) = options.sizes(2_000_000, 20_000)?;
    let cases = [("uniform", 0.0), ("hot", 0.9)];
    let planned = BATCHES
        .iter()
        .flat_map(|b| cases.iter().map(move |(name, _)| (*name, *b)))
        .filter(|(name, b)| options.wants(name, *b))
        .count() as u64;
    let progress = super::progress_bar(ops * planned, options.json)?;
    let mut records = Vec::new();
    for batch in BATCHES {
        for (name, hot_share) in cases {
            if !options.wants(name, batch) {
                continue;
            }
            let workload = Workload {
                accounts,
                hot_share,
                hot_accounts: 1,
                seed: options.seed,
            };
            records.push(run_case(name, workload, batch, ops, &progress)?);
        }
    }
    progress.finish_and_clear();
    super::print(&records, options.json)?;
    if !options.json {
        super::print_ratios(&records);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_benchmark_transfer_applies() {
        let workload = Workload {
            accounts: 50,
            hot_share: 0.9,
            hot_accounts: 1,
            seed: 1,
        };
        let record = run_case("hot", workload, 100, 1_000, &ProgressBar::hidden()).unwrap();
        assert_eq!(record.ops, 1_000);
        assert!(record.per_sec > 0.0);
    }
}
