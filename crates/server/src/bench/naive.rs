//! The baseline the durable benchmark is measured against: transfers written
//! the way most shops write them — one SQL transaction per transfer that
//! locks and reads both balance rows, checks, updates both and inserts the
//! transfer (`BEGIN IMMEDIATE` on SQLite; `SELECT … FOR UPDATE` on PostgreSQL,
//! from several connections at once).

use std::str::FromStr;
use std::time::Instant;

use anyhow::bail;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, PgPool, Row, SqliteConnection};

use super::Latencies;
use super::workload::FUNDING;

/// Connections the PostgreSQL baseline writes from at once.
const PG_WORKERS: usize = 8;

pub struct NaiveRun {
    pub latencies: Latencies,
    pub secs: f64,
}

fn transfers(accounts: u64, hot_share: f64, ops: u64, seed: u64) -> Vec<(i64, i64, i64)> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let hot = accounts.min(100);
    (0..ops)
        .map(|_| {
            let credit = if rng.random_bool(hot_share) {
                rng.random_range(1..=hot)
            } else {
                rng.random_range(1..=accounts)
            };
            let mut debit = rng.random_range(1..=accounts);
            if debit == credit {
                debit = debit % accounts + 1;
            }
            (debit as i64, credit as i64, rng.random_range(1..=1000))
        })
        .collect()
}

pub async fn run(
    url: &str,
    accounts: u64,
    hot_share: f64,
    ops: u64,
    seed: u64,
) -> anyhow::Result<NaiveRun> {
    let work = transfers(accounts, hot_share, ops, seed);
    if url.starts_with("sqlite:") {
        sqlite(url, accounts, &work).await
    } else {
        postgres(url, accounts, work).await
    }
}

const SETUP: [&str; 2] = [
    "CREATE TABLE naive_accounts (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)",
    "CREATE TABLE naive_transfers (id BIGINT PRIMARY KEY, debit BIGINT NOT NULL, \
     credit BIGINT NOT NULL, amount BIGINT NOT NULL)",
];

async fn sqlite(url: &str, accounts: u64, work: &[(i64, i64, i64)]) -> anyhow::Result<NaiveRun> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let mut c = SqliteConnection::connect_with(&options).await?;
    for sql in SETUP {
        sqlx::query(sql).execute(&mut c).await?;
    }
    let mut tx = c.begin().await?;
    for id in 1..=accounts as i64 {
        sqlx::query("INSERT INTO naive_accounts VALUES (?, ?)")
            .bind(id)
            .bind(FUNDING as i64)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    let mut latencies = Latencies::default();
    let started = Instant::now();
    for (i, (debit, credit, amount)) in work.iter().enumerate() {
        let t0 = Instant::now();
        let mut tx = c.begin_with("BEGIN IMMEDIATE").await?;
        let balance: i64 = sqlx::query("SELECT balance FROM naive_accounts WHERE id = ?")
            .bind(debit)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        sqlx::query("SELECT balance FROM naive_accounts WHERE id = ?")
            .bind(credit)
            .fetch_one(&mut *tx)
            .await?;
        if balance < *amount {
            bail!("naive baseline ran out of funds");
        }
        for (id, delta) in [(debit, -amount), (credit, *amount)] {
            sqlx::query("UPDATE naive_accounts SET balance = balance + ? WHERE id = ?")
                .bind(delta)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("INSERT INTO naive_transfers VALUES (?, ?, ?, ?)")
            .bind(i as i64 + 1)
            .bind(debit)
            .bind(credit)
            .bind(amount)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        latencies.record(t0.elapsed());
    }
    Ok(NaiveRun {
        latencies,
        secs: started.elapsed().as_secs_f64(),
    })
}

async fn postgres(
    url: &str,
    accounts: u64,
    work: Vec<(i64, i64, i64)>,
) -> anyhow::Result<NaiveRun> {
    let pool = PgPool::connect(url).await?;
    for sql in SETUP {
        sqlx::query(sql).execute(&pool).await?;
    }
    sqlx::query("INSERT INTO naive_accounts SELECT g, $1 FROM generate_series(1, $2) g")
        .bind(FUNDING as i64)
        .bind(accounts as i64)
        .execute(&pool)
        .await?;
    let started = Instant::now();
    let chunk = work.len().div_ceil(PG_WORKERS).max(1);
    let mut workers = tokio::task::JoinSet::new();
    for (w, part) in work.chunks(chunk).enumerate() {
        let pool = pool.clone();
        let part = part.to_vec();
        workers.spawn(async move {
            let mut latencies = Latencies::default();
            for (i, (debit, credit, amount)) in part.into_iter().enumerate() {
                let t0 = Instant::now();
                let mut tx = pool.begin().await?;
                let rows = sqlx::query(
                    "SELECT id, balance FROM naive_accounts WHERE id IN ($1, $2) ORDER BY id FOR UPDATE",
                )
                .bind(debit)
                .bind(credit)
                .fetch_all(&mut *tx)
                .await?;
                let balance: i64 = rows
                    .iter()
                    .find(|r| r.get::<i64, _>(0) == debit)
                    .map_or(0, |r| r.get(1));
                if balance < amount {
                    anyhow::bail!("naive baseline ran out of funds");
                }
                for (id, delta) in [(debit, -amount), (credit, amount)] {
                    sqlx::query("UPDATE naive_accounts SET balance = balance + $1 WHERE id = $2")
                        .bind(delta)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("INSERT INTO naive_transfers VALUES ($1, $2, $3, $4)")
                    .bind((w * chunk + i) as i64 + 1)
                    .bind(debit)
                    .bind(credit)
                    .bind(amount)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                latencies.record(t0.elapsed());
            }
            Ok::<_, anyhow::Error>(latencies)
        });
    }
    let mut latencies = Latencies::default();
    while let Some(done) = workers.join_next().await {
        latencies.merge(done??);
    }
    let secs = started.elapsed().as_secs_f64();
    pool.close().await;
    Ok(NaiveRun { latencies, secs })
}
