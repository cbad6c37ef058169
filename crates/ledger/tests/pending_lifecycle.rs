//! Pending transfers through post, void and expiry, linked chains, batch
//! timestamps and the hash chain: the cases where ledgers tend to go wrong.

mod common;

use common::*;
use trigate_ledger::chain::{self, EntryKind, GENESIS, HEADER_BYTES, TRANSFER_EVENT_BYTES};
use trigate_ledger::{
    AccountFlags, BatchError, CreateTransferResult as R, Hash, Ledger, NANOS_PER_SECOND,
    PendingStatus, Transfer, TransferFlags,
};

/// WALLET funded with 100 by transfer 10 (from A), then pending 20 reserving
/// all of it for B, with the given timeout in seconds.
fn reserved(timeout: u32) -> Ledger {
    let mut ledger = setup();
    fund(&mut ledger, 10, WALLET, 100);
    assert_eq!(
        submit_one(&mut ledger, pending(20, WALLET, B, 100, timeout)),
        R::Ok
    );
    assert_eq!(counters(&ledger, WALLET), [100, 0, 0, 100]);
    assert_eq!(counters(&ledger, B), [0, 0, 100, 0]);
    ledger
}

#[test]
fn void_twice_is_refused_and_balances_stay_released() {
    let mut ledger = reserved(0);
    assert_eq!(submit_one(&mut ledger, void(21, 20)), R::Ok);
    assert_eq!(counters(&ledger, WALLET), [0, 0, 0, 100]);
    assert_eq!(counters(&ledger, B), [0; 4]);
    assert_refused(&mut ledger, void(22, 20), R::PendingTransferAlreadyVoided);
    // The same void retried is idempotent, not a second release.
    assert_refused(&mut ledger, void(21, 20), R::Exists);
    assert_eq!(counters(&ledger, WALLET), [0, 0, 0, 100]);
    assert_eq!(ledger.pending_status(20), Some(PendingStatus::Voided));
}

#[test]
fn post_after_void_is_refused() {
    let mut ledger = reserved(0);
    assert_eq!(submit_one(&mut ledger, void(21, 20)), R::Ok);
    assert_refused(
        &mut ledger,
        post(22, 20, 0),
        R::PendingTransferAlreadyVoided,
    );
    assert_eq!(counters(&ledger, WALLET), [0, 0, 0, 100]);
    assert_eq!(counters(&ledger, B), [0; 4]);
}

#[test]
fn void_after_post_is_refused() {
    let mut ledger = reserved(0);
    assert_eq!(submit_one(&mut ledger, post(21, 20, 0)), R::Ok);
    assert_refused(&mut ledger, void(22, 20), R::PendingTransferAlreadyPosted);
    assert_eq!(counters(&ledger, WALLET), [0, 100, 0, 100]);
    assert_eq!(counters(&ledger, B), [0, 0, 0, 100]);
}

#[test]
fn post_twice_is_refused() {
    let mut ledger = reserved(0);
    assert_eq!(submit_one(&mut ledger, post(21, 20, 0)), R::Ok);
    assert_refused(
        &mut ledger,
        post(22, 20, 0),
        R::PendingTransferAlreadyPosted,
    );
    assert_refused(
        &mut ledger,
        post(23, 20, 1),
        R::PendingTransferAlreadyPosted,
    );
    assert_eq!(counters(&ledger, WALLET), [0, 100, 0, 100]);
    assert_eq!(counters(&ledger, B), [0, 0, 0, 100]);
    assert_eq!(ledger.pending_status(20), Some(PendingStatus::Posted));
}

#[test]
fn post_after_expire_is_refused() {
    let mut ledger = reserved(1);
    let created = ledger.last_timestamp();
    assert_eq!(
        ledger.expire(created + NANOS_PER_SECOND - 1).unwrap(),
        vec![]
    );
    assert_eq!(ledger.expire(created + NANOS_PER_SECOND).unwrap(), vec![20]);
    assert_eq!(ledger.pending_status(20), Some(PendingStatus::Expired));
    assert_eq!(counters(&ledger, WALLET), [0, 0, 0, 100]);
    assert_eq!(counters(&ledger, B), [0; 4]);
    assert_refused(&mut ledger, post(21, 20, 0), R::PendingTransferExpired);
    // Expiring is done once: a later sweep must not release again.
    assert_eq!(ledger.expire(next_ts(&ledger)).unwrap(), vec![]);
    assert_eq!(counters(&ledger, WALLET), [0, 0, 0, 100]);
}

