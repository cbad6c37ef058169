//! Withdrawals (reserve, four-eyes approval, payout or return), guest
//! orders, and staff actions on others' accounts.

mod common;

use common::{Fixture, SECOND, check_invariants, cny};
use trigate_core::chart::Kind;
use trigate_core::{
    AdminRole, Bps, MerchantStatus, NANOS_PER_DAY, PasswordHash, Role, ShopError,
    TWO_APPROVERS_FROM, UserId, WithdrawFrom, WithdrawalStatus,
};

/// The fixture with a finance clerk and a settled, released sale, so the
/// merchant has money available.
fn with_available() -> (Fixture, UserId, UserId) {
    let mut f = Fixture::new();
    let now = f.tick();
    let finance = f
        .shop
        .register(now, "clerk", Role::Staff(AdminRole::Finance), None)
        .unwrap();
    let second = f
        .shop
        .register(now, "clerk2", Role::Staff(AdminRole::Finance), None)
        .unwrap();
    for _ in 0..3 {
        let order = f.paid_order(f.loner, 1);
        let now = f.tick();
        f.shop.confirm_order(now, f.loner, order).unwrap();
    }
    let now = f.later(2 * NANOS_PER_DAY);
    f.shop.release_due(now).unwrap();
    (f, finance, second)
}

fn available(f: &Fixture) -> u64 {
    f.balance(Kind::MerchantAvailable, f.merchant.0)
}

#[test]
fn a_withdrawal_reserves_at_once_and_pays_out_after_approval() {
    let (mut f, finance, _) = with_available();
    let before = available(&f);
    assert_eq!(before, 27_000, "three sales of 10,000 less a 10% fee");
    let now = f.tick();
    let id = f
        .shop
        .request_withdrawal(
            now,
            f.owner,
            WithdrawFrom::Merchant,
            cny(),
            20_000,
            "bank 1234",
        )
        .unwrap();
    assert_eq!(available(&f), 7_000, "reserved money is not available");
    assert_eq!(f.balance(Kind::Payouts, 0), 0, "nothing is posted yet");
    check_invariants(&f.shop);
    let now = f.tick();
    let status = f.shop.approve_withdrawal(now, finance, id).unwrap();
    assert_eq!(status, WithdrawalStatus::Approved);
    assert_eq!(f.balance(Kind::Payouts, 0), 20_000);
    let now = f.tick();
    f.shop
        .finish_payout(now, finance, id, true, "BANK-REF-1")
        .unwrap();
    assert_eq!(f.balance(Kind::Payouts, 0), 0);
    assert_eq!(available(&f), 7_000);
    let w = f.shop.withdrawal(id).unwrap();
    assert_eq!(w.status, WithdrawalStatus::PaidOut);
    assert_eq!(w.reference.as_deref(), Some("BANK-REF-1"));
    check_invariants(&f.shop);
    let audit = f.shop.audit_entries(f.admin).unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == format!("approved withdrawal {id}"))
    );
}

#[test]
fn a_withdrawal_beyond_the_balance_is_refused_and_reserves_nothing() {
    let (mut f, _, _) = with_available();
    let now = f.tick();
    let e = f
        .shop
        .request_withdrawal(now, f.owner, WithdrawFrom::Merchant, cny(), 27_001, "bank")
        .unwrap_err();
    assert_eq!(e, ShopError::InsufficientBalance);
    assert_eq!(available(&f), 27_000);
    assert!(f.shop.withdrawals_for(f.owner).unwrap().is_empty());
}

#[test]
fn two_reservations_cannot_spend_the_same_money() {
    let (mut f, _, _) = with_available();
    let now = f.tick();
    f.shop
        .request_withdrawal(now, f.owner, WithdrawFrom::Merchant, cny(), 20_000, "a")
        .unwrap();
    let e = f
        .shop
        .request_withdrawal(now, f.owner, WithdrawFrom::Merchant, cny(), 20_000, "b")
        .unwrap_err();
    assert_eq!(e, ShopError::InsufficientBalance);
}

