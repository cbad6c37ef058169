//! Where the ledger keeps accounts and transfers in memory: records in
//! arrays, found through an id index. A transfer takes 64 bytes (its accounts
//! are kept as array positions, its ledger is its accounts'), so ten million
//! fit in well under a gigabyte, and the transfer array grows in fixed chunks
//! so it never stalls to copy itself.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use crate::account::Account;
use crate::transfer::{TransferFlags, TransferRecord};

fn hash(id: u128) -> u64 {
    FxBuildHasher.hash_one(id)
}

/// Accounts by position, with an index from id to position.
#[derive(Debug, Default)]
pub(crate) struct Accounts {
    rows: Vec<Account>,
    index: HashTable<u32>,
    /// Positions changed since the last `take_changed`, each once.
    changed: Vec<u32>,
    marked: Vec<bool>,
}

impl Accounts {
    pub fn with_capacity(n: usize) -> Self {
        Self {
            rows: Vec::with_capacity(n),
            index: HashTable::with_capacity(n),
            changed: Vec::new(),
            marked: Vec::with_capacity(n),
        }
    }

    pub fn position(&self, id: u128) -> Option<u32> {
        let rows = &self.rows;
        self.index
            .find(hash(id), |&at| rows[at as usize].id == id)
            .copied()
    }

    pub fn by_id(&self, id: u128) -> Option<&Account> {
        self.position(id).map(|at| &self.rows[at as usize])
    }

    pub fn at(&self, at: u32) -> &Account {
        &self.rows[at as usize]
    }

    pub fn set(&mut self, at: u32, account: Account) {
        self.rows[at as usize] = account;
        self.mark(at);
    }

    fn mark(&mut self, at: u32) {
        let i = at as usize;
        if self.marked.len() <= i {
            self.marked.resize(i + 1, false);
        }
        if !self.marked[i] {
            self.marked[i] = true;
            self.changed.push(at);
        }
    }

    /// The accounts created or changed since the last call, as they now
    /// stand, in position order.
    pub fn take_changed(&mut self) -> Vec<Account> {
        let mut changed = std::mem::take(&mut self.changed);
        changed.sort_unstable();
        for &at in &changed {
            self.marked[at as usize] = false;
        }
        // A position taken back by undo may no longer hold an account.
        changed
            .into_iter()
            .filter_map(|at| self.rows.get(at as usize).copied())
            .collect()
    }

    /// Adds an account whose id is not yet present.
    pub fn push(&mut self, account: Account) {
        let at = u32::try_from(self.rows.len()).expect("fewer than 2^32 accounts");
        let rows = &self.rows;
        self.index
            .insert_unique(hash(account.id), at, |&i| hash(rows[i as usize].id));
        self.rows.push(account);
        self.mark(at);
    }

    /// Takes back the most recently added account (undo).
    pub fn pop(&mut self) {
        if let Some(last) = self.rows.last() {
            let at = (self.rows.len() - 1) as u32;
            if let Ok(entry) = self.index.find_entry(hash(last.id), |&i| i == at) {
                entry.remove();
            }
            self.rows.pop();
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Account> {
        self.rows.iter()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }
}

/// A transfer as stored: 64 bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    pub id: u128,
    pub user_data: u128,
    pub amount: u64,
    pub timestamp: u64,
    pub debit: u32,
    pub credit: u32,
    pub timeout: u32,
    pub code: u16,
    pub flags: u16,
}

const CHUNK: usize = 1 << 16;

/// Transfers in insertion order, with an index from id to position. The
/// pending transfer a post or void refers to is kept beside, as few have one.
#[derive(Debug, Default)]
pub(crate) struct Transfers {
    chunks: Vec<Vec<Row>>,
    len: usize,
    index: HashTable<u32>,
    pending_ids: rustc_hash::FxHashMap<u128, u128>,
}

impl Transfers {
    pub fn with_capacity(n: usize) -> Self {
        Self {
            index: HashTable::with_capacity(n),
            ..Self::default()
        }
    }

    pub fn row(&self, at: u32) -> &Row {
        let at = at as usize;
        &self.chunks[at / CHUNK][at % CHUNK]
    }

    pub fn position(&self, id: u128) -> Option<u32> {
        self.index
            .find(hash(id), |&at| self.row(at).id == id)
            .copied()
    }

    /// The full record of the transfer at a position.
    pub fn record(&self, at: u32, accounts: &Accounts) -> TransferRecord {
        let row = self.row(at);
        let debit = accounts.at(row.debit);
        TransferRecord {
            id: row.id,
            debit_account_id: debit.id,
            credit_account_id: accounts.at(row.credit).id,
            amount: row.amount,
            pending_id: self.pending_ids.get(&row.id).copied().unwrap_or(0),
            user_data: row.user_data,
            timeout: row.timeout,
            ledger: debit.ledger,
            code: row.code,
            flags: TransferFlags::from_bits_retain(row.flags),
            timestamp: row.timestamp,
        }
    }

    pub fn get(&self, id: u128, accounts: &Accounts) -> Option<TransferRecord> {
        self.position(id).map(|at| self.record(at, accounts))
    }

    /// Adds a transfer whose id is not yet present; its accounts are given
    /// by position.
    pub fn push(&mut self, row: Row, pending_id: u128) {
        let at = u32::try_from(self.len).expect("fewer than 2^32 transfers");
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let id = row.id;
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.push(row);
        }
        self.len += 1;
        let chunks = &self.chunks;
        self.index.insert_unique(hash(id), at, |&i| {
            let i = i as usize;
            hash(chunks[i / CHUNK][i % CHUNK].id)
        });
        if pending_id != 0 {
            self.pending_ids.insert(id, pending_id);
        }
    }

    /// Takes back the most recently added transfer (undo).
    pub fn pop(&mut self) {
        if self.len == 0 {
            return;
        }
        let at = (self.len - 1) as u32;
        let id = self.row(at).id;
        if let Ok(entry) = self.index.find_entry(hash(id), |&i| i == at) {
            entry.remove();
        }
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.pop();
            if chunk.is_empty() {
                self.chunks.pop();
            }
        }
        self.len -= 1;
        self.pending_ids.remove(&id);
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn iter<'a>(&'a self, accounts: &'a Accounts) -> impl Iterator<Item = TransferRecord> + 'a {
        (0..self.len).map(move |at| self.record(at as u32, accounts))
    }
}
