//! Refunds after settlement reverse the whole split: the merchant's share,
//! the fee and both commissions each give back their part; what a party
//! cannot cover is its debt, paid by the reserve meanwhile and repaid from
//! its next income; a party in debt withdraws nothing. Conservation is
//! checked after every step.

mod common;

use common::{Fixture, cny};
use trigate_core::chart::Kind;
use trigate_core::{
    Approvable, NANOS_PER_DAY, OrderId, OrderStatus, Party, RefundTo, ShopError, UserId,
    WithdrawFrom, WithdrawalStatus,
};

/// Fee 10% (a tenth of it to the reserve), level 1 5%, level 2 2%: a
/// 10,000 sale splits 8,300 / 1,000 / 500 / 200.
const SPLIT: [u64; 4] = [8_300, 1_000, 500, 200];

/// Every unit of money in the shop is somewhere it can be named: what came
/// in from outside equals what users, merchants, the platform's income and
/// its reserve hold, and no liability is overdrawn.
fn conserved(f: &Fixture) {
    f.check_invariants();
    let mut inside: i128 = 0;
    let mut outside: i128 = 0;
    for a in f.shop.ledger().accounts() {
        let net = a.credits_posted as i128 - a.debits_posted as i128;
        match trigate_core::chart::kind_of(a.id) {
            Some(Kind::Custody | Kind::Clearing | Kind::Operating) => outside -= net,
            Some(Kind::MerchantDebt | Kind::UserDebt | Kind::Debts) => {}
            Some(_) => inside += net,
            None => panic!("an account outside the chart: {a:?}"),
        }
    }
    assert_eq!(inside, outside, "money was created or lost");
}

/// What a party keeps of an order, all places together: its balances,
/// what it has asked to withdraw, less what it owes.
fn position(f: &Fixture, user: UserId) -> i128 {
    let view = f.shop.wallet_view(user, cny());
    let withdrawn = withdrawn(f, user);
    i128::from(view.reward + view.held + withdrawn) - i128::from(view.debt)
}

/// What `user` has asked to withdraw and not had back.
fn withdrawn(f: &Fixture, user: UserId) -> u64 {
    f.shop
        .withdrawals_for(user)
        .unwrap()
        .iter()
        .filter(|w| {
            !matches!(
                w.status,
                WithdrawalStatus::Rejected | WithdrawalStatus::Failed
            )
        })
        .map(|w| w.amount)
        .sum()
}

fn merchant_position(f: &Fixture) -> i128 {
    let (pending, available, deposit) = f.shop.merchant_balances(f.merchant, cny());
    let withdrawn = withdrawn(f, f.owner);
    let debt = f.shop.debt(Party::Merchant(f.merchant), cny());
    i128::from(pending + available + deposit + withdrawn) - i128::from(debt)
}

fn settle(f: &mut Fixture, order: OrderId) {
    let now = f.tick();
    let buyer = f.shop.order(order).unwrap().buyer;
    f.shop.confirm_order(now, buyer, order).unwrap();
}

fn release_all(f: &mut Fixture) {
    let now = f.later(8 * NANOS_PER_DAY);
    f.shop.release_due(now).unwrap();
}

/// The merchant refunds; one that would draw on the reserve is asked for
/// and approved by an admin, and runs then.
fn refund(f: &mut Fixture, order: OrderId, amount: u64) -> Result<(), ShopError> {
    let now = f.tick();
    let owner = f.owner;
    match f.shop.refund(now, owner, order, amount, RefundTo::Wallet) {
        Err(ShopError::ApprovalRequired { .. }) => {
            let action = Approvable::Refund {
                order,
                amount,
                to: RefundTo::Wallet,
            };
            let id = f.shop.ask_approval(now, owner, action)?;
            let now = f.tick();
            let admin = f.admin;
            f.shop.decide_approval(now, admin, id, true)
        }
        done => done,
    }
}

