//! A command's journal entry: the time it was applied at, the command and
//! the reply, in a canonical encoding. Replaying entries in order on a fresh
//! shop must give every recorded reply again; if one differs, the journal
//! and the code disagree and the shop refuses to start on it.

use serde::{Deserialize, Serialize};

use crate::{Command, Reply, Shop};

/// Marks a shop entry (a ledger-only journal's entries start otherwise).
const TAG: &[u8; 3] = b"SH1";

/// Whether a journal entry is a shop's (not a bare ledger's).
pub fn is_shop_entry(bytes: &[u8]) -> bool {
    bytes.starts_with(TAG)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub at: u64,
    pub command: Command,
    pub reply: Reply,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("not a shop journal entry: {0}")]
    Decode(String),
    #[error("replaying gave {got:?}, the journal recorded {recorded:?}")]
    Diverged {
        got: Box<Reply>,
        recorded: Box<Reply>,
    },
}

impl Entry {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = TAG.to_vec();
        // Serialising plain data (no maps with unordered keys) cannot fail.
        serde_json::to_writer(&mut out, self).unwrap_or_default();
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Entry, ReplayError> {
        let body = bytes
            .strip_prefix(TAG.as_slice())
            .ok_or_else(|| ReplayError::Decode("no SH1 tag".into()))?;
        serde_json::from_slice(body).map_err(|e| ReplayError::Decode(e.to_string()))
    }
}

impl Shop {
    /// Applies a command and says whether it must be journaled: anything
    /// that succeeded, and anything refused after the ledger recorded part
    /// of it. A refusal that touched nothing is not.
    pub fn apply_journaled(&mut self, now: u64, command: Command) -> (Reply, Option<Entry>) {
        let batches = self.ledger.batch_count();
        let journal_it = |reply: &Reply, shop: &Shop| match reply {
            Reply::Refused { .. } | Reply::View(_) => shop.ledger.batch_count() != batches,
            Reply::Ticked(report) => !report.is_empty() || shop.ledger.batch_count() != batches,
            _ => true,
        };
        let reply = match self.apply(now, command.clone()) {
            Ok(reply) => reply,
            Err(e) => Reply::from(e),
        };
        if journal_it(&reply, self) {
            let entry = Entry {
                at: now,
                command,
                reply: reply.clone(),
            };
            (reply, Some(entry))
        } else {
            (reply, None)
        }
    }

    /// Applies a journal entry, checking it gives the recorded reply.
    pub fn replay(&mut self, bytes: &[u8]) -> Result<(), ReplayError> {
        let entry = Entry::decode(bytes)?;
        let reply = match self.apply(entry.at, entry.command) {
            Ok(reply) => reply,
            Err(e) => Reply::from(e),
        };
        if reply != entry.reply {
            return Err(ReplayError::Diverged {
                got: Box::new(reply),
                recorded: Box::new(entry.reply),
            });
        }
        Ok(())
    }

    /// The ledger's accounts changed and transfers expired since the last
    /// call: what the derived tables have not been given yet.
    pub fn take_ledger_changes(&mut self) -> (Vec<trigate_ledger::Account>, Vec<u128>) {
        (
            self.ledger.take_changed_accounts(),
            self.ledger.take_expired(),
        )
    }

    /// The latest time the shop has seen: the next command must come after.
    pub fn last_timestamp(&self) -> u64 {
        self.last_time.max(self.ledger.last_timestamp())
    }
}
