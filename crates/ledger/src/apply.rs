//! How one transfer event is checked and applied: every check runs before the
//! first change, so a refused event leaves the state exactly as it was.

use crate::account::{Account, AccountFlags};
use crate::ledger::{Ledger, Pending, Undo};
use crate::result::CreateTransferResult as R;
use crate::tables::Row;
use crate::transfer::{NANOS_PER_SECOND, PendingStatus, Transfer, TransferFlags, TransferRecord};

impl Ledger {
    pub(crate) fn apply_transfer(&mut self, t: &Transfer, timestamp: u64) -> R {
        let result = self.check_and_apply(t, timestamp);
        if result.is_transient() {
            self.failed.insert(t.id);
        }
        result
    }

    fn check_and_apply(&mut self, t: &Transfer, timestamp: u64) -> R {
        if let Err(r) = check_shape(t) {
            return r;
        }
        if let Some(at) = self.transfers.position(t.id) {
            let existing = self.transfers.record(at, &self.accounts);
            return if t.is_post_or_void() {
                // A zero amount asks for the whole pending amount, whatever
                // part of it the first post took.
                let whole = self
                    .transfers
                    .position(existing.pending_id)
                    .map(|p| self.transfers.row(p).amount);
                compare_post_or_void(t, &existing, whole)
            } else {
                compare_plain(t, &existing)
            };
        }
        if self.failed.contains(&t.id) {
            return R::IdAlreadyFailed;
        }
        if t.is_post_or_void() {
            self.post_or_void(t, timestamp)
        } else {
            self.plain_or_pending(t, timestamp)
        }
    }

