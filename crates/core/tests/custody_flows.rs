//! Money between custody and the outside: channel settlements booked into
//! custody, fee sweeps bounded by the refund horizon, the surplus and what
//! custody holds, and every outflow route refused while a loss leaves
//! custody short.

mod common;

use common::money::*;
use common::{Fixture, cny};
use trigate_core::chart::Kind;
use trigate_core::{
    AdminRole, Approvable, Command, NANOS_PER_DAY, NANOS_PER_SECOND, RefundTo, Reply, Rules,
    SettlementSource, ShopError, UserId, WithdrawFrom,
};

#[test]
fn a_sweep_one_unit_above_the_surplus_is_refused_and_one_at_it_is_accepted() {
    let mut f = Fixture::new();
    let fin = staff(&mut f, "fin", AdminRole::Finance);
    channel_sale(&mut f, "T-1");
    assert_eq!(surplus(&f), 900, "the fee less the reserve's share");
    // The channel pays 10,000 less its fee of 200 into custody.
    settle(&mut f, fin, "ST-1", 10_000, 200);
    assert_eq!(f.balance(Kind::Clearing, 0), 0);
    assert_eq!(f.balance(Kind::ChannelFees, 0), 0, "an expense: a debit");
    let fees =
        f.shop
            .ledger()
            .account(trigate_core::chart::account_id(Kind::ChannelFees, cny(), 0));
    assert_eq!(fees.map(|a| a.debits_posted), Some(200));
    assert_eq!(surplus(&f), 700);
    // The same statement line again is refused.
    let again = run(
        &mut f,
        Command::BookSettlement {
            actor: fin,
            channel: "sandbox".into(),
            reference: "ST-1".into(),
            currency: cny(),
            gross: 1,
            fee: 0,
            source: SettlementSource::Statement,
        },
    );
    assert!(
        matches!(again, Err(ShopError::SettlementDuplicate { .. })),
        "{again:?}"
    );

    // Past the refund horizon, 900 of fees may leave; the surplus is 700.
    f.later(31 * NANOS_PER_DAY);
    assert_eq!(f.shop.sweepable(cny(), f.now), 900);
    let over = sweep(&mut f, fin, 701);
    assert!(
        matches!(over, Err(ShopError::AboveSurplus { surplus: 700, .. })),
        "{over:?}"
    );
    assert!(matches!(sweep(&mut f, fin, 700), Ok(Reply::Sweep(_))));
    assert_eq!(surplus(&f), 0);
    assert!(f.shop.outflow_stop().is_none(), "coverage holds exactly");
    assert_eq!(f.shop.sweepable(cny(), f.now), 200);
    assert!(matches!(
        sweep(&mut f, fin, 1),
        Err(ShopError::AboveSurplus { surplus: 0, .. })
    ));
    // Only finance sweeps.
    let owner = f.owner;
    assert!(matches!(
        sweep(&mut f, owner, 1),
        Err(ShopError::Forbidden(_))
    ));
}

#[test]
fn fees_inside_their_refund_horizon_stay_in_custody_and_refunds_end_at_it() {
    let mut f = Fixture::new();
    let fin = staff(&mut f, "fin", AdminRole::Finance);
    rules(
        &mut f,
        Rules {
            refund_horizon_days: 10,
            ..Rules::default()
        },
    );
    channel_sale(&mut f, "T-1");
    let settled_at = f.now;
    assert_eq!(f.shop.sweepable(cny(), f.now), 0);
    let inside = sweep(&mut f, fin, 1);
    assert!(
        matches!(inside, Err(ShopError::FeesNotMatured { sweepable: 0, .. })),
        "{inside:?}"
    );
    // A partial refund inside the horizon reverses part of the fee: what
    // matures is what is left.
    let order = trigate_core::OrderId(1);
    let owner = f.owner;
    let now = f.tick();
    f.shop
        .refund(now, owner, order, 1_000, RefundTo::Wallet)
        .unwrap();
    f.now = settled_at + 10 * NANOS_PER_DAY - NANOS_PER_SECOND * 5;
    let at_edge = f.now + 3 * NANOS_PER_SECOND;
    assert_eq!(f.shop.sweepable(cny(), at_edge), 0, "one moment before");
    f.now = settled_at + 10 * NANOS_PER_DAY;
    assert_eq!(f.shop.sweepable(cny(), f.now), 810, "900 less 10% of it");
    let now = f.tick();
    let late = f.shop.refund(now, owner, order, 1, RefundTo::Wallet);
    assert!(
        matches!(late, Err(ShopError::PastRefundHorizon(_))),
        "{late:?}"
    );
    assert!(matches!(
        sweep(&mut f, fin, 811),
        Err(ShopError::FeesNotMatured { sweepable: 810, .. })
    ));
    // Custody itself holds nothing yet: the money is in clearing until the
    // channel settles it.
    let short = sweep(&mut f, fin, 810);
    assert!(matches!(short, Err(ShopError::Invalid(_))), "{short:?}");
    settle(&mut f, fin, "ST-1", 10_000, 0);
    assert!(matches!(sweep(&mut f, fin, 810), Ok(Reply::Sweep(_))));
    // A longer horizon later does not reopen refunds of orders whose fees
    // were swept.
    rules(
        &mut f,
        Rules {
            refund_horizon_days: 3650,
            ..Rules::default()
        },
    );
    let now = f.tick();
    let swept = f.shop.refund(now, owner, order, 1, RefundTo::Wallet);
    assert!(
        matches!(swept, Err(ShopError::PastRefundHorizon(_))),
        "{swept:?}"
    );
    assert_eq!(f.shop.sweepable(cny(), f.now), 0);
}

