//! Rebuilding the in-memory ledger from the journal on start: every entry is
//! checked against the chain (its `prev_hash` is the hash before it, its `hash`
//! is recomputed) and replayed, and its recorded results must come out again.

use trigate_core::journal::Entry;
use trigate_core::{Config as ShopConfig, Shop};
use trigate_ledger::{Hash, Ledger, chain};
use trigate_store::{
    Checkpoint, JournalRow, KeyRow, OrderRow, RowCounts, Snapshot, Store, StoreError,
};

use crate::rows;

/// State rebuilt from the journal: the ledger alone, or the shop around its
/// ledger. Its derived tables are the ledger's accounts and transfers, and
/// the shop's orders and card keys.
pub trait Journaled: Send + Sized + 'static {
    /// An empty state with room for `capacity` transfers.
    fn fresh(capacity: usize) -> Self;
    /// Applies one entry's body, checking it gives the results it records.
    fn replay_entry(&mut self, body: &[u8]) -> Result<(), String>;
    /// The time an entry's body records.
    fn entry_timestamp(body: &[u8]) -> Option<u64>;
    fn ledger(&self) -> &Ledger;
    /// The rows each derived table holds when it reflects this state.
    fn row_counts(&self) -> RowCounts;
    /// Readies a state rebuilt from the journal to take commands.
    fn finish_replay(&mut self) {}
    /// What changed since the last call: the checkpoint that brings the
    /// tables to entry `through`, with the transfers from position `from` on.
    fn take_changes(&mut self, through: u64, from: usize) -> Checkpoint;
    /// What `invariant_violations` checks, if the state has invariants of
    /// its own beyond the ledger's.
    const INVARIANTS: Option<&'static str> = None;
    fn invariant_violations(&self) -> Vec<String> {
        Vec::new()
    }
    /// What verify reports of the state besides its checks (losses booked,
    /// coverage): one line each.
    fn money_report(&self) -> Vec<String> {
        Vec::new()
    }
    /// The shop's orders and card keys as rows (none for a bare ledger).
    fn shop_rows(&self) -> (Vec<OrderRow>, Vec<KeyRow>) {
        (Vec::new(), Vec::new())
    }
}

impl Journaled for Ledger {
    fn fresh(capacity: usize) -> Self {
        Ledger::with_capacity(0, capacity)
    }
    fn replay_entry(&mut self, body: &[u8]) -> Result<(), String> {
        self.replay(body).map_err(|e| e.to_string())
    }
    fn entry_timestamp(body: &[u8]) -> Option<u64> {
        chain::decode_timestamp(body)
    }
    fn ledger(&self) -> &Ledger {
        self
    }
    fn row_counts(&self) -> RowCounts {
        RowCounts {
            accounts: self.account_count() as u64,
            transfers: self.transfer_count() as u64,
            ..RowCounts::default()
        }
    }
    fn take_changes(&mut self, through: u64, from: usize) -> Checkpoint {
        Checkpoint {
            through,
            transfers: self.transfers_since(from).collect(),
            accounts: self.take_changed_accounts(),
            expired: self.take_expired(),
            ..Checkpoint::default()
        }
    }
}

