//! Accounts: who holds money, in which ledger (currency), under which limits.

use bitflags::bitflags;

bitflags! {
    /// Account flags. Bits not named here are reserved and refused.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct AccountFlags: u16 {
        /// Chain this event to the next one of the batch: they succeed or fail together.
        const LINKED = 1 << 0;
        /// A liability (wallet, escrow, merchant balance): never overdrawn.
        const DEBITS_MUST_NOT_EXCEED_CREDITS = 1 << 1;
        /// An asset that may never be credited beyond what was debited to it.
        const CREDITS_MUST_NOT_EXCEED_DEBITS = 1 << 2;
        /// Closed: takes no new transfers. Set at creation or by a closing transfer.
        const CLOSED = 1 << 3;
    }
}

/// The request to create an account. Counters always start at zero and the
/// ledger stamps the timestamp, so neither can be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NewAccount {
    pub id: u128,
    /// The ledger (currency) the account keeps; transfers stay within one ledger.
    pub ledger: u32,
    /// What the account is for (a chart-of-accounts code chosen by the caller).
    pub code: u16,
    pub flags: AccountFlags,
    /// Free for the caller: the owning user, merchant or order.
    pub user_data: u128,
}

/// An account as the ledger holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Account {
    pub id: u128,
    pub ledger: u32,
    pub code: u16,
    pub flags: AccountFlags,
    pub user_data: u128,
    /// Debits reserved by pending transfers, not yet posted or voided.
    pub debits_pending: u128,
    pub debits_posted: u128,
    /// Credits reserved by pending transfers, not yet posted or voided.
    pub credits_pending: u128,
    pub credits_posted: u128,
    /// When the account was created (the batch's timestamp for this event).
    pub timestamp: u64,
}

impl Account {
    pub(crate) fn from_new(new: &NewAccount, timestamp: u64) -> Self {
        Self {
            id: new.id,
            ledger: new.ledger,
            code: new.code,
            flags: new.flags,
            user_data: new.user_data,
            debits_pending: 0,
            debits_posted: 0,
            credits_pending: 0,
            credits_posted: 0,
            timestamp,
        }
    }

    /// Posted credits minus posted debits: what a liability account holds.
    /// Negative only for accounts without the overdraft flag.
    pub fn credit_balance(&self) -> i128 {
        signed_difference(self.credits_posted, self.debits_posted)
    }

    /// Posted debits minus posted credits: what an asset account holds.
    pub fn debit_balance(&self) -> i128 {
        signed_difference(self.debits_posted, self.credits_posted)
    }

    /// What a liability account can still spend: credits posted minus debits
    /// posted and pending. Zero when nothing is left.
    pub fn available_credit(&self) -> u128 {
        self.credits_posted
            .saturating_sub(self.debits_posted.saturating_add(self.debits_pending))
    }

    pub fn is_closed(&self) -> bool {
        self.flags.contains(AccountFlags::CLOSED)
    }
}

fn signed_difference(a: u128, b: u128) -> i128 {
    // Counters stay far below 2^127 in practice; saturate rather than wrap if not.
    if a >= b {
        i128::try_from(a - b).unwrap_or(i128::MAX)
    } else {
        i128::try_from(b - a).map(|d| -d).unwrap_or(i128::MIN)
    }
}
