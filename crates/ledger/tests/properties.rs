//! Property tests over random batches: the ledger's invariants hold after
//! every batch, replays change nothing, the same input gives the same output,
//! and no input — however malformed — makes it panic.

use proptest::prelude::*;
use trigate_ledger::{
    AccountFlags, CreateTransferResult, Ledger, NANOS_PER_SECOND, NewAccount, Transfer,
    TransferFlags,
};

/// Accounts 1..=6 exist on ledger 1 (1–3 liabilities, 4 an asset, 5–6 free),
/// 7 exists on ledger 2, 8 never exists.
fn setup() -> Ledger {
    let mut ledger = Ledger::new();
    let liability = AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS;
    let asset = AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS;
    let accounts: Vec<NewAccount> = [
        (1, 1, liability),
        (2, 1, liability),
        (3, 1, liability),
        (4, 1, asset),
        (5, 1, AccountFlags::empty()),
        (6, 1, AccountFlags::empty()),
        (7, 2, AccountFlags::empty()),
    ]
    .iter()
    .map(|&(id, ledger, flags)| NewAccount {
        id,
        ledger,
        code: 1,
        flags,
        user_data: 0,
    })
    .collect();
    ledger.create_accounts(1, &accounts).unwrap();
    ledger
}

fn flags() -> impl Strategy<Value = TransferFlags> {
    prop_oneof![
        4 => Just(TransferFlags::empty()),
        2 => Just(TransferFlags::PENDING),
        2 => Just(TransferFlags::POST_PENDING),
        1 => Just(TransferFlags::VOID_PENDING),
        2 => Just(TransferFlags::LINKED),
        1 => Just(TransferFlags::LINKED | TransferFlags::PENDING),
        1 => Just(TransferFlags::PENDING | TransferFlags::CLOSING_DEBIT),
        1 => any::<u16>().prop_map(TransferFlags::from_bits_retain),
    ]
}

fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![8 => 1u64..200, 1 => Just(0u64), 1 => Just(u64::MAX)]
}

/// Transfers drawn from small id spaces, so they collide, refer to each
/// other's pending transfers and hit every kind of result.
fn transfer() -> impl Strategy<Value = Transfer> {
    (
        (1u128..40, 0u128..9, 0u128..9, amount()),
        (prop_oneof![3 => Just(0u128), 1 => 1u128..40], 0u128..3),
        (
            prop_oneof![3 => Just(0u32), 1 => 1u32..4],
            prop_oneof![8 => Just(1u32), 1 => 0u32..3],
        ),
        (prop_oneof![8 => Just(1u16), 1 => 0u16..3], flags()),
    )
        .prop_map(
            |(
                (id, debit, credit, amount),
                (pending_id, user_data),
                (timeout, ledger),
                (code, flags),
            )| {
                Transfer {
                    id,
                    debit_account_id: debit,
                    credit_account_id: credit,
                    amount,
                    pending_id,
                    user_data,
                    timeout,
                    ledger,
                    code,
                    flags,
                }
            },
        )
}

/// Funding first, so that liabilities have money to move.
fn funding() -> Vec<Transfer> {
    (1..=3)
        .map(|id| Transfer {
            id: 1000 + id,
            debit_account_id: 5,
            credit_account_id: id,
            amount: 500,
            ledger: 1,
            code: 1,
            ..Transfer::default()
        })
        .chain(std::iter::once(Transfer {
            id: 1004,
            debit_account_id: 4,
            credit_account_id: 6,
            amount: 500,
            ledger: 1,
            code: 1,
            ..Transfer::default()
        }))
        .collect()
}

#[derive(Debug, Clone)]
enum Step {
    Batch(Vec<Transfer>),
    /// Expire after this many seconds pass.
    Expire(u64),
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        prop_oneof![
            6 => prop::collection::vec(transfer(), 0..12).prop_map(Step::Batch),
            1 => (0u64..4).prop_map(Step::Expire),
        ],
        1..25,
    )
}