impl Journaled for Shop {
    fn fresh(_capacity: usize) -> Self {
        // The shop's rules must be the ones its journal was written under.
        Shop::new(ShopConfig::default())
    }
    fn replay_entry(&mut self, body: &[u8]) -> Result<(), String> {
        self.replay(body).map_err(|e| e.to_string())
    }
    fn entry_timestamp(body: &[u8]) -> Option<u64> {
        // A journal of an older format gets as far as replay, which refuses
        // it naming `trigate upgrade`.
        Entry::timestamp(body)
            .ok()
            .or_else(|| trigate_core::journal::sh1::timestamp(body))
    }
    fn finish_replay(&mut self) {
        self.rebuild_indexes();
    }
    fn ledger(&self) -> &Ledger {
        Shop::ledger(self)
    }
    fn row_counts(&self) -> RowCounts {
        RowCounts {
            accounts: self.ledger().account_count() as u64,
            transfers: self.ledger().transfer_count() as u64,
            orders: self.orders().count() as u64,
            keys: self.keys().count() as u64,
        }
    }
    fn take_changes(&mut self, through: u64, from: usize) -> Checkpoint {
        let transfers = self.ledger().transfers_since(from).collect();
        let (accounts, expired) = self.take_ledger_changes();
        let (orders, keys) = self.take_dirty();
        Checkpoint {
            through,
            accounts,
            transfers,
            expired,
            orders: orders
                .iter()
                .filter_map(|id| self.order(*id))
                .map(rows::order_row)
                .collect(),
            keys: keys
                .iter()
                .filter_map(|id| self.key(*id))
                .map(rows::key_row)
                .collect(),
        }
    }
    const INVARIANTS: Option<&'static str> = Some(
        "invariants 3, 4, 5: custody and clearing cover what users are owed; escrow holds \
         exactly the open orders; each key is in one order, each order's money left escrow \
         once, each channel transaction paid once",
    );
    fn invariant_violations(&self) -> Vec<String> {
        self.check_invariants()
    }
    fn money_report(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .coverage()
            .iter()
            .map(|c| {
                format!(
                    "custody: {} held {}, owed {}, surplus {}",
                    c.currency,
                    c.held,
                    c.owed,
                    c.surplus()
                )
            })
            .collect();
        let losses = self.losses();
        if losses.is_empty() {
            lines.push("losses: none booked".into());
        }
        for (currency, amount) in losses {
            lines.push(format!("losses: {amount} {currency} booked out of custody"));
        }
        if let Some(stop) = self.outflow_stop() {
            lines.push(format!(
                "outflows: stopped ({}): {}",
                stop.reason.as_str(),
                stop.note
            ));
        }
        lines
    }
    fn shop_rows(&self) -> (Vec<OrderRow>, Vec<KeyRow>) {
        (
            self.orders().map(rows::order_row).collect(),
            self.keys().map(rows::key_row).collect(),
        )
    }
}

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
    #[error("journal entry {seq}: {message}")]
    Replay { seq: u64, message: String },
    #[error(
        "the tables hold {tables} {what} but the journal had made {journal} by entry \
         {through}, their checkpoint: the journal is missing entries or the tables were \
         changed; refusing to start (run `trigate verify`)"
    )]
    TablesDisagree {
        what: &'static str,
        tables: u64,
        journal: u64,
        through: u64,
    },
    #[error("the shop's settings could not be recorded: {0}")]
    Settings(String),
    #[error(
        "the tables reflect journal entry {through} but the journal ends at entry {head}: \
         it is missing entries (cut short, or restored from an older backup); refusing to \
         start (run `trigate verify`)"
    )]
    JournalShort { through: u64, head: u64 },
}

/// Transfers written per checkpoint while catching the tables up.
const CATCH_UP: usize = 65_536;

/// Rebuilds the ledger for a writer and brings the derived tables up to the
/// journal. The journal is replayed to the tables' checkpoint, where the
/// tables must hold exactly as many rows as the journal had made by then (so
/// a journal restored from an older backup, or cut short, is not written
/// on); the rest is replayed with checkpoints written as it goes.
pub async fn open_ledger(store: &Store, capacity: usize) -> Result<Ledger, RecoverError> {
    Ok(open_state(store, capacity).await?.state)
}

/// State rebuilt from the journal, with where the journal's chain stands.
#[derive(Debug)]
pub struct Recovered<S> {
    pub state: S,
    /// The hash of the last entry ([`chain::GENESIS`] for none).
    pub head: Hash,
    /// The last entry's sequence number (0 for none).
    pub seq: u64,
}

