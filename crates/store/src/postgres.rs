//! The PostgreSQL backend: the path to scale (replicas, Postgres-compatible
//! distributed SQL). Derived rows go in as arrays unnested by the server, one
//! statement per table per commit.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};
use trigate_ledger::{Account, Hash};

use crate::codec::{self, id_bytes, to_i64};
use crate::{Checkpoint, JournalRow, KeyRow, OrderRow, RowCounts, StoreError, StoredTransfer};

#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

/// Every transaction that writes the journal or the tables holds this
/// advisory lock shared; recovery takes it exclusively first
/// ([`PgStore::await_writers`]), so a commit still in flight from a process
/// that died lands before the journal is read, never after.
const WRITERS: i64 = 0x7472_6967_6174_6501;

async fn share_writers_lock(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock_shared($1)")
        .bind(WRITERS)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn insert_journal(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    j: &[JournalRow],
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO journal (seq, timestamp, body, prev_hash, hash) \
         SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bytea[], $4::bytea[], $5::bytea[])",
    )
    .bind(j.iter().map(|r| to_i64(r.seq)).collect::<Vec<_>>())
    .bind(j.iter().map(|r| to_i64(r.timestamp)).collect::<Vec<_>>())
    .bind(j.iter().map(|r| r.body.as_slice()).collect::<Vec<_>>())
    .bind(j.iter().map(|r| r.prev_hash.to_vec()).collect::<Vec<_>>())
    .bind(j.iter().map(|r| r.hash.to_vec()).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl PgStore {
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let masked = codec::mask_url(url);
        let open = |source| StoreError::Open {
            url: masked.clone(),
            source,
        };
        // One direct connection first: a pool would retry until its timeout
        // and then report only that it timed out, not why.
        PgConnection::connect(url)
            .await
            .map_err(open)?
            .close()
            .await
            .map_err(open)?;
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(open)?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                url: masked.clone(),
                source,
            })?;
        Ok(Self { pool })
    }

    /// Waits until no transaction that writes is in flight (one of a process
    /// that was killed may still be committing).
    pub async fn await_writers(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITERS)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn append(&self, j: &[JournalRow]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        // The reply waits on this commit: it must be on disk, whatever the
        // server's or role's default.
        sqlx::query("SET LOCAL synchronous_commit = on")
            .execute(&mut *tx)
            .await?;
        share_writers_lock(&mut tx).await?;
        insert_journal(&mut tx, j).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces every journal row and empties the derived tables
    /// (checkpoint 0), in one transaction.
    pub async fn replace_journal(
        &self,
        head: Option<(u64, Hash)>,
        j: &[JournalRow],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET LOCAL synchronous_commit = on")
            .execute(&mut *tx)
            .await?;
        share_writers_lock(&mut tx).await?;
        sqlx::query("LOCK TABLE journal IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
        let last: Option<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        if !crate::ends_at(last.map(|(s, h)| (s as u64, h)), head) {
            return Err(StoreError::Moved);
        }
        sqlx::query("TRUNCATE journal, transfers, accounts, orders, card_keys")
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE checkpoint SET seq = 0")
            .execute(&mut *tx)
            .await?;
        insert_journal(&mut tx, j).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Derived rows behind the journal. A crash may lose the last of these
    /// (recovery rebuilds them from the journal), so the commit does not
    /// wait for the disk.
    pub async fn checkpoint(&self, changes: &Checkpoint) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut *tx)
            .await?;
        share_writers_lock(&mut tx).await?;
        if !changes.transfers.is_empty() {
            let t = &changes.transfers;
            sqlx::query(
                "INSERT INTO transfers (id, debit_account_id, credit_account_id, amount, pending_id, \
                 user_data, timeout, ledger, code, flags, timestamp) \
                 SELECT * FROM UNNEST($1::bytea[], $2::bytea[], $3::bytea[], $4::text[]::numeric[], \
                 $5::bytea[], $6::bytea[], $7::bigint[], $8::bigint[], $9::int[], $10::int[], $11::bigint[])",
            )
            .bind(t.iter().map(|t| id_bytes(t.id)).collect::<Vec<_>>())
            .bind(t.iter().map(|t| id_bytes(t.debit_account_id)).collect::<Vec<_>>())
            .bind(t.iter().map(|t| id_bytes(t.credit_account_id)).collect::<Vec<_>>())
            .bind(t.iter().map(|t| t.amount.to_string()).collect::<Vec<_>>())
            .bind(t.iter().map(|t| id_bytes(t.pending_id)).collect::<Vec<_>>())
            .bind(t.iter().map(|t| id_bytes(t.user_data)).collect::<Vec<_>>())
            .bind(t.iter().map(|t| i64::from(t.timeout)).collect::<Vec<_>>())
            .bind(t.iter().map(|t| i64::from(t.ledger)).collect::<Vec<_>>())
            .bind(t.iter().map(|t| i32::from(t.code)).collect::<Vec<_>>())
            .bind(t.iter().map(|t| i32::from(t.flags.bits())).collect::<Vec<_>>())
            .bind(t.iter().map(|t| to_i64(t.timestamp)).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
        }
        if !changes.accounts.is_empty() {
            let a = &changes.accounts;
            let counter =
                |f: fn(&Account) -> u128| a.iter().map(|x| f(x).to_string()).collect::<Vec<_>>();
            sqlx::query(
                "INSERT INTO accounts (id, ledger, code, flags, user_data, debits_pending, \
                 debits_posted, credits_pending, credits_posted, timestamp) \
                 SELECT * FROM UNNEST($1::bytea[], $2::bigint[], $3::int[], $4::int[], $5::bytea[], \
                 $6::text[]::numeric[], $7::text[]::numeric[], $8::text[]::numeric[], \
                 $9::text[]::numeric[], $10::bigint[]) \
                 ON CONFLICT (id) DO UPDATE SET flags = excluded.flags, \
                 debits_pending = excluded.debits_pending, debits_posted = excluded.debits_posted, \
                 credits_pending = excluded.credits_pending, credits_posted = excluded.credits_posted",
            )
            .bind(a.iter().map(|x| id_bytes(x.id)).collect::<Vec<_>>())
            .bind(a.iter().map(|x| i64::from(x.ledger)).collect::<Vec<_>>())
            .bind(a.iter().map(|x| i32::from(x.code)).collect::<Vec<_>>())
            .bind(a.iter().map(|x| i32::from(x.flags.bits())).collect::<Vec<_>>())
            .bind(a.iter().map(|x| id_bytes(x.user_data)).collect::<Vec<_>>())
            .bind(counter(|x| x.debits_pending))
            .bind(counter(|x| x.debits_posted))
            .bind(counter(|x| x.credits_pending))
            .bind(counter(|x| x.credits_posted))
            .bind(a.iter().map(|x| to_i64(x.timestamp)).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
        }
        if !changes.expired.is_empty() {
            sqlx::query("UPDATE transfers SET expired = TRUE WHERE id = ANY($1::bytea[])")
                .bind(
                    changes
                        .expired
                        .iter()
                        .map(|id| id_bytes(*id))
                        .collect::<Vec<_>>(),
                )
                .execute(&mut *tx)
                .await?;
        }
        crate::shop_rows::upsert(&mut tx, &changes.orders, &changes.keys).await?;
        sqlx::query("UPDATE checkpoint SET seq = $1 WHERE id = 1")
            .bind(to_i64(changes.through))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A read transaction: every read through it sees the same state.
    pub async fn snapshot(&self) -> Result<PgSnapshot, StoreError> {
        let mut tx = self.pool.begin().await?;
        // Every read of the snapshot sees one state of the database.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        // The first read fixes the snapshot.
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM checkpoint WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        Ok(PgSnapshot {
            tx,
            checkpoint_seq: codec::fit("checkpoint", 1, "seq", seq)?,
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Reads that all see one state of the database (the transaction is rolled
/// back when the snapshot is dropped; it never writes).
#[derive(Debug)]
pub struct PgSnapshot {
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    checkpoint_seq: u64,
}

impl PgSnapshot {
    pub fn checkpoint_seq(&self) -> u64 {
        self.checkpoint_seq
    }

    pub async fn journal_page(
        &mut self,
        after: u64,
        limit: u32,
    ) -> Result<Vec<JournalRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, timestamp, body, prev_hash, hash FROM journal WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(to_i64(after))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(codec::read_journal).collect()
    }

    pub async fn row_counts(&mut self) -> Result<RowCounts, StoreError> {
        let row = sqlx::query(codec::COUNT_ROWS)
            .fetch_one(&mut *self.tx)
            .await?;
        codec::read_counts(&row)
    }

    pub async fn orders(&mut self) -> Result<Vec<OrderRow>, StoreError> {
        let rows = sqlx::query(crate::shop_rows::SELECT_ORDERS)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter().map(crate::shop_rows::read_order).collect()
    }

    pub async fn keys(&mut self) -> Result<Vec<KeyRow>, StoreError> {
        let rows = sqlx::query(crate::shop_rows::SELECT_KEYS)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter().map(crate::shop_rows::read_key).collect()
    }

    pub async fn accounts(&mut self) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, ledger, code::bigint AS code, flags::bigint AS flags, user_data, \
             debits_pending::text AS debits_pending, debits_posted::text AS debits_posted, \
             credits_pending::text AS credits_pending, credits_posted::text AS credits_posted, \
             timestamp FROM accounts ORDER BY id",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(codec::read_account).collect()
    }

    pub async fn scan_transfers(
        &mut self,
        visit: &mut (dyn FnMut(StoredTransfer) + Send),
    ) -> Result<(), StoreError> {
        use futures_util::TryStreamExt;
        let mut rows = sqlx::query(
            "SELECT id, debit_account_id, credit_account_id, amount::text AS amount, pending_id, \
             user_data, timeout, ledger, code::bigint AS code, flags::bigint AS flags, timestamp, \
             expired::int::bigint AS expired FROM transfers ORDER BY timestamp",
        )
        .fetch(&mut *self.tx);
        while let Some(row) = rows.try_next().await? {
            visit(codec::read_transfer(&row)?);
        }
        Ok(())
    }
}
