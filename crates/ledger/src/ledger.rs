//! The ledger's state and its three batch operations: `create_accounts`,
//! `create_transfers` and `expire`. Each takes the caller's timestamp, applies
//! every event in order (linked chains as a whole), records one result per
//! event and extends the hash chain by one link.

use std::collections::BTreeSet;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::tables::{Accounts, Transfers};

use crate::account::{Account, AccountFlags, NewAccount};
use crate::chain::{self, Entry, EntryKind, GENESIS, Hash};
use crate::result::{CreateAccountResult, CreateTransferResult};
use crate::transfer::{PendingStatus, Transfer, TransferFlags, TransferRecord};

/// Why a whole batch was refused before any of its events was looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchError {
    /// Timestamps must strictly increase from one batch to the next.
    TimestampNotIncreasing { last: u64, given: u64 },
    /// The batch's events would need timestamps beyond `u64::MAX`.
    TimestampOverflow,
}

impl std::fmt::Display for BatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TimestampNotIncreasing { last, given } => write!(
                f,
                "timestamp {given} is not after the last applied timestamp {last}"
            ),
            Self::TimestampOverflow => f.write_str("the batch's timestamps overflow u64"),
        }
    }
}

impl std::error::Error for BatchError {}

/// Why a journal entry could not be replayed onto the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayError {
    Decode(chain::DecodeError),
    Batch(BatchError),
    /// Applying the entry's events gave other results than it records: the
    /// journal and this ledger disagree. The ledger must not be used further.
    Diverged,
}

impl std::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Decode(e) => write!(f, "entry cannot be read: {e}"),
            Self::Batch(e) => write!(f, "entry cannot be applied: {e}"),
            Self::Diverged => f.write_str("entry's recorded results differ from replaying it"),
        }
    }
}

impl std::error::Error for ReplayError {}

/// A pending transfer's standing and when it may be expired (0: never).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pending {
    pub status: PendingStatus,
    pub expires_at: u64,
}

/// One step to take back if the linked chain being applied fails.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Undo {
    /// The last account added.
    AccountCreated,
    /// The account at a position, as it was.
    AccountChanged(u32, Account),
    /// The last transfer added.
    TransferCreated,
    PendingChanged(u128, Option<Pending>),
}

/// The double-entry ledger. Pure: no I/O, no clock, no globals; the same
/// batches in the same order always give the same results and chain head.
#[derive(Debug, Default)]
pub struct Ledger {
    pub(crate) accounts: Accounts,
    pub(crate) transfers: Transfers,
    pub(crate) pending: FxHashMap<u128, Pending>,
    /// Pending transfers that can expire, by (expires_at, id).
    pub(crate) expiry: BTreeSet<(u64, u128)>,
    /// Pending transfers expired since the last `take_expired`.
    expired: Vec<u128>,
    /// Ids of transfers that failed for a state-dependent reason.
    pub(crate) failed: FxHashSet<u128>,
    pub(crate) undo: Vec<Undo>,
    pub(crate) undo_enabled: bool,
    last_timestamp: u64,
    head: Hash,
    batches: u64,
    entry: Vec<u8>,
}

/// What a batch driver needs to know about one kind of event and its result.
trait Event {
    type Result: Copy + PartialEq;
    const OK: Self::Result;
    const EXISTS: Self::Result;
    const LINKED_EVENT_FAILED: Self::Result;
    const LINKED_EVENT_CHAIN_OPEN: Self::Result;
    const ID_REPEATED_IN_CHAIN: Self::Result;
    fn id(&self) -> u128;
    fn is_linked(&self) -> bool;
    fn apply(&self, ledger: &mut Ledger, timestamp: u64) -> Self::Result;
}

impl Event for NewAccount {
    type Result = CreateAccountResult;
    const OK: Self::Result = CreateAccountResult::Ok;
    const EXISTS: Self::Result = CreateAccountResult::Exists;
    const LINKED_EVENT_FAILED: Self::Result = CreateAccountResult::LinkedEventFailed;
    const LINKED_EVENT_CHAIN_OPEN: Self::Result = CreateAccountResult::LinkedEventChainOpen;
    const ID_REPEATED_IN_CHAIN: Self::Result = CreateAccountResult::IdRepeatedInChain;
    fn id(&self) -> u128 {
        self.id
    }
    fn is_linked(&self) -> bool {
        self.flags.contains(AccountFlags::LINKED)
    }
    fn apply(&self, ledger: &mut Ledger, timestamp: u64) -> Self::Result {
        ledger.apply_account(self, timestamp)
    }
}

