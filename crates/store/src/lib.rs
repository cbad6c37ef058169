//! trigate's durable storage: the hash-chained journal of applied batches and
//! the tables derived from it (accounts with their counters, transfers), in
//! SQLite (the embedded default) or PostgreSQL. One schema, migrations per
//! backend, SQL at run time.
//!
//! The writer makes each group commit durable with [`Store::append`]: its
//! journal rows, in one transaction or not at all. The derived tables follow
//! behind in bulk [`Store::checkpoint`]s, each recording the last journal
//! entry it reflects; recovery replays the journal and catches them up.

mod codec;
pub mod memory;
mod postgres;
mod shop_rows;
mod sqlite;

use trigate_ledger::{Account, Hash, TransferRecord};

pub use codec::mask_url;
pub use shop_rows::{KeyRow, OrderRow};
pub use sqlite::tables_url as sqlite_tables_url;

/// One applied batch as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRow {
    /// 1 for the first batch, then one more for each.
    pub seq: u64,
    pub timestamp: u64,
    /// The batch's canonical bytes (`Ledger::last_entry`).
    pub body: Vec<u8>,
    pub prev_hash: Hash,
    pub hash: Hash,
}

/// The derived rows that bring the tables up to journal entry `through`:
/// what changed since the previous checkpoint. The journal is the durable
/// truth and is written first; the tables follow it, written in bulk behind
/// it, and a restart rebuilds whatever they had not caught up with.
#[derive(Debug, Default, Clone)]
pub struct Checkpoint {
    /// The last journal entry these rows reflect.
    pub through: u64,
    /// Accounts created or changed, as they stand at `through`.
    pub accounts: Vec<Account>,
    /// Transfers applied, in order.
    pub transfers: Vec<TransferRecord>,
    /// Pending transfers that expired.
    pub expired: Vec<u128>,
    /// The shop's orders created or changed, as they stand.
    pub orders: Vec<OrderRow>,
    /// The shop's card keys imported or changed, as they stand.
    pub keys: Vec<KeyRow>,
}

/// Whether the last of `rows` (seq, hash) is `head`.
fn ends_at(last: Option<(u64, Vec<u8>)>, head: Option<(u64, Hash)>) -> bool {
    match (last, head) {
        (None, None) => true,
        (Some((seq, hash)), Some((want_seq, want_hash))) => {
            seq == want_seq && hash.as_slice() == want_hash.as_slice()
        }
        _ => false,
    }
}

/// Rows keyed by id, the last of each kept in first-seen order.
fn coalesce<T, K: std::hash::Hash + Eq>(
    out: &mut Vec<T>,
    at: &mut std::collections::HashMap<K, usize>,
    rows: Vec<T>,
    key: impl Fn(&T) -> K,
) {
    for row in rows {
        match at.entry(key(&row)) {
            std::collections::hash_map::Entry::Occupied(e) => out[*e.get()] = row,
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(out.len());
                out.push(row);
            }
        }
    }
}

/// How many rows each derived table holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub accounts: u64,
    pub transfers: u64,
    pub orders: u64,
    pub keys: u64,
}

impl Checkpoint {
    /// No rows to write (the checkpoint may still move).
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
            && self.transfers.is_empty()
            && self.expired.is_empty()
            && self.orders.is_empty()
            && self.keys.is_empty()
    }

    /// Several consecutive checkpoints as one: accounts as they stand in
    /// the last, transfers and expiries in order, `through` the last one's.
    pub fn merged(parts: Vec<Checkpoint>) -> Checkpoint {
        let mut out = Checkpoint::default();
        let (mut accounts, mut orders, mut keys) = Default::default();
        for part in parts {
            coalesce(&mut out.accounts, &mut accounts, part.accounts, |a| a.id);
            coalesce(&mut out.orders, &mut orders, part.orders, |o| o.id);
            coalesce(&mut out.keys, &mut keys, part.keys, |k| k.id);
            if out.transfers.is_empty() {
                out.transfers = part.transfers;
            } else {
                out.transfers.extend(part.transfers);
            }
            out.expired.extend(part.expired);
            out.through = out.through.max(part.through);
        }
        out
    }

    /// Timestamps go in signed 64-bit columns: refuse (and so fail-stop)
    /// rather than store a different value.
    fn check_range(&self) -> Result<(), StoreError> {
        if let Some(t) = self.transfers.iter().find(|t| too_big(t.timestamp)) {
            return Err(StoreError::OutOfRange(format!(
                "timestamp of transfer {}",
                t.id
            )));
        }
        if let Some(a) = self.accounts.iter().find(|a| too_big(a.timestamp)) {
            return Err(StoreError::OutOfRange(format!(
                "timestamp of account {}",
                a.id
            )));
        }
        for order in &self.orders {
            order.check_range()?;
        }
        for key in &self.keys {
            key.check_range()?;
        }
        if too_big(self.through) {
            return Err(StoreError::OutOfRange(format!(
                "checkpoint {}",
                self.through
            )));
        }
        Ok(())
    }
}