/// Everyone who was paid tries to withdraw everything withdrawable.
fn withdraw_everything(f: &mut Fixture) {
    let now = f.tick();
    for user in [f.referrer, f.grand] {
        let reward = f.shop.wallet(user, cny()).1;
        if reward > 0 {
            let _ =
                f.shop
                    .request_withdrawal(now, user, WithdrawFrom::Reward, cny(), reward, "CN01");
        }
    }
    let available = f.shop.merchant_balances(f.merchant, cny()).1;
    if available > 0 {
        let owner = f.owner;
        let _ =
            f.shop
                .request_withdrawal(now, owner, WithdrawFrom::Merchant, cny(), available, "CN02");
    }
}

#[test]
fn a_full_refund_after_settlement_reverses_every_part_of_the_split() {
    let mut f = Fixture::new();
    let (fees, reserve) = (f.balance(Kind::Fees, 0), f.balance(Kind::Reserve, 0));
    let order = f.paid_order(f.buyer, 1);
    settle(&mut f, order);
    let s = f.shop.order(order).unwrap().settlement.unwrap();
    assert_eq!([s.merchant, s.fee, s.level1, s.level2], SPLIT);
    refund(&mut f, order, 10_000).unwrap();
    assert_eq!(f.shop.shares(order).unwrap().reversed, SPLIT);
    assert_eq!(f.shop.merchant_balances(f.merchant, cny()), (0, 0, 0));
    assert_eq!(
        (f.balance(Kind::Fees, 0), f.balance(Kind::Reserve, 0)),
        (fees, reserve)
    );
    for user in [f.referrer, f.grand] {
        assert_eq!(position(&f, user), 0);
    }
    // Paid from recharge, it comes back as recharge: nothing withdrawable.
    assert_eq!(f.shop.wallet(f.buyer, cny()), (100_000, 0));
    assert_eq!(f.status(order), OrderStatus::Refunded);
    conserved(&f);
}

#[test]
fn partial_refunds_add_up_to_the_whole_reversal_exactly() {
    for amounts in [
        vec![1, 3_333, 2, 6_664],
        vec![9_999, 1],
        vec![7; 1],
        vec![5_000, 5_000],
    ] {
        let mut f = Fixture::new();
        let order = f.paid_order(f.buyer, 1);
        settle(&mut f, order);
        let mut total = 0;
        for amount in &amounts {
            refund(&mut f, order, *amount).unwrap();
            total += amount;
            let reversed = f.shop.shares(order).unwrap().reversed;
            assert_eq!(reversed.iter().sum::<u64>(), total);
            assert!(reversed.iter().zip(SPLIT).all(|(r, p)| *r <= p));
            conserved(&f);
        }
        if total == 10_000 {
            assert_eq!(f.shop.shares(order).unwrap().reversed, SPLIT);
            assert_eq!(position(&f, f.referrer), 0);
            assert_eq!(merchant_position(&f), 0);
        }
    }
}

#[test]
fn a_commission_refunded_after_it_was_withdrawn_is_a_debt_repaid_from_the_next() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.buyer, 1);
    settle(&mut f, order);
    assert_eq!(f.shop.wallet_view(f.referrer, cny()).held, 500);
    release_all(&mut f);
    assert_eq!(f.shop.wallet(f.referrer, cny()).1, 500);
    withdraw_everything(&mut f);
    let reserve = f.balance(Kind::Reserve, 0);
    refund(&mut f, order, 10_000).unwrap();
    // The referrer had nothing left: the reserve paid their 500.
    assert_eq!(f.shop.debt(Party::User(f.referrer), cny()), 500);
    assert_eq!(f.shop.shares(order).unwrap().covered[1], 500);
    assert!(f.balance(Kind::Reserve, 0) < reserve);
    conserved(&f);
    // While it is open, nothing is withdrawn.
    let now = f.tick();
    let referrer = f.referrer;
    assert!(matches!(
        f.shop
            .request_withdrawal(now, referrer, WithdrawFrom::Reward, cny(), 1, "CN01"),
        Err(ShopError::DebtOpen { amount: 500, .. })
    ));
    // The next commission repays it first.
    let next = f.paid_order(f.buyer, 1);
    settle(&mut f, next);
    assert_eq!(f.shop.debt(Party::User(f.referrer), cny()), 0);
    assert_eq!(f.shop.wallet_view(f.referrer, cny()).held, 0);
    assert_eq!(f.shop.shares(next).unwrap().repaid[1], 500);
    let again = f.paid_order(f.buyer, 1);
    settle(&mut f, again);
    assert_eq!(f.shop.wallet_view(f.referrer, cny()).held, 500);
    conserved(&f);
}

