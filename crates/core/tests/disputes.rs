//! Disputes: opened inside the window, settlement frozen, answered by a
//! key replacement or a refund, or decided by staff.

mod common;

use common::{Fixture, SECOND, cny};
use trigate_core::{Decision, DisputeAction, KeyStatus, OrderStatus, ShopError};

#[test]
fn dispute_freezes_settlement_past_the_window() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 1);
    let now = f.tick();
    f.shop
        .open_dispute(now, f.loner, order, "key already used")
        .unwrap();
    assert_eq!(f.status(order), OrderStatus::Disputed);
    let window = f.shop.config().dispute_window_ns;
    let now = f.later(window);
    assert!(f.shop.confirm_due_orders(now).unwrap().is_empty());
    assert_eq!(f.status(order), OrderStatus::Disputed);
    f.check_invariants();
}

#[test]
fn dispute_after_the_window_is_refused() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 1);
    let window = f.shop.config().dispute_window_ns;
    let now = f.later(window);
    assert_eq!(
        f.shop.open_dispute(now, f.loner, order, "late"),
        Err(ShopError::DisputeWindowClosed(order))
    );
}

#[test]
fn only_the_buyer_may_open_a_dispute_with_a_reason() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 1);
    let now = f.tick();
    assert_eq!(
        f.shop.open_dispute(now, f.buyer, order, "not mine"),
        Err(ShopError::Forbidden(f.buyer))
    );
    assert!(matches!(
        f.shop.open_dispute(now, f.loner, order, "   "),
        Err(ShopError::Invalid(_))
    ));
}

#[test]
fn replaced_keys_are_delivered_and_the_old_ones_never_sold_again() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 2);
    let old = f.shop.order(order).unwrap().keys.clone();
    let now = f.tick();
    f.shop
        .open_dispute(now, f.loner, order, "invalid keys")
        .unwrap();
    let now = f.tick();
    let new = f.shop.replace_keys(now, f.owner, order).unwrap();
    assert_eq!(new.len(), 2);
    assert!(new.iter().all(|k| !old.contains(k)));
    assert_eq!(f.status(order), OrderStatus::Delivered);
    assert_eq!(f.shop.stock(f.product), 16);
    for k in old.iter().chain(&new) {
        assert_eq!(f.shop.key(*k).unwrap().status, KeyStatus::Delivered(order));
    }
    let steps = &f.shop.order(order).unwrap().dispute.as_ref().unwrap().steps;
    assert!(matches!(
        steps[1].action,
        DisputeAction::KeysReplaced { .. }
    ));
    f.check_invariants();
    // A fresh window, then it confirms itself.
    let window = f.shop.config().dispute_window_ns;
    let now = f.later(window);
    assert_eq!(f.shop.confirm_due_orders(now).unwrap(), vec![order]);
    f.check_invariants();
}

#[test]
fn merchant_refund_closes_the_dispute() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 1);
    let now = f.tick();
    f.shop.open_dispute(now, f.loner, order, "bad").unwrap();
    let now = f.tick();
    f.shop.refund_dispute(now, f.owner, order).unwrap();
    assert_eq!(f.status(order), OrderStatus::Refunded);
    assert_eq!(f.shop.wallet(f.loner, cny()), (100_000, 0));
    assert!(!f.shop.order(order).unwrap().dispute.as_ref().unwrap().open);
    f.check_invariants();
}

#[test]
fn unanswered_dispute_goes_to_staff_who_decide() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 1);
    let now = f.tick();
    f.shop.open_dispute(now, f.loner, order, "bad").unwrap();
    // Staff cannot decide before the merchant has had its chance.
    assert!(matches!(
        f.shop
            .decide_dispute(now, f.admin, order, Decision::Release),
        Err(ShopError::Invalid(_))
    ));
    let answer = f.shop.config().dispute_answer_ns;
    let now = f.later(answer - SECOND);
    assert!(f.shop.escalate_unanswered(now).unwrap().is_empty());
    let now = f.later(SECOND);
    assert_eq!(f.shop.escalate_unanswered(now).unwrap(), vec![order]);
    // A buyer is not staff.
    assert_eq!(
        f.shop
            .decide_dispute(now, f.loner, order, Decision::Release),
        Err(ShopError::Forbidden(f.loner))
    );
    f.shop
        .decide_dispute(now, f.admin, order, Decision::Refund(4_000))
        .unwrap();
    // The refund goes back, the rest settles.
    assert_eq!(f.status(order), OrderStatus::Settled);
    assert_eq!(f.shop.wallet(f.loner, cny()), (94_000, 0));
    assert_eq!(f.shop.merchant_balances(f.merchant, cny()).0, 5_400);
    let steps = &f.shop.order(order).unwrap().dispute.as_ref().unwrap().steps;
    assert_eq!(steps.len(), 3);
    f.check_invariants();
}

#[test]
fn staff_may_release_a_contested_dispute_to_the_merchant() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 1);
    let now = f.tick();
    f.shop.open_dispute(now, f.loner, order, "bad").unwrap();
    f.shop.escalate_dispute(now, f.owner, order).unwrap();
    f.shop
        .decide_dispute(now, f.admin, order, Decision::Release)
        .unwrap();
    assert_eq!(f.status(order), OrderStatus::Settled);
    assert_eq!(f.shop.merchant_balances(f.merchant, cny()).0, 9_000);
    f.check_invariants();
}