fn too_big(v: u64) -> bool {
    i64::try_from(v).is_err()
}

/// Sequence numbers and timestamps of journal rows, like the rest.
fn check_journal_range(rows: &[JournalRow]) -> Result<(), StoreError> {
    match rows.iter().find(|r| too_big(r.seq) || too_big(r.timestamp)) {
        Some(r) => Err(StoreError::OutOfRange(format!("journal entry {}", r.seq))),
        None => Ok(()),
    }
}

/// A transfer row and whether its reservation expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredTransfer {
    pub record: TransferRecord,
    pub expired: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {url}")]
    Open { url: String, source: sqlx::Error },
    #[error("cannot migrate database {url}")]
    Migrate {
        url: String,
        source: sqlx::migrate::MigrateError,
    },
    #[error("unsupported database URL {0} (use sqlite://… or postgres://…)")]
    Scheme(String),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("{0} is past what the database columns hold (i64)")]
    OutOfRange(String),
    #[error(
        "the journal changed while it was being replaced (is trigate running on it?); \
         nothing was replaced"
    )]
    Moved,
    #[error("row {table}:{key} holds a value that cannot be read: {what}")]
    Corrupt {
        table: &'static str,
        key: String,
        what: String,
    },
}

/// The database behind trigate, chosen by URL.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PgStore),
    /// For tests and the simulator: nothing survives the process.
    Memory(memory::MemoryStore),
}

impl Store {
    /// Connects (creating a SQLite file if needed) and applies migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, true).await
    }

    /// Connects to a database that must already exist (for `verify`: a
    /// mistyped path is an error, not an empty database that passes).
    pub async fn open_existing(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, false).await
    }

    async fn open_with(url: &str, create: bool) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite(sqlite::SqliteStore::open(url, create).await?))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres(postgres::PgStore::open(url).await?))
        } else {
            Err(StoreError::Scheme(mask_url(url)))
        }
    }

    /// A fresh in-memory store (tests and the simulator).
    pub fn memory() -> Self {
        Self::Memory(memory::MemoryStore::default())
    }

    /// `sqlite`, `postgres` or `memory`.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
            Self::Memory(_) => "memory",
        }
    }

    /// Writes one group commit's journal rows in one transaction: all of
    /// them, or an error and none. A caller hears "ok" only after this.
    pub async fn append(&self, journal: &[JournalRow]) -> Result<(), StoreError> {
        if journal.is_empty() {
            return Ok(());
        }
        check_journal_range(journal)?;
        match self {
            Self::Sqlite(s) => s.append(journal).await,
            Self::Postgres(s) => s.append(journal).await,
            Self::Memory(s) => s.append(journal),
        }
    }

    /// Replaces the whole journal (for `trigate upgrade`, after a verified
    /// backup) and empties the derived tables, which the next start
    /// rebuilds from the new journal — but only if the journal still ends
    /// at `head` (its last entry's sequence number and hash; `None` for an
    /// empty journal): if anything was appended meanwhile, nothing is
    /// replaced and [`StoreError::Moved`] says so.
    pub async fn replace_journal(
        &self,
        head: Option<(u64, Hash)>,
        journal: &[JournalRow],
    ) -> Result<(), StoreError> {
        check_journal_range(journal)?;
        match self {
            Self::Sqlite(s) => s.replace_journal(head, journal).await,
            Self::Postgres(s) => s.replace_journal(head, journal).await,
            Self::Memory(s) => s.replace_journal(head, journal),
        }
    }

    /// Writes derived rows and moves the tables' checkpoint to
    /// `checkpoint.through`, in one transaction.
    pub async fn checkpoint(&self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        checkpoint.check_range()?;
        match self {
            Self::Sqlite(s) => s.checkpoint(checkpoint).await,
            Self::Postgres(s) => s.checkpoint(checkpoint).await,
            Self::Memory(s) => s.checkpoint(checkpoint),
        }
    }

    /// Waits until every write in flight has landed or been undone — on
    /// PostgreSQL a process killed mid-commit may still have one — so that
    /// what recovery reads next is all there will be. Call before reading
    /// the journal to take over as its writer.
    pub async fn await_writers(&self) -> Result<(), StoreError> {
        match self {
            Self::Postgres(s) => s.await_writers().await,
            // A SQLite commit ends with its process; memory has no other.
            Self::Sqlite(_) | Self::Memory(_) => Ok(()),
        }
    }

    /// A consistent view to read from: journal and tables as of one moment.
    pub async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        Ok(match self {
            Self::Sqlite(s) => Snapshot::Sqlite(s.snapshot().await?),
            Self::Postgres(s) => Snapshot::Postgres(s.snapshot().await?),
            Self::Memory(s) => Snapshot::Memory(s.snapshot()),
        })
    }

    /// Every account row, by id (from a fresh snapshot).
    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        self.snapshot().await?.accounts().await
    }

    /// Every transfer row, in the order applied (from a fresh snapshot).
    pub async fn transfers(&self) -> Result<Vec<StoredTransfer>, StoreError> {
        self.snapshot().await?.transfers().await
    }

    /// Journal rows with `seq > after`, in order (from a fresh snapshot).
    pub async fn journal_page(
        &self,
        after: u64,
        limit: u32,
    ) -> Result<Vec<JournalRow>, StoreError> {
        self.snapshot().await?.journal_page(after, limit).await
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite(s) => s.close().await,
            Self::Postgres(s) => s.close().await,
            Self::Memory(_) => {}
        }
    }
}