fn check_invariants(ledger: &Ledger) {
    let (mut dp, mut dpo, mut cp, mut cpo) = (0u128, 0u128, 0u128, 0u128);
    for a in ledger.accounts() {
        dp += a.debits_pending;
        dpo += a.debits_posted;
        cp += a.credits_pending;
        cpo += a.credits_posted;
        if a.flags
            .contains(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
        {
            assert!(
                a.debits_pending + a.debits_posted <= a.credits_posted,
                "overdrawn: {a:?}"
            );
        }
        if a.flags
            .contains(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS)
        {
            assert!(
                a.credits_pending + a.credits_posted <= a.debits_posted,
                "over-credited: {a:?}"
            );
        }
    }
    assert_eq!(dpo, cpo, "posted debits and credits differ");
    assert_eq!(dp, cp, "pending debits and credits differ");
}

/// Counters of every account, sorted by id, to compare whole states.
fn snapshot(ledger: &Ledger) -> Vec<(u128, u128, u128, u128, u128, u16)> {
    let mut s: Vec<_> = ledger
        .accounts()
        .map(|a| {
            (
                a.id,
                a.debits_pending,
                a.debits_posted,
                a.credits_pending,
                a.credits_posted,
                a.flags.bits(),
            )
        })
        .collect();
    s.sort_unstable();
    s
}

/// Runs the steps; returns every result and the chain head.
fn run(
    ledger: &mut Ledger,
    steps: &[Step],
    replay: bool,
) -> (Vec<CreateTransferResult>, Vec<u128>) {
    let mut ts = ledger.last_timestamp() + 1;
    let mut results = ledger.create_transfers(ts, &funding()).unwrap();
    let mut expired = Vec::new();
    for step in steps {
        ts = ledger.last_timestamp() + NANOS_PER_SECOND;
        match step {
            Step::Batch(batch) => {
                results.extend(ledger.create_transfers(ts, batch).unwrap());
                check_invariants(ledger);
                if replay {
                    let before = snapshot(ledger);
                    let count = ledger.transfer_count();
                    let again = ledger
                        .create_transfers(ledger.last_timestamp() + 1, batch)
                        .unwrap();
                    assert_eq!(snapshot(ledger), before, "replay changed balances");
                    assert_eq!(ledger.transfer_count(), count, "replay added transfers");
                    assert!(
                        !again.contains(&CreateTransferResult::Ok),
                        "replay applied: {again:?}"
                    );
                }
            }
            Step::Expire(secs) => {
                expired.extend(ledger.expire(ts + secs * NANOS_PER_SECOND).unwrap());
                check_invariants(ledger);
            }
        }
    }
    (results, expired)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_after_every_batch(steps in steps()) {
        let mut ledger = setup();
        run(&mut ledger, &steps, false);
    }

    #[test]
    fn replaying_a_batch_changes_nothing(steps in steps()) {
        let mut ledger = setup();
        run(&mut ledger, &steps, true);
    }

    #[test]
    fn same_batches_give_same_results_and_chain(steps in steps()) {
        let (mut a, mut b) = (setup(), setup());
        let ra = run(&mut a, &steps, false);
        let rb = run(&mut b, &steps, false);
        prop_assert_eq!(ra, rb);
        prop_assert_eq!(a.chain_head(), b.chain_head());
        prop_assert_eq!(snapshot(&a), snapshot(&b));
    }

    #[test]
    fn arbitrary_events_never_panic(
        accounts in prop::collection::vec(
            (any::<u128>(), any::<u32>(), any::<u16>(), any::<u16>(), any::<u128>()), 0..8),
        transfers in prop::collection::vec(
            (any::<[u128; 4]>(), any::<u64>(), any::<u32>(), any::<u32>(), any::<u16>(), any::<u16>()), 0..16),
        ts in any::<u64>(),
    ) {
        let mut ledger = setup();
        let accounts: Vec<NewAccount> = accounts
            .into_iter()
            .map(|(id, l, code, flags, user_data)| NewAccount {
                id, ledger: l, code, flags: AccountFlags::from_bits_retain(flags), user_data,
            })
            .collect();
        let transfers: Vec<Transfer> = transfers
            .into_iter()
            .map(|([id, debit, credit, pending_id], amount, timeout, l, code, flags)| Transfer {
                id, debit_account_id: debit, credit_account_id: credit, amount, pending_id,
                user_data: 0, timeout, ledger: l, code, flags: TransferFlags::from_bits_retain(flags),
            })
            .collect();
        let _ = ledger.create_accounts(ts, &accounts);
        let _ = ledger.create_transfers(ts.saturating_add(accounts.len() as u64), &transfers);
        let _ = ledger.expire(u64::MAX);
        check_invariants(&ledger);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// The journal is enough to rebuild the ledger: replaying every entry onto
    /// a fresh ledger gives the same state and chain head.
    #[test]
    fn replaying_the_journal_rebuilds_the_same_ledger(steps in steps()) {
        let mut original = Ledger::new();
        let mut journal = Vec::new();
        let mut copy = setup();
        journal.push(copy.last_entry().to_vec());
        original.replay(&journal[0]).unwrap();
        let mut ts = original.last_timestamp();
        for step in &steps {
            ts += NANOS_PER_SECOND;
            match step {
                Step::Batch(batch) => { copy.create_transfers(ts, batch).unwrap(); }
                Step::Expire(secs) => { copy.expire(ts + secs * NANOS_PER_SECOND).unwrap(); }
            }
            ts = copy.last_timestamp();
            journal.push(copy.last_entry().to_vec());
        }
        for entry in &journal[1..] {
            original.replay(entry).unwrap();
        }
        prop_assert_eq!(original.chain_head(), copy.chain_head());
        prop_assert_eq!(snapshot(&original), snapshot(&copy));
        prop_assert_eq!(original.transfer_count(), copy.transfer_count());
    }
}

#[test]
fn replay_refuses_an_entry_whose_results_were_altered() {
    let mut source = setup();
    let ts = source.last_timestamp() + 1;
    source.create_transfers(ts, &funding()).unwrap();
    let mut entry = source.last_entry().to_vec();
    let mut copy = setup();
    // The last byte is the last event's result code: claim it failed.
    let last = entry.len() - 1;
    entry[last] = trigate_ledger::CreateTransferResult::ExceedsCredits.as_u8();
    assert_eq!(
        copy.replay(&entry),
        Err(trigate_ledger::ReplayError::Diverged)
    );
}

proptest! {
    #[test]
    fn replaying_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut ledger = setup();
        let _ = ledger.replay(&bytes);
        check_invariants(&ledger);
    }
}
