//! The journal contract end to end: a shop's settings recorded at its start
//! and when they change, and `trigate upgrade` on a format-1 journal — the
//! binary itself, on SQLite and PostgreSQL.

mod common;

use std::process::Command as Process;

use common::{TestDb, golden, trigate_bin};
use trigate_core::journal::Entry;
use trigate_core::{Command, Config, Fact, NANOS_PER_SECOND, OrderStatus, Reply, Role, Shop};
use trigate_engine::{WriterExit, open_state, start_shop};

fn settings(reservation_minutes: u64) -> Config {
    Config {
        reservation_ns: reservation_minutes * 60 * NANOS_PER_SECOND,
        utc_offset_seconds: -5 * 3600,
        ..Config::default()
    }
}

async fn last_entry(store: &trigate_store::Store) -> Entry {
    let rows = store.journal_page(0, 10_000).await.unwrap();
    Entry::decode(&rows.last().unwrap().body).unwrap()
}

#[tokio::test]
async fn a_shop_keeps_the_settings_it_started_with_and_records_a_change() {
    for db in TestDb::all("journal_settings").await {
        let store = db.open().await;
        let (engine, writer) = start_shop(&store, settings(30)).await.unwrap();
        // The genesis holds the settings; the money rules follow it, then
        // the day the shop begins recording its daily figures, then the
        // risk settings with the first default rule pack, then the rules
        // added to the pack since.
        let rows = store.journal_page(0, 10_000).await.unwrap();
        assert_eq!(rows.len(), 5);
        let genesis = Entry::decode(&rows[0].body).unwrap();
        assert!(
            matches!(
                Entry::decode(&rows[1].body).unwrap().facts.as_slice(),
                [Fact::Rules { .. }]
            ),
            "the money rules are recorded after the genesis"
        );
        assert!(matches!(
            Entry::decode(&rows[2].body).unwrap().facts.as_slice(),
            [Fact::FiguresFrom { .. }]
        ));
        assert!(matches!(
            Entry::decode(&rows[3].body).unwrap().facts.as_slice(),
            [Fact::RiskSettings { .. }, Fact::RiskRule { .. }, ..]
        ));
        let later = last_entry(&store).await.facts;
        assert_eq!(later.len(), trigate_core::risk::later_rules().len());
        assert!(later.iter().all(|f| matches!(f, Fact::RiskRule { .. })));
        assert!(
            matches!(genesis.facts.as_slice(), [Fact::Settings { settings: s }, Fact::Policy { .. }] if s.reservation_ns == 30 * 60 * NANOS_PER_SECOND),
            "{:?}",
            genesis.facts
        );
        let reply = engine
            .submit(Command::Register {
                login: "buyer".into(),
                role: Role::Buyer,
                referrer_code: None,
                password: None,
            })
            .await
            .unwrap();
        assert!(matches!(reply, Reply::User(_)), "{reply:?}");
        drop(engine);
        assert!(matches!(writer.await.unwrap(), WriterExit::Drained));

        // The same settings again: nothing recorded.
        let entries = store.journal_page(0, 10_000).await.unwrap().len();
        let (engine, writer) = start_shop(&store, settings(30)).await.unwrap();
        drop(engine);
        writer.await.unwrap();
        assert_eq!(store.journal_page(0, 10_000).await.unwrap().len(), entries);
        let recovered = open_state::<Shop>(&store, 0).await.unwrap();
        assert_eq!(*recovered.state.config(), settings(30), "{}", db.backend);

        // Other settings: one entry, and the shop runs under them.
        let (engine, writer) = start_shop(&store, settings(45)).await.unwrap();
        drop(engine);
        writer.await.unwrap();
        assert_eq!(
            store.journal_page(0, 10_000).await.unwrap().len(),
            entries + 1
        );
        assert!(matches!(
            last_entry(&store).await.facts.as_slice(),
            [Fact::Settings { .. }, Fact::Policy { .. }]
        ));
        let recovered = open_state::<Shop>(&store, 0).await.unwrap();
        assert_eq!(*recovered.state.config(), settings(45), "{}", db.backend);
        let report = trigate_engine::verify::verify(&store).await.unwrap();
        assert!(report.is_ok(), "{:?}", report.violations);
        assert!(report.findings.is_empty(), "{:?}", report.findings);
    }
}