/// Reads that all see the same state of the database, however many
/// statements they take: what `verify` and recovery read through. The
/// tables' state is fixed first, then the journal's, so the journal seen
/// always reaches at least the tables' checkpoint.
#[derive(Debug)]
pub enum Snapshot {
    Sqlite(sqlite::SqliteSnapshot),
    Postgres(postgres::PgSnapshot),
    Memory(memory::MemoryStore),
}

impl Snapshot {
    /// Journal rows with `seq > after`, in order, at most `limit` of them.
    pub async fn journal_page(
        &mut self,
        after: u64,
        limit: u32,
    ) -> Result<Vec<JournalRow>, StoreError> {
        match self {
            Self::Sqlite(s) => s.journal_page(after, limit).await,
            Self::Postgres(s) => s.journal_page(after, limit).await,
            Self::Memory(s) => Ok(s.journal_page(after, limit)),
        }
    }

    /// The last journal entry the tables reflect (0: none).
    pub fn checkpoint_seq(&self) -> u64 {
        match self {
            Self::Sqlite(s) => s.checkpoint_seq(),
            Self::Postgres(s) => s.checkpoint_seq(),
            Self::Memory(s) => s.checkpoint_seq(),
        }
    }

    /// How many rows each derived table holds.
    pub async fn row_counts(&mut self) -> Result<RowCounts, StoreError> {
        match self {
            Self::Sqlite(s) => s.row_counts().await,
            Self::Postgres(s) => s.row_counts().await,
            Self::Memory(s) => Ok(s.row_counts()),
        }
    }

    /// Every account row, by id.
    pub async fn accounts(&mut self) -> Result<Vec<Account>, StoreError> {
        match self {
            Self::Sqlite(s) => s.accounts().await,
            Self::Postgres(s) => s.accounts().await,
            Self::Memory(s) => Ok(s.accounts()),
        }
    }

    /// Every order row, by id.
    pub async fn orders(&mut self) -> Result<Vec<OrderRow>, StoreError> {
        match self {
            Self::Sqlite(s) => s.orders().await,
            Self::Postgres(s) => s.orders().await,
            Self::Memory(s) => Ok(s.orders()),
        }
    }

    /// Every card-key row, by id.
    pub async fn keys(&mut self) -> Result<Vec<KeyRow>, StoreError> {
        match self {
            Self::Sqlite(s) => s.keys().await,
            Self::Postgres(s) => s.keys().await,
            Self::Memory(s) => Ok(s.keys()),
        }
    }

    /// Every transfer row, in the order applied.
    pub async fn transfers(&mut self) -> Result<Vec<StoredTransfer>, StoreError> {
        let mut all = Vec::new();
        self.scan_transfers(&mut |t| all.push(t)).await?;
        Ok(all)
    }

    /// Every transfer row, in the order applied, one at a time: for reading
    /// tables too big to hold.
    pub async fn scan_transfers(
        &mut self,
        visit: &mut (dyn FnMut(StoredTransfer) + Send),
    ) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => s.scan_transfers(visit).await,
            Self::Postgres(s) => s.scan_transfers(visit).await,
            Self::Memory(s) => {
                s.transfers().into_iter().for_each(visit);
                Ok(())
            }
        }
    }
}
