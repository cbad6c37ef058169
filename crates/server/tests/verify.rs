//! `trigate verify` over real databases: a clean database passes; a row
//! edited behind trigate's back is named, with the invariant it breaks.

mod common;

use std::process::Command;

use common::{TestDb, engine, tamper, trigate_bin};
use trigate_engine::{LedgerCommand, LedgerReply};
use trigate_ledger::{AccountFlags, NewAccount, Transfer, TransferFlags};

async fn write_some_history(db: &TestDb) {
    let store = db.open().await;
    let (engine, writer) = engine(&store).await;
    let accounts = (1..=4)
        .map(|id| NewAccount {
            id,
            ledger: 1,
            code: 1,
            flags: if id == 4 {
                AccountFlags::empty()
            } else {
                AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS
            },
            user_data: 0,
        })
        .collect();
    engine
        .submit(LedgerCommand::CreateAccounts(accounts))
        .await
        .unwrap();
    let t = |id, dr, cr, amount, flags| Transfer {
        id,
        debit_account_id: dr,
        credit_account_id: cr,
        amount,
        ledger: 1,
        code: 1,
        flags,
        ..Transfer::default()
    };
    let fund = vec![
        t(10, 4, 1, 1_000, TransferFlags::empty()),
        t(11, 4, 2, 500, TransferFlags::empty()),
    ];
    engine
        .submit(LedgerCommand::CreateTransfers(fund))
        .await
        .unwrap();
    let escrow = vec![
        t(20, 1, 3, 300, TransferFlags::PENDING),
        t(21, 2, 3, 200, TransferFlags::PENDING),
    ];
    engine
        .submit(LedgerCommand::CreateTransfers(escrow))
        .await
        .unwrap();
    let post = Transfer {
        pending_id: 20,
        amount: 250,
        ..t(22, 0, 0, 0, TransferFlags::POST_PENDING)
    };
    let reply = engine
        .submit(LedgerCommand::CreateTransfers(vec![post]))
        .await
        .unwrap();
    assert_eq!(
        reply,
        LedgerReply::Transfers(vec![trigate_ledger::CreateTransferResult::Ok])
    );
    drop(engine);
    writer.await.unwrap();
    store.close().await;
}