/// Posts pending 20 (timeout 1 s) `offset` nanoseconds after it was created.
fn post_after(offset: u64) -> (Ledger, R) {
    let mut ledger = reserved(1);
    let at = ledger.last_timestamp() + offset;
    let result = ledger.create_transfers(at, &[post(21, 20, 0)]).unwrap()[0];
    (ledger, result)
}

#[test]
fn post_just_before_the_timeout_succeeds() {
    let (ledger, result) = post_after(NANOS_PER_SECOND - 1);
    assert_eq!(result, R::Ok);
    assert_eq!(counters(&ledger, WALLET), [0, 100, 0, 100]);
}

#[test]
fn post_past_the_timeout_is_refused_before_expire_runs() {
    let (mut ledger, result) = post_after(NANOS_PER_SECOND);
    assert_eq!(result, R::PendingTransferExpired);
    // The reservation stands until the sweep, which then finds it due.
    assert_eq!(counters(&ledger, WALLET), [100, 0, 0, 100]);
    assert_eq!(ledger.expire(next_ts(&ledger)).unwrap(), vec![20]);
    assert_eq!(counters(&ledger, WALLET), [0, 0, 0, 100]);
}

#[test]
fn post_of_a_pending_whose_creation_failed_is_refused() {
    let mut ledger = setup();
    assert_eq!(
        submit_one(&mut ledger, pending(20, WALLET, B, 100, 0)),
        R::ExceedsCredits
    );
    assert_refused(&mut ledger, post(21, 20, 0), R::PendingTransferNotFound);
    fund(&mut ledger, 10, WALLET, 100);
    assert_refused(
        &mut ledger,
        pending(20, WALLET, B, 100, 0),
        R::IdAlreadyFailed,
    );
    assert_refused(&mut ledger, post(21, 20, 0), R::IdAlreadyFailed);
    assert_eq!(counters(&ledger, WALLET), [0, 0, 0, 100]);
}

#[test]
fn partial_post_releases_the_rest_and_a_later_void_is_refused() {
    let mut ledger = reserved(0);
    assert_eq!(submit_one(&mut ledger, post(21, 20, 60)), R::Ok);
    assert_eq!(counters(&ledger, WALLET), [0, 60, 0, 100]);
    assert_eq!(counters(&ledger, B), [0, 0, 0, 60]);
    assert_eq!(ledger.account(WALLET).unwrap().available_credit(), 40);
    let record = ledger.transfer(21).unwrap();
    assert_eq!(
        (
            record.amount,
            record.debit_account_id,
            record.credit_account_id
        ),
        (60, WALLET, B)
    );
    assert_refused(&mut ledger, void(22, 20), R::PendingTransferAlreadyPosted);
    // The released 40 is spendable at once.
    assert_eq!(submit_one(&mut ledger, transfer(23, WALLET, A, 40)), R::Ok);
    assert_eq!(counters(&ledger, WALLET), [0, 100, 0, 100]);
}

#[test]
fn post_with_amount_zero_posts_the_full_amount() {
    let mut ledger = reserved(0);
    assert_eq!(submit_one(&mut ledger, post(21, 20, 0)), R::Ok);
    let record = ledger.transfer(21).unwrap();
    assert_eq!(
        (record.amount, record.ledger, record.code),
        (100, LEDGER, CODE)
    );
    assert_eq!(counters(&ledger, WALLET), [0, 100, 0, 100]);
    assert_eq!(counters(&ledger, B), [0, 0, 0, 100]);
}

#[test]
fn post_above_the_pending_amount_is_refused_and_leaves_it_pending() {
    let mut ledger = reserved(0);
    assert_refused(
        &mut ledger,
        post(21, 20, 101),
        R::ExceedsPendingTransferAmount,
    );
    assert_eq!(ledger.pending_status(20), Some(PendingStatus::Pending));
    assert_eq!(submit_one(&mut ledger, post(22, 20, 100)), R::Ok);
}

