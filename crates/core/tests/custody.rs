//! Custody: a booked loss breaks coverage and stops every outflow at once,
//! while payments still escrow and deliver; a top-up into custody restores
//! coverage and two different admins lift the stop. An admin's manual stop
//! works the same way.

mod common;

use common::{Fixture, cny};
use trigate_core::{
    AdminRole, Approvable, Command, RefundTo, Reply, Role, ShopError, StopReason, UserId,
    WithdrawFrom,
};

fn staff(f: &mut Fixture, login: &str, role: AdminRole) -> UserId {
    let now = f.tick();
    f.shop
        .register(now, login, Role::Staff(role), None)
        .unwrap()
}

fn run(f: &mut Fixture, command: Command) -> Result<Reply, ShopError> {
    let now = f.tick();
    f.shop.apply(now, command)
}

fn surplus(f: &Fixture) -> i128 {
    f.shop
        .coverage()
        .iter()
        .find(|c| c.currency == cny())
        .map_or(0, |c| c.surplus())
}

#[test]
fn a_booked_loss_stops_every_outflow_until_coverage_is_restored_and_two_admins_lift_it() {
    let mut f = Fixture::new();
    let fin1 = staff(&mut f, "fin1", AdminRole::Finance);
    let fin2 = staff(&mut f, "fin2", AdminRole::Finance);
    let admin2 = staff(&mut f, "root2", AdminRole::Admin);
    // A sale paid through a channel, refunded to it: owed back.
    let order = f.order(f.loner, 1);
    let now = f.tick();
    let attempt = f
        .shop
        .start_payment(now, f.loner, order, "sandbox")
        .unwrap();
    f.shop
        .payment_succeeded(now, attempt, "T-1", 10_000, cny())
        .unwrap();
    let owner = f.owner;
    f.shop
        .refund(now, owner, order, 1_000, RefundTo::Channel)
        .unwrap();
    assert_eq!(surplus(&f), 0);
    assert!(f.shop.outflow_stop().is_none());

    // One unit short is enough.
    let loss = Command::BookLoss {
        actor: fin1,
        currency: cny(),
        amount: 1,
        note: "payout paid twice by the channel".into(),
    };
    run(&mut f, loss).unwrap();
    assert_eq!(surplus(&f), -1);
    assert_eq!(f.shop.losses(), vec![(cny(), 1)]);
    let stop = f.shop.outflow_stop().unwrap().clone();
    assert_eq!(stop.reason, StopReason::Coverage);
    assert!(
        !f.shop.check_invariants().is_empty(),
        "verify names the breach"
    );

    // Every outflow refused, each with its code.
    let refused = |r: Result<Reply, ShopError>| {
        matches!(r, Err(ShopError::OutflowsStopped { reason: "coverage" }))
    };
    let referrer = f.referrer;
    assert!(refused(run(
        &mut f,
        Command::RequestWithdrawal {
            actor: referrer,
            from: WithdrawFrom::Reward,
            currency: cny(),
            amount: 1,
            destination: "CN01".into(),
        }
    )));
    assert!(refused(run(
        &mut f,
        Command::ReserveChannelRefund { attempt }
    )));
    // Payments still escrow and deliver.
    let now = f.tick();
    let loner = f.loner;
    let (_, keys) = f
        .shop
        .buy_with_balance(now, loner, f.product, 1, None)
        .unwrap();
    assert_eq!(keys.len(), 1);

    // Coverage still fails: no admin lifts it.
    let admin = f.admin;
    assert!(run(&mut f, Command::LiftOutflows { actor: admin }).is_err());
    // Finance tops custody up, four eyes; coverage holds again.
    let Reply::Approval(id) = run(
        &mut f,
        Command::AskApproval {
            actor: fin1,
            action: Approvable::CustodyTopUp {
                currency: cny(),
                amount: 1,
            },
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
    assert_eq!(surplus(&f), 0);
    assert!(f.shop.outflow_stop().is_some(), "a stop stays until lifted");
    // Two different admins lift it.
    run(&mut f, Command::LiftOutflows { actor: admin }).unwrap();
    assert!(run(&mut f, Command::LiftOutflows { actor: admin }).is_err());
    assert!(f.shop.outflow_stop().is_some());
    assert!(matches!(
        run(&mut f, Command::LiftOutflows { actor: fin1 }),
        Err(ShopError::Forbidden(_))
    ));
    run(&mut f, Command::LiftOutflows { actor: admin2 }).unwrap();
    assert!(f.shop.outflow_stop().is_none());
    run(&mut f, Command::ReserveChannelRefund { attempt }).unwrap();
    f.check_invariants();
}

#[test]
fn an_admins_manual_stop_holds_until_lifted_and_the_command_line_can_lift_it() {
    let mut f = Fixture::new();
    let admin = f.admin;
    let note = "suspicious payouts".to_string();
    run(
        &mut f,
        Command::StopOutflows {
            actor: admin,
            note: note.clone(),
        },
    )
    .unwrap();
    let stop = f.shop.outflow_stop().unwrap();
    assert_eq!((stop.reason, stop.by), (StopReason::Manual, Some(admin)));
    let loner = f.loner;
    assert!(matches!(
        run(
            &mut f,
            Command::RequestWithdrawal {
                actor: loner,
                from: WithdrawFrom::Reward,
                currency: cny(),
                amount: 1,
                destination: "CN01".into(),
            }
        ),
        Err(ShopError::OutflowsStopped { reason: "manual" })
    ));
    assert!(run(&mut f, Command::StopOutflows { actor: admin, note }).is_err());
    run(
        &mut f,
        Command::BreakGlassLift {
            note: "one-admin shop".into(),
        },
    )
    .unwrap();
    assert!(f.shop.outflow_stop().is_none());
    let entries = f.shop.audit_entries(admin).unwrap();
    assert!(entries.iter().any(|e| {
        e.action
            .contains("lifted the outflow stop at the command line")
    }));
    f.check_invariants();
}

#[test]
fn no_admin_is_made_while_outflows_are_stopped_and_the_command_line_lifts_only_with_one_admin() {
    let mut f = Fixture::new();
    let admin = f.admin;
    let helper = staff(&mut f, "helper", AdminRole::Support);
    run(
        &mut f,
        Command::StopOutflows {
            actor: admin,
            note: "drill".into(),
        },
    )
    .unwrap();
    run(&mut f, Command::LiftOutflows { actor: admin }).unwrap();
    // The admin cannot make a second admin to finish the lift alone.
    assert!(matches!(
        run(
            &mut f,
            Command::SetRoleBy {
                actor: admin,
                user: helper,
                role: Role::Staff(AdminRole::Admin),
            }
        ),
        Err(ShopError::OutflowsStopped { .. })
    ));
    assert!(f.shop.outflow_stop().is_some());
    // With two admins, the command line does not lift it.
    run(&mut f, Command::BreakGlassLift { note: "x".into() }).unwrap();
    let second = staff(&mut f, "root2", AdminRole::Admin);
    run(
        &mut f,
        Command::StopOutflows {
            actor: second,
            note: "again".into(),
        },
    )
    .unwrap();
    assert!(run(&mut f, Command::BreakGlassLift { note: "x".into() }).is_err());
    assert!(f.shop.outflow_stop().is_some());
}