#[test]
fn a_bank_credit_is_booked_only_once_a_second_member_of_finance_approves_it() {
    let mut f = Fixture::new();
    let fin1 = staff(&mut f, "fin1", AdminRole::Finance);
    let fin2 = staff(&mut f, "fin2", AdminRole::Finance);
    channel_sale(&mut f, "T-1");
    let clearing = |f: &Fixture| {
        f.shop
            .ledger()
            .account(trigate_core::chart::account_id(Kind::Clearing, cny(), 0))
            .map_or(0, |a| a.debits_posted - a.credits_posted)
    };
    let cleared = u64::try_from(clearing(&f)).unwrap();
    // More than clearing holds is refused.
    let too_much = run(
        &mut f,
        Command::BookSettlement {
            actor: fin1,
            channel: "sandbox".into(),
            reference: "BANK-1".into(),
            currency: cny(),
            gross: cleared + 1,
            fee: 0,
            source: SettlementSource::BankCredit,
        },
    );
    assert!(
        matches!(too_much, Err(ShopError::Invalid(_))),
        "{too_much:?}"
    );
    let Reply::Settlement {
        settlement,
        approval: Some(approval),
    } = run(
        &mut f,
        Command::BookSettlement {
            actor: fin1,
            channel: "sandbox".into(),
            reference: "BANK-1".into(),
            currency: cny(),
            gross: 6_000,
            fee: 60,
            source: SettlementSource::BankCredit,
        },
    )
    .unwrap()
    else {
        panic!("a bank credit waits")
    };
    assert_eq!(clearing(&f), u128::from(cleared), "nothing booked yet");
    let own = run(
        &mut f,
        Command::DecideApproval {
            actor: fin1,
            approval,
            approve: true,
        },
    );
    assert!(matches!(own, Err(ShopError::Forbidden(_))));
    run(
        &mut f,
        Command::DecideApproval {
            actor: fin2,
            approval,
            approve: true,
        },
    )
    .unwrap();
    assert_eq!(clearing(&f), u128::from(cleared - 6_000));
    assert_eq!(
        f.shop.settlement(settlement).unwrap().status,
        trigate_core::SettlementStatus::Booked
    );
}

#[test]
fn a_loss_stops_sweeps_with_every_other_outflow_and_a_payment_still_delivers() {
    let mut f = Fixture::new();
    let fin = staff(&mut f, "fin", AdminRole::Finance);
    channel_sale(&mut f, "T-1");
    f.later(31 * NANOS_PER_DAY);
    run_short(
        &mut f,
        Command::BookLoss {
            actor: fin,
            currency: cny(),
            amount: 901,
            note: "a chargeback".into(),
        },
    )
    .unwrap();
    assert_eq!(surplus(&f), -1);
    let stopped = |r: Result<Reply, ShopError>| {
        matches!(r, Err(ShopError::OutflowsStopped { reason: "coverage" }))
    };
    assert!(stopped(run_short(
        &mut f,
        Command::SweepFees {
            actor: fin,
            currency: cny(),
            amount: 1,
        }
    )));
    let owner = f.owner;
    assert!(stopped(run_short(
        &mut f,
        Command::RequestWithdrawal {
            actor: owner,
            from: WithdrawFrom::Merchant,
            currency: cny(),
            amount: 1,
            destination: "CN01".into(),
        }
    )));
    let now = f.tick();
    let loner = f.loner;
    let (_, keys) = f
        .shop
        .buy_with_balance(now, loner, f.product, 1, None)
        .unwrap();
    assert_eq!(keys.len(), 1, "a payment still escrows and delivers");
    // A settlement is money coming in: still booked.
    let settled = run_short(
        &mut f,
        Command::BookSettlement {
            actor: fin,
            channel: "sandbox".into(),
            reference: "ST-1".into(),
            currency: cny(),
            gross: 10_000,
            fee: 0,
            source: SettlementSource::Statement,
        },
    );
    assert!(
        matches!(settled, Ok(Reply::Settlement { .. })),
        "{settled:?}"
    );
}