#[test]
fn chain_with_one_failing_event_leaves_nothing_applied() {
    let mut ledger = setup();
    let before = snapshot(&ledger);
    let fund_wallet = transfer(10, A, WALLET, 50);
    let hold = pending(11, WALLET, B, 30, 5);
    let spend = transfer(12, WALLET, B, 20);
    let overspend = transfer(13, WALLET, B, 1);
    let results = submit(
        &mut ledger,
        &[linked(fund_wallet), linked(hold), linked(spend), overspend],
    );
    assert_eq!(
        results,
        vec![
            R::LinkedEventFailed,
            R::LinkedEventFailed,
            R::LinkedEventFailed,
            R::ExceedsCredits
        ]
    );
    assert_eq!(snapshot(&ledger), before);
    for id in [WALLET, A, B] {
        assert_eq!(counters(&ledger, id), [0; 4], "account {id}");
    }
    // The rolled-back pending must not linger in the expiry index.
    assert_eq!(
        ledger
            .expire(next_ts(&ledger) + 60 * NANOS_PER_SECOND)
            .unwrap(),
        vec![]
    );
    // Only the event that failed is spent; the others were never recorded.
    let retry = submit(&mut ledger, &[fund_wallet, hold, spend, overspend]);
    assert_eq!(retry, vec![R::Ok, R::Ok, R::Ok, R::IdAlreadyFailed]);
    assert_eq!(counters(&ledger, WALLET), [30, 20, 0, 50]);
    assert_eq!(counters(&ledger, A), [0, 50, 0, 0]);
    assert_eq!(counters(&ledger, B), [0, 0, 30, 20]);
}

#[test]
fn void_rolled_back_with_its_chain_can_still_expire() {
    let mut ledger = reserved(1);
    let created = ledger.last_timestamp();
    let results = submit(&mut ledger, &[linked(void(21, 20)), transfer(22, A, A, 1)]);
    assert_eq!(
        results,
        vec![R::LinkedEventFailed, R::AccountsMustBeDifferent]
    );
    assert_eq!(ledger.pending_status(20), Some(PendingStatus::Pending));
    assert_eq!(counters(&ledger, WALLET), [100, 0, 0, 100]);
    assert_eq!(ledger.expire(created + NANOS_PER_SECOND).unwrap(), vec![20]);
    assert_eq!(counters(&ledger, WALLET), [0, 0, 0, 100]);
}

#[test]
fn chain_that_entirely_exists_reports_exists_for_every_event() {
    let mut ledger = setup();
    let chain = [
        linked(transfer(10, A, B, 5)),
        linked(pending(11, A, B, 7, 0)),
        post(12, 11, 0),
    ];
    assert_eq!(submit(&mut ledger, &chain), vec![R::Ok; 3]);
    let before = snapshot(&ledger);
    assert_eq!(submit(&mut ledger, &chain), vec![R::Exists; 3]);
    assert_eq!(snapshot(&ledger), before);
    assert_eq!(counters(&ledger, A), [0, 12, 0, 0]);
}

#[test]
fn chain_mixing_existing_and_new_events_fails() {
    let mut ledger = setup();
    assert_eq!(submit_one(&mut ledger, transfer(10, A, B, 5)), R::Ok);
    let before = snapshot(&ledger);
    let results = submit(
        &mut ledger,
        &[linked(transfer(11, A, B, 1)), transfer(10, A, B, 5)],
    );
    assert_eq!(results, vec![R::LinkedEventFailed, R::Exists]);
    assert_eq!(snapshot(&ledger), before);
    assert_eq!(submit_one(&mut ledger, transfer(11, A, B, 1)), R::Ok);
}

/// The second event sees the first one's tentative write and reports `exists`;
/// the chain is then rolled back, so transfer 10 does not stand although a
/// success code says it does.
#[test]
fn duplicate_id_inside_a_rolled_back_chain_is_not_reported_as_success() {
    let mut ledger = setup();
    let t = linked(transfer(10, A, B, 5));
    let results = submit(&mut ledger, &[t, t, transfer(11, A, B, 1)]);
    assert!(ledger.transfer(10).is_none());
    assert_eq!(
        results,
        vec![
            R::LinkedEventFailed,
            R::IdRepeatedInChain,
            R::LinkedEventFailed
        ]
    );
    // Nothing was recorded as failed: the chain written properly applies.
    let fixed = submit(&mut ledger, &[t, transfer(11, A, B, 1)]);
    assert_eq!(fixed, vec![R::Ok, R::Ok]);
}

