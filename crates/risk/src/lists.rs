//! Allow and block lists per identifier kind, each entry with a reason and
//! an optional expiry.

use serde::{Deserialize, Serialize};

use crate::signals::IdKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    Allow,
    Block,
}

impl ListKind {
    pub fn name(self) -> &'static str {
        match self {
            ListKind::Allow => "allow",
            ListKind::Block => "block",
        }
    }

    pub fn named(name: &str) -> Option<ListKind> {
        [ListKind::Allow, ListKind::Block]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

/// One listed identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    pub list: ListKind,
    pub kind: IdKind,
    /// Normalised as [`IdKind::normal`] does.
    pub value: String,
    pub reason: String,
    /// Nanoseconds; none: until removed.
    pub expires: Option<u64>,
    /// Who listed it (a user id) and when (nanoseconds).
    pub by: u64,
    pub at: u64,
}

impl ListEntry {
    pub fn live(&self, now: u64) -> bool {
        self.expires.is_none_or(|e| now < e)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    #[error("the value is empty")]
    EmptyValue,
    #[error("the value is longer than 200 characters")]
    TooLong,
    #[error("a reason is needed (up to 200 characters)")]
    Reason,
    #[error("the expiry is not after now")]
    Expired,
}

#[derive(Debug, Clone, Default)]
pub struct Lists {
    entries: rustc_hash::FxHashMap<(IdKind, String), ListEntry>,
}

impl Lists {
    /// Checks an entry before it is recorded.
    pub fn check(entry: &ListEntry, now: u64) -> Result<(), ListError> {
        if entry.value.trim().is_empty() {
            return Err(ListError::EmptyValue);
        }
        if entry.value.chars().count() > 200 {
            return Err(ListError::TooLong);
        }
        let reason = entry.reason.trim();
        if reason.is_empty() || reason.chars().count() > 200 {
            return Err(ListError::Reason);
        }
        if entry.expires.is_some_and(|e| e <= now) {
            return Err(ListError::Expired);
        }
        Ok(())
    }

    /// Puts an entry on its list (replacing one for the same identifier on
    /// either list).
    pub fn put(&mut self, mut entry: ListEntry) {
        entry.value = entry.kind.normal(&entry.value);
        self.entries
            .insert((entry.kind, entry.value.clone()), entry);
    }

    pub fn remove(&mut self, kind: IdKind, value: &str) -> Option<ListEntry> {
        self.entries.remove(&(kind, kind.normal(value)))
    }

    /// The live entry for an identifier (already normalised).
    pub fn find(&self, kind: IdKind, value: &str, now: u64) -> Option<&ListEntry> {
        self.entries
            .get(&(kind, value.to_string()))
            .filter(|e| e.live(now))
    }

    /// Every entry, live ones first then by kind and value.
    pub fn all(&self, now: u64) -> Vec<&ListEntry> {
        let mut out: Vec<&ListEntry> = self.entries.values().collect();
        out.sort_by(|a, b| (!a.live(now), a.kind, &a.value).cmp(&(!b.live(now), b.kind, &b.value)));
        out
    }
}
