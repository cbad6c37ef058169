//! Each flow of the shop and each way it refuses, with the invariants
//! checked after every step.

mod common;

use common::{Fixture, SECOND, cny, product_spec, sealed};
use trigate_core::chart::Kind;
use trigate_core::{
    Bps, Delivery, InvalidLine, InvalidReason, KeyStatus, NANOS_PER_DAY, OrderStatus, RefundTo,
    Role, ShopError, Tier,
};

#[test]
fn referral_link_is_set_once_from_the_code() {
    let f = Fixture::new();
    assert_eq!(f.shop.user(f.buyer).unwrap().referrer, Some(f.referrer));
    assert_eq!(f.shop.referrers(f.buyer), (Some(f.referrer), Some(f.grand)));
    assert_eq!(f.shop.referrers(f.loner), (None, None));
}

#[test]
fn unknown_referral_code_and_taken_login_are_refused() {
    let mut f = Fixture::new();
    let now = f.tick();
    assert!(matches!(
        f.shop.register(now, "new", Role::Buyer, Some("NOPE")),
        Err(ShopError::ReferrerNotFound(_))
    ));
    assert!(matches!(
        f.shop.register(now, "Buyer", Role::Buyer, None),
        Err(ShopError::LoginTaken(_))
    ));
    assert!(matches!(
        f.shop.register(now, "  ", Role::Buyer, None),
        Err(ShopError::Invalid(_))
    ));
}

#[test]
fn membership_product_with_commission_is_refused() {
    let mut f = Fixture::new();
    let now = f.tick();
    let mut spec = product_spec(5_000);
    spec.membership = true;
    assert_eq!(
        f.shop.create_product(now, f.merchant, spec.clone()),
        Err(ShopError::CommissionOnMembership)
    );
    spec.commission_l1 = Bps::ZERO;
    spec.commission_l2 = Bps::ZERO;
    assert!(f.shop.create_product(now, f.merchant, spec).is_ok());
}

#[test]
fn fee_and_commissions_over_the_whole_are_refused() {
    let mut f = Fixture::new();
    let now = f.tick();
    let mut spec = product_spec(5_000);
    spec.commission_l1 = Bps::new(8_000).unwrap();
    spec.commission_l2 = Bps::new(1_500).unwrap();
    assert_eq!(
        f.shop.create_product(now, f.merchant, spec),
        Err(ShopError::SharesOverWhole)
    );
}

#[test]
fn import_reports_duplicates_in_the_batch_and_of_existing_keys() {
    let mut f = Fixture::new();
    let now = f.tick();
    let keys = vec![
        sealed("NEW-1"),
        sealed("NEW-1"),
        sealed("KEY-0003"),
        sealed("NEW-2"),
    ];
    let invalid = vec![InvalidLine {
        line: 5,
        reason: InvalidReason::Empty,
    }];
    let report = f.shop.import_keys(now, f.product, keys, invalid).unwrap();
    assert_eq!(report.added.len(), 2);
    assert_eq!(report.duplicate_in_batch, 1);
    assert_eq!(report.duplicate_existing, 1);
    assert_eq!(report.invalid.len(), 1);
    assert_eq!(f.shop.stock(f.product), 22);
}

#[test]
fn keys_cannot_be_imported_into_a_fixed_text_product() {
    let mut f = Fixture::new();
    let now = f.tick();
    let mut spec = product_spec(100);
    spec.delivery = Delivery::Fixed("https://example.com/dl".into());
    let p = f.shop.create_product(now, f.merchant, spec).unwrap();
    assert!(matches!(
        f.shop.import_keys(now, p, vec![sealed("X")], vec![]),
        Err(ShopError::Invalid(_))
    ));
}

#[test]
fn creating_an_order_reserves_its_keys() {
    let mut f = Fixture::new();
    let order = f.order(f.buyer, 3);
    assert_eq!(f.shop.stock(f.product), 17);
    let o = f.shop.order(order).unwrap();
    assert_eq!(o.keys.len(), 3);
    assert_eq!(o.amount, 30_000);
    for k in &o.keys {
        assert_eq!(f.shop.key(*k).unwrap().status, KeyStatus::Reserved(order));
    }
    f.check_invariants();
}