    fn plain_or_pending(&mut self, t: &Transfer, timestamp: u64) -> R {
        let Some(dr_at) = self.accounts.position(t.debit_account_id) else {
            return R::DebitAccountNotFound;
        };
        let Some(cr_at) = self.accounts.position(t.credit_account_id) else {
            return R::CreditAccountNotFound;
        };
        let (dr, cr) = (*self.accounts.at(dr_at), *self.accounts.at(cr_at));
        if dr.ledger != cr.ledger {
            return R::AccountsMustHaveTheSameLedger;
        }
        if t.ledger != dr.ledger {
            return R::LedgerMismatch;
        }
        if dr.is_closed() {
            return R::DebitAccountAlreadyClosed;
        }
        if cr.is_closed() {
            return R::CreditAccountAlreadyClosed;
        }
        let pending = t.flags.contains(TransferFlags::PENDING);
        let expires_at = if pending && t.timeout != 0 {
            match u64::from(t.timeout)
                .checked_mul(NANOS_PER_SECOND)
                .and_then(|ns| timestamp.checked_add(ns))
            {
                Some(at) => at,
                None => return R::OverflowsTimeout,
            }
        } else {
            0
        };
        let amount = u128::from(t.amount);
        let (mut new_dr, mut new_cr) = (dr, cr);
        if pending {
            let Some(v) = dr.debits_pending.checked_add(amount) else {
                return R::OverflowsDebitsPending;
            };
            new_dr.debits_pending = v;
            let Some(v) = cr.credits_pending.checked_add(amount) else {
                return R::OverflowsCreditsPending;
            };
            new_cr.credits_pending = v;
        } else {
            let Some(v) = dr.debits_posted.checked_add(amount) else {
                return R::OverflowsDebitsPosted;
            };
            new_dr.debits_posted = v;
            let Some(v) = cr.credits_posted.checked_add(amount) else {
                return R::OverflowsCreditsPosted;
            };
            new_cr.credits_posted = v;
        }
        let Some(dr_total) = new_dr.debits_pending.checked_add(new_dr.debits_posted) else {
            return R::OverflowsDebits;
        };
        let Some(cr_total) = new_cr.credits_pending.checked_add(new_cr.credits_posted) else {
            return R::OverflowsCredits;
        };
        if dr
            .flags
            .contains(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
            && dr_total > dr.credits_posted
        {
            return R::ExceedsCredits;
        }
        if cr
            .flags
            .contains(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS)
            && cr_total > cr.debits_posted
        {
            return R::ExceedsDebits;
        }
        if t.flags.contains(TransferFlags::CLOSING_DEBIT) {
            new_dr.flags.insert(AccountFlags::CLOSED);
        }
        if t.flags.contains(TransferFlags::CLOSING_CREDIT) {
            new_cr.flags.insert(AccountFlags::CLOSED);
        }

        if self.undo_enabled {
            self.undo.push(Undo::AccountChanged(dr_at, dr));
            self.undo.push(Undo::AccountChanged(cr_at, cr));
            self.undo.push(Undo::TransferCreated);
        }
        self.accounts.set(dr_at, new_dr);
        self.accounts.set(cr_at, new_cr);
        self.transfers
            .push(row(t, t.amount, dr_at, cr_at, timestamp), 0);
        if pending {
            self.set_pending(
                t.id,
                Pending {
                    status: PendingStatus::Pending,
                    expires_at,
                },
            );
        }
        R::Ok
    }

    fn post_or_void(&mut self, t: &Transfer, timestamp: u64) -> R {
        let Some(p_at) = self.transfers.position(t.pending_id) else {
            return R::PendingTransferNotFound;
        };
        let p = self.transfers.record(p_at, &self.accounts);
        let p_row = *self.transfers.row(p_at);
        let Some(state) = self.pending.get(&t.pending_id).copied() else {
            return R::PendingTransferNotPending;
        };
        if t.debit_account_id != 0 && t.debit_account_id != p.debit_account_id {
            return R::PendingTransferHasDifferentDebitAccountId;
        }
        if t.credit_account_id != 0 && t.credit_account_id != p.credit_account_id {
            return R::PendingTransferHasDifferentCreditAccountId;
        }
        if t.ledger != 0 && t.ledger != p.ledger {
            return R::PendingTransferHasDifferentLedger;
        }
        if t.code != 0 && t.code != p.code {
            return R::PendingTransferHasDifferentCode;
        }
        let post = t.flags.contains(TransferFlags::POST_PENDING);
        let amount = if post {
            if t.amount > p.amount {
                return R::ExceedsPendingTransferAmount;
            }
            if t.amount == 0 { p.amount } else { t.amount }
        } else {
            if t.amount != 0 && t.amount != p.amount {
                return R::PendingTransferHasDifferentAmount;
            }
            p.amount
        };
        match state.status {
            PendingStatus::Posted => return R::PendingTransferAlreadyPosted,
            PendingStatus::Voided => return R::PendingTransferAlreadyVoided,
            PendingStatus::Expired => return R::PendingTransferExpired,
            PendingStatus::Pending => {
                if state.expires_at != 0 && timestamp >= state.expires_at {
                    return R::PendingTransferExpired;
                }
            }
        }
        let (dr_at, cr_at) = (p_row.debit, p_row.credit);
        let (dr, cr) = (*self.accounts.at(dr_at), *self.accounts.at(cr_at));
        // The only movement a closed account takes is a void, which gives a
        // reservation back (and reopens the account if it was the closing one).
        if post && dr.is_closed() {
            return R::DebitAccountAlreadyClosed;
        }
        if post && cr.is_closed() {
            return R::CreditAccountAlreadyClosed;
        }
        let (mut new_dr, mut new_cr) =
            (release(dr, &p, Side::Debit), release(cr, &p, Side::Credit));
        if post {
            let Some(v) = new_dr.debits_posted.checked_add(u128::from(amount)) else {
                return R::OverflowsDebitsPosted;
            };
            new_dr.debits_posted = v;
            let Some(v) = new_cr.credits_posted.checked_add(u128::from(amount)) else {
                return R::OverflowsCreditsPosted;
            };
            new_cr.credits_posted = v;
        } else {
            reopen(&mut new_dr, &mut new_cr, &p);
        }

        if self.undo_enabled {
            self.undo.push(Undo::AccountChanged(dr_at, dr));
            self.undo.push(Undo::AccountChanged(cr_at, cr));
            self.undo.push(Undo::TransferCreated);
        }
        self.accounts.set(dr_at, new_dr);
        self.accounts.set(cr_at, new_cr);
        let resolved = Transfer { code: p.code, ..*t };
        self.transfers.push(
            row(&resolved, amount, dr_at, cr_at, timestamp),
            t.pending_id,
        );
        let status = if post {
            PendingStatus::Posted
        } else {
            PendingStatus::Voided
        };
        self.set_pending(
            t.pending_id,
            Pending {
                status,
                expires_at: state.expires_at,
            },
        );
        R::Ok
    }

    /// Records a pending transfer's new standing, keeping the expiry index
    /// to the transfers still pending.
    fn set_pending(&mut self, id: u128, new: Pending) {
        let old = self.pending.insert(id, new);
        if self.undo_enabled {
            self.undo.push(Undo::PendingChanged(id, old));
        }
        if let Some(old) = old
            && old.status == PendingStatus::Pending
            && old.expires_at != 0
        {
            self.expiry.remove(&(old.expires_at, id));
        }
        if new.status == PendingStatus::Pending && new.expires_at != 0 {
            self.expiry.insert((new.expires_at, id));
        }
    }

    /// Takes a pending transfer's reservation off both accounts (expiry).
    pub(crate) fn release_pending(&mut self, p: &TransferRecord) {
        let dr_at = self.accounts.position(p.debit_account_id);
        let cr_at = self.accounts.position(p.credit_account_id);
        if let (Some(dr_at), Some(cr_at)) = (dr_at, cr_at) {
            let mut dr = release(*self.accounts.at(dr_at), p, Side::Debit);
            let mut cr = release(*self.accounts.at(cr_at), p, Side::Credit);
            reopen(&mut dr, &mut cr, p);
            self.accounts.set(dr_at, dr);
            self.accounts.set(cr_at, cr);
        }
    }
}

#[derive(Clone, Copy)]
enum Side {
    Debit,
    Credit,
}

/// The account with a pending transfer's reservation taken off. The
/// reservation was added when the transfer was created, so it is there to take.
fn release(mut account: Account, p: &TransferRecord, side: Side) -> Account {
    let amount = u128::from(p.amount);
    match side {
        Side::Debit => account.debits_pending = account.debits_pending.saturating_sub(amount),
        Side::Credit => account.credits_pending = account.credits_pending.saturating_sub(amount),
    }
    account
}

/// A closing transfer that is voided or expires gives the account back.
fn reopen(dr: &mut Account, cr: &mut Account, p: &TransferRecord) {
    if p.flags.contains(TransferFlags::CLOSING_DEBIT) {
        dr.flags.remove(AccountFlags::CLOSED);
    }
    if p.flags.contains(TransferFlags::CLOSING_CREDIT) {
        cr.flags.remove(AccountFlags::CLOSED);
    }
}

fn row(t: &Transfer, amount: u64, debit: u32, credit: u32, timestamp: u64) -> Row {
    Row {
        id: t.id,
        user_data: t.user_data,
        amount,
        timestamp,
        debit,
        credit,
        timeout: t.timeout,
        code: t.code,
        flags: t.flags.bits(),
    }
}

/// Checks that need nothing but the event itself.
fn check_shape(t: &Transfer) -> Result<(), R> {
    if TransferFlags::from_bits(t.flags.bits()).is_none() {
        return Err(R::ReservedFlag);
    }
    if t.id == 0 {
        return Err(R::IdMustNotBeZero);
    }
    if t.id == u128::MAX {
        return Err(R::IdMustNotBeIntMax);
    }
    let f = t.flags;
    let phases = [
        TransferFlags::PENDING,
        TransferFlags::POST_PENDING,
        TransferFlags::VOID_PENDING,
    ]
    .iter()
    .filter(|flag| f.contains(**flag))
    .count();
    if phases > 1 {
        return Err(R::FlagsAreMutuallyExclusive);
    }
    if f.intersects(TransferFlags::CLOSING_DEBIT | TransferFlags::CLOSING_CREDIT)
        && !f.contains(TransferFlags::PENDING)
    {
        return Err(R::ClosingTransferMustBePending);
    }
    if t.is_post_or_void() {
        check_post_or_void_shape(t)
    } else {
        check_plain_shape(t)
    }
}

fn check_plain_shape(t: &Transfer) -> Result<(), R> {
    if t.debit_account_id == 0 {
        return Err(R::DebitAccountIdMustNotBeZero);
    }
    if t.debit_account_id == u128::MAX {
        return Err(R::DebitAccountIdMustNotBeIntMax);
    }
    if t.credit_account_id == 0 {
        return Err(R::CreditAccountIdMustNotBeZero);
    }
    if t.credit_account_id == u128::MAX {
        return Err(R::CreditAccountIdMustNotBeIntMax);
    }
    if t.debit_account_id == t.credit_account_id {
        return Err(R::AccountsMustBeDifferent);
    }
    if t.pending_id != 0 {
        return Err(R::PendingIdMustBeZero);
    }
    if t.timeout != 0 && !t.flags.contains(TransferFlags::PENDING) {
        return Err(R::TimeoutReservedForPendingTransfer);
    }
    // A closing transfer may reserve nothing: it only closes the account.
    if t.amount == 0
        && !t
            .flags
            .intersects(TransferFlags::CLOSING_DEBIT | TransferFlags::CLOSING_CREDIT)
    {
        return Err(R::AmountMustNotBeZero);
    }
    if t.ledger == 0 {
        return Err(R::LedgerMustNotBeZero);
    }
    if t.code == 0 {
        return Err(R::CodeMustNotBeZero);
    }
    Ok(())
}

fn check_post_or_void_shape(t: &Transfer) -> Result<(), R> {
    if t.pending_id == 0 {
        return Err(R::PendingIdMustNotBeZero);
    }
    if t.pending_id == u128::MAX {
        return Err(R::PendingIdMustNotBeIntMax);
    }
    if t.pending_id == t.id {
        return Err(R::PendingIdMustBeDifferent);
    }
    if t.debit_account_id == u128::MAX {
        return Err(R::DebitAccountIdMustNotBeIntMax);
    }
    if t.credit_account_id == u128::MAX {
        return Err(R::CreditAccountIdMustNotBeIntMax);
    }
    if t.debit_account_id != 0 && t.debit_account_id == t.credit_account_id {
        return Err(R::AccountsMustBeDifferent);
    }
    if t.timeout != 0 {
        return Err(R::TimeoutReservedForPendingTransfer);
    }
    Ok(())
}

fn compare_plain(t: &Transfer, e: &TransferRecord) -> R {
    if t.flags != e.flags {
        R::ExistsWithDifferentFlags
    } else if t.debit_account_id != e.debit_account_id {
        R::ExistsWithDifferentDebitAccountId
    } else if t.credit_account_id != e.credit_account_id {
        R::ExistsWithDifferentCreditAccountId
    } else if t.amount != e.amount {
        R::ExistsWithDifferentAmount
    } else if t.pending_id != e.pending_id {
        R::ExistsWithDifferentPendingId
    } else if t.user_data != e.user_data {
        R::ExistsWithDifferentUserData
    } else if t.timeout != e.timeout {
        R::ExistsWithDifferentTimeout
    } else if t.ledger != e.ledger {
        R::ExistsWithDifferentLedger
    } else if t.code != e.code {
        R::ExistsWithDifferentCode
    } else {
        R::Exists
    }
}

/// A post or void may leave fields zero ("as the pending transfer"); a zero
/// field matches whatever was resolved the first time.
fn compare_post_or_void(t: &Transfer, e: &TransferRecord, pending_amount: Option<u64>) -> R {
    let differs = |given: u128, stored: u128| given != 0 && given != stored;
    let amount = match (t.amount, pending_amount) {
        (0, Some(whole)) => whole,
        (given, _) => given,
    };
    if t.flags != e.flags {
        R::ExistsWithDifferentFlags
    } else if differs(t.debit_account_id, e.debit_account_id) {
        R::ExistsWithDifferentDebitAccountId
    } else if differs(t.credit_account_id, e.credit_account_id) {
        R::ExistsWithDifferentCreditAccountId
    } else if differs(u128::from(amount), u128::from(e.amount)) {
        R::ExistsWithDifferentAmount
    } else if t.pending_id != e.pending_id {
        R::ExistsWithDifferentPendingId
    } else if t.user_data != e.user_data {
        R::ExistsWithDifferentUserData
    } else if t.timeout != e.timeout {
        R::ExistsWithDifferentTimeout
    } else if differs(u128::from(t.ledger), u128::from(e.ledger)) {
        R::ExistsWithDifferentLedger
    } else if differs(u128::from(t.code), u128::from(e.code)) {
        R::ExistsWithDifferentCode
    } else {
        R::Exists
    }
}
