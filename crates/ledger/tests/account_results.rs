//! One test per `CreateAccountResult` code. A refused account must leave the
//! ledger exactly as it was, so every refusal also compares full snapshots.

mod common;

use common::*;
use trigate_ledger::{
    AccountFlags, CreateAccountResult as R, CreateTransferResult, Ledger, NewAccount, Transfer,
    TransferFlags,
};

fn create(ledger: &mut Ledger, events: &[NewAccount]) -> Vec<R> {
    ledger.create_accounts(next_ts(ledger), events).unwrap()
}

fn assert_account_refused(event: NewAccount, expected: R) {
    let mut ledger = setup();
    let before = snapshot(&ledger);
    let batches = ledger.batch_count();
    assert_eq!(create(&mut ledger, &[event]), vec![expected]);
    assert_eq!(snapshot(&ledger), before);
    assert_eq!(ledger.account_count(), 5);
    // A refused event is still part of an applied batch: the chain records it.
    assert_eq!(ledger.batch_count(), batches + 1);
}

fn linked(mut a: NewAccount) -> NewAccount {
    a.flags.insert(AccountFlags::LINKED);
    a
}

#[test]
fn new_accounts_start_empty_and_are_stamped_with_their_event_time() {
    let mut ledger = Ledger::new();
    let events = [
        new_account(10, AccountFlags::empty()),
        NewAccount {
            user_data: 42,
            ..new_account(11, AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
        },
    ];
    assert_eq!(
        ledger.create_accounts(100, &events).unwrap(),
        vec![R::Ok, R::Ok]
    );
    let a = ledger.account(11).unwrap();
    assert_eq!(a.timestamp, 101);
    assert_eq!(a.user_data, 42);
    assert_eq!(a.ledger, LEDGER);
    assert_eq!(a.code, CODE);
    assert_eq!(a.flags, AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS);
    assert_eq!(counters(&ledger, 11), [0; 4]);
    assert_eq!(ledger.account(10).unwrap().timestamp, 100);
    assert_eq!(ledger.last_timestamp(), 101);
}

#[test]
fn linked_accounts_fail_together() {
    let mut ledger = setup();
    let before = snapshot(&ledger);
    let results = create(
        &mut ledger,
        &[
            linked(new_account(10, AccountFlags::empty())),
            linked(new_account(11, AccountFlags::empty())),
            new_account(0, AccountFlags::empty()),
        ],
    );
    assert_eq!(
        results,
        vec![
            R::LinkedEventFailed,
            R::LinkedEventFailed,
            R::IdMustNotBeZero
        ]
    );
    assert_eq!(snapshot(&ledger), before);
    // Nothing was remembered about the rolled-back accounts.
    assert_eq!(
        create(&mut ledger, &[new_account(10, AccountFlags::empty())]),
        vec![R::Ok]
    );
}

#[test]
fn linked_accounts_that_all_succeed_are_created() {
    let mut ledger = setup();
    let results = create(
        &mut ledger,
        &[
            linked(new_account(10, AccountFlags::empty())),
            new_account(11, AccountFlags::empty()),
        ],
    );
    assert_eq!(results, vec![R::Ok, R::Ok]);
    assert_eq!(ledger.account_count(), 7);
    assert!(
        ledger
            .account(10)
            .unwrap()
            .flags
            .contains(AccountFlags::LINKED)
    );
}

#[test]
fn open_chain_at_batch_end_is_refused() {
    let mut ledger = setup();
    let results = create(
        &mut ledger,
        &[
            new_account(10, AccountFlags::empty()),
            linked(new_account(11, AccountFlags::empty())),
            linked(new_account(12, AccountFlags::empty())),
        ],
    );
    assert_eq!(
        results,
        vec![R::Ok, R::LinkedEventFailed, R::LinkedEventChainOpen]
    );
    assert!(ledger.account(10).is_some());
    assert!(ledger.account(11).is_none());
    assert!(ledger.account(12).is_none());
}

#[test]
fn account_with_unknown_flag_bit_is_refused() {
    assert_account_refused(
        new_account(10, AccountFlags::from_bits_retain(1 << 4)),
        R::ReservedFlag,
    );
}

#[test]
fn account_with_zero_id_is_refused() {
    assert_account_refused(new_account(0, AccountFlags::empty()), R::IdMustNotBeZero);
}

#[test]
fn account_with_max_id_is_refused() {
    assert_account_refused(
        new_account(u128::MAX, AccountFlags::empty()),
        R::IdMustNotBeIntMax,
    );
}

#[test]
fn account_cannot_be_both_liability_and_asset() {
    assert_account_refused(
        new_account(
            10,
            AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS
                | AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS,
        ),
        R::FlagsAreMutuallyExclusive,
    );
}

#[test]
fn account_on_ledger_zero_is_refused() {
    assert_account_refused(
        NewAccount {
            ledger: 0,
            ..new_account(10, AccountFlags::empty())
        },
        R::LedgerMustNotBeZero,
    );
}

#[test]
fn account_with_code_zero_is_refused() {
    assert_account_refused(
        NewAccount {
            code: 0,
            ..new_account(10, AccountFlags::empty())
        },
        R::CodeMustNotBeZero,
    );
}

#[test]
fn existing_id_with_different_flags_is_refused() {
    assert_account_refused(
        new_account(WALLET, AccountFlags::empty()),
        R::ExistsWithDifferentFlags,
    );
}

#[test]
fn existing_id_with_different_user_data_is_refused() {
    assert_account_refused(
        NewAccount {
            user_data: 9,
            ..new_account(A, AccountFlags::empty())
        },
        R::ExistsWithDifferentUserData,
    );
}

#[test]
fn existing_id_with_different_ledger_is_refused() {
    assert_account_refused(
        NewAccount {
            ledger: 2,
            ..new_account(A, AccountFlags::empty())
        },
        R::ExistsWithDifferentLedger,
    );
}

#[test]
fn existing_id_with_different_code_is_refused() {
    assert_account_refused(
        NewAccount {
            code: CODE + 1,
            ..new_account(A, AccountFlags::empty())
        },
        R::ExistsWithDifferentCode,
    );
}

#[test]
fn same_account_twice_reports_exists() {
    let mut ledger = setup();
    let event = new_account(10, AccountFlags::empty());
    assert_eq!(create(&mut ledger, &[event, event]), vec![R::Ok, R::Exists]);
    let created = *ledger.account(10).unwrap();
    assert_eq!(create(&mut ledger, &[event]), vec![R::Exists]);
    // The retry must not restamp the account.
    assert_eq!(*ledger.account(10).unwrap(), created);
    assert_eq!(ledger.account_count(), 6);
}

#[test]
fn account_closed_by_a_transfer_still_reports_exists_on_retry() {
    let mut ledger = setup();
    let closing = Transfer {
        flags: TransferFlags::PENDING | TransferFlags::CLOSING_DEBIT,
        ..transfer(10, A, B, 1)
    };
    assert_eq!(submit_one(&mut ledger, closing), CreateTransferResult::Ok);
    assert!(ledger.account(A).unwrap().is_closed());
    // The retry of the original request is the same request: CLOSED came later.
    assert_eq!(
        create(&mut ledger, &[new_account(A, AccountFlags::empty())]),
        vec![R::Exists]
    );
    assert!(ledger.account(A).unwrap().is_closed());
}

#[test]
fn account_created_closed_takes_no_transfers() {
    let mut ledger = setup();
    assert_eq!(
        create(&mut ledger, &[new_account(10, AccountFlags::CLOSED)]),
        vec![R::Ok]
    );
    assert_refused(
        &mut ledger,
        transfer(20, A, 10, 1),
        CreateTransferResult::CreditAccountAlreadyClosed,
    );
}

#[test]
fn chain_of_existing_accounts_reports_exists_for_every_event() {
    let mut ledger = setup();
    let chain = [
        linked(new_account(10, AccountFlags::empty())),
        new_account(11, AccountFlags::empty()),
    ];
    assert_eq!(create(&mut ledger, &chain), vec![R::Ok, R::Ok]);
    assert_eq!(create(&mut ledger, &chain), vec![R::Exists, R::Exists]);
    assert_eq!(ledger.account_count(), 7);
}

#[test]
fn chain_mixing_existing_and_new_accounts_creates_nothing() {
    let mut ledger = setup();
    let before = snapshot(&ledger);
    let results = create(
        &mut ledger,
        &[
            linked(new_account(10, AccountFlags::empty())),
            new_account(A, AccountFlags::empty()),
        ],
    );
    assert_eq!(results, vec![R::LinkedEventFailed, R::Exists]);
    assert_eq!(snapshot(&ledger), before);
}

#[test]
fn every_account_code_is_pinned_above() {
    // A new code must get its own test in this file; this count is the reminder.
    assert_eq!(R::ALL.len(), 15);
}

#[test]
fn account_id_repeated_in_a_chain_is_refused_and_nothing_created() {
    let mut ledger = Ledger::new();
    let a = linked(new_account(10, AccountFlags::empty()));
    let results = create(&mut ledger, &[a, a, new_account(11, AccountFlags::empty())]);
    assert_eq!(
        results,
        vec![
            R::LinkedEventFailed,
            R::IdRepeatedInChain,
            R::LinkedEventFailed
        ]
    );
    assert!(ledger.account(10).is_none());
    assert!(ledger.account(11).is_none());
}
