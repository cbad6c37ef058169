//! The single writer: what it acknowledges is durable and survives a
//! restart; a failed commit acknowledges nothing and stops the engine.

mod common;

use std::sync::Arc;

use common::{TestDb, engine};
use trigate_engine::{
    Engine, EngineConfig, EngineError, FixedStepClock, LedgerCommand, LedgerMachine, LedgerReply,
    WriterExit, recover_ledger,
};
use trigate_ledger::{CreateTransferResult as R, NewAccount, Transfer};
use trigate_store::Store;
use trigate_store::memory::Fault;

fn accounts() -> LedgerCommand {
    LedgerCommand::CreateAccounts(
        (1..=3)
            .map(|id| NewAccount {
                id,
                ledger: 1,
                code: 1,
                ..NewAccount::default()
            })
            .collect(),
    )
}

fn transfer(id: u128, amount: u64) -> LedgerCommand {
    LedgerCommand::CreateTransfers(vec![Transfer {
        id,
        debit_account_id: 1,
        credit_account_id: 2,
        amount,
        ledger: 1,
        code: 1,
        ..Transfer::default()
    }])
}

async fn start(store: &Store) -> (Engine<LedgerMachine>, tokio::task::JoinHandle<WriterExit>) {
    engine(store).await
}

#[tokio::test]
async fn acknowledged_transfers_survive_a_restart() {
    for db in TestDb::all("acknowledged_transfers_survive").await {
        let store = db.open().await;
        let (engine, writer) = start(&store).await;
        engine.submit(accounts()).await.unwrap();
        let mut tasks = Vec::new();
        for id in 10..110 {
            let engine = engine.clone();
            tasks.push(tokio::spawn(
                async move { engine.submit(transfer(id, 7)).await },
            ));
        }
        for t in tasks {
            assert_eq!(
                t.await.unwrap().unwrap(),
                LedgerReply::Transfers(vec![R::Ok])
            );
        }
        drop(engine);
        assert!(matches!(writer.await.unwrap(), WriterExit::Drained));
        store.close().await;

        let store = db.open().await;
        let ledger = recover_ledger(&store, 0).await.unwrap();
        assert_eq!(ledger.transfer_count(), 100, "{}", db.backend);
        assert_eq!(ledger.account(2).unwrap().credits_posted, 700);
        let rows = store.transfers().await.unwrap();
        assert_eq!(rows.len(), 100);
        // A retry after the restart is recognised, not applied again.
        let (engine, _writer) = start(&store).await;
        let reply = engine.submit(transfer(10, 7)).await.unwrap();
        assert_eq!(reply, LedgerReply::Transfers(vec![R::Exists]));
    }
}

#[tokio::test]
async fn failed_commit_acknowledges_nothing_and_stops_the_engine() {
    let store = Store::memory();
    let Store::Memory(memory) = &store else {
        unreachable!()
    };
    let (engine, writer) = start(&store).await;
    engine.submit(accounts()).await.unwrap();
    memory.inject(Fault::BeforeWrite);
    assert_eq!(
        engine.submit(transfer(10, 5)).await,
        Err(EngineError::CommitFailed)
    );
    assert_eq!(
        engine.submit(transfer(11, 5)).await,
        Err(EngineError::Stopped)
    );
    assert!(matches!(writer.await.unwrap(), WriterExit::Failed(_)));

    // The state in memory ran ahead of the disk; a restart rebuilds it from
    // the journal, where the failed transfer never arrived.
    let ledger = recover_ledger(&store, 0).await.unwrap();
    assert!(ledger.transfer(10).is_none());
    assert_eq!(ledger.account(1).unwrap().debits_posted, 0);
    let (engine, _writer) = start(&store).await;
    assert_eq!(
        engine.submit(transfer(10, 5)).await.unwrap(),
        LedgerReply::Transfers(vec![R::Ok])
    );
}

#[tokio::test]
async fn lost_acknowledgement_is_safe_to_retry() {
    let store = Store::memory();
    let Store::Memory(memory) = &store else {
        unreachable!()
    };
    let (engine, writer) = start(&store).await;
    engine.submit(accounts()).await.unwrap();
    memory.inject(Fault::AfterWrite);
    assert_eq!(
        engine.submit(transfer(10, 5)).await,
        Err(EngineError::CommitFailed)
    );
    drop(engine);
    writer.await.unwrap();

    let (engine, _writer) = start(&store).await;
    assert_eq!(
        engine.submit(transfer(10, 5)).await.unwrap(),
        LedgerReply::Transfers(vec![R::Exists])
    );
    let accounts = store.accounts().await.unwrap();
    assert_eq!(
        accounts.iter().find(|a| a.id == 1).unwrap().debits_posted,
        5
    );
}

