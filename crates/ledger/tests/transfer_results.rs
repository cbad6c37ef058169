//! One test per `CreateTransferResult` code. Refusals are checked with full
//! snapshots: a refused event must leave no trace in accounts or transfers.

mod common;

use common::*;
use trigate_ledger::{
    AccountFlags, CreateTransferResult as R, Ledger, NANOS_PER_SECOND, PendingStatus, Transfer,
    TransferFlags,
};

/// A ledger holding pending transfer 10: A → B, 100, no timeout.
fn with_pending() -> Ledger {
    let mut ledger = setup();
    assert_eq!(submit_one(&mut ledger, pending(10, A, B, 100, 0)), R::Ok);
    ledger
}

/// A ledger holding plain transfer 10 (A → B, 100, user_data 1) and the event that made it.
fn with_plain() -> (Ledger, Transfer) {
    let mut ledger = setup();
    let t = Transfer {
        user_data: 1,
        ..transfer(10, A, B, 100)
    };
    assert_eq!(submit_one(&mut ledger, t), R::Ok);
    (ledger, t)
}

fn closing_debit(id: u128, dr: u128, cr: u128) -> Transfer {
    Transfer {
        flags: TransferFlags::PENDING | TransferFlags::CLOSING_DEBIT,
        ..transfer(id, dr, cr, 1)
    }
}

#[test]
fn plain_transfer_moves_posted_counters_and_is_recorded() {
    let mut ledger = setup();
    let ts = next_ts(&ledger);
    assert_eq!(submit_one(&mut ledger, transfer(10, A, B, 250)), R::Ok);
    assert_eq!(counters(&ledger, A), [0, 250, 0, 0]);
    assert_eq!(counters(&ledger, B), [0, 0, 0, 250]);
    let record = ledger.transfer(10).unwrap();
    assert_eq!(record.timestamp, ts);
    assert_eq!(record.amount, 250);
    // A plain transfer has no pending standing.
    assert_eq!(ledger.pending_status(10), None);
}

#[test]
fn chain_with_a_failing_event_applies_nothing() {
    let mut ledger = setup();
    let before = snapshot(&ledger);
    let results = submit(
        &mut ledger,
        &[linked(transfer(10, A, B, 5)), transfer(11, A, A, 5)],
    );
    assert_eq!(
        results,
        vec![R::LinkedEventFailed, R::AccountsMustBeDifferent]
    );
    assert_eq!(snapshot(&ledger), before);
}

#[test]
fn open_chain_at_batch_end_is_refused() {
    let mut ledger = setup();
    let results = submit(
        &mut ledger,
        &[
            transfer(9, A, B, 1),
            linked(transfer(10, A, B, 2)),
            linked(transfer(11, A, B, 3)),
        ],
    );
    assert_eq!(
        results,
        vec![R::Ok, R::LinkedEventFailed, R::LinkedEventChainOpen]
    );
    assert_eq!(counters(&ledger, A), [0, 1, 0, 0]);
    assert_eq!(ledger.transfer_count(), 1);
}

/// Submits transfer 10 (A → B, 1), altered by `change`, to a fresh ledger.
fn new_transfer_refused(change: fn(&mut Transfer), expected: R) {
    let mut t = transfer(10, A, B, 1);
    change(&mut t);
    assert_refused(&mut setup(), t, expected);
}

/// Retries the transfer of `with_plain`, altered by `change`.
fn retry_refused(change: fn(&mut Transfer), expected: R) {
    let (mut ledger, mut t) = with_plain();
    change(&mut t);
    assert_refused(&mut ledger, t, expected);
}

/// Posts the pending transfer of `with_pending` as transfer 11, altered by `change`.
fn post_refused(change: fn(&mut Transfer), expected: R) {
    let mut t = post(11, 10, 0);
    change(&mut t);
    assert_refused(&mut with_pending(), t, expected);
}

