//! A small shop to test flows on: one merchant selling card keys, buyers in
//! a referral chain, wallets funded, and a clock that only moves forward.

#![allow(dead_code)]

pub mod journaled;
pub mod money;
pub mod risk;

use trigate_core::chart::{Kind, account_id};
use trigate_core::{
    AdminRole, Bps, Config, Currency, Delivery, MerchantId, NANOS_PER_SECOND, NewProduct, OrderId,
    OrderStatus, ProductId, Role, SealedKey, Shop, UserId,
};

pub const SECOND: u64 = NANOS_PER_SECOND;

pub fn cny() -> Currency {
    Currency::new("CNY").unwrap()
}

pub struct Fixture {
    pub shop: Shop,
    pub now: u64,
    pub admin: UserId,
    pub owner: UserId,
    pub merchant: MerchantId,
    pub product: ProductId,
    /// Referred by `referrer`, who was referred by `grand`.
    pub buyer: UserId,
    pub referrer: UserId,
    pub grand: UserId,
    /// No referrer.
    pub loner: UserId,
}

/// A sealed key whose hash is derived from its text (a stand-in for the
/// keyed hash the edge computes).
pub fn sealed(text: &str) -> SealedKey {
    let mut hash = [0u8; 32];
    for (i, b) in text.bytes().enumerate() {
        hash[i % 32] ^= b.rotate_left(i as u32 % 8);
        hash[(i + 7) % 32] = hash[(i + 7) % 32].wrapping_add(b);
    }
    hash[31] = text.len() as u8;
    SealedKey {
        hash,
        sealed: text.as_bytes().iter().map(|b| b ^ 0x5a).collect(),
    }
}

pub fn product_spec(price: u64) -> NewProduct {
    NewProduct {
        title: "Game key".into(),
        delivery: Delivery::Keys,
        currency: cny(),
        price,
        tiers: vec![],
        min_per_order: 1,
        max_per_order: 10,
        commission_l1: Bps::new(500).unwrap(),
        commission_l2: Bps::new(200).unwrap(),
        membership: false,
    }
}

impl Fixture {
    /// Fee 10%, commissions 5% and 2%, holding T+1, price 10,000, 20 keys.
    pub fn new() -> Self {
        let mut shop = Shop::new(Config::default());
        let mut now = 1_000 * SECOND;
        let admin = shop
            .register(now, "root", Role::Staff(AdminRole::Admin), None)
            .unwrap();
        let owner = shop.register(now, "seller", Role::Merchant, None).unwrap();
        let merchant = shop
            .create_merchant(
                now,
                owner,
                "Key Store",
                Bps::new(1_000).unwrap(),
                1,
                vec![7; 60],
            )
            .unwrap();
        let product = shop
            .create_product(now, merchant, product_spec(10_000))
            .unwrap();
        let keys = (0..20).map(|i| sealed(&format!("KEY-{i:04}"))).collect();
        let report = shop.import_keys(now, product, keys, vec![]).unwrap();
        assert_eq!(report.added.len(), 20);
        let grand = shop.register(now, "grand", Role::Buyer, None).unwrap();
        let code = shop.user(grand).unwrap().referral_code.clone();
        let referrer = shop
            .register(now, "referrer", Role::Buyer, Some(&code))
            .unwrap();
        let code = shop.user(referrer).unwrap().referral_code.clone();
        let buyer = shop
            .register(now, "buyer", Role::Buyer, Some(&code))
            .unwrap();
        let loner = shop.register(now, "loner", Role::Buyer, None).unwrap();
        now += SECOND;
        for user in [buyer, loner] {
            shop.credit_wallet(now, user, cny(), 100_000).unwrap();
        }
        Self {
            shop,
            now,
            admin,
            owner,
            merchant,
            product,
            buyer,
            referrer,
            grand,
            loner,
        }
    }

    /// Moves the clock on and returns the new time.
    pub fn later(&mut self, nanos: u64) -> u64 {
        self.now += nanos;
        self.now
    }

    pub fn tick(&mut self) -> u64 {
        self.later(SECOND)
    }

    pub fn order(&mut self, buyer: UserId, quantity: u32) -> OrderId {
        let now = self.tick();
        self.shop
            .create_order(now, buyer, self.product, quantity, None)
            .unwrap()
    }

    pub fn paid_order(&mut self, buyer: UserId, quantity: u32) -> OrderId {
        let order = self.order(buyer, quantity);
        let now = self.tick();
        self.shop.pay_by_balance(now, buyer, order).unwrap();
        order
    }

    pub fn status(&self, order: OrderId) -> OrderStatus {
        self.shop.order(order).unwrap().status
    }

    pub fn balance(&self, kind: Kind, owner: u64) -> u64 {
        self.shop.balance(account_id(kind, cny(), owner))
    }

    /// The invariants that hold after every command: the books balance,
    /// no liability is overdrawn, escrow holds exactly the open orders, and
    /// no key is in two orders.
    pub fn check_invariants(&self) {
        check_invariants(&self.shop);
    }
}

pub fn check_invariants(shop: &Shop) {
    let violations = shop.check_invariants();
    assert!(violations.is_empty(), "{violations:#?}");
    check_books(shop);
}

/// Every invariant, where a loss booked may leave custody short: then
/// outflows must be stopped, and only invariant 3 may name the breach.
pub fn check_coverage_and_invariants(shop: &Shop) {
    let short = shop.coverage().iter().any(|c| c.surplus() < 0);
    if short {
        assert!(
            shop.outflow_stop().is_some(),
            "coverage fails but outflows run: {:?}",
            shop.coverage()
        );
    }
    let violations: Vec<String> = shop
        .check_invariants()
        .into_iter()
        .filter(|v| !(short && v.starts_with("invariant 3 (custody covers users)")))
        .collect();
    assert!(violations.is_empty(), "{violations:#?}");
    check_books(shop);
}

fn check_books(shop: &Shop) {
    let (mut debits, mut credits) = (0u128, 0u128);
    for a in shop.ledger().accounts() {
        debits += a.debits_posted;
        credits += a.credits_posted;
        if a.flags
            .contains(trigate_ledger::AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
        {
            assert!(
                a.debits_posted + a.debits_pending <= a.credits_posted,
                "overdrawn {a:?}"
            );
        }
    }
    assert_eq!(debits, credits, "the books do not balance");
}
