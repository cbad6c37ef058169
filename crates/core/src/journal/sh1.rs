//! Format 1 (`SH1` + JSON of the command and the reply it got): what
//! trigate wrote before entries recorded facts. Such an entry can only be
//! read by running its command again and checking the reply, so only
//! `trigate upgrade` reads it, once, to rewrite the journal as facts.

use serde::Deserialize;

use super::{Entry, ReplayError};
use crate::time::{NANOS_PER_DAY, NANOS_PER_SECOND};
use crate::{Command, Config, Reply, Shop};

const TAG: &[u8; 3] = b"SH1";

pub fn is_sh1(bytes: &[u8]) -> bool {
    bytes.starts_with(TAG)
}

#[derive(Debug, Deserialize)]
struct Sh1Entry {
    at: u64,
    command: Command,
    reply: Reply,
}

/// The settings every format-1 shop ran under: they were fixed in the code
/// and not recorded, so they are pinned here as they were.
pub fn settings() -> Config {
    Config {
        reservation_ns: 15 * 60 * NANOS_PER_SECOND,
        dispute_window_ns: 3 * NANOS_PER_DAY,
        dispute_answer_ns: 2 * NANOS_PER_DAY,
        max_key_len: 1024,
        utc_offset_seconds: 8 * 3600,
        max_holding_days: 365,
        max_fee_bps: 10_000,
        max_commission_bps: 10_000,
        // Commissions were reward at once, fees all the platform's, no
        // refund or decision waited for a second approval, and a refund
        // after settlement came from the merchant alone.
        policy: crate::Policy {
            commission_holding_days: 0,
            reserve_fee_bps: 0,
            refund_approval_above: u64::MAX,
            decision_approval_above: u64::MAX,
            reverse_split: false,
        },
    }
}

/// The time a format-1 entry records.
pub fn timestamp(bytes: &[u8]) -> Option<u64> {
    decode(bytes).ok().map(|e| e.at)
}

fn decode(bytes: &[u8]) -> Result<Sh1Entry, ReplayError> {
    let body = bytes
        .strip_prefix(TAG.as_slice())
        .ok_or_else(|| ReplayError::Decode("no SH1 tag".into()))?;
    serde_json::from_slice(body).map_err(|e| ReplayError::Decode(e.to_string()))
}

impl Shop {
    /// A shop to upgrade a format-1 journal on, with the genesis entry that
    /// pins the settings it ran under, stamped `at` (its first entry's time).
    pub fn for_upgrade(at: u64) -> (Shop, Entry) {
        let mut shop = Shop::new(settings());
        shop.genesis = true;
        shop.policy_recorded = true;
        let genesis = Entry {
            at,
            facts: vec![
                crate::facts::Fact::Settings {
                    settings: (&settings()).into(),
                },
                crate::facts::Fact::Policy {
                    policy: (&settings().policy).into(),
                },
            ],
            command: Vec::new(),
        };
        (shop, genesis)
    }

    /// Runs a format-1 entry's command again, checks it gets the reply the
    /// journal recorded, and gives what it decided as an entry of today's
    /// format (none if it decided nothing).
    pub fn upgrade_sh1(&mut self, bytes: &[u8]) -> Result<Option<Entry>, ReplayError> {
        let old = decode(bytes)?;
        let (reply, entry) = self.apply_journaled(old.at, old.command);
        if reply != old.reply {
            return Err(ReplayError::Diverged {
                got: Box::new(reply),
                recorded: Box::new(old.reply),
            });
        }
        Ok(entry)
    }
}
