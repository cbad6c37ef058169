//! Gate three at a buyer's sign-up, a merchant's opening and a payout: a
//! block refuses; a hold makes the account flagged, the merchant frozen
//! until approved, the payout not started until approved (and its money
//! back at its source when declined).

mod common;

use common::money::{add_destination, merchant_earns, rules, run, staff, withdraw};
use common::{Fixture, SECOND};
use trigate_core::chart::Kind;
use trigate_core::risk::{Outcome, Point, RequestContext, RiskSettings, RuleSpec, Subject};
use trigate_core::{
    AdminRole, Bps, Command, MerchantStatus, PasswordHash, Reply, Role, ShopError, UserId,
    WithdrawalStatus,
};

fn spec(expr: &str, outcome: Outcome, point: Point) -> RuleSpec {
    RuleSpec {
        name: format!("at_{point}"),
        expr: expr.into(),
        outcome,
        weight: 0,
        points: vec![point],
        shadow: false,
        enabled: true,
        reason: "checked".into(),
        note: String::new(),
    }
}

fn gated(rule: RuleSpec) -> (Fixture, UserId) {
    let mut f = Fixture::new();
    run(
        &mut f,
        Command::StartRisk {
            settings: RiskSettings::default(),
        },
    )
    .unwrap();
    let analyst = staff(&mut f, "analyst", AdminRole::RiskAnalyst);
    run(
        &mut f,
        Command::SaveRiskRule {
            actor: analyst,
            spec: rule,
        },
    )
    .unwrap();
    (f, analyst)
}

fn sign_up(f: &mut Fixture, login: &str, device: &str) -> Result<Reply, ShopError> {
    run(
        f,
        Command::WithContext {
            context: RequestContext {
                device: device.into(),
                ..RequestContext::default()
            },
            command: Box::new(Command::Register {
                login: login.into(),
                role: Role::Buyer,
                referrer_code: None,
                password: Some(PasswordHash(
                    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
                )),
            }),
        },
    )
}

fn decide(f: &mut Fixture, analyst: UserId, review: u64, approve: bool) {
    run(
        f,
        Command::DecideReview {
            actor: analyst,
            review,
            approve,
            note: "looked".into(),
        },
    )
    .unwrap();
}

#[test]
fn a_blocked_sign_up_makes_no_account_and_a_held_one_is_flagged() {
    let (mut f, _) = gated(spec("device == \"bot\"", Outcome::Block, Point::Signup));
    let refused = sign_up(&mut f, "bot1", "bot");
    assert_eq!(
        refused,
        Err(ShopError::RiskBlocked {
            reason: "checked".into()
        })
    );
    assert!(f.shop.user_by_login("bot1").is_none());
    assert!(matches!(
        sign_up(&mut f, "human", "phone"),
        Ok(Reply::User(_))
    ));
    let (mut f, _) = gated(spec("device == \"odd\"", Outcome::Hold, Point::Signup));
    let Ok(Reply::User(user)) = sign_up(&mut f, "odd1", "odd") else {
        panic!()
    };
    assert!(f.shop.held(Subject::User(user)).is_some());
}

fn open_merchant(f: &mut Fixture, login: &str) -> Result<Reply, ShopError> {
    let now = f.tick();
    let owner = f.shop.register(now, login, Role::Merchant, None).unwrap();
    let admin = f.admin;
    run(
        f,
        Command::CreateMerchantBy {
            actor: admin,
            owner,
            name: format!("{login}'s keys"),
            fee: Bps::new(500).unwrap(),
            holding_days: 1,
            wrapped_key: vec![7; 60],
        },
    )
}

#[test]
fn a_held_merchant_opens_frozen_until_approved_and_a_declined_one_is_banned() {
    let (mut f, analyst) = gated(spec("true", Outcome::Hold, Point::MerchantOpening));
    let Ok(Reply::Merchant(m)) = open_merchant(&mut f, "new-seller") else {
        panic!()
    };
    assert_eq!(f.shop.merchant(m).unwrap().status, MerchantStatus::Frozen);
    let review = f.shop.held(Subject::Merchant(m)).unwrap();
    decide(&mut f, analyst, review, true);
    assert_eq!(f.shop.merchant(m).unwrap().status, MerchantStatus::Active);
    let Ok(Reply::Merchant(m)) = open_merchant(&mut f, "other-seller") else {
        panic!()
    };
    let review = f.shop.held(Subject::Merchant(m)).unwrap();
    decide(&mut f, analyst, review, false);
    assert_eq!(f.shop.merchant(m).unwrap().status, MerchantStatus::Banned);
    // A non-admin opens nothing and takes no decision.
    let loner = f.loner;
    let refused = run(
        &mut f,
        Command::CreateMerchantBy {
            actor: loner,
            owner: loner,
            name: "x".into(),
            fee: Bps::ZERO,
            holding_days: 0,
            wrapped_key: vec![7; 60],
        },
    );
    assert!(matches!(refused, Err(ShopError::Forbidden(_))));
}

