//! The hash chain: every batch the ledger applies is encoded in one canonical
//! byte form and linked to the one before by `hash = H(prev_hash ‖ bytes)`.
//!
//! The encoding is fixed-width little-endian, so the same batch gives the same
//! bytes on every machine; it is also what the journal stores.

use crate::account::NewAccount;
use crate::result::{CreateAccountResult, CreateTransferResult};
use crate::transfer::Transfer;

/// A BLAKE3 digest.
pub type Hash = [u8; 32];

/// The hash before the first batch.
pub const GENESIS: Hash = [0; 32];

/// What kind of batch an entry holds (its first byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum EntryKind {
    CreateAccounts = 1,
    CreateTransfers = 2,
    Expire = 3,
}

/// Bytes of one encoded account event.
pub const ACCOUNT_EVENT_BYTES: usize = 16 + 4 + 2 + 2 + 16 + 1;
/// Bytes of one encoded transfer event.
pub const TRANSFER_EVENT_BYTES: usize = 16 * 5 + 8 + 4 + 4 + 2 + 2 + 1;
/// Bytes of an entry's header: kind, timestamp, event count.
pub const HEADER_BYTES: usize = 1 + 8 + 4;

/// The next link of the chain.
pub fn link(prev: &Hash, entry: &[u8]) -> Hash {
    let mut hasher = blake3::Hasher::new();
    hasher.update(prev);
    hasher.update(entry);
    *hasher.finalize().as_bytes()
}

pub(crate) fn header(out: &mut Vec<u8>, kind: EntryKind, timestamp: u64, count: usize) {
    out.push(kind as u8);
    out.extend_from_slice(&timestamp.to_le_bytes());
    // Batches are bounded by memory long before 2^32 events; saturate to stay total.
    out.extend_from_slice(&u32::try_from(count).unwrap_or(u32::MAX).to_le_bytes());
}

pub(crate) fn account_event(out: &mut Vec<u8>, a: &NewAccount, result: CreateAccountResult) {
    out.extend_from_slice(&a.id.to_le_bytes());
    out.extend_from_slice(&a.ledger.to_le_bytes());
    out.extend_from_slice(&a.code.to_le_bytes());
    out.extend_from_slice(&a.flags.bits().to_le_bytes());
    out.extend_from_slice(&a.user_data.to_le_bytes());
    out.push(result.as_u8());
}

pub(crate) fn transfer_event(out: &mut Vec<u8>, t: &Transfer, result: CreateTransferResult) {
    let mut buf = [0u8; TRANSFER_EVENT_BYTES];
    buf[0..16].copy_from_slice(&t.id.to_le_bytes());
    buf[16..32].copy_from_slice(&t.debit_account_id.to_le_bytes());
    buf[32..48].copy_from_slice(&t.credit_account_id.to_le_bytes());
    buf[48..56].copy_from_slice(&t.amount.to_le_bytes());
    buf[56..72].copy_from_slice(&t.pending_id.to_le_bytes());
    buf[72..88].copy_from_slice(&t.user_data.to_le_bytes());
    buf[88..92].copy_from_slice(&t.timeout.to_le_bytes());
    buf[92..96].copy_from_slice(&t.ledger.to_le_bytes());
    buf[96..98].copy_from_slice(&t.code.to_le_bytes());
    buf[98..100].copy_from_slice(&t.flags.bits().to_le_bytes());
    buf[100] = result.as_u8();
    out.extend_from_slice(&buf);
}

pub(crate) fn expired_id(out: &mut Vec<u8>, id: u128) {
    out.extend_from_slice(&id.to_le_bytes());
}

/// A journal entry read back: the batch as it was applied, with its results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    CreateAccounts {
        timestamp: u64,
        events: Vec<(NewAccount, CreateAccountResult)>,
    },
    CreateTransfers {
        timestamp: u64,
        events: Vec<(Transfer, CreateTransferResult)>,
    },
    Expire {
        now: u64,
        ids: Vec<u128>,
    },
}

impl Entry {
    pub fn timestamp(&self) -> u64 {
        match self {
            Self::CreateAccounts { timestamp, .. } | Self::CreateTransfers { timestamp, .. } => {
                *timestamp
            }
            Self::Expire { now, .. } => *now,
        }
    }
}