#[test]
fn out_of_stock_and_quantity_limits_are_refused() {
    let mut f = Fixture::new();
    let now = f.tick();
    assert_eq!(
        f.shop.create_order(now, f.buyer, f.product, 11, None),
        Err(ShopError::QuantityOutOfRange {
            quantity: 11,
            min: 1,
            max: 10
        })
    );
    f.order(f.buyer, 10);
    f.order(f.loner, 10);
    let now = f.tick();
    assert_eq!(
        f.shop.create_order(now, f.buyer, f.product, 1, None),
        Err(ShopError::OutOfStock { available: 0 })
    );
}

#[test]
fn wholesale_tier_price_applies_from_its_quantity() {
    let mut f = Fixture::new();
    let now = f.tick();
    let mut spec = product_spec(1_000);
    spec.tiers = vec![Tier {
        min_quantity: 5,
        unit_price: 800,
    }];
    let p = f.shop.create_product(now, f.merchant, spec).unwrap();
    let keys = (0..10).map(|i| sealed(&format!("T-{i}"))).collect();
    f.shop.import_keys(now, p, keys, vec![]).unwrap();
    let small = f.shop.create_order(now, f.buyer, p, 4, None).unwrap();
    let bulk = f.shop.create_order(now, f.buyer, p, 5, None).unwrap();
    assert_eq!(f.shop.order(small).unwrap().amount, 4_000);
    assert_eq!(f.shop.order(bulk).unwrap().amount, 4_000);
}

#[test]
fn unpaid_order_expires_and_its_keys_return_to_stock() {
    let mut f = Fixture::new();
    let order = f.order(f.buyer, 2);
    let ttl = f.shop.config().reservation_ns;
    let now = f.later(ttl - SECOND);
    assert!(f.shop.expire_orders(now).unwrap().is_empty());
    let now = f.later(SECOND);
    assert_eq!(f.shop.expire_orders(now).unwrap(), vec![order]);
    assert_eq!(f.status(order), OrderStatus::Expired);
    assert_eq!(f.shop.stock(f.product), 20);
    f.check_invariants();
}

#[test]
fn paying_after_the_reservation_ended_is_refused() {
    let mut f = Fixture::new();
    let order = f.order(f.buyer, 1);
    let ttl = f.shop.config().reservation_ns;
    let now = f.later(ttl);
    assert_eq!(
        f.shop.pay_by_balance(now, f.buyer, order),
        Err(ShopError::ReservationExpired(order))
    );
    assert_eq!(f.shop.wallet(f.buyer, cny()), (100_000, 0));
}

#[test]
fn cancelled_order_releases_its_keys_and_only_its_buyer_may_cancel() {
    let mut f = Fixture::new();
    let order = f.order(f.buyer, 2);
    let now = f.tick();
    assert_eq!(
        f.shop.cancel_order(now, f.loner, order),
        Err(ShopError::Forbidden(f.loner))
    );
    f.shop.cancel_order(now, f.buyer, order).unwrap();
    assert_eq!(f.status(order), OrderStatus::Cancelled);
    assert_eq!(f.shop.stock(f.product), 20);
}

#[test]
fn pay_by_balance_spends_recharge_before_reward_and_delivers_at_once() {
    let mut f = Fixture::new();
    // Give the buyer some reward money: a sale to the loner's... simpler,
    // settle an order of someone the buyer referred.
    let now = f.tick();
    let code = f.shop.user(f.buyer).unwrap().referral_code.clone();
    let child = f
        .shop
        .register(now, "child", Role::Buyer, Some(&code))
        .unwrap();
    f.shop.credit_wallet(now, child, cny(), 10_000).unwrap();
    let sale = f.paid_order(child, 1);
    let now = f.tick();
    f.shop.confirm_order(now, child, sale).unwrap();
    // The commission is held for the holding period, then reward.
    assert_eq!(f.shop.wallet(f.buyer, cny()), (100_000, 0));
    let now = f.later(7 * NANOS_PER_DAY);
    f.shop.release_due(now).unwrap();
    assert_eq!(f.shop.wallet(f.buyer, cny()), (100_000, 500));

    let order = f.order(f.buyer, 10);
    let now = f.tick();
    let keys = f.shop.pay_by_balance(now, f.buyer, order).unwrap();
    assert_eq!(keys.len(), 10);
    assert_eq!(f.shop.wallet(f.buyer, cny()), (0, 500));
    assert_eq!(f.status(order), OrderStatus::Delivered);
    for k in keys {
        assert_eq!(f.shop.key(k).unwrap().status, KeyStatus::Delivered(order));
    }
    f.check_invariants();
}

