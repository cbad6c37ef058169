//! Databases for integration tests: a fresh SQLite file in a temporary
//! directory, and — when `TRIGATE_TEST_POSTGRES_URL` is set — a fresh
//! PostgreSQL database on that server, named after the test.

#![allow(dead_code)]

pub mod channels;
pub mod epay_mock;
pub mod golden;
pub mod http;
pub mod pages;
pub mod sandbox;

use std::sync::Arc;

use sqlx::{Connection, Executor, PgConnection};
use tempfile::TempDir;
use trigate_engine::{Engine, EngineConfig, FixedStepClock, LedgerMachine, open_ledger};
use trigate_store::Store;

pub struct TestDb {
    pub url: String,
    pub backend: &'static str,
    _dir: Option<TempDir>,
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("trigate.db").display());
        Self {
            url,
            backend: "sqlite",
            _dir: Some(dir),
        }
    }

    /// A fresh database `trigate_t_<name>` on the test server, or `None`
    /// (with a notice) when no server is configured.
    pub async fn postgres(name: &str) -> Option<Self> {
        let Ok(base) = std::env::var("TRIGATE_TEST_POSTGRES_URL") else {
            eprintln!(
                "notice: TRIGATE_TEST_POSTGRES_URL is not set; skipping the PostgreSQL part of {name}"
            );
            return None;
        };
        let db = format!("trigate_t_{name}");
        let mut admin = PgConnection::connect(&base)
            .await
            .expect("connect to the test server");
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                r#"DROP DATABASE IF EXISTS "{db}" WITH (FORCE)"#
            )))
            .await
            .expect("drop the old test database");
        admin
            .execute(sqlx::AssertSqlSafe(format!(r#"CREATE DATABASE "{db}""#)))
            .await
            .expect("create the test database");
        admin.close().await.ok();
        Some(Self {
            url: with_database(&base, &db),
            backend: "postgres",
            _dir: None,
        })
    }

    /// SQLite always, PostgreSQL when configured.
    pub async fn all(name: &str) -> Vec<Self> {
        let mut dbs = vec![Self::sqlite()];
        dbs.extend(Self::postgres(name).await);
        dbs
    }

    pub async fn open(&self) -> Store {
        Store::open(&self.url).await.expect("open the store")
    }
}

/// The URL with its database name replaced.
fn with_database(url: &str, db: &str) -> String {
    let (main, query) = url
        .split_once('?')
        .map_or((url, None), |(m, q)| (m, Some(q)));
    let after_scheme = main.find("://").map_or(0, |i| i + 3);
    let base = match main[after_scheme..].find('/') {
        Some(i) => &main[..after_scheme + i],
        None => main,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// An engine over the store's recovered ledger, with a stepping clock.
pub async fn engine(
    store: &Store,
) -> (
    Engine<LedgerMachine>,
    tokio::task::JoinHandle<trigate_engine::WriterExit>,
) {
    let ledger = open_ledger(store, 0).await.expect("recover the ledger");
    Engine::start(
        LedgerMachine::new(ledger),
        store.clone(),
        Arc::new(FixedStepClock::new(1_000_000_000, 1_000)),
        EngineConfig::default(),
    )
}

/// The path of the built `trigate` binary.
pub fn trigate_bin() -> &'static str {
    env!("CARGO_BIN_EXE_trigate")
}

/// The shop's writer over `store`, recovered from its journal.
pub async fn shop_engine(
    store: &Store,
) -> (
    Engine<trigate_engine::ShopMachine>,
    tokio::task::JoinHandle<trigate_engine::WriterExit>,
) {
    let recovered = trigate_engine::open_state::<trigate_core::Shop>(store, 0)
        .await
        .expect("recover the shop");
    Engine::start(
        trigate_engine::ShopMachine::new(recovered),
        store.clone(),
        Arc::new(FixedStepClock::new(1_000_000_000, 1_000)),
        EngineConfig::default(),
    )
}

/// Runs SQL behind trigate's back. On SQLite the journal's file is opened
/// with the tables' file attached, so a statement finds whichever table it
/// names.
pub async fn tamper(db: &TestDb, sqlite_sql: &str, postgres_sql: &str) {
    if db.backend == "sqlite" {
        let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&db.url)
            .await
            .unwrap();
        let tables = trigate_store::sqlite_tables_url(&db.url);
        let path = tables.trim_start_matches("sqlite://");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "ATTACH DATABASE '{path}' AS tables; {sqlite_sql}"
        )))
        .execute(&mut c)
        .await
        .unwrap();
    } else {
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(postgres_sql.to_string()))
            .execute(&mut c)
            .await
            .unwrap();
    }
}

/// Starts `trigate <args>` and waits for the address it listens on; returns
/// the process and everything it printed until then.
pub async fn spawn(
    args: &[&str],
    env: &[(&str, &std::path::Path)],
) -> (tokio::process::Child, std::net::SocketAddr, String) {
    use tokio::io::AsyncBufReadExt;
    let mut command = tokio::process::Command::new(trigate_bin());
    command
        .args(args)
        .env_remove("TRIGATE_DATABASE_URL")
        .env_remove("TRIGATE_MASTER_KEY")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    loop {
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
            .await
            .expect("trigate starts")
            .unwrap()
            .expect("trigate prints its address");
        printed.push_str(&line);
        printed.push('\n');
        let addr = line
            .strip_prefix("trigate listening on http://")
            .or_else(|| line.strip_prefix("trigate sandbox gateway listening on http://"));
        if let Some(addr) = addr {
            return (child, addr.trim_end_matches('/').parse().unwrap(), printed);
        }
    }
}