impl Event for Transfer {
    type Result = CreateTransferResult;
    const OK: Self::Result = CreateTransferResult::Ok;
    const EXISTS: Self::Result = CreateTransferResult::Exists;
    const LINKED_EVENT_FAILED: Self::Result = CreateTransferResult::LinkedEventFailed;
    const LINKED_EVENT_CHAIN_OPEN: Self::Result = CreateTransferResult::LinkedEventChainOpen;
    const ID_REPEATED_IN_CHAIN: Self::Result = CreateTransferResult::IdRepeatedInChain;
    fn id(&self) -> u128 {
        self.id
    }
    fn is_linked(&self) -> bool {
        self.flags.contains(TransferFlags::LINKED)
    }
    fn apply(&self, ledger: &mut Ledger, timestamp: u64) -> Self::Result {
        ledger.apply_transfer(self, timestamp)
    }
}

impl Ledger {
    pub fn new() -> Self {
        Self {
            head: GENESIS,
            ..Self::default()
        }
    }

    /// A ledger with room for this many accounts and transfers before its
    /// indexes need to grow (growing one pauses the batch that does it).
    pub fn with_capacity(accounts: usize, transfers: usize) -> Self {
        Self {
            accounts: Accounts::with_capacity(accounts),
            transfers: Transfers::with_capacity(transfers),
            ..Self::new()
        }
    }

    /// Creates accounts. Event `i` is stamped `timestamp + i`; `timestamp`
    /// must be after every timestamp applied so far.
    pub fn create_accounts(
        &mut self,
        timestamp: u64,
        events: &[NewAccount],
    ) -> Result<Vec<CreateAccountResult>, BatchError> {
        self.check_timestamps(timestamp, events.len())?;
        let results = self.run_batch(timestamp, events);
        self.entry.clear();
        chain::header(
            &mut self.entry,
            EntryKind::CreateAccounts,
            timestamp,
            events.len(),
        );
        for (event, result) in events.iter().zip(&results) {
            chain::account_event(&mut self.entry, event, *result);
        }
        self.seal(timestamp, events.len());
        Ok(results)
    }

    /// Creates transfers (plain, pending, post and void). Event `i` is
    /// stamped `timestamp + i`; `timestamp` must be after every timestamp
    /// applied so far.
    pub fn create_transfers(
        &mut self,
        timestamp: u64,
        events: &[Transfer],
    ) -> Result<Vec<CreateTransferResult>, BatchError> {
        self.check_timestamps(timestamp, events.len())?;
        let results = self.run_batch(timestamp, events);
        self.entry.clear();
        self.entry
            .reserve(chain::HEADER_BYTES + events.len() * chain::TRANSFER_EVENT_BYTES);
        chain::header(
            &mut self.entry,
            EntryKind::CreateTransfers,
            timestamp,
            events.len(),
        );
        for (event, result) in events.iter().zip(&results) {
            chain::transfer_event(&mut self.entry, event, *result);
        }
        self.seal(timestamp, events.len());
        Ok(results)
    }

    /// Expires every pending transfer whose timeout has passed at `now`,
    /// releasing its reservation, and returns their ids in expiry order.
    /// `now` must be after every timestamp applied so far.
    pub fn expire(&mut self, now: u64) -> Result<Vec<u128>, BatchError> {
        self.check_timestamps(now, 1)?;
        let due: Vec<(u64, u128)> = self.expiry.range(..=(now, u128::MAX)).copied().collect();
        let mut expired = Vec::with_capacity(due.len());
        for (expires_at, id) in due {
            self.expiry.remove(&(expires_at, id));
            let Some(record) = self.transfers.get(id, &self.accounts) else {
                continue;
            };
            self.release_pending(&record);
            self.pending.insert(
                id,
                Pending {
                    status: PendingStatus::Expired,
                    expires_at,
                },
            );
            expired.push(id);
        }
        self.expired.extend_from_slice(&expired);
        self.entry.clear();
        chain::header(&mut self.entry, EntryKind::Expire, now, expired.len());
        for id in &expired {
            chain::expired_id(&mut self.entry, *id);
        }
        self.seal(now, 1);
        Ok(expired)
    }

