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
    fn transfer_event_has_fixed_width() {
        let mut out = Vec::new();
        transfer_event(&mut out, &Transfer::default(), CreateTransferResult::Ok);
        assert_eq!(out.len(), TRANSFER_EVENT_BYTES);
        let mut out = Vec::new();
        account_event(&mut out, &NewAccount::default(), CreateAccountResult::Ok);
        assert_eq!(out.len(), ACCOUNT_EVENT_BYTES);
    }
}
