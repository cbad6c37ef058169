//! Coupons: fixed or percent, per product or shop-wide, counted uses,
//! expiry; the last use is spent once and comes back if the order lapses.

mod common;

use common::{Fixture, SECOND, cny};
use trigate_core::{Bps, Currency, Discount, NewCoupon, ShopError};

fn coupon(code: &str, discount: Discount, uses: u32, expires_at: u64) -> NewCoupon {
    NewCoupon {
        code: code.into(),
        product: None,
        discount,
        uses,
        expires_at,
    }
}

#[test]
fn percent_and_fixed_coupons_lower_the_price() {
    let mut f = Fixture::new();
    let now = f.tick();
    let far = now + 1_000 * SECOND;
    f.shop
        .create_coupon(
            now,
            f.owner,
            f.merchant,
            coupon("TEN", Discount::Percent(Bps::new(1_000).unwrap()), 5, far),
        )
        .unwrap();
    f.shop
        .create_coupon(
            now,
            f.owner,
            f.merchant,
            coupon(
                "minus500",
                Discount::Fixed {
                    amount: 500,
                    currency: cny(),
                },
                5,
                far,
            ),
        )
        .unwrap();
    let a = f
        .shop
        .create_order(now, f.loner, f.product, 2, Some("ten"))
        .unwrap();
    let b = f
        .shop
        .create_order(now, f.loner, f.product, 1, Some("MINUS500"))
        .unwrap();
    assert_eq!(f.shop.order(a).unwrap().amount, 18_000);
    assert_eq!(f.shop.order(b).unwrap().amount, 9_500);
    f.check_invariants();
}

#[test]
fn the_last_use_is_spent_once_and_returned_when_the_order_lapses() {
    let mut f = Fixture::new();
    let now = f.tick();
    f.shop
        .create_coupon(
            now,
            f.owner,
            f.merchant,
            coupon(
                "ONCE",
                Discount::Percent(Bps::new(5_000).unwrap()),
                1,
                now + 10_000 * SECOND,
            ),
        )
        .unwrap();
    let first = f
        .shop
        .create_order(now, f.loner, f.product, 1, Some("ONCE"))
        .unwrap();
    assert_eq!(
        f.shop
            .create_order(now, f.buyer, f.product, 1, Some("ONCE")),
        Err(ShopError::CouponNotApplicable("ONCE".into()))
    );
    let now = f.tick();
    f.shop.cancel_order(now, f.loner, first).unwrap();
    assert!(
        f.shop
            .create_order(now, f.buyer, f.product, 1, Some("ONCE"))
            .is_ok()
    );
}

#[test]
fn expired_foreign_currency_or_other_product_coupons_are_refused() {
    let mut f = Fixture::new();
    let now = f.tick();
    let soon = now + 10 * SECOND;
    f.shop
        .create_coupon(
            now,
            f.owner,
            f.merchant,
            coupon("SOON", Discount::Percent(Bps::new(100).unwrap()), 9, soon),
        )
        .unwrap();
    f.shop
        .create_coupon(
            now,
            f.owner,
            f.merchant,
            coupon(
                "USD",
                Discount::Fixed {
                    amount: 1,
                    currency: Currency::new("USD").unwrap(),
                },
                9,
                soon,
            ),
        )
        .unwrap();
    let other = f
        .shop
        .create_product(now, f.merchant, common::product_spec(50))
        .unwrap();
    let mut only = coupon("ONLY", Discount::Percent(Bps::new(100).unwrap()), 9, soon);
    only.product = Some(other);
    f.shop
        .create_coupon(now, f.owner, f.merchant, only)
        .unwrap();
    assert!(
        f.shop
            .create_order(now, f.loner, f.product, 1, Some("USD"))
            .is_err()
    );
    assert!(
        f.shop
            .create_order(now, f.loner, f.product, 1, Some("ONLY"))
            .is_err()
    );
    assert!(
        f.shop
            .create_order(now, f.loner, f.product, 1, Some("NOPE"))
            .is_err()
    );
    let now = f.later(10 * SECOND);
    assert!(
        f.shop
            .create_order(now, f.loner, f.product, 1, Some("SOON"))
            .is_err()
    );
    assert_eq!(
        f.shop.stock(f.product),
        20,
        "refused orders reserved nothing"
    );
}

#[test]
fn a_coupon_never_makes_an_order_free() {
    let mut f = Fixture::new();
    let now = f.tick();
    f.shop
        .create_coupon(
            now,
            f.owner,
            f.merchant,
            coupon(
                "ALL",
                Discount::Fixed {
                    amount: 1_000_000,
                    currency: cny(),
                },
                1,
                now + SECOND,
            ),
        )
        .unwrap();
    let o = f
        .shop
        .create_order(now, f.loner, f.product, 1, Some("ALL"))
        .unwrap();
    assert_eq!(f.shop.order(o).unwrap().amount, 1);
}

#[test]
fn only_the_merchant_creates_its_coupons() {
    let mut f = Fixture::new();
    let now = f.tick();
    assert_eq!(
        f.shop.create_coupon(
            now,
            f.loner,
            f.merchant,
            coupon(
                "X",
                Discount::Percent(Bps::new(1).unwrap()),
                1,
                now + SECOND
            )
        ),
        Err(ShopError::Forbidden(f.loner))
    );
}
