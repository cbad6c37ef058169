//! Idempotency keys with Stripe's meaning, kept in the shop's own state so
//! they are journaled, replayed and survive restarts: the first reply to a
//! (caller, key) is remembered and given again for the same request; the
//! same key with a different request is refused. Keys are kept 24 hours.

use std::collections::BTreeSet;

use crate::command::Command;
use crate::reply::Reply;
use crate::time::NANOS_PER_DAY;
use crate::{Shop, ShopError, UserId};

/// How long a key is remembered.
pub const KEEP_NS: u64 = NANOS_PER_DAY;
const KEY_MAX: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    pub(crate) fingerprint: String,
    pub(crate) reply: Reply,
    pub(crate) at: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Keys {
    by_key: std::collections::HashMap<(UserId, String), Remembered>,
    by_time: BTreeSet<(u64, UserId, String)>,
}

/// Refused unless `key` is a well-formed Idempotency-Key: 1 to 255
/// printable ASCII characters.
pub fn check_key(key: &str) -> Result<(), ShopError> {
    if key.is_empty() || key.len() > KEY_MAX || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ShopError::Invalid(format!(
            "an Idempotency-Key is 1 to {KEY_MAX} printable ASCII characters"
        )));
    }
    Ok(())
}

impl Shop {
    /// Applies `command` under an idempotency key: the first time, and
    /// remembers its reply; again with the same `fingerprint` (a digest of
    /// the request), the remembered reply, marked as replayed.
    pub fn apply_idempotent(
        &mut self,
        now: u64,
        caller: UserId,
        key: &str,
        fingerprint: &str,
        command: Command,
    ) -> Result<Reply, ShopError> {
        check_key(key)?;
        let slot = (caller, key.to_string());
        if let Some(r) = self.idempotency.by_key.get(&slot) {
            if r.fingerprint != fingerprint {
                return Err(ShopError::IdempotencyConflict);
            }
            return Ok(Reply::Idempotent {
                reply: Box::new(r.reply.clone()),
                replayed: true,
            });
        }
        let reply = match self.apply(now, command) {
            Ok(reply) => reply,
            Err(e) => Reply::from(e),
        };
        self.idempotency.remember(
            caller,
            key.to_string(),
            Remembered {
                fingerprint: fingerprint.to_string(),
                reply: reply.clone(),
                at: now,
            },
        );
        self.changes.remembered.push((caller, key.to_string()));
        Ok(Reply::Idempotent {
            reply: Box::new(reply),
            replayed: false,
        })
    }

    /// Forgets keys older than [`KEEP_NS`]; returns how many.
    pub(crate) fn forget_old_keys(&mut self, now: u64) -> usize {
        let cutoff = now.saturating_sub(KEEP_NS);
        let forgotten = self.idempotency.forget_before(cutoff);
        if forgotten > 0 {
            self.changes.forgot_before = Some(cutoff);
        }
        forgotten
    }
}

impl Keys {
    /// Every remembered key, in a fixed order.
    pub(crate) fn describe(&self) -> String {
        let mut keys: Vec<_> = self.by_key.iter().collect();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        format!("idempotency {keys:?} {:?}", self.by_time)
    }

    pub(crate) fn get(&self, caller: UserId, key: &str) -> Option<&Remembered> {
        self.by_key.get(&(caller, key.to_string()))
    }

    pub(crate) fn remember(&mut self, caller: UserId, key: String, remembered: Remembered) {
        self.by_time.insert((remembered.at, caller, key.clone()));
        self.by_key.insert((caller, key), remembered);
    }

    /// Forgets keys remembered before `cutoff`; returns how many.
    pub(crate) fn forget_before(&mut self, cutoff: u64) -> usize {
        let old: Vec<(u64, UserId, String)> = self
            .by_time
            .iter()
            .take_while(|(at, _, _)| *at < cutoff)
            .cloned()
            .collect();
        for entry in &old {
            self.by_time.remove(entry);
            let slot = (entry.1, entry.2.clone());
            if self.by_key.get(&slot).is_some_and(|r| r.at == entry.0) {
                self.by_key.remove(&slot);
            }
        }
        old.len()
    }
}