#[test]
fn unknown_flag_bit_is_refused() {
    new_transfer_refused(
        |t| t.flags = TransferFlags::from_bits_retain(1 << 6),
        R::ReservedFlag,
    );
}

#[test]
fn zero_id_is_refused() {
    new_transfer_refused(|t| t.id = 0, R::IdMustNotBeZero);
}

#[test]
fn max_id_is_refused() {
    new_transfer_refused(|t| t.id = u128::MAX, R::IdMustNotBeIntMax);
}

#[test]
fn pending_and_post_flags_together_are_refused() {
    new_transfer_refused(
        |t| t.flags = TransferFlags::PENDING | TransferFlags::POST_PENDING,
        R::FlagsAreMutuallyExclusive,
    );
}

#[test]
fn zero_debit_account_is_refused() {
    new_transfer_refused(|t| t.debit_account_id = 0, R::DebitAccountIdMustNotBeZero);
}

#[test]
fn max_debit_account_is_refused() {
    new_transfer_refused(
        |t| t.debit_account_id = u128::MAX,
        R::DebitAccountIdMustNotBeIntMax,
    );
}

#[test]
fn zero_credit_account_is_refused() {
    new_transfer_refused(|t| t.credit_account_id = 0, R::CreditAccountIdMustNotBeZero);
}

#[test]
fn max_credit_account_is_refused() {
    new_transfer_refused(
        |t| t.credit_account_id = u128::MAX,
        R::CreditAccountIdMustNotBeIntMax,
    );
}

#[test]
fn transfer_to_the_same_account_is_refused() {
    new_transfer_refused(|t| t.credit_account_id = A, R::AccountsMustBeDifferent);
}

#[test]
fn plain_transfer_with_pending_id_is_refused() {
    let mut ledger = with_pending();
    let t = Transfer {
        pending_id: 10,
        ..transfer(11, A, B, 1)
    };
    assert_refused(&mut ledger, t, R::PendingIdMustBeZero);
}

#[test]
fn post_without_pending_id_is_refused() {
    post_refused(|t| t.pending_id = 0, R::PendingIdMustNotBeZero);
}

#[test]
fn post_with_max_pending_id_is_refused() {
    post_refused(|t| t.pending_id = u128::MAX, R::PendingIdMustNotBeIntMax);
}

#[test]
fn post_naming_itself_as_pending_is_refused() {
    post_refused(|t| t.pending_id = t.id, R::PendingIdMustBeDifferent);
}

#[test]
fn timeout_on_a_plain_transfer_or_a_post_is_refused() {
    new_transfer_refused(|t| t.timeout = 5, R::TimeoutReservedForPendingTransfer);
    post_refused(|t| t.timeout = 5, R::TimeoutReservedForPendingTransfer);
}

#[test]
fn closing_transfer_that_is_not_pending_is_refused() {
    new_transfer_refused(
        |t| t.flags = TransferFlags::CLOSING_CREDIT,
        R::ClosingTransferMustBePending,
    );
}

#[test]
fn zero_amount_is_refused() {
    new_transfer_refused(|t| t.amount = 0, R::AmountMustNotBeZero);
    assert_refused(
        &mut setup(),
        pending(10, A, B, 0, 0),
        R::AmountMustNotBeZero,
    );
}

#[test]
fn ledger_zero_is_refused() {
    new_transfer_refused(|t| t.ledger = 0, R::LedgerMustNotBeZero);
}

#[test]
fn code_zero_is_refused() {
    new_transfer_refused(|t| t.code = 0, R::CodeMustNotBeZero);
}

#[test]
fn existing_id_with_different_flags_is_refused() {
    retry_refused(
        |t| t.flags = TransferFlags::PENDING,
        R::ExistsWithDifferentFlags,
    );
    // LINKED is part of what was asked, so it counts as a difference too.
    let (mut ledger, t) = with_plain();
    let before = snapshot(&ledger);
    let results = submit(&mut ledger, &[linked(t), transfer(11, A, B, 1)]);
    assert_eq!(
        results,
        vec![R::ExistsWithDifferentFlags, R::LinkedEventFailed]
    );
    assert_eq!(snapshot(&ledger), before);
}