/// [`open_ledger`] for any journaled state.
pub async fn open_state<S: Journaled>(
    store: &Store,
    capacity: usize,
) -> Result<Recovered<S>, RecoverError> {
    store.await_writers().await?;
    let mut snapshot = store.snapshot().await?;
    let through = snapshot.checkpoint_seq();
    let tables = snapshot.row_counts().await?;
    let mut replay = JournalReplay::<S>::new(capacity);
    replay.through(&mut snapshot, through).await?;
    let journal = replay.state().row_counts();
    for (what, tables, journal) in [
        ("accounts", tables.accounts, journal.accounts),
        ("transfers", tables.transfers, journal.transfers),
        ("orders", tables.orders, journal.orders),
        ("card keys", tables.keys, journal.keys),
    ] {
        if tables != journal {
            return Err(RecoverError::TablesDisagree {
                what,
                tables,
                journal,
                through,
            });
        }
    }
    let mut stored = replay.state().ledger().transfer_count();
    replay.state_mut().take_changes(through, stored);
    let mut written = through;
    loop {
        let more = replay.next(&mut snapshot).await?;
        let seq = replay.seq();
        let count = replay.state().ledger().transfer_count();
        if more && count - stored < CATCH_UP {
            continue;
        }
        if seq > written {
            let checkpoint = replay.state_mut().take_changes(seq, stored);
            store.checkpoint(&checkpoint).await?;
            stored = count;
            written = seq;
        }
        if !more {
            replay.state.finish_replay();
            return Ok(Recovered {
                head: replay.head,
                seq: replay.after,
                state: replay.state,
            });
        }
    }
}

/// Checks that `row` is entry `expected` and follows the chain from `head`.
pub fn check_link(row: &JournalRow, expected: u64, head: &Hash) -> Result<(), RecoverError> {
    if row.seq != expected {
        return Err(RecoverError::Gap {
            seq: row.seq,
            expected,
        });
    }
    if row.prev_hash != *head {
        return Err(RecoverError::BrokenLink { seq: row.seq });
    }
    if chain::link(&row.prev_hash, &row.body) != row.hash {
        return Err(RecoverError::BadHash { seq: row.seq });
    }
    Ok(())
}

/// Journal rows read per query.
const PAGE: u32 = 512;

/// Replays the whole journal onto a fresh ledger sized for `capacity`
/// transfers (0 for no sizing up front).
pub async fn recover_ledger(store: &Store, capacity: usize) -> Result<Ledger, RecoverError> {
    let mut replay = JournalReplay::<Ledger>::new(capacity);
    replay.to_end(&mut store.snapshot().await?).await?;
    Ok(replay.into_state())
}

/// The journal read a page at a time through a snapshot, each entry checked
/// against the chain and replayed onto the state.
#[derive(Debug)]
pub struct JournalReplay<S> {
    state: S,
    head: Hash,
    page: std::vec::IntoIter<JournalRow>,
    after: u64,
}

impl<S: Journaled> JournalReplay<S> {
    pub fn new(capacity: usize) -> Self {
        Self {
            state: S::fresh(capacity),
            head: chain::GENESIS,
            page: Vec::new().into_iter(),
            after: 0,
        }
    }

    /// The last entry replayed (0: none).
    pub fn seq(&self) -> u64 {
        self.after
    }

    pub fn state(&self) -> &S {
        &self.state
    }

    pub fn state_mut(&mut self) -> &mut S {
        &mut self.state
    }

    pub fn into_state(mut self) -> S {
        self.state.finish_replay();
        self.state
    }

    /// Replays every entry up to and including `seq`.
    pub async fn through(&mut self, snapshot: &mut Snapshot, seq: u64) -> Result<(), RecoverError> {
        while self.after < seq {
            if !self.next(snapshot).await? {
                return Err(RecoverError::JournalShort {
                    through: seq,
                    head: self.after,
                });
            }
        }
        Ok(())
    }

    /// Replays every entry left.
    pub async fn to_end(&mut self, snapshot: &mut Snapshot) -> Result<(), RecoverError> {
        while self.next(snapshot).await? {}
        Ok(())
    }

    /// Replays the next entry; false at the end of the journal.
    pub async fn next(&mut self, snapshot: &mut Snapshot) -> Result<bool, RecoverError> {
        let row = match self.page.next() {
            Some(row) => row,
            None => {
                self.page = snapshot.journal_page(self.after, PAGE).await?.into_iter();
                match self.page.next() {
                    Some(row) => row,
                    None => return Ok(false),
                }
            }
        };
        check_link(&row, self.after + 1, &self.head)?;
        if S::entry_timestamp(&row.body) != Some(row.timestamp) {
            return Err(RecoverError::BadTimestamp { seq: row.seq });
        }
        self.state
            .replay_entry(&row.body)
            .map_err(|message| RecoverError::Replay {
                seq: row.seq,
                message,
            })?;
        self.head = row.hash;
        self.after = row.seq;
        Ok(true)
    }
}
