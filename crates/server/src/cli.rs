//! The command line: `trigate serve`, `trigate demo`, `trigate verify`,
//! `trigate upgrade`, `trigate bench …`.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::bench::{self, BenchOptions};

#[derive(Debug, Parser)]
#[command(
    name = "trigate",
    version,
    about = "A self-hosted shop for digital goods: a JSON API over a double-entry ledger, with segregated accounts, escrow and split settlement."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct DatabaseArg {
    /// sqlite://… or postgres://… (default: TRIGATE_DATABASE_URL, else a
    /// SQLite file under TRIGATE_DATA_DIR, default ./trigate-data).
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// A TOML file with listen, data_dir, database_url, base_url; each is
    /// overridden by its TRIGATE_* environment variable.
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,
    /// host:port to listen on (overrides TRIGATE_LISTEN and the file).
    #[arg(long)]
    pub listen: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct UpgradeArgs {
    #[command(flatten)]
    pub db: DatabaseArg,
    /// Where the backup of the old journal is written (default: the data
    /// directory, TRIGATE_DATA_DIR).
    #[arg(long)]
    pub backup_dir: Option<std::path::PathBuf>,
    /// Put a backup written by an earlier upgrade back as the journal
    /// instead (for going back to the release that wrote it).
    #[arg(long, conflicts_with = "backup_dir")]
    pub restore: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the shop: the HTTP API on --listen (default 127.0.0.1:8080).
    Serve(ServeArgs),
    /// Run a seeded demo shop on a fresh data directory (two merchants,
    /// products with keys, buyers with balances in a referral chain, an
    /// admin) and print its URLs and credentials; Ctrl-C stops it.
    Demo {
        /// host:port to listen on.
        #[arg(long)]
        listen: Option<String>,
    },
    /// Run only the sandbox gateway (a simulated payment provider) on its
    /// own port, with one merchant account whose secret is read from
    /// TRIGATE_SANDBOX_SECRET; shops reach it at http://LISTEN/.
    SandboxGateway {
        /// host:port to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: String,
        /// The merchant account's id.
        #[arg(long)]
        merchant: String,
    },
    /// Check the database: the hash chain, the tables against the journal,
    /// every account's counters against its transfers, the invariants.
    /// Exits 0 when all hold, 1 naming every violation.
    Verify(DatabaseArg),
    /// Rewrite a shop journal written by an older release in today's
    /// format, after writing the old one to a backup file and checking it
    /// reads back. Run it while trigate is stopped.
    Upgrade(UpgradeArgs),
    /// Lift the outflow stop from the command line, for a shop with one
    /// admin (two admins lift it over the API). Audited; a coverage stop
    /// only while coverage holds. Run it while trigate is stopped.
    LiftOutflows {
        #[command(flatten)]
        db: DatabaseArg,
        /// Why, kept in the audit log.
        #[arg(long)]
        note: String,
    },
    /// Gate three's tools: replay labelled traffic through the risk
    /// checks (`eval`), or write such traffic (`generate`).
    Risk {
        #[command(subcommand)]
        which: crate::risk_eval::RiskCommand,
    },
    /// Measure throughput and latency.
    Bench {
        #[command(subcommand)]
        which: BenchCommand,
    },
    /// Write load for crash tests: submits transfers through the engine and
    /// prints `ok <id>` for each one acknowledged as durable.
    #[command(hide = true)]
    Load(crate::load::LoadOptions),
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Transfers applied per second by the in-memory ledger, at batch sizes
    /// 1, 100 and 8189, uniform and with a hot account.
    Ledger(BenchOptions),
    /// Checkouts per second through the durable engine: create, pay by
    /// balance and deliver one key in one command, 90% to one merchant.
    /// `--accounts` sets the number of buyers.
    Shop(BenchOptions),
    /// Full checkouts per second over loopback HTTP (create, pay by
    /// balance, read the keys), many buyers at once, 90% to one merchant.
    Http(BenchOptions),
    /// Payment notifications applied per second through the HTTP endpoint:
    /// signature check, binding to the attempt, and the engine command that
    /// pays the order and delivers its key.
    Notify(BenchOptions),
    /// The shop's pages per second over loopback (the product list, a
    /// signed-in buyer's order page), compressed, with what each weighs;
    /// `bench http`'s checkout in the same run as the reference.
    Web(BenchOptions),
    /// Risk decisions per second on one core: the default rule pack plus 50
    /// rules over 100,000 users of history (`--accounts`), each decision's
    /// features, rules and recording; `--case no_rules` alone gives the
    /// cost without CEL.
    Risk(BenchOptions),
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    use crate::logging::{self, LogFormat};
    match cli.command {
        Command::Demo { listen } => {
            let _log = logging::init(LogFormat::from_env_or(None)?, "info");
            crate::demo::run(listen.as_deref()).map(|()| ExitCode::SUCCESS)
        }
        Command::Serve(args) => {
            let config =
                crate::config::serve_config(args.config.as_deref(), args.listen.as_deref())?;
            let _log = logging::init(config.log_format, "info");
            runtime()?.block_on(crate::serve::serve(config))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { which } => {
            // Benchmarks log as a server would when RUST_LOG asks; by
            // default only warnings, so the terminal shows the results.
            let _log = logging::init(LogFormat::from_env_or(None)?, "warn");
            run_bench(which)
        }
        other => {
            let _log = logging::init(LogFormat::from_env_or(None)?, "warn");
            run_tool(other)
        }
    }
}

fn run_bench(which: BenchCommand) -> anyhow::Result<ExitCode> {
    match which {
        BenchCommand::Ledger(options) => bench::ledger::run(&options).map(|()| ExitCode::SUCCESS),
        BenchCommand::Shop(options) => bench::shop::run(&options).map(|()| ExitCode::SUCCESS),
        BenchCommand::Http(options) => bench::http::run(&options).map(|()| ExitCode::SUCCESS),
        BenchCommand::Notify(options) => bench::notify::run(&options).map(|()| ExitCode::SUCCESS),
        BenchCommand::Web(options) => bench::web::run(&options).map(|()| ExitCode::SUCCESS),
        BenchCommand::Risk(options) => bench::risk::run(&options).map(|()| ExitCode::SUCCESS),
    }
}

fn run_tool(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Demo { .. } | Command::Serve(_) | Command::Bench { .. } => {
            unreachable!("run handles these")
        }
        Command::SandboxGateway { listen, merchant } => {
            let secret = std::env::var("TRIGATE_SANDBOX_SECRET")
                .ok()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    anyhow::anyhow!("set TRIGATE_SANDBOX_SECRET to the merchant's secret")
                })?;
            let config = crate::sandbox::SandboxConfig {
                merchant,
                secret: secrecy::SecretString::from(secret),
            };
            runtime()?.block_on(crate::sandbox::serve_alone(&listen, config))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Risk { which } => crate::risk_eval::run(which),
        Command::Verify(db) => runtime()?.block_on(verify(db)),
        Command::Upgrade(args) => runtime()?.block_on(upgrade(args)),
        Command::LiftOutflows { db, note } => runtime()?.block_on(lift_outflows(db, note)),
        Command::Load(options) => runtime()?.block_on(crate::load::run(options)),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

async fn lift_outflows(db: DatabaseArg, note: String) -> anyhow::Result<ExitCode> {
    use trigate_engine::{Engine, EngineConfig, ShopMachine, SystemClock};
    let url = crate::config::database_url(db.database_url.as_deref())?;
    let store = trigate_store::Store::open_existing(&url).await?;
    let recovered = trigate_engine::open_state::<trigate_core::Shop>(&store, 0).await?;
    let (engine, writer) = Engine::start(
        ShopMachine::new(recovered),
        store.clone(),
        std::sync::Arc::new(SystemClock),
        EngineConfig::default(),
    );
    let reply = engine
        .submit(trigate_core::Command::BreakGlassLift { note })
        .await;
    drop(engine);
    writer.await?;
    store.close().await;
    match reply? {
        trigate_core::Reply::Done => {
            tracing::warn!(target: "trigate::actions", "outflows lifted at the command line");
            println!("outflows are running again; the lift is in the audit log");
            Ok(ExitCode::SUCCESS)
        }
        trigate_core::Reply::Refused { message, .. } => {
            eprintln!("not lifted: {message}");
            Ok(ExitCode::FAILURE)
        }
        other => anyhow::bail!("unexpected reply {other:?}"),
    }
}

async fn upgrade(args: UpgradeArgs) -> anyhow::Result<ExitCode> {
    use trigate_engine::upgrade::{self, Upgraded};
    let url = crate::config::database_url(args.db.database_url.as_deref())?;
    let store = trigate_store::Store::open_existing(&url).await?;
    let shown = trigate_store::mask_url(&url);
    if let Some(backup) = args.restore {
        let done = upgrade::restore(&store, &backup).await;
        store.close().await;
        let (restored, replaced) = done?;
        println!(
            "restored {restored} journal entries from {} into {shown} (replacing the \
             {replaced} it held)",
            backup.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let dir = args.backup_dir.unwrap_or_else(crate::config::data_dir);
    let done = upgrade::upgrade(&store, &dir).await;
    store.close().await;
    match done? {
        Upgraded::Nothing { format: None } => println!("{shown}: the journal is empty"),
        Upgraded::Nothing {
            format: Some(format),
        } => println!(
            "{shown}: the journal is in format {format}, which this release reads as it is; \
             nothing to do"
        ),
        Upgraded::Rewritten {
            from,
            read,
            written,
            backup,
        } => println!(
            "{shown}: upgraded from format {from} ({read} entries) to format {} ({written} \
             entries); the old journal is backed up in {}",
            trigate_core::journal::FORMAT,
            backup.display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

async fn verify(db: DatabaseArg) -> anyhow::Result<ExitCode> {
    let url = crate::config::database_url(db.database_url.as_deref())?;
    let store = trigate_store::Store::open_existing(&url).await?;
    let report = trigate_engine::verify::verify(&store).await?;
    store.close().await;
    println!("verify {}", trigate_store::mask_url(&url));
    for line in &report.checked {
        println!("ok    {line}");
    }
    for line in &report.violations {
        println!("FAIL  {line}");
    }
    for line in &report.findings {
        println!("NOTE  {line}");
    }
    if report.is_ok() {
        println!("all checks passed");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{} violation(s)", report.violations.len());
        Ok(ExitCode::from(1))
    }
}
