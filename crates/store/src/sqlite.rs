//! The SQLite backend: the journal in one file (WAL, `synchronous=FULL`, so
//! a commit that returned is on disk) and the derived tables in another.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use trigate_ledger::{Account, Hash};

use crate::codec::{self, id_bytes, to_i64};
use crate::{Checkpoint, JournalRow, KeyRow, OrderRow, RowCounts, StoreError, StoredTransfer};

/// Rows per multi-row insert: SQLite allows 32,766 bound values per
/// statement, and these take 11, 5 and 10 values a row.
const TRANSFER_ROWS_PER_INSERT: usize = 2_048;
const JOURNAL_ROWS_PER_INSERT: usize = 4_096;
const ACCOUNT_ROWS_PER_INSERT: usize = 2_048;

/// Splits rows into inserts of `max` rows, then the rest into powers of two:
/// a handful of statement shapes, each prepared once and reused, rather than
/// a new statement (and a cached copy of it) for every remainder size.
fn pow2_chunks<T>(mut rows: &[T], max: usize) -> impl Iterator<Item = &[T]> {
    std::iter::from_fn(move || {
        if rows.is_empty() {
            return None;
        }
        let take = if rows.len() >= max {
            max
        } else {
            1 << rows.len().ilog2()
        };
        let (head, rest) = rows.split_at(take);
        rows = rest;
        Some(head)
    })
}

/// The file of the derived tables beside the journal's: `trigate.db` →
/// `trigate-tables.db` (any `?…` options kept).
pub fn tables_url(url: &str) -> String {
    let (path, options) = match url.split_once('?') {
        Some((path, options)) => (path, Some(options)),
        None => (url, None),
    };
    let tables = match path.strip_suffix(".db") {
        Some(stem) => format!("{stem}-tables.db"),
        None => format!("{path}-tables"),
    };
    match options {
        Some(options) => format!("{tables}?{options}"),
        None => tables,
    }
}

/// Two files: the journal (`synchronous=FULL`: a commit that returned is on
/// disk) and the derived tables. The tables may lag after a crash — recovery
/// rebuilds them from the journal — so their commits need not wait for the
/// disk (`synchronous=NORMAL`, still never corrupt in WAL mode), and their
/// bulk writes never hold the journal's write lock.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    journal: SqlitePool,
    tables: SqlitePool,
}

async fn open_file(
    url: &str,
    create: bool,
    synchronous: SqliteSynchronous,
) -> Result<SqlitePool, StoreError> {
    let masked = codec::mask_url(url);
    let open = |source| StoreError::Open {
        url: masked.clone(),
        source,
    };
    let options = SqliteConnectOptions::from_str(url)
        .map_err(open)?
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(synchronous)
        .busy_timeout(Duration::from_secs(10));
    SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(open)
}

fn migrate_error(url: &str) -> impl FnOnce(sqlx::migrate::MigrateError) -> StoreError {
    let url = codec::mask_url(url);
    move |source| StoreError::Migrate { url, source }
}