#[test]
fn existing_id_with_different_debit_account_is_refused() {
    retry_refused(
        |t| t.debit_account_id = BANK,
        R::ExistsWithDifferentDebitAccountId,
    );
}

#[test]
fn existing_id_with_different_credit_account_is_refused() {
    retry_refused(
        |t| t.credit_account_id = BANK,
        R::ExistsWithDifferentCreditAccountId,
    );
}

#[test]
fn existing_id_with_different_amount_is_refused() {
    retry_refused(|t| t.amount = 101, R::ExistsWithDifferentAmount);
}

#[test]
fn existing_post_with_a_different_explicit_amount_is_refused() {
    let mut ledger = with_pending();
    assert_eq!(submit_one(&mut ledger, post(11, 10, 60)), R::Ok);
    assert_refused(&mut ledger, post(11, 10, 61), R::ExistsWithDifferentAmount);
}

/// Amount 0 on a post means "the whole pending amount" (100), so it is not the
/// partial post of 60 that id 11 recorded. Reporting `exists` would tell a
/// client retrying a full capture that 100 moved when only 60 did.
#[test]
fn full_post_retried_against_an_earlier_partial_post_is_refused() {
    let mut ledger = with_pending();
    assert_eq!(submit_one(&mut ledger, post(11, 10, 60)), R::Ok);
    assert_refused(&mut ledger, post(11, 10, 0), R::ExistsWithDifferentAmount);
}

#[test]
fn existing_post_with_different_pending_id_is_refused() {
    let mut ledger = with_pending();
    assert_eq!(submit_one(&mut ledger, pending(12, A, B, 100, 0)), R::Ok);
    assert_eq!(submit_one(&mut ledger, post(11, 10, 0)), R::Ok);
    assert_refused(
        &mut ledger,
        post(11, 12, 0),
        R::ExistsWithDifferentPendingId,
    );
}

#[test]
fn existing_id_with_different_user_data_is_refused() {
    retry_refused(|t| t.user_data = 2, R::ExistsWithDifferentUserData);
}

#[test]
fn existing_pending_with_different_timeout_is_refused() {
    let mut ledger = setup();
    assert_eq!(submit_one(&mut ledger, pending(10, A, B, 100, 5)), R::Ok);
    assert_refused(
        &mut ledger,
        pending(10, A, B, 100, 6),
        R::ExistsWithDifferentTimeout,
    );
}

#[test]
fn existing_id_with_different_ledger_is_refused() {
    retry_refused(|t| t.ledger = 2, R::ExistsWithDifferentLedger);
}

#[test]
fn existing_id_with_different_code_is_refused() {
    retry_refused(|t| t.code = CODE + 1, R::ExistsWithDifferentCode);
}

#[test]
fn same_transfer_twice_reports_exists_and_moves_money_once() {
    let (mut ledger, t) = with_plain();
    let record = ledger.transfer(10).unwrap();
    assert_eq!(submit(&mut ledger, &[t, t]), vec![R::Exists, R::Exists]);
    assert_eq!(counters(&ledger, A), [0, 100, 0, 0]);
    assert_eq!(ledger.transfer(10).unwrap(), record);
}

#[test]
fn post_retried_with_fields_left_zero_reports_exists() {
    let mut ledger = with_pending();
    let explicit = Transfer {
        debit_account_id: A,
        credit_account_id: B,
        ledger: LEDGER,
        code: CODE,
        ..post(11, 10, 100)
    };
    assert_eq!(submit_one(&mut ledger, explicit), R::Ok);
    assert_refused(&mut ledger, post(11, 10, 0), R::Exists);
    assert_refused(&mut ledger, explicit, R::Exists);
}

