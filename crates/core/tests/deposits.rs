//! A merchant's deposit: paid in from outside, required before it sells,
//! held while refunds may still draw on it, forfeited on a ban.

mod common;

use common::money::*;
use common::{Fixture, cny};
use trigate_core::chart::Kind;
use trigate_core::{
    AdminRole, Approvable, Command, DepositMinimum, MerchantStatus, NANOS_PER_DAY, Reply, Rules,
    ShopError, WithdrawFrom, WithdrawalStatus,
};

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