#[test]
fn large_amounts_need_two_different_approvers() {
    let (f, finance, second) = with_available();
    let big = TWO_APPROVERS_FROM;
    let m = f.merchant;
    // A large settled, released sale, so the merchant can ask for a lot.
    let mut big_shop = f;
    let spec = common::product_spec(2 * big);
    let now = big_shop.tick();
    let product = big_shop.shop.create_product(now, m, spec).unwrap();
    big_shop
        .shop
        .import_keys(now, product, vec![common::sealed("BIG-1")], vec![])
        .unwrap();
    let now = big_shop.tick();
    big_shop
        .shop
        .credit_wallet(now, big_shop.loner, cny(), 2 * big)
        .unwrap();
    let now = big_shop.tick();
    let (order, _) = big_shop
        .shop
        .buy_with_balance(now, big_shop.loner, product, 1, None)
        .unwrap();
    let now = big_shop.tick();
    big_shop
        .shop
        .confirm_order(now, big_shop.loner, order)
        .unwrap();
    let now = big_shop.later(2 * NANOS_PER_DAY);
    big_shop.shop.release_due(now).unwrap();
    let f = &mut big_shop;
    let now = f.tick();
    let id = f
        .shop
        .request_withdrawal(now, f.owner, WithdrawFrom::Merchant, cny(), big, "bank")
        .unwrap();
    assert_eq!(f.shop.withdrawal(id).unwrap().approvals_needed, 2);
    let now = f.tick();
    assert_eq!(
        f.shop.approve_withdrawal(now, finance, id),
        Ok(WithdrawalStatus::Requested)
    );
    assert_eq!(f.balance(Kind::Payouts, 0), 0, "one approval is not enough");
    assert_eq!(
        f.shop.approve_withdrawal(now, finance, id),
        Err(ShopError::Forbidden(finance)),
        "the same approver twice"
    );
    assert_eq!(
        f.shop.approve_withdrawal(now, second, id),
        Ok(WithdrawalStatus::Approved)
    );
    assert_eq!(f.balance(Kind::Payouts, 0), big);
    check_invariants(&f.shop);
}

#[test]
fn withdrawals_come_only_from_ones_own_reward_or_merchant_and_never_self_approved() {
    let (mut f, _, _) = with_available();
    // The buyer's sale pays its referrer a 5% commission, reward once its
    // holding period is over.
    let order = f.paid_order(f.buyer, 1);
    let now = f.tick();
    f.shop.confirm_order(now, f.buyer, order).unwrap();
    let now = f.later(7 * trigate_core::NANOS_PER_DAY);
    f.shop.release_due(now).unwrap();
    let reward = f.balance(Kind::WalletReward, f.referrer.0);
    assert_eq!(reward, 500);
    let now = f.tick();
    let e = f
        .shop
        .request_withdrawal(
            now,
            f.referrer,
            WithdrawFrom::Reward,
            cny(),
            reward + 1,
            "bank",
        )
        .unwrap_err();
    assert_eq!(e, ShopError::InsufficientBalance);
    let id = f
        .shop
        .request_withdrawal(now, f.referrer, WithdrawFrom::Reward, cny(), reward, "bank")
        .unwrap();
    assert_eq!(f.balance(Kind::WalletReward, f.referrer.0), 0);
    // Recharged money is not withdrawable: a buyer with only that has none.
    let e = f
        .shop
        .request_withdrawal(now, f.loner, WithdrawFrom::Reward, cny(), 1, "bank")
        .unwrap_err();
    assert_eq!(e, ShopError::InsufficientBalance);
    let e = f
        .shop
        .request_withdrawal(now, f.loner, WithdrawFrom::Merchant, cny(), 10, "bank")
        .unwrap_err();
    assert_eq!(e, ShopError::Forbidden(f.loner));
    let e = f
        .shop
        .request_withdrawal(now, f.owner, WithdrawFrom::Reward, cny(), 10, "bank")
        .unwrap_err();
    assert_eq!(e, ShopError::Forbidden(f.owner));
    // Promoted to finance later, the requester still may not approve.
    let now = f.tick();
    f.shop
        .set_role_by(now, f.admin, f.referrer, Role::Staff(AdminRole::Finance))
        .unwrap();
    assert_eq!(
        f.shop.approve_withdrawal(now, f.referrer, id),
        Err(ShopError::Forbidden(f.referrer))
    );
    check_invariants(&f.shop);
}

