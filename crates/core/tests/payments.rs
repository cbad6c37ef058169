//! Payments through channels: attempts apart from orders, each channel
//! transaction applied once, late or second payments credited, never lost.

mod common;

use common::{Fixture, cny};
use trigate_core::chart::Kind;
use trigate_core::{AttemptStatus, Currency, OrderStatus, PaymentOutcome, ShopError};

#[test]
fn channel_payment_pays_escrow_and_delivers() {
    let mut f = Fixture::new();
    let order = f.order(f.loner, 2);
    let now = f.tick();
    let attempt = f
        .shop
        .start_payment(now, f.loner, order, "sandbox")
        .unwrap();
    let now = f.tick();
    let outcome = f
        .shop
        .payment_succeeded(now, attempt, "T-1", 20_000, cny())
        .unwrap();
    let PaymentOutcome::Delivered(keys) = outcome else {
        panic!("not delivered: {outcome:?}");
    };
    assert_eq!(keys.len(), 2);
    assert_eq!(f.status(order), OrderStatus::Delivered);
    assert_eq!(f.balance(Kind::Escrow, 0), 20_000);
    assert_eq!(f.shop.wallet(f.loner, cny()), (100_000, 0));
    f.check_invariants();
}

#[test]
fn duplicate_notify_delivers_once() {
    let mut f = Fixture::new();
    let order = f.order(f.loner, 1);
    let now = f.tick();
    let attempt = f
        .shop
        .start_payment(now, f.loner, order, "sandbox")
        .unwrap();
    f.shop
        .payment_succeeded(now, attempt, "T-1", 10_000, cny())
        .unwrap();
    for _ in 0..5 {
        let now = f.tick();
        assert_eq!(
            f.shop.payment_succeeded(now, attempt, "T-1", 10_000, cny()),
            Ok(PaymentOutcome::Duplicate(attempt))
        );
    }
    assert_eq!(f.balance(Kind::Escrow, 0), 10_000);
    assert_eq!(f.shop.stock(f.product), 19);
    f.check_invariants();
}

#[test]
fn wrong_amount_or_currency_changes_nothing() {
    let mut f = Fixture::new();
    let order = f.order(f.loner, 1);
    let now = f.tick();
    let attempt = f
        .shop
        .start_payment(now, f.loner, order, "sandbox")
        .unwrap();
    for (amount, currency) in [
        (9_999, cny()),
        (10_001, cny()),
        (10_000, Currency::new("USD").unwrap()),
    ] {
        assert!(matches!(
            f.shop
                .payment_succeeded(now, attempt, "T-1", amount, currency),
            Err(ShopError::AmountMismatch { .. })
        ));
    }
    assert_eq!(f.status(order), OrderStatus::Created);
    assert_eq!(
        f.shop.attempt(attempt).unwrap().status,
        AttemptStatus::Pending
    );
    // The right one still goes through under the same transaction id.
    assert!(
        f.shop
            .payment_succeeded(now, attempt, "T-1", 10_000, cny())
            .is_ok()
    );
}

#[test]
fn late_payment_for_an_expired_order_lands_in_the_wallet() {
    let mut f = Fixture::new();
    let order = f.order(f.loner, 1);
    let now = f.tick();
    let attempt = f
        .shop
        .start_payment(now, f.loner, order, "sandbox")
        .unwrap();
    let ttl = f.shop.config().reservation_ns;
    let now = f.later(ttl);
    f.shop.expire_orders(now).unwrap();
    assert_eq!(f.status(order), OrderStatus::Expired);
    let now = f.tick();
    assert_eq!(
        f.shop.payment_succeeded(now, attempt, "T-9", 10_000, cny()),
        Ok(PaymentOutcome::CreditedToWallet)
    );
    assert_eq!(f.shop.wallet(f.loner, cny()), (110_000, 0));
    assert_eq!(f.status(order), OrderStatus::Expired);
    assert_eq!(f.shop.stock(f.product), 20);
    f.check_invariants();
}

#[test]
fn second_payment_for_a_paid_order_is_credited_not_delivered_again() {
    let mut f = Fixture::new();
    let order = f.order(f.loner, 1);
    let now = f.tick();
    let first = f.shop.start_payment(now, f.loner, order, "alipay").unwrap();
    let second = f.shop.start_payment(now, f.loner, order, "wechat").unwrap();
    f.shop
        .payment_succeeded(now, first, "A-1", 10_000, cny())
        .unwrap();
    let now = f.tick();
    assert_eq!(
        f.shop.payment_succeeded(now, second, "W-1", 10_000, cny()),
        Ok(PaymentOutcome::CreditedToWallet)
    );
    // And the first attempt paid twice under another id: credited as well.
    assert_eq!(
        f.shop.payment_succeeded(now, first, "A-2", 10_000, cny()),
        Ok(PaymentOutcome::CreditedToWallet)
    );
    assert_eq!(f.shop.wallet(f.loner, cny()), (120_000, 0));
    assert_eq!(f.shop.order(order).unwrap().keys.len(), 1);
    assert_eq!(f.shop.stock(f.product), 19);
    f.check_invariants();
}

#[test]
fn recharge_tops_up_the_recharge_wallet_once() {
    let mut f = Fixture::new();
    let now = f.tick();
    let attempt = f
        .shop
        .start_recharge(now, f.buyer, "sandbox", 5_000, cny())
        .unwrap();
    assert_eq!(
        f.shop.payment_succeeded(now, attempt, "R-1", 5_000, cny()),
        Ok(PaymentOutcome::Recharged)
    );
    assert_eq!(
        f.shop.payment_succeeded(now, attempt, "R-1", 5_000, cny()),
        Ok(PaymentOutcome::Duplicate(attempt))
    );
    assert_eq!(f.shop.wallet(f.buyer, cny()), (105_000, 0));
    f.check_invariants();
}

#[test]
fn the_same_transaction_id_on_two_channels_is_two_payments() {
    let mut f = Fixture::new();
    let now = f.tick();
    let a = f
        .shop
        .start_recharge(now, f.buyer, "alipay", 100, cny())
        .unwrap();
    let b = f
        .shop
        .start_recharge(now, f.buyer, "wechat", 100, cny())
        .unwrap();
    assert_eq!(
        f.shop.payment_succeeded(now, a, "X", 100, cny()),
        Ok(PaymentOutcome::Recharged)
    );
    assert_eq!(
        f.shop.payment_succeeded(now, b, "X", 100, cny()),
        Ok(PaymentOutcome::Recharged)
    );
}

#[test]
fn failed_attempt_leaves_the_order_payable_another_way() {
    let mut f = Fixture::new();
    let order = f.order(f.loner, 1);
    let now = f.tick();
    let attempt = f.shop.start_payment(now, f.loner, order, "flaky").unwrap();
    f.shop.payment_failed(now, attempt).unwrap();
    assert_eq!(
        f.shop.attempt(attempt).unwrap().status,
        AttemptStatus::Failed
    );
    let again = f
        .shop
        .start_payment(now, f.loner, order, "sandbox")
        .unwrap();
    assert!(matches!(
        f.shop.payment_succeeded(now, again, "S-1", 10_000, cny()),
        Ok(PaymentOutcome::Delivered(_))
    ));
}
