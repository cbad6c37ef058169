//! `trigate load` (hidden): steady write load through the real engine, for
//! crash tests. Each transfer acknowledged as durable is printed as
//! `ok <id>` on its own line, flushed, so a test that kills the process knows
//! exactly which transfers it was promised.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use tokio::task::JoinSet;
use trigate_ledger::{NewAccount, Transfer};
use trigate_store::Store;

use crate::cli::DatabaseArg;
use trigate_engine::{
    Engine, EngineConfig, LedgerCommand, LedgerMachine, LedgerReply, SystemClock, open_ledger,
};

#[derive(Debug, Clone, Args)]
pub struct LoadOptions {
    #[command(flatten)]
    pub db: DatabaseArg,
    /// The first transfer id; ids run from here.
    #[arg(long, default_value_t = 1)]
    pub first_id: u128,
    /// How many transfers to submit.
    #[arg(long, default_value_t = 100_000)]
    pub count: u64,
    /// Transfers per command.
    #[arg(long, default_value_t = 10)]
    pub batch: u64,
    /// Commands in flight at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Accounts the transfers move between.
    #[arg(long, default_value_t = 100)]
    pub accounts: u64,
}

pub async fn run(options: LoadOptions) -> anyhow::Result<ExitCode> {
    let url = crate::config::database_url(options.db.database_url.as_deref())?;
    let store = Store::open(&url).await?;
    let ledger = open_ledger(&store, 0).await?;
    let (engine, writer) = Engine::start(
        LedgerMachine::new(ledger),
        store.clone(),
        Arc::new(SystemClock),
        EngineConfig::default(),
    );
    let accounts = (1..=options.accounts.max(2))
        .map(|id| NewAccount {
            id: u128::from(id),
            ledger: 1,
            code: 1,
            ..NewAccount::default()
        })
        .collect();
    engine
        .submit(LedgerCommand::CreateAccounts(accounts))
        .await?;

    if options
        .first_id
        .checked_add(u128::from(options.count))
        .is_none()
    {
        anyhow::bail!("--first-id plus --count is past the largest id");
    }
    let batch = options.batch.max(1);
    let n = options.accounts.max(2);
    let commands: Vec<Vec<Transfer>> = (0..options.count)
        .step_by(usize::try_from(batch)?)
        .map(|start| {
            (start..(start + batch).min(options.count))
                .map(|i| {
                    // Every field follows from the id alone, so runs that
                    // overlap submit the very same transfer for an id.
                    let id = options.first_id + u128::from(i);
                    let dr = (id % u128::from(n)) as u64 + 1;
                    Transfer {
                        id,
                        debit_account_id: u128::from(dr),
                        credit_account_id: u128::from(dr % n + 1),
                        amount: (id % 1000) as u64 + 1,
                        ledger: 1,
                        code: 1,
                        ..Transfer::default()
                    }
                })
                .collect()
        })
        .collect();
    let mut in_flight = JoinSet::new();
    let mut commands = commands.into_iter();
    loop {
        while in_flight.len() < options.concurrency.max(1) {
            let Some(events) = commands.next() else { break };
            let engine = engine.clone();
            in_flight.spawn(async move {
                let ids: Vec<u128> = events.iter().map(|t| t.id).collect();
                let reply = engine.submit(LedgerCommand::CreateTransfers(events)).await;
                (ids, reply)
            });
        }
        let Some(done) = in_flight.join_next().await else {
            break;
        };
        let (ids, reply) = done?;
        let results = match reply? {
            LedgerReply::Transfers(results) => results,
            LedgerReply::Refused(e) => anyhow::bail!("the ledger refused a transfer batch: {e}"),
            LedgerReply::Accounts(_) | LedgerReply::Expired(_) => {
                anyhow::bail!("a transfer batch was answered as another command")
            }
        };
        let mut out = std::io::stdout().lock();
        for (id, result) in ids.iter().zip(results) {
            if result.is_success() {
                writeln!(out, "ok {id}")?;
            } else {
                writeln!(out, "refused {id} {result}")?;
            }
        }
        out.flush()?;
    }
    drop(engine);
    if let trigate_engine::WriterExit::Failed(e) = writer.await? {
        return Err(e.into());
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