#[tokio::test]
async fn database_error_on_commit_stops_the_engine() {
    let db = TestDb::sqlite();
    let store = db.open().await;
    let (engine, writer) = start(&store).await;
    engine.submit(accounts()).await.unwrap();
    let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&db.url)
        .await
        .unwrap();
    sqlx::query("DROP TABLE journal")
        .execute(&mut c)
        .await
        .unwrap();
    assert_eq!(
        engine.submit(transfer(10, 5)).await,
        Err(EngineError::CommitFailed)
    );
    assert!(matches!(writer.await.unwrap(), WriterExit::Failed(_)));
}

#[tokio::test]
async fn commands_queued_together_are_committed_together() {
    let store = Store::memory();
    let Store::Memory(memory) = &store else {
        unreachable!()
    };
    let ledger = recover_ledger(&store, 0).await.unwrap();
    let (engine, writer) = Engine::start(
        LedgerMachine::new(ledger),
        store.clone(),
        Arc::new(FixedStepClock::new(1, 1)),
        EngineConfig {
            max_batch: 64,
            queue_depth: 1024,
            ..EngineConfig::default()
        },
    );
    engine.submit(accounts()).await.unwrap();
    let tasks: Vec<_> = (10..500)
        .map(|id| {
            let engine = engine.clone();
            tokio::spawn(async move { engine.submit(transfer(id, 1)).await })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().is_ok());
    }
    drop(engine);
    writer.await.unwrap();
    // Every command has its own journal entry, in one order, on one chain.
    let rows = store.journal_page(0, 10_000).await.unwrap();
    assert_eq!(rows.len(), 491);
    assert!(
        rows.windows(2)
            .all(|w| w[1].prev_hash == w[0].hash && w[1].seq == w[0].seq + 1)
    );
    // 491 commands arrived faster than one commit each could be written.
    assert!(memory.commits() < 491 / 2, "{} commits", memory.commits());
}

#[tokio::test]
async fn timestamp_past_what_the_columns_hold_stops_the_engine_rather_than_rounding() {
    let store = Store::memory();
    let ledger = recover_ledger(&store, 0).await.unwrap();
    let (engine, writer) = Engine::start(
        LedgerMachine::new(ledger),
        store.clone(),
        Arc::new(FixedStepClock::new(i64::MAX as u64 + 1, 1)),
        EngineConfig::default(),
    );
    assert_eq!(
        engine.submit(accounts()).await,
        Err(EngineError::CommitFailed)
    );
    assert!(matches!(writer.await.unwrap(), WriterExit::Failed(_)));
    assert!(store.journal_page(0, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn failed_checkpoint_stops_the_engine_and_a_restart_catches_the_tables_up() {
    let store = Store::memory();
    let Store::Memory(memory) = &store else {
        unreachable!()
    };
    let (engine, writer) = start(&store).await;
    engine.submit(accounts()).await.unwrap();
    engine.sync().await.unwrap();
    memory.inject_checkpoint(Fault::BeforeWrite);
    // The journal commit succeeded, so the caller hears "ok"; the tables
    // could not follow, so the engine stops rather than run on without them.
    assert_eq!(
        engine.submit(transfer(10, 5)).await.unwrap(),
        LedgerReply::Transfers(vec![R::Ok])
    );
    assert_eq!(engine.sync().await, Err(EngineError::Stopped));
    assert!(matches!(writer.await.unwrap(), WriterExit::Failed(_)));
    assert!(memory.transfer(10).is_none());

    let (engine, _writer) = start(&store).await;
    assert!(
        memory.transfer(10).is_some(),
        "recovery wrote the missing row"
    );
    assert_eq!(
        engine.submit(transfer(10, 5)).await.unwrap(),
        LedgerReply::Transfers(vec![R::Exists])
    );
}

#[tokio::test]
async fn sync_waits_until_the_tables_hold_what_was_acknowledged() {
    for db in TestDb::all("sync_waits_for_tables").await {
        let store = db.open().await;
        let (engine, _writer) = start(&store).await;
        engine.submit(accounts()).await.unwrap();
        for id in 10..60 {
            engine.submit(transfer(id, 1)).await.unwrap();
        }
        engine.sync().await.unwrap();
        assert_eq!(store.transfers().await.unwrap().len(), 50, "{}", db.backend);
        let two = store.accounts().await.unwrap();
        assert_eq!(two.iter().find(|a| a.id == 2).unwrap().credits_posted, 50);
    }
}