#[test]
fn id_that_failed_for_lack_of_funds_stays_failed_after_funding() {
    let mut ledger = setup();
    assert_eq!(
        submit_one(&mut ledger, transfer(10, WALLET, B, 50)),
        R::ExceedsCredits
    );
    fund(&mut ledger, 11, WALLET, 100);
    // Funds are there now, but applying id 10 late would surprise whoever saw it fail.
    assert_refused(&mut ledger, transfer(10, WALLET, B, 50), R::IdAlreadyFailed);
    assert_refused(&mut ledger, transfer(10, A, B, 7), R::IdAlreadyFailed);
    assert_eq!(counters(&ledger, WALLET), [0, 0, 0, 100]);
}

#[test]
fn missing_debit_account_is_refused_and_remembered() {
    let mut ledger = setup();
    assert_refused(&mut ledger, transfer(10, 99, B, 1), R::DebitAccountNotFound);
    let created = ledger
        .create_accounts(next_ts(&ledger), &[new_account(99, AccountFlags::empty())])
        .unwrap();
    assert!(created[0].is_success());
    assert_refused(&mut ledger, transfer(10, 99, B, 1), R::IdAlreadyFailed);
}

#[test]
fn missing_credit_account_is_refused() {
    new_transfer_refused(|t| t.credit_account_id = 99, R::CreditAccountNotFound);
}

#[test]
fn accounts_on_different_ledgers_are_refused() {
    new_transfer_refused(
        |t| t.credit_account_id = FOREIGN,
        R::AccountsMustHaveTheSameLedger,
    );
}

#[test]
fn transfer_ledger_other_than_the_accounts_ledger_is_refused() {
    new_transfer_refused(|t| t.ledger = 2, R::LedgerMismatch);
}

#[test]
fn post_of_unknown_pending_is_refused() {
    post_refused(|t| t.pending_id = 99, R::PendingTransferNotFound);
}

#[test]
fn post_of_a_plain_transfer_is_refused() {
    let (mut ledger, _) = with_plain();
    assert_refused(&mut ledger, post(11, 10, 0), R::PendingTransferNotPending);
}

#[test]
fn post_naming_another_debit_account_is_refused() {
    post_refused(
        |t| t.debit_account_id = BANK,
        R::PendingTransferHasDifferentDebitAccountId,
    );
}

#[test]
fn post_naming_another_credit_account_is_refused() {
    post_refused(
        |t| t.credit_account_id = BANK,
        R::PendingTransferHasDifferentCreditAccountId,
    );
}

#[test]
fn post_naming_another_ledger_is_refused() {
    post_refused(|t| t.ledger = 2, R::PendingTransferHasDifferentLedger);
}

#[test]
fn post_naming_another_code_is_refused() {
    post_refused(|t| t.code = CODE + 1, R::PendingTransferHasDifferentCode);
}

#[test]
fn post_above_pending_amount_is_refused() {
    post_refused(|t| t.amount = 101, R::ExceedsPendingTransferAmount);
}

#[test]
fn partial_void_is_refused() {
    let t = Transfer {
        amount: 40,
        ..void(11, 10)
    };
    assert_refused(&mut with_pending(), t, R::PendingTransferHasDifferentAmount);
}

#[test]
fn post_of_a_posted_pending_is_refused() {
    let mut ledger = with_pending();
    assert_eq!(submit_one(&mut ledger, post(11, 10, 0)), R::Ok);
    assert_refused(
        &mut ledger,
        post(12, 10, 0),
        R::PendingTransferAlreadyPosted,
    );
}

#[test]
fn void_of_a_voided_pending_is_refused() {
    let mut ledger = with_pending();
    assert_eq!(submit_one(&mut ledger, void(11, 10)), R::Ok);
    assert_refused(&mut ledger, void(12, 10), R::PendingTransferAlreadyVoided);
}

