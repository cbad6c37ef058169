//! Merchant risk: a merchant whose orders draw a spike of disputes has its
//! payouts held and its new sales held for delivery review (the default
//! pack's `merchant_dispute_spike`); a new merchant selling past its daily
//! cap has the sale held (`new_merchant_over_cap`) and its sales held
//! longer before it may withdraw them; a restart rebuilds each merchant's
//! (and each buyer's ring's) sales, refunds and disputes, so the next
//! decision is the same.

mod common;

use common::Fixture;
use common::journaled::{Journaled, seller_and_buyer};
use common::money::{add_destination, limits, merchant_earns, rules, run, withdraw};
use common::product_spec;
use common::risk::{feature, last_decision};
use trigate_core::risk::{MerchantSettings, RiskSettings, Subject};
use trigate_core::{Command, Config, NANOS_PER_DAY, OrderId, Reply, Shop, UserId};

fn start_risk(f: &mut Fixture, merchants: MerchantSettings) {
    run(
        f,
        Command::StartRisk {
            settings: RiskSettings {
                merchants,
                ..RiskSettings::default()
            },
        },
    )
    .unwrap();
    run(f, Command::AddDefaultRules).unwrap();
}

fn buy(f: &mut Fixture, buyer: UserId) -> (OrderId, usize) {
    let product = f.product;
    let Ok(Reply::Bought { order, keys }) = run(
        f,
        Command::BuyWithBalance {
            actor: buyer,
            product,
            quantity: 1,
            coupon: None,
        },
    ) else {
        panic!()
    };
    (order, keys.len())
}

#[test]
fn a_merchants_dispute_spike_holds_its_payouts_and_its_new_sales() {
    let mut f = Fixture::new();
    rules(&mut f, limits());
    merchant_earns(&mut f, 2);
    let owner = f.owner;
    let destination = add_destination(&mut f, owner);
    f.later(25 * 3_600 * common::SECOND);
    start_risk(&mut f, MerchantSettings::default());
    // Quiet: a withdrawal goes on.
    let Ok(Reply::Withdrawal(quiet)) = withdraw(&mut f, 300, destination) else {
        panic!()
    };
    assert_eq!(f.shop.held(Subject::Withdrawal(quiet)), None);
    // Three buyers' complaints in a week on five orders.
    let loner = f.loner;
    for _ in 0..3 {
        let (order, keys) = buy(&mut f, loner);
        assert_eq!(keys, 1);
        run(
            &mut f,
            Command::OpenDispute {
                actor: loner,
                order,
                reason: "the key does not work".into(),
            },
        )
        .unwrap();
    }
    let Ok(Reply::Withdrawal(spiked)) = withdraw(&mut f, 300, destination) else {
        panic!()
    };
    assert!(
        f.shop.held(Subject::Withdrawal(spiked)).is_some(),
        "its payout waits for an analyst"
    );
    let d = last_decision(&f.shop, f.admin);
    assert_eq!(d.decision.fired[0].rule, "merchant_dispute_spike");
    assert_eq!(
        (
            feature(&d, "merchant_disputes_7d"),
            feature(&d, "merchant_orders_30d"),
            feature(&d, "merchant_dispute_rate_bp")
        ),
        (3, 5, 6_000)
    );
    // Its next sale is paid for but not delivered until reviewed.
    let buyer = f.buyer;
    let (order, keys) = buy(&mut f, buyer);
    assert_eq!(keys, 0, "held for delivery review");
    assert!(f.shop.held(Subject::Order(order)).is_some());
    assert_eq!(
        last_decision(&f.shop, f.admin).decision.reason,
        "merchant_dispute_spike"
    );
    f.check_invariants();
}

