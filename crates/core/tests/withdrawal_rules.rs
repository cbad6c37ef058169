//! Withdrawals under the shop's rules: limits and fees at their edges,
//! destinations and their cooling period, the shop's month, and payouts
//! started in the journal.

mod common;

use common::money::*;
use common::{Fixture, cny};
use trigate_core::chart::Kind;
use trigate_core::{
    AdminRole, Command, NANOS_PER_DAY, NANOS_PER_SECOND, Reply, ShopError, WithdrawalStatus,
};

#[test]
fn each_withdrawal_limit_and_fee_holds_at_its_edge() {
    let mut f = Fixture::new();
    rules(&mut f, limits());
    merchant_earns(&mut f, 1);
    let owner = f.owner;
    let d = add_destination(&mut f, owner);
    // Inside its cooling period: refused, then paid after it.
    let cooling = withdraw(&mut f, 100, d);
    assert!(
        matches!(cooling, Err(ShopError::DestinationCooling { .. })),
        "{cooling:?}"
    );
    f.later(24 * 3600 * NANOS_PER_SECOND);
    // Another's destination is not in the owner's book.
    let loner = f.loner;
    let theirs = add_destination(&mut f, loner);
    assert!(matches!(
        withdraw(&mut f, 100, theirs),
        Err(ShopError::Invalid(_))
    ));

    // Min and max at their edges.
    assert!(limit(withdraw(&mut f, 99, d)));
    assert!(limit(withdraw(&mut f, 1_001, d)));
    // 100: under one approver's threshold, approved as asked; its fee is
    // 10 + ⌈1%⌉ = 11.
    let Ok(Reply::Withdrawal(small)) = withdraw(&mut f, 100, d) else {
        panic!()
    };
    let w = f.shop.withdrawal(small).unwrap().clone();
    assert_eq!(
        (w.status, w.fee, w.approvals_needed),
        (WithdrawalStatus::Approved, 11, 0)
    );
    // 1,000: two approvers; fee 10 + 10.
    let Ok(Reply::Withdrawal(big)) = withdraw(&mut f, 1_000, d) else {
        panic!()
    };
    let w = f.shop.withdrawal(big).unwrap().clone();
    assert_eq!(
        (w.status, w.fee, w.approvals_needed),
        (WithdrawalStatus::Requested, 20, 2)
    );
    // The day's total: 1,100 asked, 400 more is the edge.
    assert!(limit(withdraw(&mut f, 401, d)));
    let Ok(Reply::Withdrawal(edge)) = withdraw(&mut f, 400, d) else {
        panic!()
    };
    assert_eq!(f.shop.withdrawal(edge).unwrap().approvals_needed, 0);
    assert!(limit(withdraw(&mut f, 100, d)), "the day is full");
    // The next day in the shop's time zone (+08:00): 1,000 more fills the
    // month's 2,500.
    f.later(NANOS_PER_DAY);
    let fin = staff(&mut f, "fin", AdminRole::Finance);
    run(
        &mut f,
        Command::RejectWithdrawal {
            actor: fin,
            withdrawal: big,
        },
    )
    .unwrap();
    // A rejected one counts no more: 500 asked this month.
    assert!(limit(withdraw(&mut f, 1_001, d)));
    let Ok(Reply::Withdrawal(_)) = withdraw(&mut f, 1_000, d) else {
        panic!()
    };
    let Ok(Reply::Withdrawal(_)) = withdraw(&mut f, 500, d) else {
        panic!()
    };

    // Paying the small one out earns its fee; the destination gets 89.
    let fees_before = f.balance(Kind::Fees, 0);
    run(
        &mut f,
        Command::FinishPayout {
            actor: fin,
            withdrawal: small,
            paid: true,
            reference: "BANK-1".into(),
        },
    )
    .unwrap();
    assert_eq!(f.balance(Kind::Fees, 0), fees_before + 11);
    assert_eq!(
        f.shop.sweepable(cny(), f.now),
        11,
        "a payout's fee is final"
    );
}

#[test]
fn the_month_in_the_shops_time_zone_bounds_withdrawals() {
    let mut f = Fixture::new();
    let mut r = limits();
    r.withdrawals[0].rule.daily = u64::MAX;
    r.withdrawals[0].rule.monthly = 1_000;
    r.destination_cooling_hours = 0;
    rules(&mut f, r);
    merchant_earns(&mut f, 1);
    let owner = f.owner;
    let d = add_destination(&mut f, owner);
    let Ok(Reply::Withdrawal(_)) = withdraw(&mut f, 1_000, d) else {
        panic!()
    };
    assert!(limit(withdraw(&mut f, 100, d)));
    // 40 days on is another month.
    f.later(40 * NANOS_PER_DAY);
    assert!(matches!(withdraw(&mut f, 100, d), Ok(Reply::Withdrawal(_))));
}

#[test]
fn a_payout_is_started_in_the_journal_and_a_stop_before_it_refuses_it() {
    let mut f = Fixture::new();
    let mut r = limits();
    r.destination_cooling_hours = 0;
    r.withdrawals[0].rule.one_approver_from = u64::MAX;
    r.withdrawals[0].rule.two_approvers_from = u64::MAX;
    rules(&mut f, r);
    merchant_earns(&mut f, 1);
    let owner = f.owner;
    let d = add_destination(&mut f, owner);
    let Ok(Reply::Withdrawal(first)) = withdraw(&mut f, 500, d) else {
        panic!()
    };
    let Ok(Reply::Withdrawal(second)) = withdraw(&mut f, 500, d) else {
        panic!()
    };
    let fin = staff(&mut f, "fin", AdminRole::Finance);
    let start = |withdrawal| Command::StartPayout {
        actor: fin,
        withdrawal,
    };
    run(&mut f, start(first)).unwrap();
    let started = f.shop.withdrawal(first).unwrap().payout_started;
    assert!(started.is_some());
    run(&mut f, start(first)).unwrap();
    assert_eq!(
        f.shop.withdrawal(first).unwrap().payout_started,
        started,
        "the same start"
    );
    let admin = f.admin;
    run(
        &mut f,
        Command::StopOutflows {
            actor: admin,
            note: "drill".into(),
        },
    )
    .unwrap();
    let refused = run(&mut f, start(second));
    assert!(
        matches!(
            refused,
            Err(ShopError::OutflowsStopped { reason: "manual" })
        ),
        "{refused:?}"
    );
    // The outcome of the payout already started is still taken.
    run(
        &mut f,
        Command::FinishPayout {
            actor: fin,
            withdrawal: first,
            paid: true,
            reference: "sandbox:1".into(),
        },
    )
    .unwrap();
    assert_eq!(
        f.shop.withdrawal(first).unwrap().status,
        WithdrawalStatus::PaidOut
    );
}