    /// Applies a journal entry written by a ledger with the same history,
    /// checking that it gives exactly the results the entry records.
    pub fn replay(&mut self, entry: &[u8]) -> Result<(), ReplayError> {
        match chain::decode(entry).map_err(ReplayError::Decode)? {
            Entry::CreateAccounts { timestamp, events } => {
                let events: Vec<NewAccount> = events.iter().map(|(a, _)| *a).collect();
                self.create_accounts(timestamp, &events)
                    .map_err(ReplayError::Batch)?;
            }
            Entry::CreateTransfers { timestamp, events } => {
                let events: Vec<Transfer> = events.iter().map(|(t, _)| *t).collect();
                self.create_transfers(timestamp, &events)
                    .map_err(ReplayError::Batch)?;
            }
            Entry::Expire { now, .. } => {
                self.expire(now).map_err(ReplayError::Batch)?;
            }
        }
        if self.entry != entry {
            return Err(ReplayError::Diverged);
        }
        Ok(())
    }

    /// When the next pending transfer may be expired, if any can.
    pub fn next_expiry(&self) -> Option<u64> {
        self.expiry.first().map(|(at, _)| *at)
    }

    pub fn account(&self, id: u128) -> Option<&Account> {
        self.accounts.by_id(id)
    }

    /// Where a transfer stands in the order of application (0 for the first).
    pub fn transfer_position(&self, id: u128) -> Option<usize> {
        self.transfers.position(id).map(|at| at as usize)
    }

    pub fn transfer(&self, id: u128) -> Option<TransferRecord> {
        self.transfers.get(id, &self.accounts)
    }

    /// Where a pending transfer stands; `None` if `id` is not a pending transfer.
    pub fn pending_status(&self, id: u128) -> Option<PendingStatus> {
        self.pending.get(&id).map(|p| p.status)
    }