#[test]
fn void_of_an_expired_pending_is_refused() {
    let mut ledger = setup();
    assert_eq!(submit_one(&mut ledger, pending(10, A, B, 100, 1)), R::Ok);
    assert_eq!(
        ledger
            .expire(ledger.last_timestamp() + NANOS_PER_SECOND)
            .unwrap(),
        vec![10]
    );
    assert_refused(&mut ledger, void(11, 10), R::PendingTransferExpired);
}

#[test]
fn closing_debit_closes_the_account_until_voided() {
    let mut ledger = setup();
    assert_eq!(submit_one(&mut ledger, closing_debit(10, A, B)), R::Ok);
    assert!(ledger.account(A).unwrap().is_closed());
    assert!(!ledger.account(B).unwrap().is_closed());
    assert_refused(
        &mut ledger,
        transfer(11, A, B, 1),
        R::DebitAccountAlreadyClosed,
    );
    assert_refused(
        &mut ledger,
        transfer(12, B, A, 1),
        R::CreditAccountAlreadyClosed,
    );
    assert_eq!(submit_one(&mut ledger, void(13, 10)), R::Ok);
    assert!(!ledger.account(A).unwrap().is_closed());
    assert_eq!(counters(&ledger, A), [0; 4]);
    assert_eq!(submit_one(&mut ledger, transfer(14, A, B, 1)), R::Ok);
}

#[test]
fn closing_credit_closes_the_credit_account() {
    let mut ledger = setup();
    let closing = Transfer {
        flags: TransferFlags::PENDING | TransferFlags::CLOSING_CREDIT,
        ..transfer(10, A, B, 1)
    };
    assert_eq!(submit_one(&mut ledger, closing), R::Ok);
    assert!(!ledger.account(A).unwrap().is_closed());
    assert_refused(
        &mut ledger,
        transfer(11, A, B, 1),
        R::CreditAccountAlreadyClosed,
    );
    // The refusal depended on state, so the id is spent even once B reopens.
    assert_eq!(submit_one(&mut ledger, void(12, 10)), R::Ok);
    assert_refused(&mut ledger, transfer(11, A, B, 1), R::IdAlreadyFailed);
}

#[test]
fn closing_transfer_cannot_be_posted_only_voided() {
    let mut ledger = setup();
    assert_eq!(submit_one(&mut ledger, closing_debit(10, A, B)), R::Ok);
    // Posting would move money out of the account it closed.
    assert_refused(&mut ledger, post(11, 10, 0), R::DebitAccountAlreadyClosed);
    assert!(ledger.account(A).unwrap().is_closed());
    assert_eq!(submit_one(&mut ledger, void(12, 10)), R::Ok);
    assert!(!ledger.account(A).unwrap().is_closed());
}

/// TigerBeetle allows only voids to move money in a closed account; a post of
/// an older pending transfer would otherwise debit an account that its owner
/// closed, despite `AccountFlags::CLOSED` promising "takes no new transfers".
#[test]
fn posting_an_older_pending_on_a_closed_account_is_refused() {
    let mut ledger = with_pending();
    assert_eq!(submit_one(&mut ledger, closing_debit(11, A, B)), R::Ok);
    assert_refused(&mut ledger, post(12, 10, 0), R::DebitAccountAlreadyClosed);
    // Releasing the reservation is still allowed.
    assert_eq!(submit_one(&mut ledger, void(13, 10)), R::Ok);
}

