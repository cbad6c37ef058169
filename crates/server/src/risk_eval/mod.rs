//! `trigate risk eval FILE`: labelled traffic replayed through the shop
//! with its risk checks, and per scenario the fraud money stopped or held,
//! the good orders challenged or held and the good orders blocked.
//! `trigate risk generate` writes such traffic.

pub mod replay;
pub mod traffic;
pub mod train;

use std::process::ExitCode;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum RiskCommand {
    /// Replay labelled traffic (JSON lines, see docs/risk.md) through the
    /// shop's risk checks with a simulated clock, and print per scenario
    /// what was stopped, challenged and blocked.
    Eval {
        /// The traffic file (or `--seed` for the generator's traffic).
        #[arg(required_unless_present = "seed", conflicts_with = "seed")]
        file: Option<std::path::PathBuf>,
        /// Replay the generator's traffic of this seed instead of a file.
        #[arg(long)]
        seed: Option<u64>,
        /// With `--seed`: how many good buyers.
        #[arg(long, default_value_t = 1_000)]
        buyers: u64,
        /// With `--seed`: over how many days.
        #[arg(long, default_value_t = 30)]
        days: u64,
        /// One JSON summary, last, instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Learn the score's model from the generator's traffic with a fixed
    /// seed, and write its weights (the repo keeps them in
    /// crates/risk/model/weights.json).
    Train {
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[arg(long, default_value_t = 1_000)]
        buyers: u64,
        #[arg(long, default_value_t = 30)]
        days: u64,
        /// Where to write it (default: standard output).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Write labelled traffic: good buyers and fraud patterns, seeded.
    Generate {
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value_t = 1_000)]
        buyers: u64,
        #[arg(long, default_value_t = 30)]
        days: u64,
        /// Where to write it (default: standard output).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

pub fn run(command: RiskCommand) -> anyhow::Result<ExitCode> {
    match command {
        RiskCommand::Train {
            seed,
            buyers,
            days,
            out,
        } => {
            let model = train::train(seed, buyers, days)?;
            let text = serde_json::to_string_pretty(&model)? + "\n";
            match out {
                Some(path) => std::fs::write(&path, text)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        RiskCommand::Generate {
            seed,
            buyers,
            days,
            out,
        } => {
            let mut text = String::new();
            for e in traffic::generate(seed, buyers, days) {
                text.push_str(&serde_json::to_string(&e)?);
                text.push('\n');
            }
            match out {
                Some(path) => std::fs::write(&path, text)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        RiskCommand::Eval {
            file,
            seed,
            buyers,
            days,
            json,
        } => {
            let events = match (file, seed) {
                (Some(file), _) => {
                    let text = std::fs::read_to_string(&file)
                        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
                    traffic::read(&text)?
                }
                (None, Some(seed)) => traffic::generate(seed, buyers, days),
                (None, None) => anyhow::bail!("name a traffic file or a --seed"),
            };
            let (all, per) = replay::replay(&events)?;
            if json {
                let scenarios: serde_json::Map<String, serde_json::Value> = per
                    .iter()
                    .map(|(name, t)| (name.clone(), summary(t)))
                    .collect();
                let mut out = summary(&all);
                out["scenarios"] = serde_json::Value::Object(scenarios);
                println!("{out}");
            } else {
                println!(
                    "{:<20} {:>7} {:>14} {:>10} {:>11} {:>12} {:>12}",
                    "scenario",
                    "events",
                    "fraud money",
                    "stopped",
                    "good orders",
                    "challenged",
                    "good blocked"
                );
                for (name, t) in per.iter().chain([(&"all".to_string(), &all)]) {
                    println!(
                        "{:<20} {:>7} {:>14} {:>9.1}% {:>11} {:>11.2}% {:>12}",
                        name,
                        t.events,
                        t.fraud_money,
                        100.0 * t.fraud_share(),
                        t.good_orders,
                        100.0 * t.good_share(),
                        t.good_blocked
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn summary(t: &replay::Tally) -> serde_json::Value {
    serde_json::json!({
        "fraud_money_stopped_or_held_share": t.fraud_share(),
        "good_challenged_or_held_share": t.good_share(),
        "good_blocked": t.good_blocked,
        "fraud_money": t.fraud_money,
        "fraud_money_stopped_or_held": t.fraud_money_stopped_or_held,
        "good_orders": t.good_orders,
        "good_challenged_or_held": t.good_challenged_or_held,
        "events": t.events,
        "undecided": t.undecided,
    })
}
