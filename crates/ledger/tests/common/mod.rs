//! Fixtures shared by the ledger's integration tests.

// Each test crate compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use trigate_ledger::{
    Account, AccountFlags, CreateAccountResult, CreateTransferResult, Ledger, NewAccount,
    PendingStatus, Transfer, TransferFlags, TransferRecord,
};

pub const LEDGER: u32 = 1;
pub const CODE: u16 = 7;

/// A user's wallet: a liability that can never be overdrawn.
pub const WALLET: u128 = 1;
/// Money held at a payment provider: an asset never credited beyond its debits.
pub const BANK: u128 = 2;
/// Unconstrained accounts on `LEDGER`.
pub const A: u128 = 3;
pub const B: u128 = 4;
/// An unconstrained account on ledger 2.
pub const FOREIGN: u128 = 5;

pub fn new_account(id: u128, flags: AccountFlags) -> NewAccount {
    NewAccount {
        id,
        ledger: LEDGER,
        code: CODE,
        flags,
        user_data: 0,
    }
}

/// A ledger holding the five accounts above, created at timestamps 1..=5.
pub fn setup() -> Ledger {
    let mut ledger = Ledger::new();
    let results = ledger
        .create_accounts(
            1,
            &[
                new_account(WALLET, AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS),
                new_account(BANK, AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS),
                new_account(A, AccountFlags::empty()),
                new_account(B, AccountFlags::empty()),
                NewAccount {
                    ledger: 2,
                    ..new_account(FOREIGN, AccountFlags::empty())
                },
            ],
        )
        .unwrap();
    assert_eq!(results, vec![CreateAccountResult::Ok; 5]);
    ledger
}

/// The first timestamp the ledger will accept for its next batch.
pub fn next_ts(ledger: &Ledger) -> u64 {
    ledger.last_timestamp() + 1
}

pub fn submit(ledger: &mut Ledger, events: &[Transfer]) -> Vec<CreateTransferResult> {
    ledger.create_transfers(next_ts(ledger), events).unwrap()
}

pub fn submit_one(ledger: &mut Ledger, event: Transfer) -> CreateTransferResult {
    submit(ledger, &[event])[0]
}

pub fn transfer(id: u128, dr: u128, cr: u128, amount: u64) -> Transfer {
    Transfer {
        id,
        debit_account_id: dr,
        credit_account_id: cr,
        amount,
        ledger: LEDGER,
        code: CODE,
        ..Transfer::default()
    }
}

pub fn pending(id: u128, dr: u128, cr: u128, amount: u64, timeout: u32) -> Transfer {
    Transfer {
        timeout,
        flags: TransferFlags::PENDING,
        ..transfer(id, dr, cr, amount)
    }
}

/// A post that leaves accounts, ledger and code zero: "as the pending".
pub fn post(id: u128, pending_id: u128, amount: u64) -> Transfer {
    Transfer {
        id,
        pending_id,
        amount,
        flags: TransferFlags::POST_PENDING,
        ..Transfer::default()
    }
}

pub fn void(id: u128, pending_id: u128) -> Transfer {
    Transfer {
        id,
        pending_id,
        flags: TransferFlags::VOID_PENDING,
        ..Transfer::default()
    }
}

pub fn linked(mut t: Transfer) -> Transfer {
    t.flags.insert(TransferFlags::LINKED);
    t
}

/// `[debits_pending, debits_posted, credits_pending, credits_posted]`.
pub fn counters(ledger: &Ledger, id: u128) -> [u128; 4] {
    let a = ledger.account(id).unwrap();
    [
        a.debits_pending,
        a.debits_posted,
        a.credits_pending,
        a.credits_posted,
    ]
}

/// Credits `amount` to `account` from the unconstrained account `A`.
pub fn fund(ledger: &mut Ledger, id: u128, account: u128, amount: u64) {
    assert_eq!(
        submit_one(ledger, transfer(id, A, account, amount)),
        CreateTransferResult::Ok
    );
}

/// Everything the ledger exposes about its accounts and transfers.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    accounts: Vec<Account>,
    transfers: Vec<(TransferRecord, Option<PendingStatus>)>,
}

pub fn snapshot(ledger: &Ledger) -> Snapshot {
    let mut accounts: Vec<Account> = ledger.accounts().copied().collect();
    accounts.sort_by_key(|a| a.id);
    let mut transfers: Vec<_> = ledger
        .transfers()
        .map(|t| (t, ledger.pending_status(t.id)))
        .collect();
    transfers.sort_by_key(|(t, _)| t.id);
    Snapshot {
        accounts,
        transfers,
    }
}

/// Submits `event` alone and checks it is refused with `expected` and that
/// no account, transfer or pending status changed.
pub fn assert_refused(ledger: &mut Ledger, event: Transfer, expected: CreateTransferResult) {
    let before = snapshot(ledger);
    assert_eq!(submit_one(ledger, event), expected);
    assert_eq!(snapshot(ledger), before);
}