/// Counters are u128 and amounts u64, so overflowing a counter would take
/// about 2^64 maximal transfers: these codes exist for parity with
/// TigerBeetle but cannot be reached through the public API.
#[test]
fn counter_overflow_codes_are_unreachable_with_u64_amounts() {
    for code in [
        R::OverflowsDebitsPending,
        R::OverflowsCreditsPending,
        R::OverflowsDebitsPosted,
        R::OverflowsCreditsPosted,
        R::OverflowsDebits,
        R::OverflowsCredits,
    ] {
        assert!(R::ALL.contains(&code), "{code}");
        assert!(code.is_transient(), "{code}");
    }
    let mut ledger = setup();
    let max = u128::from(u64::MAX);
    let results = submit(
        &mut ledger,
        &[
            transfer(10, A, B, u64::MAX),
            transfer(11, A, B, u64::MAX),
            pending(12, A, B, u64::MAX, 0),
            post(13, 12, 0),
        ],
    );
    assert_eq!(results, vec![R::Ok; 4]);
    assert_eq!(counters(&ledger, A), [0, 3 * max, 0, 0]);
    assert_eq!(counters(&ledger, B), [0, 0, 0, 3 * max]);
}

#[test]
fn pending_timeout_past_the_end_of_time_is_refused() {
    let mut ledger = Ledger::new();
    let start = u64::MAX - 10 * NANOS_PER_SECOND;
    let accounts = [
        new_account(A, AccountFlags::empty()),
        new_account(B, AccountFlags::empty()),
    ];
    assert!(
        ledger
            .create_accounts(start, &accounts)
            .unwrap()
            .iter()
            .all(|r| r.is_success())
    );
    assert_refused(
        &mut ledger,
        pending(10, A, B, 1, u32::MAX),
        R::OverflowsTimeout,
    );
    assert_refused(&mut ledger, pending(10, A, B, 1, 0), R::IdAlreadyFailed);
    // Ten seconds still fit before u64::MAX nanoseconds.
    assert_eq!(submit_one(&mut ledger, pending(11, A, B, 1, 9)), R::Ok);
    assert_eq!(ledger.pending_status(11), Some(PendingStatus::Pending));
}

#[test]
fn debit_beyond_a_liability_balance_is_refused() {
    let mut ledger = setup();
    fund(&mut ledger, 10, WALLET, 100);
    assert_refused(&mut ledger, transfer(11, WALLET, B, 101), R::ExceedsCredits);
    // Reservations count against the balance too.
    assert_eq!(
        submit_one(&mut ledger, pending(12, WALLET, B, 60, 0)),
        R::Ok
    );
    assert_refused(&mut ledger, transfer(13, WALLET, B, 41), R::ExceedsCredits);
    assert_eq!(submit_one(&mut ledger, transfer(14, WALLET, B, 40)), R::Ok);
    assert_eq!(counters(&ledger, WALLET), [60, 40, 0, 100]);
    assert_eq!(ledger.account(WALLET).unwrap().available_credit(), 0);
}

#[test]
fn credit_beyond_an_asset_balance_is_refused() {
    let mut ledger = setup();
    assert_refused(&mut ledger, transfer(10, A, BANK, 1), R::ExceedsDebits);
    assert_eq!(submit_one(&mut ledger, transfer(11, BANK, A, 50)), R::Ok);
    assert_refused(&mut ledger, pending(12, A, BANK, 51, 0), R::ExceedsDebits);
    assert_eq!(submit_one(&mut ledger, transfer(13, A, BANK, 50)), R::Ok);
    assert_eq!(counters(&ledger, BANK), [0, 50, 0, 50]);
}

#[test]
fn every_transfer_code_is_pinned_above() {
    // A new code must get its own test in this file; this count is the reminder.
    assert_eq!(R::ALL.len(), 59);
}

/// An empty wallet holds nothing to reserve, yet its owner may still close it.
#[test]
fn empty_liability_can_be_closed_with_a_zero_amount_closing_transfer() {
    let mut ledger = setup();
    let close = Transfer {
        amount: 0,
        ..closing_debit(10, WALLET, B)
    };
    assert_eq!(counters(&ledger, WALLET), [0, 0, 0, 0]);
    assert_eq!(submit_one(&mut ledger, close), R::Ok);
    assert!(ledger.account(WALLET).unwrap().is_closed());
    assert_refused(
        &mut ledger,
        transfer(11, WALLET, B, 0),
        R::AmountMustNotBeZero,
    );
}
