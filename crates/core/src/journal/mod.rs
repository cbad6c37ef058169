//! The shop's journal entries: what each command decided, as [`Fact`]s, with
//! the command kept beside them for audit. Replay applies the facts; it
//! never runs a business rule again, so a rule changed in a later release
//! never re-decides the past.
//!
//! An entry's bytes are `TGJ`, the format version (u16, little-endian), the
//! time it was applied at (u64 nanoseconds), the facts' length (u32) and
//! the facts in postcard's compact binary form, then the command as JSON
//! (empty when none). In postcard a record's fields are laid out in the
//! order they are declared and an enum's tag is its variant's position, so
//! the journal's types only ever gain variants at their end, and
//! `tests/journal.rs` pins every tag. Format 1
//! was `SH1` + the command and its reply as JSON, replayed by re-running
//! the command; [`sh1`] reads it for `trigate upgrade`, nothing else does.
//!
//! Format 3 added facts at the end of [`Fact`] (the money policy, a settled
//! order's shares) and changed no record, so a format-2 entry reads as it
//! is: a journal begun in format 2 goes on in format 3 without an upgrade.
//!
//! Format 4 added facts at the end again (the money rules, channel
//! settlements, sweeps, destinations, and a withdrawal with its fee and
//! destination as `Withdrawal4`) and variants at the end of records' enums
//! (a deposit's purpose, payment outcome and approvals, withdrawals from a
//! deposit); formats 2 and 3 read as they are.
//!
//! Format 5 added facts at the end again (a product's storefront details,
//! the shop's look, a user's email, a message put in the outbox) and a
//! message at the end of a dispute's steps; formats 2 to 4 read as they are.
//!
//! Format 6 added facts at the end again (the day a shop began recording
//! daily figures, and each day's figures); formats 2 to 5 read as they are.
//!
//! Format 7 added facts at the end again (gate three: the risk settings,
//! rules as saved, list entries, decisions, reviews and request contexts);
//! formats 2 to 6 read as they are.
//!
//! Format 8 added facts at the end again (a ring case: the accounts linked
//! to a banned one, held together; how new merchants are watched); formats
//! 2 to 7 read as they are.
//!
//! A backwards-incompatible change to anything here, to [`Fact`] or to the
//! records it carries needs a new format version, an upgrader, and a new
//! golden journal (see `golden/README.md`).

pub mod approval_record;
pub mod case_records;
pub mod custody_flow_records;
pub mod custody_record;
pub mod figures_records;
pub mod money_records;
pub mod records;
pub mod reply_record;
pub mod risk_records;
pub mod send_record;
pub mod sh1;
pub mod shares_record;
pub mod storefront_records;

use crate::facts::{Fact, FactError};
use crate::{Command, Reply, Shop};

/// Marks a shop entry of format 2 or later.
const MAGIC: &[u8; 3] = b"TGJ";
/// The format this release writes and reads.
pub const FORMAT: u16 = 8;
/// The oldest format whose entries this release reads as they are.
pub const READS_FROM: u16 = 2;
const HEADER: usize = 3 + 2 + 8 + 4;

/// Whether a journal entry is a shop's (not a bare ledger's), of any format.
pub fn is_shop_entry(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC) || sh1::is_sh1(bytes)
}

/// One journal entry of the current format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: u64,
    pub facts: Vec<Fact>,
    /// The command as JSON, for audit and for `verify` to re-run; none for
    /// entries no command made (an upgraded journal's genesis).
    pub command: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("not a shop journal entry: {0}")]
    Decode(String),
    #[error(
        "the journal is in format {0}, which this release of trigate does not start on: \
         stop it and run `trigate upgrade` (it backs the journal up, then rewrites it in \
         format {FORMAT})"
    )]
    OldFormat(u16),
    #[error(
        "the journal holds an entry of format {0}, newer than this release of trigate reads \
         (format {FORMAT}): run the release that wrote it, or a later one"
    )]
    NewerFormat(u16),
    #[error("{0}")]
    Facts(#[from] FactError),
    #[error("replaying gave {got:?}, the journal recorded {recorded:?}")]
    Diverged {
        got: Box<Reply>,
        recorded: Box<Reply>,
    },
}

impl Entry {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + 256 + self.command.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&self.at.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        // Encoding plain data into a vector cannot fail.
        out = postcard::to_extend(&self.facts, out).unwrap_or_default();
        let len = u32::try_from(out.len() - HEADER).unwrap_or(u32::MAX);
        out[HEADER - 4..HEADER].copy_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&self.command);
        out
    }

    /// The format of an entry's bytes, if they are a shop's.
    pub fn format(bytes: &[u8]) -> Option<u16> {
        if sh1::is_sh1(bytes) {
            return Some(1);
        }
        let v = bytes.strip_prefix(MAGIC.as_slice())?.get(..2)?;
        Some(u16::from_le_bytes([v[0], v[1]]))
    }

    fn header(bytes: &[u8]) -> Result<(u64, usize), ReplayError> {
        match Self::format(bytes) {
            None => return Err(ReplayError::Decode("no TGJ tag".into())),
            Some(READS_FROM..=FORMAT) => {}
            Some(v) if v < READS_FROM => return Err(ReplayError::OldFormat(v)),
            Some(v) => return Err(ReplayError::NewerFormat(v)),
        }
        let short = || ReplayError::Decode("entry cut short".into());
        let at = bytes.get(5..13).ok_or_else(short)?;
        let len = bytes.get(13..17).ok_or_else(short)?;
        let at = u64::from_le_bytes(at.try_into().map_err(|_| short())?);
        let len = u32::from_le_bytes(len.try_into().map_err(|_| short())?) as usize;
        if bytes.len() < HEADER + len {
            return Err(short());
        }
        Ok((at, len))
    }

    /// The time an entry records, without reading its facts.
    pub fn timestamp(bytes: &[u8]) -> Result<u64, ReplayError> {
        Self::header(bytes).map(|(at, _)| at)
    }

    pub fn decode(bytes: &[u8]) -> Result<Entry, ReplayError> {
        let (at, len) = Self::header(bytes)?;
        let facts = postcard::from_bytes(&bytes[HEADER..HEADER + len])
            .map_err(|e| ReplayError::Decode(e.to_string()))?;
        Ok(Entry {
            at,
            facts,
            command: bytes[HEADER + len..].to_vec(),
        })
    }

    /// The command kept for audit, as today's code reads it (an error when
    /// it no longer can: a finding for `verify`, never a reason not to start).
    pub fn command(&self) -> Result<Option<Command>, String> {
        if self.command.is_empty() {
            return Ok(None);
        }
        serde_json::from_slice(&self.command)
            .map(Some)
            .map_err(|e| e.to_string())
    }
}