#[test]
fn insufficient_balance_changes_nothing() {
    let mut f = Fixture::new();
    let now = f.tick();
    let mut spec = product_spec(60_000);
    spec.max_per_order = 2;
    let p = f.shop.create_product(now, f.merchant, spec).unwrap();
    f.shop
        .import_keys(now, p, vec![sealed("A"), sealed("B")], vec![])
        .unwrap();
    let order = f.shop.create_order(now, f.buyer, p, 2, None).unwrap();
    let now = f.tick();
    assert_eq!(
        f.shop.pay_by_balance(now, f.buyer, order),
        Err(ShopError::InsufficientBalance)
    );
    assert_eq!(f.shop.wallet(f.buyer, cny()), (100_000, 0));
    assert_eq!(f.status(order), OrderStatus::Created);
    f.check_invariants();
}

#[test]
fn an_order_is_paid_and_delivered_once() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.buyer, 1);
    let now = f.tick();
    assert!(matches!(
        f.shop.pay_by_balance(now, f.buyer, order),
        Err(ShopError::OrderState { .. })
    ));
    assert_eq!(f.shop.wallet(f.buyer, cny()), (90_000, 0));
    f.check_invariants();
}

#[test]
fn another_buyer_cannot_pay_or_confirm_an_order() {
    let mut f = Fixture::new();
    let order = f.order(f.buyer, 1);
    let now = f.tick();
    assert_eq!(
        f.shop.pay_by_balance(now, f.loner, order),
        Err(ShopError::Forbidden(f.loner))
    );
    f.shop.pay_by_balance(now, f.buyer, order).unwrap();
    assert_eq!(
        f.shop.confirm_order(now, f.loner, order),
        Err(ShopError::Forbidden(f.loner))
    );
}

#[test]
fn confirmation_splits_escrow_exactly_among_merchant_fee_and_referrers() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.buyer, 3);
    let now = f.tick();
    let s = f.shop.confirm_order(now, f.buyer, order).unwrap();
    // 30,000: fee 10% = 3,000; level 1 5% = 1,500; level 2 2% = 600.
    assert_eq!(
        (s.fee, s.level1, s.level2, s.merchant),
        (3_000, 1_500, 600, 24_900)
    );
    assert_eq!(f.status(order), OrderStatus::Settled);
    // Commissions are held, neither spendable nor withdrawable yet.
    assert_eq!(f.shop.wallet(f.referrer, cny()), (0, 0));
    assert_eq!(f.shop.wallet_view(f.referrer, cny()).held, 1_500);
    assert_eq!(f.shop.wallet_view(f.grand, cny()).held, 600);
    assert_eq!(f.shop.merchant_balances(f.merchant, cny()), (24_900, 0, 0));
    // The reserve takes its 10% share of the fee.
    assert_eq!(f.balance(Kind::Fees, 0), 2_700);
    assert_eq!(f.balance(Kind::Reserve, 0), 300);
    assert_eq!(f.balance(Kind::Escrow, 0), 0);
    f.check_invariants();
}

#[test]
fn without_referrers_the_commission_stays_with_the_merchant() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 1);
    let now = f.tick();
    let s = f.shop.confirm_order(now, f.loner, order).unwrap();
    assert_eq!(
        (s.fee, s.level1, s.level2, s.merchant),
        (1_000, 0, 0, 9_000)
    );
}

#[test]
fn odd_amounts_split_without_losing_a_minor_unit() {
    let mut f = Fixture::new();
    let now = f.tick();
    let mut spec = product_spec(33);
    spec.commission_l1 = Bps::new(333).unwrap();
    spec.commission_l2 = Bps::new(77).unwrap();
    let p = f.shop.create_product(now, f.merchant, spec).unwrap();
    f.shop
        .import_keys(now, p, vec![sealed("ODD")], vec![])
        .unwrap();
    let order = f.shop.create_order(now, f.buyer, p, 1, None).unwrap();
    f.shop.pay_by_balance(now, f.buyer, order).unwrap();
    let s = f.shop.confirm_order(now, f.buyer, order).unwrap();
    assert_eq!(s.fee + s.level1 + s.level2 + s.merchant, 33);
    f.check_invariants();
}

