//! Four eyes: large staff refunds, refunds the reserve would pay, large
//! dispute decisions and reserve top-ups wait for a second member of staff,
//! never the one who asked; approved they run as asked, rejected nothing
//! moves.

mod common;

use common::{Fixture, cny};
use trigate_core::chart::Kind;
use trigate_core::{
    AdminRole, Approvable, ApprovalStatus, Decision, NANOS_PER_DAY, Party, RefundTo, Role,
    ShopError, UserId, WithdrawFrom,
};

fn finance(f: &mut Fixture, login: &str) -> UserId {
    let now = f.tick();
    f.shop
        .register(now, login, Role::Staff(AdminRole::Finance), None)
        .unwrap()
}

#[test]
fn a_staff_refund_above_the_limit_waits_for_a_second_member_of_staff() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 10);
    let asker = finance(&mut f, "fin1");
    let checker = finance(&mut f, "fin2");
    // 100,000 is the default limit: a refund of all 100,000 is within it,
    // so the limit is lowered to see the rule.
    let mut config = *f.shop.config();
    config.policy.refund_approval_above = 50_000;
    f.shop.change_settings(config).unwrap();
    let now = f.tick();
    assert!(matches!(
        f.shop.refund(now, asker, order, 60_000, RefundTo::Wallet),
        Err(ShopError::ApprovalRequired { .. })
    ));
    // The merchant's own refund of an unsettled order needs no approval.
    let owner = f.owner;
    f.shop
        .refund(now, owner, order, 50_000, RefundTo::Wallet)
        .unwrap();
    let action = Approvable::Refund {
        order,
        amount: 40_000,
        to: RefundTo::Wallet,
    };
    let id = f.shop.ask_approval(now, asker, action).unwrap();
    assert_eq!(
        f.shop.ask_approval(now, asker, action).unwrap(),
        id,
        "asked once"
    );
    let now = f.tick();
    assert_eq!(
        f.shop.decide_approval(now, asker, id, true),
        Err(ShopError::Forbidden(asker)),
        "never the one who asked"
    );
    assert_eq!(
        f.shop.decide_approval(now, owner, id, true),
        Err(ShopError::Forbidden(owner)),
        "staff only"
    );
    let (recharge, _) = f.shop.wallet(f.loner, cny());
    f.shop.decide_approval(now, checker, id, true).unwrap();
    assert_eq!(f.shop.wallet(f.loner, cny()).0, recharge + 40_000);
    let a = f.shop.approval(id).unwrap();
    assert_eq!(
        (a.status, a.decided_by),
        (ApprovalStatus::Approved, Some(checker))
    );
    assert!(
        f.shop.decide_approval(now, checker, id, true).is_err(),
        "once"
    );
    assert_eq!(f.shop.order(order).unwrap().refunded, 90_000);
    f.check_invariants();
}

#[test]
fn a_refund_the_reserve_would_pay_waits_and_a_rejection_moves_nothing() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 1);
    let now = f.tick();
    f.shop.confirm_order(now, f.loner, order).unwrap();
    let now = f.later(2 * NANOS_PER_DAY);
    f.shop.release_due(now).unwrap();
    let owner = f.owner;
    f.shop
        .request_withdrawal(now, owner, WithdrawFrom::Merchant, cny(), 9_000, "CN02")
        .unwrap();
    let now = f.tick();
    assert!(matches!(
        f.shop.refund(now, owner, order, 10_000, RefundTo::Wallet),
        Err(ShopError::ApprovalRequired { why }) if why.contains("reserve")
    ));
    let action = Approvable::Refund {
        order,
        amount: 10_000,
        to: RefundTo::Wallet,
    };
    let id = f.shop.ask_approval(now, owner, action).unwrap();
    let checker = finance(&mut f, "fin");
    let before = f.shop.ledger().chain_head();
    let now = f.tick();
    f.shop.decide_approval(now, checker, id, false).unwrap();
    assert_eq!(f.shop.ledger().chain_head(), before, "nothing moved");
    assert_eq!(
        f.shop.approval(id).unwrap().status,
        ApprovalStatus::Rejected
    );
    assert_eq!(f.shop.debt(Party::Merchant(f.merchant), cny()), 0);
    // Asked again and approved: the reserve pays, the merchant owes it.
    let id = f.shop.ask_approval(now, owner, action).unwrap();
    let now = f.tick();
    f.shop.decide_approval(now, checker, id, true).unwrap();
    assert_eq!(f.shop.debt(Party::Merchant(f.merchant), cny()), 9_000);
    f.check_invariants();
}

#[test]
fn a_dispute_decision_above_its_limit_waits_for_approval() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 5);
    let now = f.tick();
    let loner = f.loner;
    f.shop.open_dispute(now, loner, order, "bad keys").unwrap();
    let owner = f.owner;
    let now = f.tick();
    f.shop.escalate_dispute(now, owner, order).unwrap();
    let mut config = *f.shop.config();
    config.policy.decision_approval_above = 20_000;
    f.shop.change_settings(config).unwrap();
    let admin = f.admin;
    let decision = Decision::Refund(30_000);
    let now = f.tick();
    assert!(matches!(
        f.shop.decide_dispute(now, admin, order, decision),
        Err(ShopError::ApprovalRequired { .. })
    ));
    let id = f
        .shop
        .ask_approval(now, admin, Approvable::Decision { order, decision })
        .unwrap();
    let checker = finance(&mut f, "fin");
    let now = f.tick();
    f.shop.decide_approval(now, checker, id, true).unwrap();
    let o = f.shop.order(order).unwrap();
    assert_eq!(o.refunded, 30_000);
    assert!(o.settlement.is_some(), "what is left settles");
    f.check_invariants();
}

#[test]
fn the_reserve_is_topped_up_by_one_member_of_finance_and_approved_by_another() {
    let mut f = Fixture::new();
    let asker = finance(&mut f, "fin1");
    let checker = finance(&mut f, "fin2");
    let now = f.tick();
    let owner = f.owner;
    let top_up = Approvable::ReserveTopUp {
        currency: cny(),
        amount: 50_000,
    };
    assert_eq!(
        f.shop.ask_approval(now, owner, top_up),
        Err(ShopError::Forbidden(owner))
    );
    let id = f.shop.ask_approval(now, asker, top_up).unwrap();
    assert_eq!(f.balance(Kind::Reserve, 0), 0, "nothing until approved");
    assert_eq!(f.shop.waiting_approvals(checker).unwrap().len(), 1);
    let now = f.tick();
    f.shop.decide_approval(now, checker, id, true).unwrap();
    assert_eq!(f.balance(Kind::Reserve, 0), 50_000);
    assert!(f.shop.waiting_approvals(checker).unwrap().is_empty());
    f.check_invariants();
}
