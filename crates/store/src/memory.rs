//! An in-memory store for tests and the simulator: the same contract as the
//! database backends — an append or a checkpoint is applied whole or not at
//! all — plus injected faults, so a test can make the next one fail before it
//! is written or after (written, but the writer told it failed).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use trigate_ledger::Account;

use crate::{Checkpoint, JournalRow, KeyRow, OrderRow, RowCounts, StoreError, StoredTransfer};

/// A fault to inject into the next append or checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The append fails and nothing is written.
    BeforeWrite,
    /// The append is written, then reported as failed (the acknowledgement
    /// was lost): the caller cannot know it is durable.
    AfterWrite,
}

#[derive(Debug, Default, Clone)]
struct Tables {
    journal: Vec<JournalRow>,
    accounts: BTreeMap<u128, Account>,
    transfers: Vec<StoredTransfer>,
    positions: BTreeMap<u128, usize>,
    orders: BTreeMap<u64, OrderRow>,
    keys: BTreeMap<u64, KeyRow>,
    checkpoint_seq: u64,
    fault: Option<Fault>,
    checkpoint_fault: Option<Fault>,
    commits: u64,
}

#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    tables: Arc<Mutex<Tables>>,
}

fn injected() -> StoreError {
    refused("injected storage fault")
}

fn refused(why: &str) -> StoreError {
    StoreError::Sql(sqlx::Error::Protocol(why.into()))
}

impl MemoryStore {
    fn lock(&self) -> MutexGuard<'_, Tables> {
        // A panic while holding the lock leaves the tables as they were
        // between appends, which is still a consistent state.
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes the next append fail as described.
    pub fn inject(&self, fault: Fault) {
        self.lock().fault = Some(fault);
    }

    /// Makes the next checkpoint fail as described.
    pub fn inject_checkpoint(&self, fault: Fault) {
        self.lock().checkpoint_fault = Some(fault);
    }

    pub fn append(&self, journal: &[JournalRow]) -> Result<(), StoreError> {
        let mut t = self.lock();
        let fault = t.fault.take();
        if fault == Some(Fault::BeforeWrite) {
            return Err(injected());
        }
        let next = t.journal.last().map_or(1, |last| last.seq + 1);
        if journal.first().is_some_and(|first| first.seq != next) {
            return Err(refused("journal sequence out of order"));
        }
        t.journal.extend(journal.iter().cloned());
        t.commits += 1;
        if fault == Some(Fault::AfterWrite) {
            return Err(injected());
        }
        Ok(())
    }

    pub fn replace_journal(
        &self,
        head: Option<(u64, trigate_ledger::Hash)>,
        journal: &[JournalRow],
    ) -> Result<(), StoreError> {
        let mut t = self.lock();
        let last = t.journal.last().map(|r| (r.seq, r.hash.to_vec()));
        if !crate::ends_at(last, head) {
            return Err(StoreError::Moved);
        }
        let kept = (t.fault, t.checkpoint_fault, t.commits);
        *t = Tables {
            journal: journal.to_vec(),
            fault: kept.0,
            checkpoint_fault: kept.1,
            commits: kept.2,
            ..Tables::default()
        };
        Ok(())
    }

    pub fn checkpoint(&self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        let mut t = self.lock();
        let fault = t.checkpoint_fault.take();
        if fault == Some(Fault::BeforeWrite) {
            return Err(injected());
        }
        if checkpoint
            .transfers
            .iter()
            .any(|r| t.positions.contains_key(&r.id))
        {
            return Err(refused("duplicate transfer id"));
        }
        for a in &checkpoint.accounts {
            t.accounts.insert(a.id, *a);
        }
        for record in &checkpoint.transfers {
            let at = t.transfers.len();
            t.positions.insert(record.id, at);
            t.transfers.push(StoredTransfer {
                record: *record,
                expired: false,
            });
        }
        for id in &checkpoint.expired {
            if let Some(&at) = t.positions.get(id) {
                t.transfers[at].expired = true;
            }
        }
        for o in &checkpoint.orders {
            t.orders.insert(o.id, o.clone());
        }
        for k in &checkpoint.keys {
            t.keys.insert(k.id, k.clone());
        }
        t.checkpoint_seq = checkpoint.through;
        if fault == Some(Fault::AfterWrite) {
            return Err(injected());
        }
        Ok(())
    }

    /// A copy of the tables as they are now, to read from.
    pub fn snapshot(&self) -> MemoryStore {
        MemoryStore {
            tables: Arc::new(Mutex::new(self.lock().clone())),
        }
    }

    pub fn checkpoint_seq(&self) -> u64 {
        self.lock().checkpoint_seq
    }

    /// Appends written so far (one per group commit).
    pub fn commits(&self) -> u64 {
        self.lock().commits
    }

    pub fn journal_page(&self, after: u64, limit: u32) -> Vec<JournalRow> {
        self.lock()
            .journal
            .iter()
            .filter(|r| r.seq > after)
            .take(limit as usize)
            .cloned()
            .collect()
    }

    pub fn row_counts(&self) -> RowCounts {
        let t = self.lock();
        RowCounts {
            accounts: t.accounts.len() as u64,
            transfers: t.transfers.len() as u64,
            orders: t.orders.len() as u64,
            keys: t.keys.len() as u64,
        }
    }

    pub fn orders(&self) -> Vec<OrderRow> {
        self.lock().orders.values().cloned().collect()
    }

    pub fn keys(&self) -> Vec<KeyRow> {
        self.lock().keys.values().cloned().collect()
    }

    pub fn accounts(&self) -> Vec<Account> {
        self.lock().accounts.values().copied().collect()
    }

    pub fn transfer(&self, id: u128) -> Option<StoredTransfer> {
        let t = self.lock();
        t.positions.get(&id).map(|&at| t.transfers[at])
    }

    pub fn transfers(&self) -> Vec<StoredTransfer> {
        self.lock().transfers.clone()
    }
}
