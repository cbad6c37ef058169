//! Helpers for the tests of money between custody and the outside:
//! staff, commands checked against every invariant, channel sales and
//! settlements, sweeps, withdrawal rules and destinations.

use super::{Fixture, cny};
use trigate_core::{
    AdminRole, Command, NANOS_PER_DAY, PartyKind, Reply, Role, Rules, SettlementSource, ShopError,
    UserId, WithdrawFrom, WithdrawalRule, WithdrawalRuleFor,
};

pub fn staff(f: &mut Fixture, login: &str, role: AdminRole) -> UserId {
    let now = f.tick();
    f.shop
        .register(now, login, Role::Staff(role), None)
        .unwrap()
}

pub fn run(f: &mut Fixture, command: Command) -> Result<Reply, ShopError> {
    let now = f.tick();
    let reply = f.shop.apply(now, command);
    f.check_invariants();
    reply
}

pub fn rules(f: &mut Fixture, rules: Rules) {
    run(f, Command::ChangeRules { rules }).unwrap();
}

pub fn surplus(f: &Fixture) -> i128 {
    f.shop
        .coverage()
        .iter()
        .find(|c| c.currency == cny())
        .map_or(0, |c| c.surplus())
}

/// The loner pays an order of 10,000 through a channel and confirms it:
/// clearing holds 10,000; fee 1,000, of which the reserve takes 100.
pub fn channel_sale(f: &mut Fixture, txn: &str) {
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

pub fn sweep(f: &mut Fixture, actor: UserId, amount: u64) -> Result<Reply, ShopError> {
    run(
        f,
        Command::SweepFees {
            actor,
            currency: cny(),
            amount,
        },
    )
}

pub fn settle(f: &mut Fixture, actor: UserId, reference: &str, gross: u64, fee: u64) -> Reply {
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

/// A command on a shop whose coverage is broken on purpose.
pub fn run_short(f: &mut Fixture, command: Command) -> Result<Reply, ShopError> {
    let now = f.tick();
    f.shop.apply(now, command)
}

/// Sells `n` orders by balance and confirms them; two days later the
/// merchant's shares are available (T+1).
pub fn merchant_earns(f: &mut Fixture, n: u32) {
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

pub fn limits() -> Rules {
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

pub fn add_destination(f: &mut Fixture, actor: UserId) -> trigate_core::DestinationId {
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

pub fn withdraw(
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

pub fn limit(r: Result<Reply, ShopError>) -> bool {
    matches!(r, Err(ShopError::WithdrawalLimit { .. }))
}
