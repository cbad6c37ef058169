//! What a store needs after each batch: the accounts that changed and the
//! transfers that were applied, each once.

mod common;

use common::*;
use trigate_ledger::CreateTransferResult as R;

#[test]
fn changed_accounts_are_reported_once_each_then_cleared() {
    let mut ledger = setup();
    let created: Vec<u128> = ledger
        .take_changed_accounts()
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(created.len(), ledger.account_count());
    assert!(ledger.take_changed_accounts().is_empty());

    let results = submit(&mut ledger, &[transfer(10, A, B, 5), transfer(11, A, B, 6)]);
    assert_eq!(results, vec![R::Ok, R::Ok]);
    let changed = ledger.take_changed_accounts();
    let ids: Vec<u128> = changed.iter().map(|a| a.id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&A) && ids.contains(&B));
    let a = changed.iter().find(|a| a.id == A).unwrap();
    assert_eq!(a.debits_posted, 11);
    assert!(ledger.take_changed_accounts().is_empty());
}

#[test]
fn transfers_since_lists_only_the_new_ones_in_order() {
    let mut ledger = setup();
    let before = ledger.transfer_count();
    submit(&mut ledger, &[transfer(10, A, B, 5), transfer(11, B, A, 2)]);
    let new: Vec<(u128, u64)> = ledger
        .transfers_since(before)
        .map(|t| (t.id, t.amount))
        .collect();
    assert_eq!(new, vec![(10, 5), (11, 2)]);
    assert_eq!(ledger.transfers_since(ledger.transfer_count()).count(), 0);
}
