//! `trigate bench ledger`: transfers applied per second by the in-memory
//! ledger on one core, at batch sizes 1, 100 and 8189, with the transfers
//! spread uniformly over the accounts and with 90% of them on one hot account
//! (the escrow account of a busy shop).

use std::time::Instant;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use trigate_ledger::{AccountFlags, CreateTransferResult, Ledger, NewAccount, Transfer};

use super::{BenchOptions, Latencies, Record};

/// TigerBeetle's largest batch, so figures compare with its benchmark.
pub const MAX_BATCH: usize = 8189;
const BATCHES: [usize; 3] = [1, 100, MAX_BATCH];
const LEDGER: u32 = 1;
const CODE: u16 = 1;
/// Every workload account is a liability funded with this much up front, so
/// the no-overdraft check runs on every transfer and never trips.
const FUNDING: u64 = 1 << 50;

/// The shape of one case's transfers.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    pub accounts: u64,
    /// Share of transfers whose credit side is one of the hot accounts.
    pub hot_share: f64,
    pub hot_accounts: u64,
    pub seed: u64,
}

/// Makes the transfers of a workload, batch by batch, with fresh ids.
#[derive(Debug)]
pub struct Generator {
    workload: Workload,
    rng: SmallRng,
    next_id: u128,
}

impl Generator {
    pub fn new(workload: Workload) -> Self {
        Self {
            workload,
            rng: SmallRng::seed_from_u64(workload.seed),
            next_id: 1,
        }
    }

    /// Accounts 1..=n (no-overdraft liabilities) and the funding source n+1.
    pub fn accounts(&self) -> Vec<NewAccount> {
        let n = self.workload.accounts;
        (1..=n + 1)
            .map(|id| NewAccount {
                id: u128::from(id),
                ledger: LEDGER,
                code: CODE,
                flags: if id <= n {
                    AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS
                } else {
                    AccountFlags::empty()
                },
                user_data: 0,
            })
            .collect()
    }

    /// One transfer from the funding source to every workload account.
    pub fn funding(&mut self) -> Vec<Transfer> {
        let source = u128::from(self.workload.accounts + 1);
        (1..=self.workload.accounts)
            .map(|id| self.transfer(source, u128::from(id), FUNDING))
            .collect()
    }

    pub fn fill(&mut self, batch: &mut Vec<Transfer>, len: usize) {
        batch.clear();
        let w = self.workload;
        for _ in 0..len {
            let credit = if self.rng.random_bool(w.hot_share) {
                self.rng.random_range(1..=w.hot_accounts)
            } else {
                self.rng.random_range(1..=w.accounts)
            };
            let mut debit = self.rng.random_range(1..=w.accounts);
            if debit == credit {
                debit = debit % w.accounts + 1;
            }
            let amount = self.rng.random_range(1..=1000);
            let t = self.transfer(u128::from(debit), u128::from(credit), amount);
            batch.push(t);
        }
    }

    fn transfer(&mut self, debit: u128, credit: u128, amount: u64) -> Transfer {
        let id = self.next_id;
        self.next_id += 1;
        Transfer {
            id,
            debit_account_id: debit,
            credit_account_id: credit,
            amount,
            ledger: LEDGER,
            code: CODE,
            ..Transfer::default()
        }
    }
}

/// A ledger holding the workload's accounts, funded; and the next timestamp.
/// The ledger is sized up front for everything the case will apply, as the
/// engine sizes it from its configuration, so no batch pauses to grow an index.
pub fn prepared_ledger(generator: &mut Generator, ops: u64) -> anyhow::Result<(Ledger, u64)> {
    let accounts = usize::try_from(generator.workload.accounts + 1)?;
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
    })
}

pub fn run(options: &BenchOptions) -> anyhow::Result<()> {
    let ops = options
        .ops
        .unwrap_or(if options.quick { 20_000 } else { 2_000_000 });
    let accounts = options
        .accounts
        .unwrap_or(if options.quick { 1_000 } else { 10_000 });
    if accounts < 2 {
        bail!("the workload needs at least 2 accounts");
    }
    if ops == 0 {
        bail!("--ops must be at least 1");
    }
    let cases = [("uniform", 0.0), ("hot", 0.9)];
    let progress = if options.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(ops * (cases.len() * BATCHES.len()) as u64)
    };
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} transfers {per_sec} eta {eta}")
            .context("progress bar template")?,
    );
    let mut records = Vec::new();
    for batch in BATCHES {
        for (name, hot_share) in cases {
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
        for pair in records.chunks(2) {
            if let [uniform, hot] = pair {
                println!(
                    "batch {:>5}: hot/uniform = {:.3}",
                    uniform.batch,
                    hot.per_sec / uniform.per_sec
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hot_workload_credits_the_hot_account_about_ninety_percent() {
        let mut g = Generator::new(Workload {
            accounts: 1000,
            hot_share: 0.9,
            hot_accounts: 1,
            seed: 7,
        });
        let mut batch = Vec::new();
        g.fill(&mut batch, 10_000);
        let hot = batch.iter().filter(|t| t.credit_account_id == 1).count();
        assert!((8_800..=9_200).contains(&hot), "{hot}");
        assert!(
            batch
                .iter()
                .all(|t| t.debit_account_id != t.credit_account_id)
        );
    }

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
