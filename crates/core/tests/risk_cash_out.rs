//! Cash-out and referral guards of the default pack: a top-up run through
//! purchase-and-refund loops without real spending has its next payment
//! held (`cash_out_pattern`; refunded money counts as unspent), and a
//! merchant whose referee is its own linked account has its withdrawal held
//! (`self_referral`) — while a top-up that was really spent goes on.

mod common;

use common::Fixture;
use common::money::{add_destination, limits, merchant_earns, rules, run, withdraw};
use trigate_core::risk::{RequestContext, RiskSettings, Subject};
use trigate_core::{Command, OrderId, RefundTo, Reply, Role, UserId};

fn last_reason(f: &Fixture) -> String {
    common::risk::last_decision(&f.shop, f.admin)
        .decision
        .reason
}

fn start(f: &mut Fixture) {
    run(
        f,
        Command::StartRisk {
            settings: RiskSettings::default(),
        },
    )
    .unwrap();
    run(f, Command::AddDefaultRules).unwrap();
}

fn top_up(f: &mut Fixture, user: UserId, amount: u64) {
    let Ok(Reply::Attempt(attempt)) = run(
        f,
        Command::StartRecharge {
            actor: user,
            channel: "sandbox".into(),
            amount,
            currency: common::cny(),
        },
    ) else {
        panic!()
    };
    run(
        f,
        Command::PaymentSucceeded {
            attempt,
            channel_txn: format!("T-{}", attempt.0),
            amount,
            currency: common::cny(),
        },
    )
    .unwrap();
}

fn buy(f: &mut Fixture, user: UserId) -> (OrderId, usize) {
    let product = f.product;
    let Ok(Reply::Bought { order, keys }) = run(
        f,
        Command::BuyWithBalance {
            actor: user,
            product,
            quantity: 1,
            coupon: None,
        },
    ) else {
        panic!()
    };
    (order, keys.len())
}

fn register(f: &mut Fixture, login: &str) -> UserId {
    let Ok(Reply::User(id)) = run(
        f,
        Command::Register {
            login: login.into(),
            role: Role::Buyer,
            referrer_code: None,
            password: None,
        },
    ) else {
        panic!()
    };
    id
}

/// A new buyer tops up 40,000, keeps `kept` purchases of 10,000, then buys
/// and gets refunded `loops` times.
fn looper(f: &mut Fixture, kept: usize, loops: usize) -> UserId {
    let user = register(f, "looper");
    top_up(f, user, 40_000);
    for _ in 0..kept {
        assert_eq!(buy(f, user).1, 1);
    }
    let owner = f.owner;
    for _ in 0..loops {
        let (order, keys) = buy(f, user);
        assert_eq!(keys, 1);
        run(
            f,
            Command::Refund {
                actor: owner,
                order,
                amount: 10_000,
                to: RefundTo::Wallet,
            },
        )
        .unwrap();
    }
    user
}

#[test]
fn a_top_up_run_through_purchase_and_refund_loops_has_its_next_payment_held() {
    let mut f = Fixture::new();
    start(&mut f);
    let user = looper(&mut f, 0, 3);
    let (order, keys) = buy(&mut f, user);
    assert_eq!(keys, 0, "held");
    assert!(f.shop.held(Subject::Order(order)).is_some());
    assert_eq!(last_reason(&f), "cash_out_pattern");
    f.check_invariants();
}

#[test]
fn a_top_up_really_spent_goes_on_after_the_same_loops() {
    let mut f = Fixture::new();
    start(&mut f);
    // Three of four parts kept, then three loops: three quarters spent.
    let user = looper(&mut f, 3, 3);
    assert_eq!(buy(&mut f, user).1, 1, "not held");
    assert_ne!(last_reason(&f), "cash_out_pattern");
}

#[test]
fn a_merchant_whose_referee_is_its_own_linked_account_has_its_withdrawal_held() {
    let mut f = Fixture::new();
    rules(&mut f, limits());
    merchant_earns(&mut f, 2);
    let owner = f.owner;
    let destination = add_destination(&mut f, owner);
    f.later(25 * 3_600 * common::SECOND);
    start(&mut f);
    let code = f.shop.user(owner).unwrap().referral_code.clone();
    let Ok(Reply::User(alt)) = run(
        &mut f,
        Command::Register {
            login: "alt".into(),
            role: Role::Buyer,
            referrer_code: Some(code),
            password: None,
        },
    ) else {
        panic!()
    };
    // Referred, but on a phone of its own: the withdrawal goes on.
    let sign_in = |device: &str, user| Command::WithContext {
        context: RequestContext {
            device: device.into(),
            ..RequestContext::default()
        },
        command: Box::new(Command::SignIn {
            user: Some(user),
            ok: true,
        }),
    };
    run(&mut f, sign_in("owner-phone", owner)).unwrap();
    run(&mut f, sign_in("alt-phone", alt)).unwrap();
    let Ok(Reply::Withdrawal(first)) = withdraw(&mut f, 300, destination) else {
        panic!()
    };
    assert_eq!(f.shop.held(Subject::Withdrawal(first)), None);
    // The referee signs in on the owner's phone: its own account.
    run(&mut f, sign_in("owner-phone", alt)).unwrap();
    let Ok(Reply::Withdrawal(second)) = withdraw(&mut f, 300, destination) else {
        panic!()
    };
    assert!(f.shop.held(Subject::Withdrawal(second)).is_some());
    assert_eq!(last_reason(&f), "self_referral");
}