async fn insert_journal(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    journal: &[JournalRow],
) -> Result<(), StoreError> {
    for chunk in pow2_chunks(journal, JOURNAL_ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO journal (seq, timestamp, body, prev_hash, hash) ",
        );
        q.push_values(chunk, |mut b, row| {
            b.push_bind(to_i64(row.seq))
                .push_bind(to_i64(row.timestamp))
                .push_bind(row.body.as_slice())
                .push_bind(row.prev_hash.as_slice())
                .push_bind(row.hash.as_slice());
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

impl SqliteStore {
    pub async fn open(url: &str, create: bool) -> Result<Self, StoreError> {
        let journal = open_file(url, create, SqliteSynchronous::Full).await?;
        sqlx::migrate!("./migrations/sqlite/journal")
            .run(&journal)
            .await
            .map_err(migrate_error(url))?;
        let tables_url = tables_url(url);
        let tables = open_file(&tables_url, create, SqliteSynchronous::Normal).await?;
        sqlx::migrate!("./migrations/sqlite/tables")
            .run(&tables)
            .await
            .map_err(migrate_error(&tables_url))?;
        Ok(Self { journal, tables })
    }

    pub async fn append(&self, journal: &[JournalRow]) -> Result<(), StoreError> {
        let mut tx = self.journal.begin().await?;
        insert_journal(&mut tx, journal).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Empties the derived tables (checkpoint 0), then replaces every
    /// journal row. A crash between the two leaves the old journal and
    /// empty tables, which the next start rebuilds.
    pub async fn replace_journal(
        &self,
        head: Option<(u64, Hash)>,
        journal: &[JournalRow],
    ) -> Result<(), StoreError> {
        if !crate::ends_at(self.journal_head().await?, head) {
            return Err(StoreError::Moved);
        }
        let mut tx = self.tables.begin().await?;
        for table in ["transfers", "accounts", "orders", "card_keys"] {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE checkpoint SET seq = 0")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // The tables file commits without waiting for the disk: make its
        // emptying durable before the journal changes under it.
        sqlx::query("PRAGMA wal_checkpoint(FULL)")
            .execute(&self.tables)
            .await?;
        let mut tx = self.journal.begin().await?;
        // Written to first, so no other writer gets in between the check
        // and the replacement.
        sqlx::query("UPDATE journal SET seq = seq WHERE 0")
            .execute(&mut *tx)
            .await?;
        let last: Option<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        if !crate::ends_at(last.map(|(s, h)| (s as u64, h)), head) {
            return Err(StoreError::Moved);
        }
        sqlx::query("DELETE FROM journal").execute(&mut *tx).await?;
        insert_journal(&mut tx, journal).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The last journal entry's sequence number and hash.
    async fn journal_head(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let last: Option<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&self.journal)
                .await?;
        Ok(last.map(|(s, h)| (s as u64, h)))
    }

    pub async fn checkpoint(&self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        let mut tx = self.tables.begin().await?;
        for chunk in pow2_chunks(&checkpoint.transfers, TRANSFER_ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO transfers (id, debit_account_id, credit_account_id, amount, \
                 pending_id, user_data, timeout, ledger, code, flags, timestamp) ",
            );
            q.push_values(chunk, |mut b, t| {
                b.push_bind(id_bytes(t.id))
                    .push_bind(id_bytes(t.debit_account_id))
                    .push_bind(id_bytes(t.credit_account_id))
                    .push_bind(t.amount.to_string())
                    .push_bind(id_bytes(t.pending_id))
                    .push_bind(id_bytes(t.user_data))
                    .push_bind(i64::from(t.timeout))
                    .push_bind(i64::from(t.ledger))
                    .push_bind(i64::from(t.code))
                    .push_bind(i64::from(t.flags.bits()))
                    .push_bind(to_i64(t.timestamp));
            });
            q.build().execute(&mut *tx).await?;
        }
        for chunk in pow2_chunks(&checkpoint.accounts, ACCOUNT_ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO accounts (id, ledger, code, flags, user_data, debits_pending, \
                 debits_posted, credits_pending, credits_posted, timestamp) ",
            );
            q.push_values(chunk, |mut b, a: &Account| {
                b.push_bind(id_bytes(a.id))
                    .push_bind(i64::from(a.ledger))
                    .push_bind(i64::from(a.code))
                    .push_bind(i64::from(a.flags.bits()))
                    .push_bind(id_bytes(a.user_data))
                    .push_bind(a.debits_pending.to_string())
                    .push_bind(a.debits_posted.to_string())
                    .push_bind(a.credits_pending.to_string())
                    .push_bind(a.credits_posted.to_string())
                    .push_bind(to_i64(a.timestamp));
            });
            q.push(
                " ON CONFLICT(id) DO UPDATE SET flags = excluded.flags, \
                 debits_pending = excluded.debits_pending, debits_posted = excluded.debits_posted, \
                 credits_pending = excluded.credits_pending, credits_posted = excluded.credits_posted",
            );
            q.build().execute(&mut *tx).await?;
        }
        for id in &checkpoint.expired {
            sqlx::query("UPDATE transfers SET expired = 1 WHERE id = ?")
                .bind(id_bytes(*id))
                .execute(&mut *tx)
                .await?;
        }
        crate::shop_rows::upsert(&mut tx, &checkpoint.orders, &checkpoint.keys).await?;
        sqlx::query("UPDATE checkpoint SET seq = ? WHERE id = 1")
            .bind(to_i64(checkpoint.through))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Two read transactions, the tables' fixed first (by reading their
    /// checkpoint), then the journal's, which therefore reaches at least
    /// that checkpoint.
    pub async fn snapshot(&self) -> Result<SqliteSnapshot, StoreError> {
        let mut tables = self.tables.begin().await?;
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM checkpoint WHERE id = 1")
            .fetch_one(&mut *tables)
            .await?;
        let mut journal = self.journal.begin().await?;
        sqlx::query("SELECT max(seq) FROM journal")
            .execute(&mut *journal)
            .await?;
        Ok(SqliteSnapshot {
            tables,
            journal,
            checkpoint_seq: codec::fit("checkpoint", 1, "seq", seq)?,
        })
    }

    pub async fn close(&self) {
        self.journal.close().await;
        self.tables.close().await;
    }
}

/// Reads that all see one state of the database (the transaction is rolled
/// back when the snapshot is dropped; it never writes).
#[derive(Debug)]
pub struct SqliteSnapshot {
    tables: sqlx::Transaction<'static, Sqlite>,
    journal: sqlx::Transaction<'static, Sqlite>,
    checkpoint_seq: u64,
}

impl SqliteSnapshot {
    pub fn checkpoint_seq(&self) -> u64 {
        self.checkpoint_seq
    }

    pub async fn journal_page(
        &mut self,
        after: u64,
        limit: u32,
    ) -> Result<Vec<JournalRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, timestamp, body, prev_hash, hash FROM journal WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(to_i64(after))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.journal)
        .await?;
        rows.iter().map(codec::read_journal).collect()
    }

    pub async fn row_counts(&mut self) -> Result<RowCounts, StoreError> {
        let row = sqlx::query(codec::COUNT_ROWS)
            .fetch_one(&mut *self.tables)
            .await?;
        codec::read_counts(&row)
    }

    pub async fn orders(&mut self) -> Result<Vec<OrderRow>, StoreError> {
        let rows = sqlx::query(crate::shop_rows::SELECT_ORDERS)
            .fetch_all(&mut *self.tables)
            .await?;
        rows.iter().map(crate::shop_rows::read_order).collect()
    }

    pub async fn keys(&mut self) -> Result<Vec<KeyRow>, StoreError> {
        let rows = sqlx::query(crate::shop_rows::SELECT_KEYS)
            .fetch_all(&mut *self.tables)
            .await?;
        rows.iter().map(crate::shop_rows::read_key).collect()
    }

    pub async fn accounts(&mut self) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, ledger, code, flags, user_data, debits_pending, debits_posted, \
             credits_pending, credits_posted, timestamp FROM accounts ORDER BY id",
        )
        .fetch_all(&mut *self.tables)
        .await?;
        rows.iter().map(codec::read_account).collect()
    }

    pub async fn scan_transfers(
        &mut self,
        visit: &mut (dyn FnMut(StoredTransfer) + Send),
    ) -> Result<(), StoreError> {
        use futures_util::TryStreamExt;
        let mut rows = sqlx::query(
            "SELECT id, debit_account_id, credit_account_id, amount, pending_id, user_data, \
             timeout, ledger, code, flags, timestamp, expired FROM transfers ORDER BY timestamp",
        )
        .fetch(&mut *self.tables);
        while let Some(row) = rows.try_next().await? {
            visit(codec::read_transfer(&row)?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::pow2_chunks;

    #[test]
    fn tables_file_sits_beside_the_journal() {
        use super::tables_url;
        assert_eq!(
            tables_url("sqlite:///data/trigate.db"),
            "sqlite:///data/trigate-tables.db"
        );
        assert_eq!(
            tables_url("sqlite://x.db?mode=rwc"),
            "sqlite://x-tables.db?mode=rwc"
        );
        assert_eq!(tables_url("sqlite://ledger"), "sqlite://ledger-tables");
    }

    #[test]
    fn rows_split_into_full_inserts_then_powers_of_two() {
        let rows: Vec<u32> = (0..5_000).collect();
        let sizes: Vec<usize> = pow2_chunks(&rows, 2_048).map(<[u32]>::len).collect();
        assert_eq!(sizes, vec![2_048, 2_048, 512, 256, 128, 8]);
        let all: Vec<u32> = pow2_chunks(&rows, 2_048).flatten().copied().collect();
        assert_eq!(all, rows);
        assert_eq!(pow2_chunks(&rows[..0], 2_048).count(), 0);
    }
}