#[test]
fn expire_returns_ids_in_expiry_order_and_releases_reservations() {
    let mut ledger = setup();
    let t0 = next_ts(&ledger);
    let results = submit(
        &mut ledger,
        &[
            pending(10, A, B, 1, 3),
            pending(11, A, B, 2, 1),
            pending(12, A, B, 4, 2),
            pending(13, A, B, 8, 0),
        ],
    );
    assert_eq!(results, vec![R::Ok; 4]);
    assert_eq!(counters(&ledger, A), [15, 0, 0, 0]);
    // Event 1 was stamped t0 + 1, so it is due one nanosecond after t0 + 1 s.
    assert_eq!(ledger.expire(t0 + NANOS_PER_SECOND).unwrap(), vec![]);
    assert_eq!(ledger.expire(t0 + 1 + NANOS_PER_SECOND).unwrap(), vec![11]);
    assert_eq!(counters(&ledger, A), [13, 0, 0, 0]);
    assert_eq!(
        ledger.expire(t0 + 10 * NANOS_PER_SECOND).unwrap(),
        vec![12, 10]
    );
    assert_eq!(counters(&ledger, A), [8, 0, 0, 0]);
    assert_eq!(counters(&ledger, B), [0, 0, 8, 0]);
    for (id, status) in [
        (10, PendingStatus::Expired),
        (11, PendingStatus::Expired),
        (12, PendingStatus::Expired),
        (13, PendingStatus::Pending),
    ] {
        assert_eq!(ledger.pending_status(id), Some(status), "pending {id}");
    }
}

#[test]
fn expire_skips_pendings_already_posted_or_voided() {
    let mut ledger = setup();
    let results = submit(
        &mut ledger,
        &[
            pending(10, A, B, 5, 1),
            pending(11, A, B, 7, 1),
            post(12, 10, 2),
            void(13, 11),
        ],
    );
    assert_eq!(results, vec![R::Ok; 4]);
    let far = next_ts(&ledger) + 10 * NANOS_PER_SECOND;
    assert_eq!(ledger.expire(far).unwrap(), vec![]);
    assert_eq!(counters(&ledger, A), [0, 2, 0, 0]);
    assert_eq!(counters(&ledger, B), [0, 0, 0, 2]);
}

#[test]
fn expire_of_a_closing_transfer_reopens_the_account() {
    let mut ledger = setup();
    let closing = Transfer {
        flags: TransferFlags::PENDING | TransferFlags::CLOSING_DEBIT,
        ..pending(10, A, B, 1, 1)
    };
    assert_eq!(submit_one(&mut ledger, closing), R::Ok);
    assert!(
        ledger
            .account(A)
            .unwrap()
            .flags
            .contains(AccountFlags::CLOSED)
    );
    let due = ledger.last_timestamp() + NANOS_PER_SECOND;
    assert_eq!(ledger.expire(due).unwrap(), vec![10]);
    assert!(!ledger.account(A).unwrap().is_closed());
    assert_eq!(counters(&ledger, A), [0; 4]);
    assert_eq!(submit_one(&mut ledger, transfer(11, A, B, 1)), R::Ok);
}

#[test]
fn events_are_stamped_batch_timestamp_plus_index() {
    let mut ledger = setup();
    let results = ledger
        .create_transfers(
            1_000,
            &[
                transfer(10, A, B, 1),
                transfer(11, A, A, 1),
                transfer(12, A, B, 1),
            ],
        )
        .unwrap();
    assert_eq!(results, vec![R::Ok, R::AccountsMustBeDifferent, R::Ok]);
    assert_eq!(ledger.transfer(10).unwrap().timestamp, 1_000);
    // A refused event still uses its slot.
    assert_eq!(ledger.transfer(12).unwrap().timestamp, 1_002);
    assert_eq!(ledger.last_timestamp(), 1_002);
}

#[test]
fn batch_timestamps_must_strictly_increase() {
    let mut ledger = setup();
    assert_eq!(
        ledger.create_transfers(10, &[transfer(10, A, B, 1), transfer(11, A, B, 1)]),
        Ok(vec![R::Ok, R::Ok])
    );
    let before = snapshot(&ledger);
    let (head, batches, entry) = (
        ledger.chain_head(),
        ledger.batch_count(),
        ledger.last_entry().to_vec(),
    );
    let refused = BatchError::TimestampNotIncreasing {
        last: 11,
        given: 11,
    };
    assert_eq!(
        ledger.create_transfers(11, &[transfer(12, A, B, 1)]),
        Err(refused)
    );
    assert_eq!(
        ledger.create_accounts(11, &[new_account(20, AccountFlags::empty())]),
        Err(refused)
    );
    assert_eq!(ledger.expire(11), Err(refused));
    assert_eq!(
        ledger.create_transfers(3, &[]),
        Err(BatchError::TimestampNotIncreasing { last: 11, given: 3 })
    );
    assert_eq!(snapshot(&ledger), before);
    assert_eq!(ledger.chain_head(), head);
    assert_eq!(ledger.batch_count(), batches);
    assert_eq!(ledger.last_entry(), entry.as_slice());
    assert_eq!(ledger.last_timestamp(), 11);
    // Nothing about transfer 12 was remembered.
    assert_eq!(
        ledger.create_transfers(12, &[transfer(12, A, B, 1)]),
        Ok(vec![R::Ok])
    );
}

