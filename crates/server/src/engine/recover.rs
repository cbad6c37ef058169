//! Rebuilding the in-memory ledger from the journal on start: every entry is
//! checked against the chain (its `prev_hash` is the hash before it, its `hash`
//! is recomputed) and replayed, and its recorded results must come out again.

use trigate_ledger::{Ledger, ReplayError, chain};
use trigate_store::{Snapshot, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("journal entry {seq}: expected sequence {expected}")]
    Gap { seq: u64, expected: u64 },
    #[error("journal entry {seq}: prev_hash does not match the hash of entry {}", seq - 1)]
    BrokenLink { seq: u64 },
    #[error("journal entry {seq}: stored hash does not match its contents")]
    BadHash { seq: u64 },
    #[error("journal entry {seq}: its timestamp column differs from the entry's own")]
    BadTimestamp { seq: u64 },
    #[error("journal entry {seq}: {source}")]
    Replay { seq: u64, source: ReplayError },
    #[error(
        "the tables hold {tables} {what} but the journal made {journal}: the journal is \
         missing entries or the tables were changed; refusing to start (run `trigate verify`)"
    )]
    TablesDisagree {
        what: &'static str,
        tables: u64,
        journal: u64,
    },
}

/// Rebuilds the ledger for a writer: the journal replayed, then a quick check
/// that the derived tables hold as many rows as the journal made, so that a
/// journal restored from an older backup (or cut short) is not written on.
pub async fn open_ledger(store: &Store, capacity: usize) -> Result<Ledger, RecoverError> {
    let mut snapshot = store.snapshot().await?;
    let ledger = replay_journal(&mut snapshot, capacity).await?;
    let (accounts, transfers) = snapshot.row_counts().await?;
    for (what, tables, journal) in [
        ("accounts", accounts, ledger.account_count() as u64),
        ("transfers", transfers, ledger.transfer_count() as u64),
    ] {
        if tables != journal {
            return Err(RecoverError::TablesDisagree {
                what,
                tables,
                journal,
            });
        }
    }
    Ok(ledger)
}

/// Journal rows read per query.
const PAGE: u32 = 512;

/// Replays the whole journal onto a fresh ledger sized for `capacity`
/// transfers (0 for no sizing up front).
pub async fn recover_ledger(store: &Store, capacity: usize) -> Result<Ledger, RecoverError> {
    replay_journal(&mut store.snapshot().await?, capacity).await
}

/// Replays the journal as a snapshot sees it.
pub async fn replay_journal(
    snapshot: &mut Snapshot,
    capacity: usize,
) -> Result<Ledger, RecoverError> {
    let mut ledger = Ledger::with_capacity(0, capacity);
    let mut after = 0;
    loop {
        let rows = snapshot.journal_page(after, PAGE).await?;
        if rows.is_empty() {
            return Ok(ledger);
        }
        for row in rows {
            let expected = after + 1;
            if row.seq != expected {
                return Err(RecoverError::Gap {
                    seq: row.seq,
                    expected,
                });
            }
            if row.prev_hash != ledger.chain_head() {
                return Err(RecoverError::BrokenLink { seq: row.seq });
            }
            if chain::link(&row.prev_hash, &row.body) != row.hash {
                return Err(RecoverError::BadHash { seq: row.seq });
            }
            if chain::decode_timestamp(&row.body) != Some(row.timestamp) {
                return Err(RecoverError::BadTimestamp { seq: row.seq });
            }
            ledger
                .replay(&row.body)
                .map_err(|source| RecoverError::Replay {
                    seq: row.seq,
                    source,
                })?;
            after = row.seq;
        }
    }
}