#[test]
fn a_held_payout_does_not_start_until_approved_and_a_declined_one_goes_back() {
    let (mut f, analyst) = gated(spec("amount >= 100", Outcome::Hold, Point::Payout));
    rules(&mut f, common::money::limits());
    merchant_earns(&mut f, 1);
    let owner = f.owner;
    let destination = add_destination(&mut f, owner);
    f.later(25 * 3_600 * SECOND);
    let finance = staff(&mut f, "finance", AdminRole::Finance);
    let available = f.balance(Kind::MerchantAvailable, f.merchant.0);
    let approved = |f: &mut Fixture, amount| {
        let Ok(Reply::Withdrawal(id)) = withdraw(f, amount, destination) else {
            panic!()
        };
        // Small ones need no approver.
        if f.shop.withdrawal(id).unwrap().status == WithdrawalStatus::Requested {
            let status = run(
                f,
                Command::ApproveWithdrawal {
                    actor: finance,
                    withdrawal: id,
                },
            );
            assert!(status.is_ok(), "{status:?}");
        }
        assert_eq!(
            f.shop.withdrawal(id).unwrap().status,
            WithdrawalStatus::Approved
        );
        id
    };
    let id = approved(&mut f, 600);
    let start = run(
        &mut f,
        Command::StartPayout {
            actor: finance,
            withdrawal: id,
        },
    );
    assert!(
        matches!(start, Err(ShopError::HeldForReview { .. })),
        "{start:?}"
    );
    assert_eq!(f.shop.withdrawal(id).unwrap().payout_started, None);
    let review = f.shop.held(Subject::Withdrawal(id)).unwrap();
    decide(&mut f, analyst, review, true);
    run(
        &mut f,
        Command::StartPayout {
            actor: finance,
            withdrawal: id,
        },
    )
    .unwrap();
    assert!(f.shop.withdrawal(id).unwrap().payout_started.is_some());
    // Another, declined: the whole goes back to the merchant.
    let second = approved(&mut f, 300);
    assert!(
        run(
            &mut f,
            Command::StartPayout {
                actor: finance,
                withdrawal: second
            }
        )
        .is_err()
    );
    let review = f.shop.held(Subject::Withdrawal(second)).unwrap();
    decide(&mut f, analyst, review, false);
    assert_eq!(
        f.shop.withdrawal(second).unwrap().status,
        WithdrawalStatus::Failed
    );
    assert_eq!(
        f.balance(Kind::MerchantAvailable, f.merchant.0),
        available - 600
    );
}

#[test]
fn a_payout_rule_that_errors_holds_the_payout() {
    let (mut f, _) = gated(spec(
        "amount / user_paid_count > 0",
        Outcome::Allow,
        Point::Payout,
    ));
    rules(&mut f, common::money::limits());
    merchant_earns(&mut f, 1);
    let owner = f.owner;
    let destination = add_destination(&mut f, owner);
    f.later(25 * 3_600 * SECOND);
    let finance = staff(&mut f, "finance", AdminRole::Finance);
    let Ok(Reply::Withdrawal(id)) = withdraw(&mut f, 600, destination) else {
        panic!()
    };
    run(
        &mut f,
        Command::ApproveWithdrawal {
            actor: finance,
            withdrawal: id,
        },
    )
    .unwrap();
    let start = run(
        &mut f,
        Command::StartPayout {
            actor: finance,
            withdrawal: id,
        },
    );
    assert!(
        matches!(start, Err(ShopError::HeldForReview { .. })),
        "fails closed: {start:?}"
    );
}