impl Shop {
    /// Applies a command and says what it decided, as the entry to journal:
    /// none when it changed nothing (a refusal, a read, an idle tick). A
    /// shop's first entry also carries its settings: its genesis.
    pub fn apply_journaled(&mut self, now: u64, command: Command) -> (Reply, Option<Entry>) {
        self.rebuild_indexes();
        self.begin_changes();
        if !self.genesis {
            self.changes.settings = true;
        }
        // Kept for audit: written before the command is used up.
        let audit = match &command {
            Command::Query(_) => Vec::new(),
            c => serde_json::to_vec(c).unwrap_or_default(),
        };
        let reply = match self.apply(now, command) {
            Ok(reply) => reply,
            Err(e) => Reply::from(e),
        };
        let facts = self.take_facts();
        if facts.is_empty() || matches!(reply, Reply::View(_)) {
            return (reply, None);
        }
        self.genesis = true;
        let entry = Entry {
            at: now,
            facts,
            command: audit,
        };
        (reply, Some(entry))
    }

    /// Runs an entry's command again under today's rules, on a shop that
    /// has run every earlier entry's, and says how what it decides differs
    /// from what the entry recorded (`None`: the same). Entries without a
    /// command have their facts applied. `verify` reports a difference as a
    /// finding: the journal stays the truth.
    pub fn rerun(&mut self, bytes: &[u8]) -> Result<Option<String>, ReplayError> {
        let entry = Entry::decode(bytes)?;
        let command = match entry.command() {
            Ok(Some(command)) => command,
            Ok(None) => {
                self.replay(bytes)?;
                return Ok(None);
            }
            Err(e) => return Ok(Some(format!("its command no longer reads: {e}"))),
        };
        if !self.genesis
            && let Some(Fact::Settings { settings }) = entry.facts.first()
        {
            // The first entry's settings are the shop's, whatever today's
            // defaults are.
            self.config = settings.read()?;
            if let Some(Fact::Policy { policy }) = entry.facts.get(1) {
                self.config.policy = (*policy).into();
            }
        }
        // An entry of format 2 recorded no policy beside its settings, and
        // the first start under format 3 records the one in force.
        let records_policy = entry.facts.iter().any(|f| matches!(f, Fact::Policy { .. }));
        let (_, decided) = self.apply_journaled(entry.at, command);
        let mut decided = decided.map(|e| e.facts).unwrap_or_default();
        if !records_policy {
            decided.retain(|f| !matches!(f, Fact::Policy { .. }));
            self.policy_recorded = false;
        }
        // Before format 4 a withdrawal was written as `Withdrawal`: one
        // without format 4's terms is the same record.
        if entry
            .facts
            .iter()
            .any(|f| matches!(f, Fact::Withdrawal { .. }))
        {
            for f in &mut decided {
                if let Fact::Withdrawal4 { withdrawal } = f
                    && withdrawal.fee == 0
                    && withdrawal.destination_id.is_none()
                    && withdrawal.payout_started.is_none()
                {
                    *f = Fact::Withdrawal {
                        withdrawal: withdrawal.base.clone(),
                    };
                }
            }
        }
        // The feature catalogue grows: a decision recorded without a
        // feature added since is compared without it.
        for (today, then) in decided.iter_mut().zip(&entry.facts) {
            if let (Fact::RiskDecided { decision: today }, Fact::RiskDecided { decision: then }) =
                (today, then)
            {
                for name in risk_records::FEATURES_ADDED_LATER {
                    if !then.features.iter().any(|(n, _)| n == name) {
                        today.features.retain(|(n, _)| n != name);
                    }
                }
            }
        }
        if decided == entry.facts {
            return Ok(None);
        }
        let at = decided
            .iter()
            .zip(&entry.facts)
            .position(|(a, b)| a != b)
            .unwrap_or(decided.len().min(entry.facts.len()));
        let show = |f: Option<&Fact>| {
            let s = f.map_or_else(|| "nothing".to_string(), |f| format!("{f:?}"));
            match s.char_indices().nth(300) {
                Some((end, _)) => format!("{}…", &s[..end]),
                None => s,
            }
        };
        Ok(Some(format!(
            "fact {} was recorded as {} but today's rules decide {}",
            at + 1,
            show(entry.facts.get(at)),
            show(decided.get(at))
        )))
    }

    /// Applies a journal entry's facts.
    pub fn replay(&mut self, bytes: &[u8]) -> Result<(), ReplayError> {
        let entry = Entry::decode(bytes)?;
        if entry
            .facts
            .iter()
            .any(|f| matches!(f, Fact::Settings { .. }))
        {
            self.genesis = true;
        }
        self.apply_facts(entry.at, entry.facts)?;
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
