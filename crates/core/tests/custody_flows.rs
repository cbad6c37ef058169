//! Money between custody and the outside: channel settlements booked into
//! custody, fee sweeps bounded by the refund horizon and the surplus,
//! merchants' deposits paid in, held and forfeited, and withdrawals under
//! their limits, fees and destinations' cooling periods.

mod common;

use common::{Fixture, cny};
use trigate_core::chart::Kind;
use trigate_core::{
    AdminRole, Approvable, Command, DepositMinimum, MerchantStatus, NANOS_PER_DAY,
    NANOS_PER_SECOND, PartyKind, RefundTo, Reply, Role, Rules, SettlementSource, ShopError, UserId,
    WithdrawFrom, WithdrawalRule, WithdrawalRuleFor, WithdrawalStatus,
};

fn staff(f: &mut Fixture, login: &str, role: AdminRole) -> UserId {
    let now = f.tick();
    f.shop
        .register(now, login, Role::Staff(role), None)
        .unwrap()
}

fn run(f: &mut Fixture, command: Command) -> Result<Reply, ShopError> {
    let now = f.tick();
    let reply = f.shop.apply(now, command);
    f.check_invariants();
    reply
}

fn rules(f: &mut Fixture, rules: Rules) {
    run(f, Command::ChangeRules { rules }).unwrap();
}

fn surplus(f: &Fixture) -> i128 {
    f.shop
        .coverage()
        .iter()
        .find(|c| c.currency == cny())
        .map_or(0, |c| c.surplus())
}

/// The loner pays an order of 10,000 through a channel and confirms it:
/// clearing holds 10,000; fee 1,000, of which the reserve takes 100.
fn channel_sale(f: &mut Fixture, txn: &str) {
    let order = f.order(f.loner, 1);
    let now = f.tick();
    let loner = f.loner;
    let attempt = f.shop.start_payment(now, loner, order, "sandbox").unwrap();
    f.shop
        .payment_succeeded(now, attempt, txn, 10_000, cny())
        .unwrap();
    let now = f.tick();
    f.shop.confirm_order(now, loner, order).unwrap();
}

fn sweep(f: &mut Fixture, actor: UserId, amount: u64) -> Result<Reply, ShopError> {
    run(
        f,
        Command::SweepFees {
            actor,
            currency: cny(),
            amount,
        },
    )
}

fn settle(f: &mut Fixture, actor: UserId, reference: &str, gross: u64, fee: u64) -> Reply {
    run(
        f,
        Command::BookSettlement {
            actor,
            channel: "sandbox".into(),
            reference: reference.into(),
            currency: cny(),
            gross,
            fee,
            source: SettlementSource::Statement,
        },
    )
    .unwrap()
}

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