#[test]
fn delivered_orders_confirm_themselves_when_the_window_closes() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.buyer, 1);
    let window = f.shop.config().dispute_window_ns;
    let now = f.later(window - SECOND);
    assert!(f.shop.confirm_due_orders(now).unwrap().is_empty());
    let now = f.later(SECOND);
    assert_eq!(f.shop.confirm_due_orders(now).unwrap(), vec![order]);
    assert_eq!(f.status(order), OrderStatus::Settled);
    f.check_invariants();
}

#[test]
fn settled_share_is_released_after_the_holding_period() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 1);
    let now = f.tick();
    f.shop.confirm_order(now, f.loner, order).unwrap();
    let now = f.later(NANOS_PER_DAY - SECOND);
    assert!(f.shop.release_due(now).unwrap().is_empty());
    let now = f.later(SECOND);
    assert_eq!(f.shop.release_due(now).unwrap(), vec![order]);
    assert_eq!(f.shop.merchant_balances(f.merchant, cny()), (0, 9_000, 0));
    f.check_invariants();
}

#[test]
fn refund_before_settlement_comes_out_of_escrow() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 2);
    let now = f.tick();
    f.shop
        .refund(now, f.owner, order, 5_000, RefundTo::Wallet)
        .unwrap();
    assert_eq!(f.status(order), OrderStatus::Delivered);
    assert_eq!(f.shop.wallet(f.loner, cny()), (85_000, 0));
    f.check_invariants();
    // What settles is what is left.
    let s = f.shop.confirm_order(now, f.loner, order).unwrap();
    assert_eq!(s.fee + s.merchant, 15_000);
    f.check_invariants();
}

#[test]
fn full_refund_closes_the_order_and_stops_its_confirmation() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 1);
    let now = f.tick();
    f.shop
        .refund(now, f.owner, order, 10_000, RefundTo::Wallet)
        .unwrap();
    assert_eq!(f.status(order), OrderStatus::Refunded);
    let window = f.shop.config().dispute_window_ns;
    let now = f.later(window);
    assert!(f.shop.confirm_due_orders(now).unwrap().is_empty());
    assert_eq!(f.shop.wallet(f.loner, cny()), (100_000, 0));
    f.check_invariants();
}

#[test]
fn refund_beyond_what_was_paid_is_refused() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 1);
    let now = f.tick();
    f.shop
        .refund(now, f.owner, order, 4_000, RefundTo::Wallet)
        .unwrap();
    assert_eq!(
        f.shop.refund(now, f.owner, order, 6_001, RefundTo::Wallet),
        Err(ShopError::RefundBeyondPaid { left: 6_000 })
    );
    f.check_invariants();
}

#[test]
fn only_the_merchant_or_staff_may_refund() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 1);
    let now = f.tick();
    assert_eq!(
        f.shop.refund(now, f.loner, order, 1, RefundTo::Wallet),
        Err(ShopError::Forbidden(f.loner))
    );
    assert!(
        f.shop
            .refund(now, f.admin, order, 1, RefundTo::Wallet)
            .is_ok()
    );
}

#[test]
fn refund_after_settlement_takes_the_merchant_share_from_where_it_sits_and_the_fee_back() {
    let mut f = Fixture::new();
    // One sale released to available (9,000), one held in pending (9,000).
    let first = f.paid_order(f.loner, 1);
    let now = f.tick();
    f.shop.confirm_order(now, f.loner, first).unwrap();
    let now = f.later(NANOS_PER_DAY);
    f.shop.release_due(now).unwrap();
    let second = f.paid_order(f.loner, 1);
    let now = f.tick();
    f.shop.confirm_order(now, f.loner, second).unwrap();
    assert_eq!(
        f.shop.merchant_balances(f.merchant, cny()),
        (9_000, 9_000, 0)
    );

    let (fees, reserve) = (f.balance(Kind::Fees, 0), f.balance(Kind::Reserve, 0));
    // 10,000 back: the held sale's own 9,000 from pending, its 1,000 fee
    // from fees (900) and the reserve's share of it (100).
    f.shop
        .refund(now, f.owner, second, 10_000, RefundTo::Wallet)
        .unwrap();
    assert_eq!(f.shop.merchant_balances(f.merchant, cny()), (0, 9_000, 0));
    assert_eq!(f.balance(Kind::Fees, 0), fees - 900);
    assert_eq!(f.balance(Kind::Reserve, 0), reserve - 100);
    assert_eq!(f.status(second), OrderStatus::Refunded);
    // The released sale's 9,000 from available. It was asked to go back
    // through the channel, but the order was paid from the wallet: it
    // lands there, nothing is left owed in `refunds_due`.
    let (recharge, _) = f.shop.wallet(f.loner, cny());
    f.shop
        .refund(now, f.owner, first, 10_000, RefundTo::Channel)
        .unwrap();
    assert_eq!(f.shop.merchant_balances(f.merchant, cny()), (0, 0, 0));
    assert_eq!(f.balance(Kind::RefundsDue, f.loner.0), 0);
    assert_eq!(f.shop.wallet(f.loner, cny()).0, recharge + 10_000);
    assert_eq!(
        f.shop
            .debt(trigate_core::Party::Merchant(f.merchant), cny()),
        0
    );
    f.check_invariants();
}