#[test]
fn a_new_merchant_over_its_daily_cap_has_the_sale_held_and_its_sales_held_longer() {
    let mut f = Fixture::new();
    start_risk(
        &mut f,
        MerchantSettings {
            new_days: 30,
            daily_cap: 25_000,
            new_holding_days: 7,
        },
    );
    let buyer = f.buyer;
    let (first, keys) = buy(&mut f, buyer);
    assert_eq!(keys, 1);
    let d = last_decision(&f.shop, f.admin);
    assert_eq!(
        (
            feature(&d, "merchant_new"),
            feature(&d, "merchant_sales_cap"),
            feature(&d, "merchant_sales_24h")
        ),
        (1, 25_000, 0)
    );
    assert_eq!(buy(&mut f, buyer).1, 1, "20,000 of 25,000");
    let (third, keys) = buy(&mut f, buyer);
    assert_eq!(keys, 0, "30,000 is past the cap: held for delivery review");
    assert!(f.shop.held(Subject::Order(third)).is_some());
    assert_eq!(
        last_decision(&f.shop, f.admin).decision.reason,
        "new_merchant_over_cap"
    );
    // Held seven days, not the merchant's own one.
    let now = f.tick();
    f.shop.confirm_order(now, buyer, first).unwrap();
    let release_at = f.shop.order(first).unwrap().settlement.unwrap().release_at;
    assert_eq!(release_at, now + 7 * NANOS_PER_DAY);
    // A month on it is new no more: no cap, its own holding period.
    f.later(31 * NANOS_PER_DAY);
    let (fourth, keys) = buy(&mut f, buyer);
    assert_eq!(keys, 1);
    let now = f.tick();
    f.shop.confirm_order(now, buyer, fourth).unwrap();
    let release_at = f.shop.order(fourth).unwrap().settlement.unwrap().release_at;
    assert_eq!(release_at, now + NANOS_PER_DAY);
    f.check_invariants();
}

#[test]
fn a_restart_rebuilds_each_merchants_sales_refunds_and_disputes() {
    let mut j = Journaled::new(Config::default());
    let (_, buyer, product) = seller_and_buyer(&mut j, 1_000, product_spec(1_000), 10);
    j.run(Command::CreditWallet {
        user: buyer,
        currency: common::cny(),
        amount: 100_000,
    });
    j.run(Command::StartRisk {
        settings: RiskSettings {
            merchants: MerchantSettings::RECOMMENDED,
            ..RiskSettings::default()
        },
    });
    let buy = Command::BuyWithBalance {
        actor: buyer,
        product,
        quantity: 1,
        coupon: None,
    };
    let mut orders = Vec::new();
    for _ in 0..3 {
        let Reply::Bought { order, .. } = j.run(buy.clone()) else {
            panic!()
        };
        orders.push(order);
    }
    j.run(Command::OpenDispute {
        actor: buyer,
        order: orders[0],
        reason: "does not work".into(),
    });
    j.run(Command::RefundDispute {
        actor: UserId(1),
        order: orders[0],
    });
    let replayed = j.replayed_on(Shop::new(Config::default()));
    let now = j.now + 1_000_000_000;
    let mut live = j.shop;
    let mut again = replayed;
    let (a, ea) = live.apply_journaled(now, buy.clone());
    let (b, eb) = again.apply_journaled(now, buy);
    assert_eq!(a, b);
    assert_eq!(ea, eb);
    let d = last_decision(&live, UserId(3));
    assert_eq!(
        (
            feature(&d, "merchant_orders_30d"),
            feature(&d, "merchant_disputes_30d"),
            feature(&d, "merchant_refunds_30d"),
            feature(&d, "merchant_sales_24h"),
            feature(&d, "merchant_new")
        ),
        (3, 1, 1, 3_000, 1)
    );
    // The buyer's ring (itself alone): three orders, one refunded, one
    // disputed.
    assert_eq!(
        (
            feature(&d, "ring_orders_30d"),
            feature(&d, "ring_refund_rate_bp"),
            feature(&d, "ring_dispute_rate_bp")
        ),
        (3, 3_333, 3_333)
    );
}