/// A command on a shop whose coverage is broken on purpose.
fn run_short(f: &mut Fixture, command: Command) -> Result<Reply, ShopError> {
    let now = f.tick();
    f.shop.apply(now, command)
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

/// Sells `n` orders by balance and confirms them; two days later the
/// merchant's shares are available (T+1).
fn merchant_earns(f: &mut Fixture, n: u32) {
    for _ in 0..n {
        let order = f.paid_order(f.loner, 1);
        let now = f.tick();
        let loner = f.loner;
        f.shop.confirm_order(now, loner, order).unwrap();
    }
    f.later(2 * NANOS_PER_DAY);
    let now = f.tick();
    f.shop.apply(now, Command::Tick).unwrap();
}

#[test]
fn a_deposit_paid_from_outside_lets_a_merchant_sell_is_held_then_forfeited_on_a_ban() {
    let mut f = Fixture::new();
    let fin1 = staff(&mut f, "fin1", AdminRole::Finance);
    let fin2 = staff(&mut f, "fin2", AdminRole::Finance);
    rules(
        &mut f,
        Rules {
            deposits: vec![DepositMinimum {
                currency: cny(),
                minimum: 5_000,
            }],
            deposit_hold_days: 7,
            refund_horizon_days: 7,
            ..Rules::default()
        },
    );
    // No deposit: no sale.
    let now = f.tick();
    let loner = f.loner;
    let refused = f.shop.create_order(now, loner, f.product, 1, None);
    assert!(
        matches!(
            refused,
            Err(ShopError::DepositRequired { minimum: 5_000, .. })
        ),
        "{refused:?}"
    );
    // The owner pays 3,000 in through a channel…
    let owner = f.owner;
    let Reply::Attempt(attempt) = run(
        &mut f,
        Command::StartDepositPayment {
            actor: owner,
            channel: "sandbox".into(),
            amount: 3_000,
            currency: cny(),
        },
    )
    .unwrap() else {
        panic!()
    };
    let now = f.tick();
    let outcome = f
        .shop
        .payment_succeeded(now, attempt, "D-1", 3_000, cny())
        .unwrap();
    assert_eq!(outcome, trigate_core::PaymentOutcome::DepositFunded);
    assert_eq!(f.shop.deposit(f.merchant, cny()), 3_000);
    // …and finance books a bank credit of 2,000, four eyes.
    let merchant = f.merchant;
    let credit = Approvable::DepositCredit {
        merchant,
        currency: cny(),
        amount: 2_000,
    };
    let Reply::Approval(id) = run(
        &mut f,
        Command::AskApproval {
            actor: fin1,
            action: credit,
        },
    )
    .unwrap() else {
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
    assert_eq!(f.shop.deposit(merchant, cny()), 5_000);
    // Now it sells; while the order is open and for 7 days after the last
    // sale the deposit stays.
    let order = f.paid_order(f.loner, 1);
    let from_deposit = |f: &mut Fixture| {
        let owner = f.owner;
        run(
            f,
            Command::RequestWithdrawal {
                actor: owner,
                from: WithdrawFrom::Deposit,
                currency: cny(),
                amount: 1_000,
                destination: "CN01".into(),
            },
        )
    };
    let held = from_deposit(&mut f);
    assert!(
        matches!(held, Err(ShopError::DepositHeld { .. })),
        "{held:?}"
    );
    let now = f.tick();
    f.shop.confirm_order(now, loner, order).unwrap();
    let held = from_deposit(&mut f);
    assert!(
        matches!(held, Err(ShopError::DepositHeld { .. })),
        "{held:?}"
    );
    f.later(7 * NANOS_PER_DAY);
    let Ok(Reply::Withdrawal(waiting)) = from_deposit(&mut f) else {
        panic!("free after the hold")
    };

    // Forfeited only once banned, and only with a second approval.
    let forfeit = Approvable::ForfeitDeposit {
        merchant,
        currency: cny(),
    };
    let early = run(
        &mut f,
        Command::AskApproval {
            actor: fin1,
            action: forfeit,
        },
    );
    assert!(matches!(early, Err(ShopError::Invalid(_))), "{early:?}");
    let now = f.tick();
    let admin = f.admin;
    f.shop
        .set_merchant_status_by(now, admin, merchant, MerchantStatus::Banned)
        .unwrap();
    // Banned, it withdraws nothing more.
    let banned = from_deposit(&mut f);
    assert!(
        matches!(banned, Err(ShopError::MerchantNotActive(_))),
        "{banned:?}"
    );
    let Reply::Approval(id) = run(
        &mut f,
        Command::AskApproval {
            actor: fin1,
            action: forfeit,
        },
    )
    .unwrap() else {
        panic!()
    };
    let reserve_before = f.balance(Kind::Reserve, 0);
    run(
        &mut f,
        Command::DecideApproval {
            actor: fin2,
            approval: id,
            approve: true,
        },
    )
    .unwrap();
    // The waiting withdrawal ended, and the whole deposit went.
    assert_eq!(
        f.shop.withdrawal(waiting).unwrap().status,
        WithdrawalStatus::Rejected
    );
    assert_eq!(f.shop.deposit(merchant, cny()), 0);
    assert_eq!(f.balance(Kind::Reserve, 0), reserve_before + 5_000);
    assert!(
        f.shop
            .audit_entries(admin)
            .unwrap()
            .iter()
            .any(|e| e.action.contains("forfeited"))
    );
}

fn limits() -> Rules {
    Rules {
        withdrawals: vec![WithdrawalRuleFor {
            currency: cny(),
            party: PartyKind::Merchant,
            rule: WithdrawalRule {
                min: 100,
                max: 1_000,
                daily: 1_500,
                monthly: 2_500,
                fee_fixed: 10,
                fee_bps: 100,
                one_approver_from: 500,
                two_approvers_from: 900,
            },
        }],
        destination_cooling_hours: 24,
        ..Rules::default()
    }
}

fn add_destination(f: &mut Fixture, actor: UserId) -> trigate_core::DestinationId {
    let Reply::Destination(d) = run(
        f,
        Command::AddDestination {
            actor,
            label: "bank".into(),
            masked: "****1234".into(),
            sealed: vec![1; 40],
        },
    )
    .unwrap() else {
        panic!()
    };
    d
}

fn withdraw(
    f: &mut Fixture,
    amount: u64,
    destination: trigate_core::DestinationId,
) -> Result<Reply, ShopError> {
    let owner = f.owner;
    run(
        f,
        Command::RequestWithdrawalTo {
            actor: owner,
            from: WithdrawFrom::Merchant,
            currency: cny(),
            amount,
            destination,
        },
    )
}

fn limit(r: Result<Reply, ShopError>) -> bool {
    matches!(r, Err(ShopError::WithdrawalLimit { .. }))
}

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