#[test]
fn recharged_money_refunded_never_becomes_withdrawable_reward() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 1);
    let now = f.tick();
    f.shop
        .refund(now, f.owner, order, 10_000, RefundTo::Wallet)
        .unwrap();
    assert_eq!(f.shop.wallet(f.loner, cny()), (100_000, 0));
}

#[test]
fn frozen_merchant_sells_nothing_new() {
    let mut f = Fixture::new();
    let now = f.tick();
    f.shop
        .set_merchant_status(now, f.merchant, trigate_core::MerchantStatus::Frozen)
        .unwrap();
    assert_eq!(
        f.shop.create_order(now, f.buyer, f.product, 1, None),
        Err(ShopError::MerchantNotActive(f.merchant))
    );
}

#[test]
fn commands_must_come_in_time_order() {
    let mut f = Fixture::new();
    let now = f.now;
    assert!(matches!(
        f.shop.create_order(now - 1, f.buyer, f.product, 1, None),
        Err(ShopError::Invalid(_))
    ));
}

#[test]
fn a_refunded_sale_gives_back_its_own_held_share_and_releases_nothing_later() {
    let mut f = Fixture::new();
    let kept = f.paid_order(f.loner, 1);
    let refunded = f.paid_order(f.loner, 1);
    let now = f.tick();
    f.shop.confirm_order(now, f.loner, kept).unwrap();
    f.shop.confirm_order(now, f.loner, refunded).unwrap();
    f.shop
        .refund(now, f.owner, refunded, 10_000, RefundTo::Wallet)
        .unwrap();
    // The refunded sale's 9,000 came out of pending, its fee from fees:
    // the kept sale's 9,000 is untouched.
    assert_eq!(f.shop.merchant_balances(f.merchant, cny()), (9_000, 0, 0));
    let now = f.later(NANOS_PER_DAY);
    assert_eq!(f.shop.release_due(now).unwrap(), vec![kept]);
    assert_eq!(f.shop.merchant_balances(f.merchant, cny()), (0, 9_000, 0));
    f.check_invariants();
}

#[test]
fn buying_with_balance_creates_pays_and_delivers_in_one_step() {
    let mut f = Fixture::new();
    let now = f.tick();
    let (order, keys) = f
        .shop
        .buy_with_balance(now, f.loner, f.product, 2, None)
        .unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(f.status(order), OrderStatus::Delivered);
    assert_eq!(f.shop.wallet(f.loner, cny()), (80_000, 0));
    f.check_invariants();
}

#[test]
fn buying_beyond_the_wallet_reserves_nothing() {
    let mut f = Fixture::new();
    let now = f.tick();
    let orders_before = f.shop.orders().count();
    let mut spec = product_spec(150_000);
    spec.max_per_order = 1;
    let p = f.shop.create_product(now, f.merchant, spec).unwrap();
    f.shop
        .import_keys(now, p, vec![sealed("BIG")], vec![])
        .unwrap();
    assert_eq!(
        f.shop.buy_with_balance(now, f.loner, p, 1, None),
        Err(ShopError::InsufficientBalance)
    );
    assert_eq!(f.shop.orders().count(), orders_before);
    assert_eq!(f.shop.stock(p), 1);
}