#[test]
fn a_rejected_withdrawal_and_a_failed_payout_give_the_money_back() {
    let (mut f, finance, _) = with_available();
    let now = f.tick();
    let a = f
        .shop
        .request_withdrawal(now, f.owner, WithdrawFrom::Merchant, cny(), 10_000, "bank")
        .unwrap();
    let b = f
        .shop
        .request_withdrawal(now, f.owner, WithdrawFrom::Merchant, cny(), 10_000, "bank")
        .unwrap();
    assert_eq!(available(&f), 7_000);
    let now = f.tick();
    f.shop.reject_withdrawal(now, finance, a).unwrap();
    assert_eq!(available(&f), 17_000);
    assert_eq!(
        f.shop.reject_withdrawal(now, finance, a),
        Err(ShopError::WithdrawalState {
            id: a,
            status: "rejected",
            expected: "requested"
        })
    );
    f.shop.approve_withdrawal(now, finance, b).unwrap();
    let now = f.tick();
    f.shop
        .finish_payout(now, finance, b, false, "bounced")
        .unwrap();
    assert_eq!(available(&f), 27_000);
    assert_eq!(f.balance(Kind::Payouts, 0), 0);
    assert_eq!(
        f.shop.withdrawal(b).unwrap().status,
        WithdrawalStatus::Failed
    );
    check_invariants(&f.shop);
}

#[test]
fn only_finance_decides_withdrawals_and_frozen_merchants_withdraw_nothing() {
    let (mut f, _, _) = with_available();
    let now = f.tick();
    let id = f
        .shop
        .request_withdrawal(now, f.owner, WithdrawFrom::Merchant, cny(), 1_000, "bank")
        .unwrap();
    let support = f
        .shop
        .register(now, "helper", Role::Staff(AdminRole::Support), None)
        .unwrap();
    for who in [support, f.loner, f.owner] {
        assert_eq!(
            f.shop.approve_withdrawal(now, who, id),
            Err(ShopError::Forbidden(who))
        );
    }
    f.shop
        .set_merchant_status(now, f.merchant, MerchantStatus::Frozen)
        .unwrap();
    assert_eq!(
        f.shop
            .request_withdrawal(now, f.owner, WithdrawFrom::Merchant, cny(), 1, "bank"),
        Err(ShopError::MerchantNotActive(f.merchant))
    );
    for bad in ["", "   ", "a\u{0}b", &"x".repeat(201)] {
        assert!(matches!(
            f.shop
                .request_withdrawal(now, f.owner, WithdrawFrom::Reward, cny(), 1, bad),
            Err(ShopError::Forbidden(_) | ShopError::Invalid(_))
        ));
    }
}

#[test]
fn a_guest_order_keeps_its_lookup_hash_and_a_refused_one_leaves_no_guest() {
    let mut f = Fixture::new();
    let users_before = (1..100)
        .filter(|i| f.shop.user(UserId(*i)).is_some())
        .count();
    let now = f.tick();
    let e = f
        .shop
        .create_guest_order(
            now,
            (f.product, 99, None),
            PasswordHash("$argon2id$x".into()),
            None,
        )
        .unwrap_err();
    assert!(matches!(e, ShopError::QuantityOutOfRange { .. }));
    let users_after = (1..100)
        .filter(|i| f.shop.user(UserId(*i)).is_some())
        .count();
    assert_eq!(users_before, users_after);
    let order = f
        .shop
        .create_guest_order(
            now,
            (f.product, 2, None),
            PasswordHash("$argon2id$x".into()),
            None,
        )
        .unwrap();
    assert_eq!(f.shop.lookup_hash(order).unwrap().0, "$argon2id$x");
    let guest = f.shop.order(order).unwrap().buyer;
    assert!(f.shop.user_by_login(&format!("guest #{guest}")).is_none());
    // A signed-in buyer's order has no lookup secret.
    let other = f.order(f.loner, 1);
    assert_eq!(
        f.shop.lookup_hash(other),
        Err(ShopError::LookupRefused(other))
    );
    let e = f
        .shop
        .create_guest_order(now, (f.product, 1, None), PasswordHash(String::new()), None)
        .unwrap_err();
    assert!(matches!(e, ShopError::Invalid(_)));
    check_invariants(&f.shop);
}

