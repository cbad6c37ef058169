//! Benchmarks behind `trigate bench`: a table and a progress bar for people,
//! one JSON object per case per line (`--json`) for machines.

pub mod durable;
pub mod http;
pub mod ledger;
mod loopback;
mod naive;
pub mod notify;
pub mod risk;
mod seed;
pub mod shop;
pub mod web;
pub mod workload;

use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

/// Runs a benchmark on a multi-threaded runtime.
pub fn block_on<T, F: std::future::Future<Output = anyhow::Result<T>>>(
    run: F,
) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run)
}

/// Options every benchmark takes.
#[derive(Debug, Clone, Args)]
pub struct BenchOptions {
    /// A small run, as a smoke test (CI).
    #[arg(long)]
    pub quick: bool,
    /// One JSON object per case per line instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Operations per case (default: 2,000,000; 20,000 with --quick).
    #[arg(long)]
    pub ops: Option<u64>,
    /// Accounts in the workload (default: 10,000; 1,000 with --quick).
    #[arg(long)]
    pub accounts: Option<u64>,
    /// Seed of the workload's random numbers, so runs can be repeated.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Through the engine into a database, each reply after its commit.
    #[arg(long)]
    pub durable: bool,
    /// With --durable: a scratch PostgreSQL database (its trigate tables are
    /// dropped) or SQLite file; default: fresh SQLite files in a temporary
    /// directory.
    #[arg(long, requires = "durable")]
    pub database_url: Option<String>,
    /// Run only this case: uniform, hot (or naive, with --durable). Each case
    /// in its own process gives its own peak memory.
    #[arg(long)]
    pub case: Option<String>,
    /// Run only this batch size.
    #[arg(long)]
    pub batch: Option<usize>,
}

impl BenchOptions {
    /// Operations per case and accounts: as given, else the full or quick
    /// defaults; refused if too small to run.
    pub fn sizes(&self, full_ops: u64, quick_ops: u64) -> anyhow::Result<(u64, u64)> {
        let ops = self
            .ops
            .unwrap_or(if self.quick { quick_ops } else { full_ops });
        let accounts = self
            .accounts
            .unwrap_or(if self.quick { 1_000 } else { 10_000 });
        if accounts < 2 {
            anyhow::bail!("the workload needs at least 2 accounts");
        }
        if ops == 0 {
            anyhow::bail!("--ops must be at least 1");
        }
        Ok((ops, accounts))
    }

    pub fn wants(&self, case: &str, batch: usize) -> bool {
        self.case.as_deref().is_none_or(|c| c == case) && self.batch.is_none_or(|b| b == batch)
    }
}

/// Prints hot/uniform for each batch size, and uniform/naive where a naive
/// case ran, for the cases present.
pub fn print_ratios(records: &[Record]) {
    let find = |case: &str, batch: usize| {
        records
            .iter()
            .find(|r| r.case == case && r.batch == batch)
            .map(|r| r.per_sec)
    };
    let naive = find("naive", 1);
    for r in records.iter().filter(|r| r.case == "uniform") {
        let mut line = format!("batch {:>5}:", r.batch);
        if let Some(hot) = find("hot", r.batch) {
            line.push_str(&format!(" hot/uniform = {:.3}", hot / r.per_sec));
        }
        if let Some(naive) = naive {
            line.push_str(&format!(" uniform/naive = {:.1}x", r.per_sec / naive));
        }
        println!("{line}");
    }
}

/// One measured case: the line `--json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub bench: &'static str,
    pub case: String,
    pub mode: &'static str,
    pub backend: &'static str,
    pub batch: usize,
    pub accounts: u64,
    pub hot_share: f64,
    pub ops: u64,
    pub secs: f64,
    pub per_sec: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub peak_rss_mb: f64,
    /// For a page: what it weighs compressed, with its stylesheet and
    /// scripts, in KiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_kb: Option<f64>,
}

/// Latencies of the calls a case made, for its percentiles.
#[derive(Debug, Default)]
pub struct Latencies {
    samples: Vec<Duration>,
    total: Duration,
}

impl Latencies {
    pub fn record(&mut self, d: Duration) {
        self.samples.push(d);
        self.total += d;
    }

    pub fn merge(&mut self, other: Latencies) {
        self.samples.extend(other.samples);
        self.total += other.total;
    }

    pub fn total(&self) -> Duration {
        self.total
    }

    /// The `p`-th percentile (0..=100) in microseconds, nearest rank.
    pub fn percentile_us(&mut self, p: f64) -> f64 {
        if self.samples.is_empty() {
            return 0.0;
        }
        self.samples.sort_unstable();
        let rank = ((p / 100.0) * self.samples.len() as f64).ceil() as usize;
        let i = rank.clamp(1, self.samples.len()) - 1;
        self.samples[i].as_secs_f64() * 1e6
    }
}

/// The process's peak resident memory so far, in MiB (Linux; 0 elsewhere).
pub fn peak_rss_mb() -> f64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0.0;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A progress bar over `total` transfers, on the terminal only (none with
/// `--json`).
pub fn progress_bar(total: u64, json: bool) -> anyhow::Result<ProgressBar> {
    let bar = if json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total)
    };
    bar.set_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} transfers {per_sec} eta {eta}",
    )?);
    Ok(bar)
}

/// Prints records as JSON lines or as a table.
pub fn print(records: &[Record], json: bool) -> anyhow::Result<()> {
    if json {
        for r in records {
            println!("{}", serde_json::to_string(r)?);
        }
        return Ok(());
    }
    println!(
        "{:<10} {:>6} {:>8} {:>5} {:>10} {:>8} {:>12} {:>10} {:>10} {:>8}",
        "case", "batch", "accounts", "hot", "ops", "secs", "per_sec", "p50_us", "p99_us", "rss_mb"
    );
    for r in records {
        println!(
            "{:<10} {:>6} {:>8} {:>5.2} {:>10} {:>8.3} {:>12.0} {:>10.1} {:>10.1} {:>8.0}",
            r.case,
            r.batch,
            r.accounts,
            r.hot_share,
            r.ops,
            r.secs,
            r.per_sec,
            r.p50_us,
            r.p99_us,
            r.peak_rss_mb
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut l = Latencies::default();
        for us in 1..=100 {
            l.record(Duration::from_micros(us));
        }
        assert_eq!(l.percentile_us(50.0), 50.0);
        assert_eq!(l.percentile_us(99.0), 99.0);
        assert_eq!(l.percentile_us(100.0), 100.0);
        assert_eq!(l.total(), Duration::from_micros(5050));
    }

    #[test]
    fn percentile_of_nothing_is_zero() {
        assert_eq!(Latencies::default().percentile_us(99.0), 0.0);
    }
}