#[test]
fn order_trail_shows_keys_and_every_movement_of_its_money() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.buyer, 1);
    let now = f.tick();
    f.shop.confirm_order(now, f.buyer, order).unwrap();
    let trail = f.shop.order_trail(order).unwrap();
    assert_eq!(trail.status, "settled");
    assert_eq!(trail.keys.len(), 1);
    let moves: Vec<(&str, &str, u64)> = trail
        .money
        .iter()
        .map(|m| (m.from.as_str(), m.to.as_str(), m.amount))
        .collect();
    assert_eq!(
        moves,
        vec![
            ("wallet:recharge", "escrow", 10_000),
            ("escrow", "merchant:pending", 8_300),
            ("escrow", "fees", 900),
            ("escrow", "reserve", 100),
            ("escrow", "wallet:held", 500),
            ("escrow", "wallet:held", 200),
        ]
    );
}

#[test]
fn a_withdrawal_in_wallet_history_names_no_order() {
    use trigate_core::WithdrawFrom;
    let mut f = Fixture::new();
    let order = f.paid_order(f.buyer, 1);
    let now = f.tick();
    f.shop.confirm_order(now, f.buyer, order).unwrap();
    let now = f.later(7 * NANOS_PER_DAY);
    f.shop.release_due(now).unwrap();
    f.shop
        .request_withdrawal(now, f.referrer, WithdrawFrom::Reward, cny(), 500, "CN12")
        .unwrap();
    let view = f.shop.wallet_view(f.referrer, cny());
    let orders: Vec<(&str, Option<u64>)> = view
        .history
        .iter()
        .map(|m| (m.to.as_str(), m.order.map(|o| o.0)))
        .collect();
    assert_eq!(
        orders,
        vec![
            ("wallet:held", Some(order.0)),
            ("wallet:reward", Some(order.0)),
            ("payouts", None)
        ]
    );
}

#[test]
fn wallet_view_has_buckets_and_history() {
    let mut f = Fixture::new();
    f.paid_order(f.loner, 1);
    let view = f.shop.wallet_view(f.loner, cny());
    assert_eq!((view.recharge, view.reward), (90_000, 0));
    let moves: Vec<(&str, &str, u64)> = view
        .history
        .iter()
        .map(|m| (m.from.as_str(), m.to.as_str(), m.amount))
        .collect();
    assert_eq!(
        moves,
        vec![
            ("clearing", "wallet:recharge", 100_000),
            ("wallet:recharge", "escrow", 10_000)
        ]
    );
    assert_eq!(f.shop.merchant_stock(f.merchant), vec![(f.product, 19)]);
}

#[test]
fn idempotency_key_replays_the_first_reply_and_refuses_another_request() {
    use trigate_core::{Command, Reply};
    let mut f = Fixture::new();
    let (loner, product) = (f.loner, f.product);
    let buy = |quantity| Command::BuyWithBalance {
        actor: loner,
        product,
        quantity,
        coupon: None,
    };
    let now = f.tick();
    let first = f
        .shop
        .apply_idempotent(now, f.loner, "k-1", "fp-a", buy(1))
        .unwrap();
    let Reply::Idempotent {
        reply,
        replayed: false,
    } = first
    else {
        panic!("{first:?}")
    };
    let now = f.tick();
    let again = f
        .shop
        .apply_idempotent(now, f.loner, "k-1", "fp-a", buy(1))
        .unwrap();
    assert_eq!(
        again,
        Reply::Idempotent {
            reply,
            replayed: true
        }
    );
    assert_eq!(f.shop.wallet(f.loner, cny()), (90_000, 0), "charged once");
    assert_eq!(
        f.shop.apply_idempotent(now, f.loner, "k-1", "fp-b", buy(2)),
        Err(ShopError::IdempotencyConflict)
    );
    // Another caller's key of the same name is theirs.
    assert!(
        f.shop
            .apply_idempotent(now, f.buyer, "k-1", "fp-b", buy(2))
            .is_ok()
    );
    // After 24 hours the key is forgotten and would run again.
    let now = f.later(trigate_core::idempotency::KEEP_NS + SECOND);
    f.shop.apply(now, Command::Tick).unwrap();
    let later = f
        .shop
        .apply_idempotent(now, f.loner, "k-1", "fp-b", buy(2))
        .unwrap();
    assert!(matches!(
        later,
        Reply::Idempotent {
            replayed: false,
            ..
        }
    ));
    f.check_invariants();
}
