//! The decisions the shop keeps in memory for the desk (the API, the pages
//! and backtests): the latest [`DECISIONS_KEPT`], and every older one that
//! held something for review, so the queue always shows what its holds
//! were decided on. Every decision stays in the journal; only reading it
//! back through the desk is bounded. Velocity windows are the risk engine's
//! own and are not affected.

use std::collections::{BTreeMap, VecDeque};

use super::{DecisionRow, Effect};

/// How many of the latest decisions are kept for reading (≈2.5 KB each).
pub const DECISIONS_KEPT: usize = 20_000;

/// Never fewer than this, so the decisions of one command are all still
/// there when its journal entry is written.
const KEPT_AT_LEAST: usize = 16;

#[derive(Debug)]
pub(crate) struct Decisions {
    /// The id of `latest[0]` (1 for the shop's first decision).
    first: u64,
    latest: VecDeque<DecisionRow>,
    /// Older decisions that held something for review.
    held: BTreeMap<u64, DecisionRow>,
    keep: usize,
}

impl Default for Decisions {
    fn default() -> Self {
        Self {
            first: 1,
            latest: VecDeque::new(),
            held: BTreeMap::new(),
            keep: DECISIONS_KEPT,
        }
    }
}

impl Decisions {
    /// The id the next decision takes.
    pub(crate) fn next_id(&self) -> u64 {
        self.first + self.latest.len() as u64
    }

    /// Keeps the latest `keep` from now on (at least 16).
    pub(crate) fn set_keep(&mut self, keep: usize) {
        self.keep = keep.max(KEPT_AT_LEAST);
        self.trim(self.keep);
    }

    fn trim(&mut self, to: usize) {
        while self.latest.len() > to {
            let Some(row) = self.latest.pop_front() else {
                break;
            };
            self.first += 1;
            if row.effect == Effect::Held {
                self.held.insert(row.id, row);
            }
        }
    }

    /// Adds the next decision (its id is [`Self::next_id`]).
    pub(crate) fn push(&mut self, row: DecisionRow) {
        debug_assert_eq!(row.id, self.next_id());
        self.trim(self.keep - 1);
        self.latest.push_back(row);
    }

    fn index(&self, id: u64) -> Option<usize> {
        id.checked_sub(self.first)
            .and_then(|i| usize::try_from(i).ok())
            .filter(|i| *i < self.latest.len())
    }

    pub(crate) fn get(&self, id: u64) -> Option<&DecisionRow> {
        match self.index(id) {
            Some(i) => self.latest.get(i),
            None => self.held.get(&id),
        }
    }

    pub(crate) fn get_mut(&mut self, id: u64) -> Option<&mut DecisionRow> {
        match self.index(id) {
            Some(i) => self.latest.get_mut(i),
            None => self.held.get_mut(&id),
        }
    }

    pub(crate) fn last_mut(&mut self) -> Option<&mut DecisionRow> {
        self.latest.back_mut()
    }

    /// Every kept decision, oldest first.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &DecisionRow> {
        self.held.values().chain(self.latest.iter())
    }

    /// The decisions from id `from` on.
    pub(crate) fn since(&self, from: u64) -> impl Iterator<Item = &DecisionRow> {
        let skip = from.saturating_sub(self.first);
        self.latest
            .iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
    }
}