#[test]
fn a_loss_refuses_every_outflow_route_by_its_code_until_a_top_up_and_two_admins_lift_it() {
    let mut f = Fixture::new();
    let mut r = limits();
    r.destination_cooling_hours = 0;
    r.withdrawals[0].rule.one_approver_from = 0;
    r.refund_horizon_days = 1;
    rules(&mut f, r);
    let fin = staff(&mut f, "fin", AdminRole::Finance);
    let fin2 = staff(&mut f, "fin2", AdminRole::Finance);
    let admin2 = staff(&mut f, "root2", AdminRole::Admin);
    // Money in every place it could leave from: a merchant balance, one
    // withdrawal waiting and one approved, a payment owed back through its
    // channel, fees past their horizon in custody.
    merchant_earns(&mut f, 2);
    channel_sale(&mut f, "T-1");
    settle(&mut f, fin, "ST-1", 10_000, 0);
    let owner = f.owner;
    let d = add_destination(&mut f, owner);
    let Ok(Reply::Withdrawal(waiting)) = withdraw(&mut f, 500, d) else {
        panic!()
    };
    let Ok(Reply::Withdrawal(approved)) = withdraw(&mut f, 600, d) else {
        panic!()
    };
    run(
        &mut f,
        Command::ApproveWithdrawal {
            actor: fin,
            withdrawal: approved,
        },
    )
    .unwrap();
    run(
        &mut f,
        Command::StartPayout {
            actor: fin,
            withdrawal: approved,
        },
    )
    .unwrap();
    let order = f.order(f.loner, 1);
    let now = f.tick();
    let loner = f.loner;
    let attempt = f.shop.start_payment(now, loner, order, "sandbox").unwrap();
    f.shop
        .payment_succeeded(now, attempt, "T-2", 10_000, cny())
        .unwrap();
    let now = f.tick();
    f.shop
        .refund(now, owner, order, 10_000, RefundTo::Channel)
        .unwrap();
    f.later(2 * NANOS_PER_DAY);
    assert!(f.shop.sweepable(cny(), f.now) > 0);

    // The loss: one unit more than the surplus.
    let short = u64::try_from(surplus(&f)).unwrap() + 1;
    run_short(
        &mut f,
        Command::BookLoss {
            actor: fin,
            currency: cny(),
            amount: short,
            note: "a chargeback".into(),
        },
    )
    .unwrap();
    assert_eq!(surplus(&f), -1);
    let routes = |fin: UserId, d, waiting, attempt| {
        vec![
            (
                "ask for a withdrawal",
                Command::RequestWithdrawalTo {
                    actor: owner,
                    from: WithdrawFrom::Merchant,
                    currency: cny(),
                    amount: 100,
                    destination: d,
                },
            ),
            (
                "approve a withdrawal",
                Command::ApproveWithdrawal {
                    actor: fin,
                    withdrawal: waiting,
                },
            ),
            (
                "start a payout",
                Command::StartPayout {
                    actor: fin,
                    withdrawal: approved,
                },
            ),
            (
                "sweep fees",
                Command::SweepFees {
                    actor: fin,
                    currency: cny(),
                    amount: 1,
                },
            ),
            (
                "send a refund back through a channel",
                Command::ReserveChannelRefund { attempt },
            ),
        ]
    };
    for (what, command) in routes(fin, d, waiting, attempt) {
        let refused = run_short(&mut f, command);
        assert!(
            matches!(
                refused,
                Err(ShopError::OutflowsStopped { reason: "coverage" })
            ),
            "{what}: {refused:?}"
        );
    }
    // Payments still escrow and deliver; a payout already started is
    // still recorded.
    let now = f.tick();
    let (_, keys) = f
        .shop
        .buy_with_balance(now, loner, f.product, 1, None)
        .unwrap();
    assert_eq!(keys.len(), 1);
    run_short(
        &mut f,
        Command::FinishPayout {
            actor: fin,
            withdrawal: approved,
            paid: true,
            reference: "sandbox:W2".into(),
        },
    )
    .unwrap();

    // A top-up restores coverage (four eyes); two admins lift the stop.
    let Ok(Reply::Approval(id)) = run_short(
        &mut f,
        Command::AskApproval {
            actor: fin,
            action: Approvable::CustodyTopUp {
                currency: cny(),
                amount: 1,
            },
        },
    ) else {
        panic!()
    };
    run(
        &mut f,
        Command::DecideApproval {
            actor: fin2,
            approval: id,
            approve: true,
        },
    )
    .unwrap();
    let admin = f.admin;
    run(&mut f, Command::LiftOutflows { actor: admin }).unwrap();
    assert!(f.shop.outflow_stop().is_some(), "one admin is not enough");
    run(&mut f, Command::LiftOutflows { actor: admin2 }).unwrap();
    assert!(f.shop.outflow_stop().is_none());
    // Each route works again.
    run(
        &mut f,
        Command::ApproveWithdrawal {
            actor: fin,
            withdrawal: waiting,
        },
    )
    .unwrap();
    assert!(matches!(
        run(&mut f, Command::ReserveChannelRefund { attempt }),
        Ok(Reply::Send(_))
    ));
}