    /// All accounts, in the order they were created.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.iter()
    }

    /// All applied transfers, in the order they were applied.
    pub fn transfers(&self) -> impl Iterator<Item = TransferRecord> + '_ {
        self.transfers.iter(&self.accounts)
    }

    /// Transfers from the `from`-th applied on (0 for all), in order: what a
    /// store writes after each batch.
    pub fn transfers_since(&self, from: usize) -> impl Iterator<Item = TransferRecord> + '_ {
        (from..self.transfers.len()).map(|at| self.transfers.record(at as u32, &self.accounts))
    }

    /// Accounts created or changed since the last call, as they now stand.
    pub fn take_changed_accounts(&mut self) -> Vec<Account> {
        self.accounts.take_changed()
    }

    /// Pending transfers expired since the last call, in expiry order.
    pub fn take_expired(&mut self) -> Vec<u128> {
        std::mem::take(&mut self.expired)
    }

    pub fn account_count(&self) -> usize {
        self.accounts.len()
    }

    pub fn transfer_count(&self) -> usize {
        self.transfers.len()
    }

    /// The hash of the last applied batch ([`chain::GENESIS`] before any).
    pub fn chain_head(&self) -> Hash {
        self.head
    }

    /// The canonical bytes of the last applied batch: what the journal stores.
    pub fn last_entry(&self) -> &[u8] {
        &self.entry
    }

    /// How many batches have been applied.
    pub fn batch_count(&self) -> u64 {
        self.batches
    }

    /// The timestamp of the last applied event (0 before any).
    pub fn last_timestamp(&self) -> u64 {
        self.last_timestamp
    }

    fn check_timestamps(&self, timestamp: u64, events: usize) -> Result<(), BatchError> {
        if timestamp <= self.last_timestamp {
            return Err(BatchError::TimestampNotIncreasing {
                last: self.last_timestamp,
                given: timestamp,
            });
        }
        let span =
            u64::try_from(events.saturating_sub(1)).map_err(|_| BatchError::TimestampOverflow)?;
        timestamp
            .checked_add(span)
            .ok_or(BatchError::TimestampOverflow)?;
        Ok(())
    }

    fn seal(&mut self, timestamp: u64, events: usize) {
        // check_timestamps proved this fits.
        let span = events.saturating_sub(1) as u64;
        self.last_timestamp = timestamp + span;
        self.head = chain::link(&self.head, &self.entry);
        self.batches += 1;
    }

    /// Applies events in order; a linked chain succeeds or fails as a whole.
    fn run_batch<E: Event>(&mut self, timestamp: u64, events: &[E]) -> Vec<E::Result> {
        let n = events.len();
        let mut results = vec![E::OK; n];
        let mut start = 0;
        while start < n {
            let mut end = start;
            while end < n && events[end].is_linked() {
                end += 1;
            }
            if end == n {
                // The batch ends inside a chain: the chain cannot be closed.
                results[start..n].fill(E::LINKED_EVENT_FAILED);
                results[n - 1] = E::LINKED_EVENT_CHAIN_OPEN;
                break;
            }
            if start == end {
                results[start] = events[start].apply(self, timestamp + start as u64);
            } else {
                self.run_chain(timestamp, events, start, end, &mut results);
            }
            start = end + 1;
        }
        results
    }

    /// Applies the chain `events[start..=end]` tentatively, keeping it only if
    /// every event succeeded the same way: all new, or all already there.
    fn run_chain<E: Event>(
        &mut self,
        timestamp: u64,
        events: &[E],
        start: usize,
        end: usize,
        results: &mut [E::Result],
    ) {
        // An id named twice would see its own tentative write and report it
        // as existing, though the chain is then taken back: refuse it first.
        let mut seen = FxHashSet::default();
        if let Some(repeat) = (start..=end).find(|&i| !seen.insert(events[i].id())) {
            results[start..=end].fill(E::LINKED_EVENT_FAILED);
            results[repeat] = E::ID_REPEATED_IN_CHAIN;
            return;
        }
        self.undo.clear();
        self.undo_enabled = true;
        let mut failed = None;
        for i in start..=end {
            let r = events[i].apply(self, timestamp + i as u64);
            results[i] = r;
            if r != E::OK && r != E::EXISTS {
                failed = Some(i);
                break;
            }
        }
        if failed.is_none() {
            let chain = &results[start..=end];
            let all_new = chain.iter().all(|r| *r == E::OK);
            let all_existing = chain.iter().all(|r| *r == E::EXISTS);
            if !all_new && !all_existing {
                // Part of the chain was there before and part is new: the chain
                // is not the one applied earlier, so none of it is applied.
                failed = chain
                    .iter()
                    .position(|r| *r == E::EXISTS)
                    .map(|p| start + p);
            }
        }
        self.undo_enabled = false;
        if let Some(failed) = failed {
            self.rollback();
            for (i, r) in results.iter_mut().enumerate().take(end + 1).skip(start) {
                if i != failed {
                    *r = E::LINKED_EVENT_FAILED;
                }
            }
        }
        self.undo.clear();
    }

    fn rollback(&mut self) {
        while let Some(step) = self.undo.pop() {
            match step {
                Undo::AccountCreated => self.accounts.pop(),
                Undo::AccountChanged(at, old) => self.accounts.set(at, old),
                Undo::TransferCreated => self.transfers.pop(),
                Undo::PendingChanged(id, old) => {
                    if let Some(now) = self.pending.get(&id).copied()
                        && now.expires_at != 0
                    {
                        self.expiry.remove(&(now.expires_at, id));
                    }
                    match old {
                        Some(old) => {
                            if old.status == PendingStatus::Pending && old.expires_at != 0 {
                                self.expiry.insert((old.expires_at, id));
                            }
                            self.pending.insert(id, old);
                        }
                        None => {
                            self.pending.remove(&id);
                        }
                    }
                }
            }
        }
    }

    fn apply_account(&mut self, a: &NewAccount, timestamp: u64) -> CreateAccountResult {
        use CreateAccountResult as R;
        if AccountFlags::from_bits(a.flags.bits()).is_none() {
            return R::ReservedFlag;
        }
        if a.id == 0 {
            return R::IdMustNotBeZero;
        }
        if a.id == u128::MAX {
            return R::IdMustNotBeIntMax;
        }
        if a.flags.contains(
            AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS
                | AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS,
        ) {
            return R::FlagsAreMutuallyExclusive;
        }
        if a.ledger == 0 {
            return R::LedgerMustNotBeZero;
        }
        if a.code == 0 {
            return R::CodeMustNotBeZero;
        }
        if let Some(e) = self.accounts.by_id(a.id) {
            // A closing transfer may have closed the account since: that is
            // not a difference in what was asked for.
            let ignore = AccountFlags::CLOSED;
            return if e.flags.difference(ignore) != a.flags.difference(ignore) {
                R::ExistsWithDifferentFlags
            } else if e.user_data != a.user_data {
                R::ExistsWithDifferentUserData
            } else if e.ledger != a.ledger {
                R::ExistsWithDifferentLedger
            } else if e.code != a.code {
                R::ExistsWithDifferentCode
            } else {
                R::Exists
            };
        }
        if self.undo_enabled {
            self.undo.push(Undo::AccountCreated);
        }
        self.accounts.push(Account::from_new(a, timestamp));
        R::Ok
    }
}
