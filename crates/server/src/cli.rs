//! The command line: `trigate demo`, `trigate bench …`.

use clap::{Parser, Subcommand};

use crate::bench::{self, BenchOptions};

#[derive(Debug, Parser)]
#[command(
    name = "trigate",
    version,
    about = "A self-hosted shop for digital goods whose money moves through custody, escrow and risk gates."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk through the ledger: escrow, an exact split settlement, the hash
    /// chain, then a short in-memory benchmark.
    Demo,
    /// Measure throughput and latency.
    Bench {
        #[command(subcommand)]
        which: BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Transfers applied per second by the in-memory ledger, at batch sizes
    /// 1, 100 and 8189, uniform and with a hot account.
    Ledger(BenchOptions),
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo => crate::demo::run(),
        Command::Bench { which } => match which {
            BenchCommand::Ledger(options) => bench::ledger::run(&options),
        },
    }
}