fn top_up(
    f: &mut Fixture,
    device: &str,
    paid: bool,
) -> (trigate_core::AttemptId, Result<Reply, ShopError>) {
    let loner = f.loner;
    let context = RequestContext {
        ip: "198.51.100.9".into(),
        device: device.into(),
        ..RequestContext::default()
    };
    let Ok(Reply::Attempt(attempt)) = run(
        f,
        Command::WithContext {
            context,
            command: Box::new(Command::StartRecharge {
                actor: loner,
                channel: "sandbox".into(),
                amount: 5_000,
                currency: common::cny(),
            }),
        },
    ) else {
        panic!()
    };
    let reply = if paid {
        run(
            f,
            Command::PaymentSucceeded {
                attempt,
                channel_txn: format!("T-{}", attempt.0),
                amount: 5_000,
                currency: common::cny(),
            },
        )
    } else {
        run(f, Command::PaymentFailed { attempt })
    };
    (attempt, reply)
}

#[test]
fn a_held_top_up_waits_in_escrow_then_reaches_the_wallet_or_goes_back_through_its_channel() {
    let (mut f, analyst) = gated(spec("amount >= 5000", Outcome::Hold, Point::Recharge));
    let loner = f.loner;
    let wallet = f.shop.wallet(loner, common::cny());
    let (attempt, reply) = top_up(&mut f, "tablet", true);
    assert_eq!(
        reply,
        Ok(Reply::Payment(trigate_core::PaymentOutcome::Held))
    );
    assert_eq!(
        f.shop.wallet(loner, common::cny()),
        wallet,
        "nothing credited while held"
    );
    assert_eq!(f.balance(Kind::Escrow, 0), 5_000);
    let review = f.shop.held(Subject::Attempt(attempt)).unwrap();
    decide(&mut f, analyst, review, true);
    assert_eq!(f.shop.wallet(loner, common::cny()).0, wallet.0 + 5_000);
    assert_eq!(f.balance(Kind::Escrow, 0), 0);
    let (attempt, _) = top_up(&mut f, "tablet", true);
    let review = f.shop.held(Subject::Attempt(attempt)).unwrap();
    decide(&mut f, analyst, review, false);
    assert_eq!(
        f.shop.wallet(loner, common::cny()).0,
        wallet.0 + 5_000,
        "declined: not credited"
    );
    assert_eq!(
        f.shop.attempt(attempt).unwrap().owed_back,
        5_000,
        "owed back through the channel"
    );
    assert_eq!(f.balance(Kind::Escrow, 0), 0);
}

#[test]
fn failed_payments_are_counted_and_the_default_burst_rule_holds_the_next_one() {
    let mut f = Fixture::new();
    run(
        &mut f,
        Command::StartRisk {
            settings: RiskSettings::default(),
        },
    )
    .unwrap();
    for _ in 0..3 {
        let (_, failed) = top_up(&mut f, "carder-phone", false);
        assert_eq!(failed, Ok(Reply::Done));
    }
    let (attempt, reply) = top_up(&mut f, "carder-phone", true);
    assert_eq!(
        reply,
        Ok(Reply::Payment(trigate_core::PaymentOutcome::Held))
    );
    assert!(f.shop.held(Subject::Attempt(attempt)).is_some());
    // Another device is not held.
    let (_, reply) = top_up(&mut f, "honest-phone", true);
    assert_eq!(
        reply,
        Ok(Reply::Payment(trigate_core::PaymentOutcome::Recharged))
    );
}

#[test]
fn a_blocked_sign_in_is_refused_and_failed_ones_are_counted() {
    let (mut f, analyst) = gated(spec("ip_fail_1h >= 3", Outcome::Block, Point::SignIn));
    let loner = f.loner;
    let from = |ok| Command::WithContext {
        context: RequestContext {
            ip: "203.0.113.66".into(),
            ..RequestContext::default()
        },
        command: Box::new(Command::SignIn {
            user: Some(loner),
            ok,
        }),
    };
    assert_eq!(run(&mut f, from(true)), Ok(Reply::Done));
    for _ in 0..3 {
        assert_eq!(
            run(&mut f, from(false)),
            Ok(Reply::Done),
            "a failure is counted, not refused"
        );
    }
    assert_eq!(
        run(&mut f, from(true)),
        Err(ShopError::RiskBlocked {
            reason: "checked".into()
        })
    );
    // An unknown login's failures count too, for where they came from.
    let unknown = Command::SignIn {
        user: None,
        ok: false,
    };
    assert_eq!(run(&mut f, unknown), Ok(Reply::Done));
    let _ = analyst;
}