#[test]
fn a_merchant_in_debt_cannot_withdraw_and_repays_from_its_next_sale() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.loner, 1);
    settle(&mut f, order);
    release_all(&mut f);
    withdraw_everything(&mut f);
    assert_eq!(f.shop.merchant_balances(f.merchant, cny()), (0, 0, 0));
    refund(&mut f, order, 10_000).unwrap();
    let debt = f.shop.debt(Party::Merchant(f.merchant), cny());
    assert_eq!(debt, 9_000);
    let now = f.tick();
    let owner = f.owner;
    let refused = f
        .shop
        .request_withdrawal(now, owner, WithdrawFrom::Merchant, cny(), 1, "CN02");
    assert!(
        matches!(&refused, Err(ShopError::DebtOpen { amount: 9_000, currency }) if currency == "CNY"),
        "{refused:?}"
    );
    conserved(&f);
    // The next sale's 9,000 repays it: nothing of it is held or released.
    let next = f.paid_order(f.loner, 1);
    settle(&mut f, next);
    assert_eq!(f.shop.debt(Party::Merchant(f.merchant), cny()), 0);
    assert_eq!(f.shop.merchant_balances(f.merchant, cny()), (0, 0, 0));
    assert_eq!(f.shop.order(next).unwrap().settlement.unwrap().held, 0);
    let third = f.paid_order(f.loner, 1);
    settle(&mut f, third);
    assert_eq!(f.shop.merchant_balances(f.merchant, cny()), (9_000, 0, 0));
    conserved(&f);
}

#[test]
fn a_debt_opened_while_commissions_are_held_is_repaid_on_their_release() {
    let mut f = Fixture::new();
    let first = f.paid_order(f.buyer, 1);
    settle(&mut f, first);
    release_all(&mut f);
    withdraw_everything(&mut f);
    let held_order = f.paid_order(f.buyer, 1);
    settle(&mut f, held_order);
    // The first sale's commission is gone (withdrawn); the second one's is
    // held, but a refund takes only the refunded order's own held part.
    refund(&mut f, first, 10_000).unwrap();
    assert_eq!(f.shop.debt(Party::User(f.referrer), cny()), 500);
    assert_eq!(f.shop.wallet_view(f.referrer, cny()).held, 500);
    release_all(&mut f);
    assert_eq!(f.shop.debt(Party::User(f.referrer), cny()), 0);
    assert_eq!(f.shop.wallet(f.referrer, cny()).1, 0);
    conserved(&f);
}

#[test]
fn recharged_money_refunded_after_settlement_never_leaves_as_a_withdrawal() {
    // The buyer's recharge pays a sale whose commission goes to a friend;
    // a refund would once have left the friend the commission.
    let mut f = Fixture::new();
    for _ in 0..3 {
        let order = f.paid_order(f.buyer, 1);
        settle(&mut f, order);
        refund(&mut f, order, 10_000).unwrap();
        release_all(&mut f);
        withdraw_everything(&mut f);
        conserved(&f);
    }
    for user in [f.referrer, f.grand] {
        assert_eq!(position(&f, user), 0);
        assert_eq!(withdrawn(&f, user), 0);
    }
    assert_eq!(f.shop.wallet(f.buyer, cny()), (100_000, 0));
}

