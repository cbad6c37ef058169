//! Transfers: money moving from a debit account to a credit account, at once
//! or in two phases (pending, then posted or voided or expired).

use bitflags::bitflags;

bitflags! {
    /// Transfer flags. Bits not named here are reserved and refused.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct TransferFlags: u16 {
        /// Chain this event to the next one of the batch: they succeed or fail together.
        const LINKED = 1 << 0;
        /// Reserve the amount now; post or void it later, or let it expire.
        const PENDING = 1 << 1;
        /// Post (part of) the pending transfer named by `pending_id`.
        const POST_PENDING = 1 << 2;
        /// Void the pending transfer named by `pending_id`, releasing its reservation.
        const VOID_PENDING = 1 << 3;
        /// A pending transfer that closes its debit account while it stands.
        const CLOSING_DEBIT = 1 << 4;
        /// A pending transfer that closes its credit account while it stands.
        const CLOSING_CREDIT = 1 << 5;
    }
}

/// One transfer event as submitted.
///
/// For `POST_PENDING` and `VOID_PENDING`, the account ids, `ledger` and `code`
/// may be zero, meaning "as the pending transfer"; a non-zero value must match
/// it. A post's `amount` may be zero, meaning "the whole pending amount", or
/// any amount up to it: the rest of the reservation is released. A void's
/// amount is zero or the pending amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Transfer {
    pub id: u128,
    pub debit_account_id: u128,
    pub credit_account_id: u128,
    /// Minor units of the ledger's currency.
    pub amount: u64,
    /// The pending transfer a post or void refers to; zero otherwise.
    pub pending_id: u128,
    /// Free for the caller: the order, payment attempt or withdrawal.
    pub user_data: u128,
    /// Seconds a pending transfer stands before it may be expired; zero for never.
    pub timeout: u32,
    pub ledger: u32,
    /// Why the money moved (a code chosen by the caller).
    pub code: u16,
    pub flags: TransferFlags,
}

impl Transfer {
    pub(crate) fn is_post_or_void(&self) -> bool {
        self.flags
            .intersects(TransferFlags::POST_PENDING | TransferFlags::VOID_PENDING)
    }
}

/// A transfer as the ledger holds it: the fields resolved (a post's accounts
/// and amount as they took effect) and the timestamp it was applied at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransferRecord {
    pub id: u128,
    pub debit_account_id: u128,
    pub credit_account_id: u128,
    pub amount: u64,
    pub pending_id: u128,
    pub user_data: u128,
    pub timeout: u32,
    pub ledger: u32,
    pub code: u16,
    /// The flags as submitted.
    pub flags: TransferFlags,
    pub timestamp: u64,
}

/// Where a pending transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PendingStatus {
    /// Still reserving its amount.
    Pending,
    /// Posted (fully or partly) by the given transfer.
    Posted,
    /// Voided by a transfer.
    Voided,
    /// Expired by `Ledger::expire`.
    Expired,
}

/// Nanoseconds in a second: pending timeouts are seconds, timestamps nanoseconds.
pub const NANOS_PER_SECOND: u64 = 1_000_000_000;