#[test]
fn batch_whose_event_timestamps_overflow_is_refused() {
    let mut ledger = setup();
    let events = [
        transfer(10, A, B, 1),
        transfer(11, A, B, 1),
        transfer(12, A, B, 1),
    ];
    assert_eq!(
        ledger.create_transfers(u64::MAX - 1, &events),
        Err(BatchError::TimestampOverflow)
    );
    assert_eq!(ledger.transfer_count(), 0);
    assert_eq!(
        ledger.create_transfers(u64::MAX - 1, &events[..2]),
        Ok(vec![R::Ok, R::Ok])
    );
    assert_eq!(ledger.last_timestamp(), u64::MAX);
}

/// Runs the same four batches (one refused event, one empty expiry) and
/// returns the head after each.
fn drive(ledger: &mut Ledger, amount: u64) -> Vec<Hash> {
    let mut heads = vec![ledger.chain_head()];
    ledger
        .create_transfers(100, &[transfer(10, A, B, amount)])
        .unwrap();
    heads.push(ledger.chain_head());
    let batch = [pending(11, A, B, 5, 1), transfer(12, WALLET, B, 1)];
    assert_eq!(
        ledger.create_transfers(200, &batch).unwrap(),
        vec![R::Ok, R::ExceedsCredits]
    );
    heads.push(ledger.chain_head());
    assert_eq!(ledger.expire(300).unwrap(), vec![]);
    heads.push(ledger.chain_head());
    assert_eq!(ledger.expire(201 + NANOS_PER_SECOND).unwrap(), vec![11]);
    heads.push(ledger.chain_head());
    heads
}

#[test]
fn chain_head_changes_with_every_batch_and_is_deterministic() {
    let (mut first, mut second, mut other) = (setup(), setup(), setup());
    let heads = drive(&mut first, 5);
    assert_ne!(heads[0], GENESIS);
    for (i, pair) in heads.windows(2).enumerate() {
        assert_ne!(pair[0], pair[1], "batch {i} left the head unchanged");
    }
    assert_eq!(drive(&mut second, 5), heads);
    assert_eq!(first.batch_count(), 5);
    // One different amount in the first batch changes every later head.
    let diverged = drive(&mut other, 6);
    assert_eq!(diverged[0], heads[0]);
    assert!(diverged[1..].iter().zip(&heads[1..]).all(|(a, b)| a != b));
}

#[test]
fn last_entry_is_the_canonical_batch_the_head_links() {
    assert!(Ledger::new().last_entry().is_empty());
    let mut ledger = setup();
    let prev = ledger.chain_head();
    let results = ledger
        .create_transfers(1_000, &[transfer(10, A, B, 1), transfer(11, WALLET, B, 1)])
        .unwrap();
    assert_eq!(results, vec![R::Ok, R::ExceedsCredits]);
    let entry = ledger.last_entry();
    assert_eq!(entry.len(), HEADER_BYTES + 2 * TRANSFER_EVENT_BYTES);
    assert_eq!(entry[0], EntryKind::CreateTransfers as u8);
    assert_eq!(entry[1..9], 1_000u64.to_le_bytes());
    assert_eq!(entry[9..13], 2u32.to_le_bytes());
    // Each event ends with its result code.
    assert_eq!(
        entry[HEADER_BYTES + TRANSFER_EVENT_BYTES - 1],
        R::Ok.as_u8()
    );
    assert_eq!(*entry.last().unwrap(), R::ExceedsCredits.as_u8());
    assert_eq!(ledger.chain_head(), chain::link(&prev, entry));

    assert_eq!(submit_one(&mut ledger, pending(12, A, B, 1, 1)), R::Ok);
    let due = ledger.last_timestamp() + NANOS_PER_SECOND;
    let prev = ledger.chain_head();
    assert_eq!(ledger.expire(due).unwrap(), vec![12]);
    let entry = ledger.last_entry();
    assert_eq!(entry[0], EntryKind::Expire as u8);
    assert_eq!(entry[HEADER_BYTES..], 12u128.to_le_bytes());
    assert_eq!(ledger.chain_head(), chain::link(&prev, entry));
}