/// Why bytes are not a journal entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// Shorter than a header, or its length disagrees with the event count.
    Length,
    UnknownKind(u8),
    UnknownResult(u8),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Length => f.write_str("entry length does not match its header"),
            Self::UnknownKind(k) => write!(f, "unknown entry kind {k}"),
            Self::UnknownResult(r) => write!(f, "unknown result code {r}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Fixed-width little-endian fields, read front to back.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let (head, rest) = self.0.split_at(N);
        self.0 = rest;
        let mut out = [0; N];
        out.copy_from_slice(head);
        out
    }
    fn u8(&mut self) -> u8 {
        self.take::<1>()[0]
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.take())
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }
    fn u128(&mut self) -> u128 {
        u128::from_le_bytes(self.take())
    }
}

/// The timestamp in an entry's header, without reading the rest.
pub fn decode_timestamp(bytes: &[u8]) -> Option<u64> {
    let raw: [u8; 8] = bytes.get(1..9)?.try_into().ok()?;
    Some(u64::from_le_bytes(raw))
}

/// Reads an entry written by the ledger. Lengths are checked before any
/// field is read, so no input can make it panic.
pub fn decode(bytes: &[u8]) -> Result<Entry, DecodeError> {
    if bytes.len() < HEADER_BYTES {
        return Err(DecodeError::Length);
    }
    let mut r = Reader(bytes);
    let kind = r.u8();
    let timestamp = r.u64();
    let count = r.u32() as usize;
    let per_event = match kind {
        1 => ACCOUNT_EVENT_BYTES,
        2 => TRANSFER_EVENT_BYTES,
        3 => 16,
        other => return Err(DecodeError::UnknownKind(other)),
    };
    if count.checked_mul(per_event) != Some(bytes.len() - HEADER_BYTES) {
        return Err(DecodeError::Length);
    }
    Ok(match kind {
        1 => {
            let mut events = Vec::with_capacity(count);
            for _ in 0..count {
                let a = NewAccount {
                    id: r.u128(),
                    ledger: r.u32(),
                    code: r.u16(),
                    flags: crate::AccountFlags::from_bits_retain(r.u16()),
                    user_data: r.u128(),
                };
                let code = r.u8();
                let result = CreateAccountResult::ALL
                    .get(usize::from(code))
                    .ok_or(DecodeError::UnknownResult(code))?;
                events.push((a, *result));
            }
            Entry::CreateAccounts { timestamp, events }
        }
        2 => {
            let mut events = Vec::with_capacity(count);
            for _ in 0..count {
                let t = Transfer {
                    id: r.u128(),
                    debit_account_id: r.u128(),
                    credit_account_id: r.u128(),
                    amount: r.u64(),
                    pending_id: r.u128(),
                    user_data: r.u128(),
                    timeout: r.u32(),
                    ledger: r.u32(),
                    code: r.u16(),
                    flags: crate::TransferFlags::from_bits_retain(r.u16()),
                };
                let code = r.u8();
                let result = CreateTransferResult::ALL
                    .get(usize::from(code))
                    .ok_or(DecodeError::UnknownResult(code))?;
                events.push((t, *result));
            }
            Entry::CreateTransfers { timestamp, events }
        }
        _ => Entry::Expire {
            now: timestamp,
            ids: (0..count).map(|_| r.u128()).collect(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_depends_on_previous_hash_and_entry() {
        let a = link(&GENESIS, b"entry");
        assert_ne!(a, link(&GENESIS, b"entrz"));
        assert_ne!(a, link(&a, b"entry"));
        assert_eq!(a, link(&GENESIS, b"entry"));
    }

    #[test]
    fn decode_refuses_malformed_entries() {
        assert_eq!(decode(&[]), Err(DecodeError::Length));
        let mut entry = Vec::new();
        header(&mut entry, EntryKind::CreateTransfers, 5, 1);
        assert_eq!(decode(&entry), Err(DecodeError::Length));
        transfer_event(&mut entry, &Transfer::default(), CreateTransferResult::Ok);
        assert!(decode(&entry).is_ok());
        let last = entry.len() - 1;
        entry[last] = 250;
        assert_eq!(decode(&entry), Err(DecodeError::UnknownResult(250)));
        entry[0] = 9;
        assert_eq!(decode(&entry), Err(DecodeError::UnknownKind(9)));
    }

    #[test]
    fn transfer_event_has_fixed_width() {
        let mut out = Vec::new();
        transfer_event(&mut out, &Transfer::default(), CreateTransferResult::Ok);
        assert_eq!(out.len(), TRANSFER_EVENT_BYTES);
        let mut out = Vec::new();
        account_event(&mut out, &NewAccount::default(), CreateAccountResult::Ok);
        assert_eq!(out.len(), ACCOUNT_EVENT_BYTES);
    }
}