/// Every order of settle, release, refund and withdraw after a purchase
/// with two referral levels, with full and partial refunds: money is
/// conserved after each step, and what each party keeps is its share of
/// what was not refunded — never a reversed commission.
#[test]
fn every_order_of_settle_release_refund_and_withdraw_conserves_money() {
    #[derive(Clone, Copy, Debug)]
    enum Step {
        Settle,
        Release,
        Refund,
        Withdraw,
    }
    use Step::*;
    let steps = [Settle, Release, Refund, Withdraw];
    let mut orders = Vec::new();
    for a in 0..4 {
        for b in 0..4 {
            for c in 0..4 {
                for d in 0..4 {
                    let p = [a, b, c, d];
                    if (0..4).all(|i| p.contains(&i)) {
                        orders.push(p.map(|i| steps[i]));
                    }
                }
            }
        }
    }
    assert_eq!(orders.len(), 24);
    for refunded in [10_000u64, 3_001] {
        for order_of_steps in &orders {
            let mut f = Fixture::new();
            let order = f.paid_order(f.buyer, 1);
            conserved(&f);
            for step in order_of_steps {
                match step {
                    Settle => {
                        let now = f.tick();
                        let buyer = f.buyer;
                        let _ = f.shop.confirm_order(now, buyer, order);
                    }
                    Release => release_all(&mut f),
                    Refund => refund(&mut f, order, refunded).unwrap(),
                    Withdraw => withdraw_everything(&mut f),
                }
                conserved(&f);
            }
            // Whatever was left unsettled settles now, and is released.
            if f.status(order) == OrderStatus::Delivered {
                settle(&mut f, order);
            }
            release_all(&mut f);
            conserved(&f);
            let kept = 10_000 - refunded;
            let expect = |part: usize| {
                let Some(s) = f.shop.order(order).unwrap().settlement else {
                    return 0;
                };
                let whole = [s.merchant, s.fee, s.level1, s.level2][part];
                let reversed = f.shop.shares(order).map_or(0, |sh| sh.reversed[part]);
                i128::from(whole - reversed)
            };
            let context = format!("{order_of_steps:?}, refunded {refunded}");
            assert_eq!(position(&f, f.referrer), expect(2), "{context}");
            assert_eq!(position(&f, f.grand), expect(3), "{context}");
            assert_eq!(merchant_position(&f), expect(0), "{context}");
            let parts = expect(0) + expect(1) + expect(2) + expect(3);
            assert_eq!(parts, i128::from(kept), "{context}");
            // The buyer paid from recharge and got recharge back.
            assert_eq!(
                f.shop.wallet(f.buyer, cny()),
                (90_000 + refunded, 0),
                "{context}"
            );
        }
    }
}

#[test]
fn a_withdrawal_asked_before_a_debt_opened_is_not_approved_while_it_is_open() {
    let mut f = Fixture::new();
    let order = f.paid_order(f.buyer, 1);
    settle(&mut f, order);
    release_all(&mut f);
    let now = f.tick();
    let referrer = f.referrer;
    let asked = f
        .shop
        .request_withdrawal(now, referrer, WithdrawFrom::Reward, cny(), 500, "CN01")
        .unwrap();
    refund(&mut f, order, 10_000).unwrap();
    assert_eq!(f.shop.debt(Party::User(f.referrer), cny()), 500);
    let now = f.tick();
    let admin = f.admin;
    assert!(matches!(
        f.shop.approve_withdrawal(now, admin, asked),
        Err(ShopError::DebtOpen { amount: 500, .. })
    ));
    f.shop.reject_withdrawal(now, admin, asked).unwrap();
    assert_eq!(position(&f, f.referrer), 0);
    conserved(&f);
}