#[test]
fn staff_actions_on_others_accounts_need_their_role_and_are_audited() {
    let mut f = Fixture::new();
    let now = f.tick();
    let finance = f
        .shop
        .register(now, "clerk", Role::Staff(AdminRole::Finance), None)
        .unwrap();
    let (recharge, _) = f.shop.wallet(f.loner, cny());
    let credit = f
        .shop
        .credit_wallet_by(now, finance, f.loner, (cny(), 500), "bank transfer 77")
        .unwrap();
    assert_eq!(
        f.shop.wallet(f.loner, cny()).0,
        recharge,
        "nothing moves yet"
    );
    // Four eyes: not the one who asked, not the one credited.
    assert_eq!(
        f.shop.decide_credit_by(now, finance, credit, true),
        Err(ShopError::Forbidden(finance))
    );
    assert_eq!(
        f.shop
            .credit_wallet_by(now, finance, finance, (cny(), 5), "me"),
        Err(ShopError::Forbidden(finance))
    );
    f.shop.decide_credit_by(now, f.admin, credit, true).unwrap();
    assert_eq!(f.shop.wallet(f.loner, cny()).0, recharge + 500);
    assert!(
        f.shop.decide_credit_by(now, f.admin, credit, true).is_err(),
        "decided once"
    );
    assert_eq!(
        f.shop
            .credit_wallet_by(now, f.owner, f.loner, (cny(), 500), "x"),
        Err(ShopError::Forbidden(f.owner))
    );
    assert!(
        f.shop
            .credit_wallet_by(now, finance, f.loner, (cny(), 500), "")
            .is_err()
    );
    assert_eq!(
        f.shop.set_role_by(now, finance, f.loner, Role::Merchant),
        Err(ShopError::Forbidden(finance))
    );
    assert_eq!(
        f.shop.set_role_by(now, f.admin, f.admin, Role::Buyer),
        Err(ShopError::Forbidden(f.admin))
    );
    f.shop
        .set_role_by(now, f.admin, f.loner, Role::Merchant)
        .unwrap();
    let m = f
        .shop
        .create_merchant_by(
            now,
            f.admin,
            f.loner,
            ("Loner's", Bps::new(500).unwrap(), 0),
            vec![1; 60],
        )
        .unwrap();
    assert_eq!(f.shop.merchant(m).unwrap().owner, f.loner);
    assert!(
        f.shop
            .create_merchant_by(
                now,
                f.admin,
                f.loner,
                ("Again", Bps::new(500).unwrap(), 0),
                vec![1; 60]
            )
            .is_err(),
        "one merchant per owner"
    );
    let actions: Vec<String> = f
        .shop
        .audit_entries(f.admin)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&format!(
        "asked to credit user {} 500 CNY: bank transfer 77 (credit {credit})",
        f.loner
    )));
    assert!(actions.contains(&format!(
        "approved credit {credit}: user {} 500 CNY",
        f.loner
    )));
    assert!(actions.contains(&format!("set user {}'s role to Merchant", f.loner)));
    assert!(actions.contains(&format!("opened merchant {m} for user {}", f.loner)));
    let _ = SECOND;
    check_invariants(&f.shop);
}

#[test]
fn a_guests_payment_no_order_can_take_is_owed_back_through_its_channel() {
    use trigate_core::{OrderStatus, PaymentOutcome};
    let mut f = Fixture::new();
    let now = f.tick();
    let order = f
        .shop
        .create_guest_order(
            now,
            (f.product, 1, None),
            PasswordHash("$argon2id$x".into()),
            None,
        )
        .unwrap();
    let guest = f.shop.order(order).unwrap().buyer;
    let attempt = f.shop.start_payment(now, guest, order, "epay").unwrap();
    // The reservation runs out before the money arrives.
    let now = f.later(16 * 60 * SECOND);
    f.shop.expire_orders(now).unwrap();
    assert_eq!(f.status(order), OrderStatus::Expired);
    let outcome = f
        .shop
        .payment_succeeded(now, attempt, "T-1", 10_000, cny())
        .unwrap();
    assert_eq!(outcome, PaymentOutcome::OwedBack);
    assert_eq!(
        f.shop.wallet(guest, cny()),
        (0, 0),
        "no wallet they cannot reach"
    );
    assert_eq!(f.balance(Kind::RefundsDue, guest.0), 10_000);
    assert_eq!(f.shop.attempt_refund_due(attempt).unwrap().owed, 10_000);
    check_invariants(&f.shop);
    // The channel sends it back; never more than owed.
    let now = f.tick();
    assert!(f.shop.channel_refund_sent(now, attempt, 10_001).is_err());
    f.shop.channel_refund_sent(now, attempt, 10_000).unwrap();
    assert_eq!(f.balance(Kind::RefundsDue, guest.0), 0);
    assert_eq!(f.shop.attempt_refund_due(attempt).unwrap().owed, 0);
    assert!(f.shop.channel_refund_sent(now, attempt, 1).is_err());
    check_invariants(&f.shop);
}