fn run(args: &[&str], data: &std::path::Path) -> (bool, String) {
    let out = Process::new(trigate_bin())
        .args(args)
        .env("TRIGATE_DATA_DIR", data)
        .env_remove("TRIGATE_DATABASE_URL")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `trigate serve` on `url`, which must refuse to start: what it printed.
fn serve_refused(url: &str, data: &std::path::Path) -> String {
    let mut child = Process::new(trigate_bin())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("TRIGATE_DATA_DIR", data)
        .env("TRIGATE_DATABASE_URL", url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(!status.success());
            let out = child.wait_with_output().unwrap();
            return format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().ok();
    panic!("trigate serve started on a journal it should refuse");
}

#[tokio::test]
async fn trigate_upgrade_rewrites_a_format_1_journal_after_a_backup() {
    for db in TestDb::all("journal_upgrade").await {
        let data = tempfile::tempdir().unwrap();
        let store = db.open().await;
        let old = golden::read_rows("sh1-demo");
        golden::load(&store, &old).await;
        store.close().await;

        let (ok, text) = run(&["verify", "--database-url", &db.url], data.path());
        assert!(!ok && text.contains("trigate upgrade"), "{text}");
        let text = serve_refused(&db.url, data.path());
        assert!(text.contains("trigate upgrade"), "{text}");

        let (ok, text) = run(&["upgrade", "--database-url", &db.url], data.path());
        assert!(ok, "{text}");
        assert!(text.contains("from format 1"), "{text}");
        let backup = std::fs::read_dir(data.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().contains("journal-format1-backup"))
            .expect("a backup file");
        let backed_up =
            trigate_engine::journal_file::read_rows(&std::fs::read_to_string(&backup).unwrap())
                .unwrap();
        assert_eq!(backed_up, old, "the backup holds the old journal");

        let (ok, text) = run(&["verify", "--database-url", &db.url], data.path());
        assert!(ok, "{text}");
        assert!(!text.contains("NOTE"), "{text}");
        let (ok, text) = run(&["upgrade", "--database-url", &db.url], data.path());
        assert!(
            ok && text.contains("in format 8, which this release reads"),
            "{text}"
        );

        let store = db.open().await;
        let recovered = open_state::<Shop>(&store, 0).await.unwrap();
        assert_eq!(
            golden::summary(&recovered.state, &golden::master_key("sh1-demo")),
            golden::expected("sh1-demo")
        );
        assert!(
            recovered
                .state
                .orders()
                .any(|o| o.status == OrderStatus::Settled)
        );
        store.close().await;

        // And back: the backup restores the old journal as it was.
        let shown = backup.display().to_string();
        let (ok, text) = run(
            &["upgrade", "--database-url", &db.url, "--restore", &shown],
            data.path(),
        );
        assert!(ok, "{text}");
        let store = db.open().await;
        assert_eq!(store.journal_page(0, 10_000).await.unwrap(), old);
        store.close().await;
    }
}

#[tokio::test]
async fn upgrade_refuses_a_broken_chain_and_changes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let db = TestDb::sqlite();
    let store = db.open().await;
    let mut rows = golden::read_rows("sh1-demo");
    rows[5].body.push(b' ');
    golden::load(&store, &rows).await;
    store.close().await;
    let (ok, text) = run(&["upgrade", "--database-url", &db.url], data.path());
    assert!(!ok, "{text}");
    assert!(text.contains("entry 6"), "{text}");
    let store = db.open().await;
    assert_eq!(store.journal_page(0, 10_000).await.unwrap(), rows);
    assert!(
        std::fs::read_dir(data.path()).unwrap().next().is_none(),
        "no backup is written for a journal that does not upgrade"
    );
}

/// The journal is replaced only if it still ends where the upgrade read it
/// to: an entry appended meanwhile (a shop left running) stops it.
#[tokio::test]
async fn a_journal_that_moved_is_not_replaced() {
    for db in TestDb::all("journal_moved").await {
        let store = db.open().await;
        let rows = golden::read_rows("sh1-demo");
        golden::load(&store, &rows).await;
        let stale = rows.get(rows.len() - 2).map(|r| (r.seq, r.hash));
        let refused = store.replace_journal(stale, &rows[..1]).await.unwrap_err();
        assert!(
            matches!(refused, trigate_store::StoreError::Moved),
            "{}: {refused}",
            db.backend
        );
        assert_eq!(store.journal_page(0, 10_000).await.unwrap(), rows);
        let head = rows.last().map(|r| (r.seq, r.hash));
        store.replace_journal(head, &rows[..1]).await.unwrap();
        assert_eq!(store.journal_page(0, 10_000).await.unwrap(), rows[..1]);
    }
}

/// A shop begun in journal format 2 starts under format 3 as it is (no
/// upgrade), records the money policy it now runs under in one entry, and
/// records nothing more on the next start with the same settings.
#[tokio::test]
async fn a_format_2_shop_records_its_money_policy_on_its_first_start() {
    let db = TestDb::sqlite();
    let store = db.open().await;
    let rows = golden::read_rows("f2-demo");
    golden::load(&store, &rows).await;
    let before = open_state::<Shop>(&store, 0).await.unwrap();
    let settings = *before.state.config();
    let (engine, writer) = start_shop(&store, settings).await.unwrap();
    drop(engine);
    writer.await.unwrap();
    let all = store.journal_page(0, 10_000).await.unwrap();
    // The policy (format 3's), the money rules (format 4's), the day
    // daily figures begin (format 6's), then the risk settings and the
    // first default rule pack (format 7's), then the rules added to it.
    assert_eq!(all.len(), rows.len() + 5);
    assert_eq!(all[..rows.len()], rows[..], "the format-2 entries stay");
    let entry = Entry::decode(&all[rows.len()].body).unwrap();
    assert_eq!(
        Entry::format(&all[rows.len()].body),
        Some(trigate_core::journal::FORMAT)
    );
    assert!(
        matches!(
            Entry::decode(&all[rows.len() + 1].body)
                .unwrap()
                .facts
                .as_slice(),
            [Fact::Rules { .. }]
        ),
        "the money rules are recorded next"
    );
    assert!(matches!(
        Entry::decode(&all[rows.len() + 2].body)
            .unwrap()
            .facts
            .as_slice(),
        [Fact::FiguresFrom { .. }]
    ));
    assert!(matches!(
        Entry::decode(&all[rows.len() + 3].body)
            .unwrap()
            .facts
            .as_slice(),
        [Fact::RiskSettings { .. }, Fact::RiskRule { .. }, ..]
    ));
    let later = last_entry(&store).await.facts;
    assert_eq!(later.len(), trigate_core::risk::later_rules().len());
    assert!(later.iter().all(|f| matches!(f, Fact::RiskRule { .. })));
    assert!(
        matches!(
            entry.facts.as_slice(),
            [Fact::Settings { .. }, Fact::Policy { .. }]
        ),
        "{:?}",
        entry.facts
    );
    let (engine, writer) = start_shop(&store, settings).await.unwrap();
    drop(engine);
    writer.await.unwrap();
    assert_eq!(
        store.journal_page(0, 10_000).await.unwrap().len(),
        rows.len() + 5
    );
    let report = trigate_engine::verify::verify(&store).await.unwrap();
    assert!(report.is_ok(), "{:?}", report.violations);
}