fn verify(db: &TestDb) -> (i32, String) {
    let out = Command::new(trigate_bin())
        .args(["verify", "--database-url", &db.url])
        .output()
        .expect("run trigate verify");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[tokio::test]
async fn clean_database_passes_verify() {
    for db in TestDb::all("clean_database_passes_verify").await {
        write_some_history(&db).await;
        let (code, out) = verify(&db);
        assert_eq!(code, 0, "{}: {out}", db.backend);
        assert!(out.contains("all checks passed"), "{out}");
        assert!(out.contains("hash chain: 4 journal entries"), "{out}");
    }
}

#[tokio::test]
async fn edited_account_balance_is_named_by_verify() {
    for db in TestDb::all("edited_account_balance_is_named").await {
        write_some_history(&db).await;
        tamper(
            &db,
            "UPDATE accounts SET credits_posted = '999999' WHERE id = x'00000000000000000000000000000003'",
            "UPDATE accounts SET credits_posted = 999999 WHERE id = '\\x00000000000000000000000000000003'",
        )
        .await;
        let (code, out) = verify(&db);
        assert_eq!(code, 1, "{}: {out}", db.backend);
        assert!(
            out.contains(
                "accounts row 3: credits_posted is 999999 in the table, 250 by the journal"
            ),
            "{}: {out}",
            db.backend
        );
        assert!(out.contains("invariant 1"), "{out}");
    }
}

#[tokio::test]
async fn edited_transfer_amount_is_named_by_verify() {
    for db in TestDb::all("edited_transfer_amount_is_named").await {
        write_some_history(&db).await;
        tamper(
            &db,
            "UPDATE transfers SET amount = '1' WHERE id = x'0000000000000000000000000000000a'",
            "UPDATE transfers SET amount = 1 WHERE id = '\\x0000000000000000000000000000000a'",
        )
        .await;
        let (code, out) = verify(&db);
        assert_eq!(code, 1, "{}: {out}", db.backend);
        assert!(
            out.contains("transfers row 10: differs from the journal"),
            "{out}"
        );
        assert!(
            out.contains("accounts row 1: credits_posted is 1000, but its transfers sum to 1"),
            "{out}"
        );
    }
}

#[tokio::test]
async fn edited_journal_entry_breaks_the_chain_and_is_named() {
    for db in TestDb::all("edited_journal_entry_is_named").await {
        write_some_history(&db).await;
        tamper(
            &db,
            "UPDATE journal SET body = body || x'00' WHERE seq = 2",
            "UPDATE journal SET body = body || '\\x00'::bytea WHERE seq = 2",
        )
        .await;
        let (code, out) = verify(&db);
        assert_eq!(code, 1, "{}: {out}", db.backend);
        assert!(
            out.contains(
                "invariant 6 (hash chain): journal entry 2: stored hash does not match its contents"
            ),
            "{out}"
        );
    }
}

#[tokio::test]
async fn tampered_database_is_refused_at_start() {
    let db = TestDb::sqlite();
    write_some_history(&db).await;
    tamper(&db, "DELETE FROM journal WHERE seq = 3", "").await;
    let store = db.open().await;
    let err = trigate_engine::recover_ledger(&store, 0).await.unwrap_err();
    assert_eq!(err.to_string(), "journal entry 4: expected sequence 3");
}

#[test]
fn unreachable_database_is_one_clear_line_with_the_password_masked() {
    let out = Command::new(trigate_bin())
        .args([
            "verify",
            "--database-url",
            "postgres://shop:hunter2@127.0.0.1:1/trigate",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("postgres://shop:***@127.0.0.1:1/trigate"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
}

#[tokio::test]
async fn edited_journal_timestamp_is_named() {
    let db = TestDb::sqlite();
    write_some_history(&db).await;
    tamper(
        &db,
        "UPDATE journal SET timestamp = timestamp + 1 WHERE seq = 2",
        "",
    )
    .await;
    let (code, out) = verify(&db);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("journal entry 2: its timestamp column differs from the entry's own"),
        "{out}"
    );
}

#[test]
fn verify_of_a_missing_database_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.db");
    let url = format!("sqlite://{}", path.display());
    let out = Command::new(trigate_bin())
        .args(["verify", "--database-url", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("typo.db"));
    assert!(
        !path.exists(),
        "verify created the database it was asked to check"
    );
}

#[tokio::test]
async fn journal_missing_its_last_entry_is_refused_at_start() {
    for db in TestDb::all("journal_missing_last_entry").await {
        write_some_history(&db).await;
        tamper(
            &db,
            "DELETE FROM journal WHERE seq = 4",
            "DELETE FROM journal WHERE seq = 4",
        )
        .await;
        let store = db.open().await;
        let err = trigate_engine::open_ledger(&store, 0).await.unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the tables reflect journal entry 4 but the journal ends at entry 3"),
            "{}: {err}",
            db.backend
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_while_transfers_are_written_sees_one_consistent_state() {
    for db in TestDb::all("verify_during_writes").await {
        write_some_history(&db).await;
        let store = db.open().await;
        let (engine, writer) = engine(&store).await;
        let load = tokio::spawn({
            let engine = engine.clone();
            async move {
                for id in 1_000..1_400u128 {
                    let t = Transfer {
                        id,
                        debit_account_id: 4,
                        credit_account_id: 1 + id % 3,
                        amount: 1,
                        ledger: 1,
                        code: 1,
                        ..Transfer::default()
                    };
                    engine
                        .submit(LedgerCommand::CreateTransfers(vec![t]))
                        .await
                        .unwrap();
                }
            }
        });
        let mut runs = 0;
        while !load.is_finished() || runs < 3 {
            let report = trigate_engine::verify::verify(&store).await.unwrap();
            assert!(report.is_ok(), "{}: {:?}", db.backend, report.violations);
            runs += 1;
        }
        load.await.unwrap();
        drop(engine);
        writer.await.unwrap();
    }
}

#[tokio::test]
async fn tables_behind_the_journal_are_caught_up_on_start() {
    for db in TestDb::all("tables_caught_up").await {
        write_some_history(&db).await;
        let store = db.open().await;
        let (accounts, transfers) = (
            store.accounts().await.unwrap(),
            store.transfers().await.unwrap(),
        );
        store.close().await;
        // As if the process had died with every checkpoint lost.
        tamper(
            &db,
            "DELETE FROM transfers; DELETE FROM accounts; UPDATE checkpoint SET seq = 0",
            "DELETE FROM transfers; DELETE FROM accounts; UPDATE checkpoint SET seq = 0",
        )
        .await;
        let (code, out) = verify(&db);
        assert_eq!(
            code, 0,
            "{}: tables behind are not wrong: {out}",
            db.backend
        );
        let store = db.open().await;
        trigate_engine::open_ledger(&store, 0).await.unwrap();
        assert_eq!(store.accounts().await.unwrap(), accounts, "{}", db.backend);
        assert_eq!(
            store.transfers().await.unwrap(),
            transfers,
            "{}",
            db.backend
        );
        store.close().await;
        let (code, out) = verify(&db);
        assert_eq!(code, 0, "{}: {out}", db.backend);
        assert!(out.contains("the tables reflect the first 4"), "{out}");
    }
}

#[tokio::test]
async fn deleted_tables_file_is_rebuilt_from_the_journal() {
    let db = TestDb::sqlite();
    write_some_history(&db).await;
    let store = db.open().await;
    let transfers = store.transfers().await.unwrap();
    store.close().await;
    let tables = trigate_store::sqlite_tables_url(&db.url);
    let path = tables.trim_start_matches("sqlite://");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    let store = db.open().await;
    let ledger = trigate_engine::open_ledger(&store, 0).await.unwrap();
    assert_eq!(ledger.transfer_count(), transfers.len());
    assert_eq!(store.transfers().await.unwrap(), transfers);
}

#[tokio::test]
async fn tables_ahead_of_their_checkpoint_are_refused_at_start() {
    for db in TestDb::all("tables_ahead").await {
        write_some_history(&db).await;
        // Rows the journal had not made by the checkpoint: written behind
        // trigate's back, or a checkpoint moved back.
        tamper(
            &db,
            "UPDATE checkpoint SET seq = 2",
            "UPDATE checkpoint SET seq = 2",
        )
        .await;
        let store = db.open().await;
        let err = trigate_engine::open_ledger(&store, 0).await.unwrap_err();
        assert!(
            err.to_string().contains("by entry 2, their checkpoint"),
            "{}: {err}",
            db.backend
        );
        let (code, out) = verify(&db);
        assert_eq!(code, 1, "{}: {out}", db.backend);
    }
}
