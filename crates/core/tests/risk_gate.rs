//! Gate three in the shop: decisions at a wallet payment, a channel's
//! notification and a withdrawal request; holds that deliver or pay out
//! nothing until an analyst approves, and send the money back where it
//! came from when one declines; challenges; blocks that change nothing but
//! their recorded decision; rules changed at run time; a restart that
//! leaves every decision and window as it was.

mod common;

use common::journaled::{Journaled, seller_and_buyer};
use common::money::{add_destination, merchant_earns, rules, run, staff, withdraw};
use common::{Fixture, SECOND, cny, product_spec};
use trigate_core::chart::Kind;
use trigate_core::query::{Query, View};
use trigate_core::risk::{
    DecisionRow, Effect, Outcome, Point, RequestContext, RiskQuery, RiskSettings, RiskView,
    RuleSpec, Subject,
};
use trigate_core::{
    AdminRole, Command, Config, OrderId, OrderStatus, PaymentOutcome, Reply, ShopError, UserId,
    WithdrawalStatus,
};

fn spec(name: &str, expr: &str, outcome: Outcome, points: &[Point]) -> RuleSpec {
    RuleSpec {
        name: name.into(),
        expr: expr.into(),
        outcome,
        weight: 0,
        points: points.to_vec(),
        shadow: false,
        enabled: true,
        reason: format!("{name}_reason"),
        note: String::new(),
    }
}

/// A fixture whose risk checks run with the default pack, and an analyst.
fn gated() -> (Fixture, UserId) {
    let mut f = Fixture::new();
    run(
        &mut f,
        Command::StartRisk {
            settings: RiskSettings::default(),
        },
    )
    .unwrap();
    let analyst = staff(&mut f, "analyst", AdminRole::RiskAnalyst);
    (f, analyst)
}

fn save(f: &mut Fixture, analyst: UserId, spec: RuleSpec) {
    let reply = run(
        f,
        Command::SaveRiskRule {
            actor: analyst,
            spec,
        },
    );
    assert!(matches!(reply, Ok(Reply::RuleSaved(_))), "{reply:?}");
}

fn buy(f: &mut Fixture, buyer: UserId) -> Result<Reply, ShopError> {
    let product = f.product;
    run(
        f,
        Command::BuyWithBalance {
            actor: buyer,
            product,
            quantity: 1,
            coupon: None,
        },
    )
}

fn risk(f: &Fixture, actor: UserId, ask: RiskQuery) -> RiskView {
    match f.shop.query(&Query::Risk { actor, ask }) {
        Ok(View::Risk(v)) => *v,
        other => panic!("{other:?}"),
    }
}

fn decisions(f: &Fixture, analyst: UserId) -> Vec<DecisionRow> {
    match risk(
        f,
        analyst,
        RiskQuery::Decisions {
            before: None,
            limit: 200,
        },
    ) {
        RiskView::Decisions(d) => d,
        other => panic!("{other:?}"),
    }
}

fn decide(
    f: &mut Fixture,
    analyst: UserId,
    review: u64,
    approve: bool,
) -> Result<Reply, ShopError> {
    run(
        f,
        Command::DecideReview {
            actor: analyst,
            review,
            approve,
            note: "checked the buyer".into(),
        },
    )
}

fn stock(f: &Fixture) -> u64 {
    f.shop.stock(f.product)
}

#[test]
fn an_ordinary_wallet_payment_is_allowed_and_recorded() {
    let (mut f, analyst) = gated();
    let loner = f.loner;
    let Ok(Reply::Bought { keys, .. }) = buy(&mut f, loner) else {
        panic!()
    };
    assert_eq!(keys.len(), 1);
    let d = decisions(&f, analyst);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].decision.point, Point::WalletPayment);
    assert_eq!(d[0].decision.outcome, Outcome::Allow);
    assert_eq!(d[0].effect, Effect::Proceeded);
    assert_eq!(d[0].decision.signals.amount, 10_000);
}

#[test]
fn a_held_wallet_payment_delivers_nothing_until_approved() {
    let (mut f, analyst) = gated();
    save(
        &mut f,
        analyst,
        spec(
            "big",
            "amount >= 10000",
            Outcome::Hold,
            &[Point::WalletPayment],
        ),
    );
    let loner = f.loner;
    let Ok(Reply::Bought { order, keys }) = buy(&mut f, loner) else {
        panic!()
    };
    assert!(keys.is_empty(), "nothing delivered while held");
    assert_eq!(f.status(order), OrderStatus::Paid);
    assert_eq!(f.balance(Kind::Escrow, 0), 10_000, "the money is in escrow");
    let review = f.shop.held(Subject::Order(order)).expect("a review");
    // Nobody else moves it on: not the merchant's refund, not a confirm.
    let owner = f.owner;
    assert!(matches!(
        run(
            &mut f,
            Command::Refund {
                actor: owner,
                order,
                amount: 10_000,
                to: trigate_core::RefundTo::Wallet
            }
        ),
        Err(ShopError::HeldForReview { .. })
    ));
    assert!(
        run(
            &mut f,
            Command::ConfirmOrder {
                actor: loner,
                order
            }
        )
        .is_err()
    );
    // The buyer cannot decide their own review.
    assert!(matches!(
        decide(&mut f, loner, review, true),
        Err(ShopError::Forbidden(_))
    ));
    decide(&mut f, analyst, review, true).unwrap();
    assert_eq!(f.status(order), OrderStatus::Delivered);
    assert_eq!(f.shop.order(order).unwrap().keys.len(), 1);
    assert_eq!(f.shop.held(Subject::Order(order)), None);
    // Decided once.
    assert!(decide(&mut f, analyst, review, false).is_err());
}

#[test]
fn a_held_wallet_payment_declined_goes_back_to_the_wallet_with_its_keys_to_stock() {
    let (mut f, analyst) = gated();
    save(
        &mut f,
        analyst,
        spec(
            "big",
            "amount >= 10000",
            Outcome::Hold,
            &[Point::WalletPayment],
        ),
    );
    let loner = f.loner;
    let (wallet, keys) = (f.shop.wallet(loner, cny()), stock(&f));
    let Ok(Reply::Bought { order, .. }) = buy(&mut f, loner) else {
        panic!()
    };
    assert_eq!(stock(&f), keys - 1);
    let review = f.shop.held(Subject::Order(order)).unwrap();
    decide(&mut f, analyst, review, false).unwrap();
    assert_eq!(f.status(order), OrderStatus::Refunded);
    assert_eq!(f.shop.wallet(loner, cny()), wallet, "every minor unit back");
    assert_eq!(f.balance(Kind::Escrow, 0), 0);
    assert_eq!(stock(&f), keys, "its key is on sale again");
    let RiskView::Reviews(lines) = risk(
        &f,
        analyst,
        RiskQuery::Reviews {
            open: false,
            before: None,
            limit: 10,
        },
    ) else {
        panic!()
    };
    assert_eq!(lines[0].status, "declined");
    assert_eq!(lines[0].review.reason, "big_reason");
}

#[test]
fn a_blocked_payment_makes_nothing_but_its_recorded_decision() {
    let (mut f, analyst) = gated();
    save(
        &mut f,
        analyst,
        spec(
            "nope",
            "amount >= 10000",
            Outcome::Block,
            &[Point::WalletPayment],
        ),
    );
    let loner = f.loner;
    let (wallet, keys, orders) = (
        f.shop.wallet(loner, cny()),
        stock(&f),
        f.shop.orders().count(),
    );
    let refused = buy(&mut f, loner);
    assert_eq!(
        refused,
        Err(ShopError::RiskBlocked {
            reason: "nope_reason".into()
        })
    );
    assert_eq!(f.shop.wallet(loner, cny()), wallet);
    assert_eq!(stock(&f), keys);
    assert_eq!(f.shop.orders().count(), orders, "no order was made");
    let d = decisions(&f, analyst);
    assert_eq!(
        (d[0].decision.outcome, d[0].effect),
        (Outcome::Block, Effect::Refused)
    );
}

#[test]
fn a_challenge_asks_for_a_code_holds_whoever_cannot_answer_and_passes_with_one() {
    let (mut f, analyst) = gated();
    save(
        &mut f,
        analyst,
        spec(
            "ask",
            "amount >= 10000",
            Outcome::Challenge,
            &[Point::WalletPayment],
        ),
    );
    let (loner, buyer) = (f.loner, f.buyer);
    run(
        &mut f,
        Command::EnrollSecondFactor {
            actor: loner,
            user: loner,
            sealed: vec![9; 40],
        },
    )
    .unwrap();
    assert_eq!(
        buy(&mut f, loner),
        Err(ShopError::ChallengeRequired {
            reason: "ask_reason".into()
        })
    );
    let with_code = Command::WithContext {
        context: RequestContext {
            second_factor: true,
            ..RequestContext::default()
        },
        command: Box::new(Command::BuyWithBalance {
            actor: loner,
            product: f.product,
            quantity: 1,
            coupon: None,
        }),
    };
    let Ok(Reply::Bought { keys, .. }) = run(&mut f, with_code) else {
        panic!()
    };
    assert_eq!(keys.len(), 1, "answered: delivered");
    assert!(decisions(&f, analyst)[0].challenge_passed);
    // The buyer has no second factor: held instead.
    let Ok(Reply::Bought { order, keys }) = buy(&mut f, buyer) else {
        panic!()
    };
    assert!(keys.is_empty());
    assert!(f.shop.held(Subject::Order(order)).is_some());
}

/// The loner's order made from a Chinese IP, paid through a channel by an
/// instrument the channel says is American.
fn mismatched_channel_payment(
    f: &mut Fixture,
) -> (OrderId, trigate_core::AttemptId, Result<Reply, ShopError>) {
    let (loner, product) = (f.loner, f.product);
    let context = |ip_country: &str, instrument_country: &str| RequestContext {
        ip: if ip_country.is_empty() {
            String::new()
        } else {
            "203.0.113.5".into()
        },
        ip_country: ip_country.into(),
        instrument: if instrument_country.is_empty() {
            String::new()
        } else {
            "card-77".into()
        },
        instrument_country: instrument_country.into(),
        ..RequestContext::default()
    };
    let Ok(Reply::Order(order)) = run(
        f,
        Command::WithContext {
            context: context("CN", ""),
            command: Box::new(Command::CreateOrder {
                actor: loner,
                product,
                quantity: 1,
                coupon: None,
            }),
        },
    ) else {
        panic!()
    };
    let Ok(Reply::Attempt(attempt)) = run(
        f,
        Command::StartPayment {
            actor: loner,
            order,
            channel: "sandbox".into(),
        },
    ) else {
        panic!()
    };
    let paid = run(
        f,
        Command::WithContext {
            context: context("", "US"),
            command: Box::new(Command::PaymentSucceeded {
                attempt,
                channel_txn: "T-1".into(),
                amount: 10_000,
                currency: cny(),
            }),
        },
    );
    (order, attempt, paid)
}

#[test]
fn a_notification_that_is_not_allowed_holds_the_paid_order_and_a_decline_sends_it_back_through_the_channel()
 {
    let (mut f, analyst) = gated();
    let keys = stock(&f);
    let (order, attempt, paid) = mismatched_channel_payment(&mut f);
    // The default pack's country_mismatch asks for a code nobody can give
    // to a notification: held, never refused.
    assert_eq!(paid, Ok(Reply::Payment(PaymentOutcome::Held)));
    assert_eq!(f.status(order), OrderStatus::Paid);
    let d = decisions(&f, analyst);
    assert_eq!(d[0].decision.point, Point::ChannelPayment);
    assert_eq!(
        d[0].decision.signals.ip_country, "CN",
        "from the order's request"
    );
    assert_eq!(
        d[0].decision.signals.instrument_country, "US",
        "from the notification"
    );
    assert_eq!(d[0].decision.fired[0].rule, "country_mismatch");
    let review = f.shop.held(Subject::Order(order)).unwrap();
    decide(&mut f, analyst, review, false).unwrap();
    assert_eq!(f.status(order), OrderStatus::Refunded);
    assert_eq!(
        f.shop.attempt(attempt).unwrap().owed_back,
        10_000,
        "owed back through the channel"
    );
    assert_eq!(stock(&f), keys);
}

#[test]
fn a_held_notification_approved_delivers_its_keys() {
    let (mut f, analyst) = gated();
    let (order, _, _) = mismatched_channel_payment(&mut f);
    let review = f.shop.held(Subject::Order(order)).unwrap();
    decide(&mut f, analyst, review, true).unwrap();
    assert_eq!(f.status(order), OrderStatus::Delivered);
    assert_eq!(f.shop.order(order).unwrap().keys.len(), 1);
}

#[test]
fn a_held_withdrawal_waits_for_its_review_before_finance() {
    let (mut f, analyst) = gated();
    rules(&mut f, common::money::limits());
    merchant_earns(&mut f, 1);
    f.later(25 * 3_600 * SECOND);
    let owner = f.owner;
    let destination = add_destination(&mut f, owner);
    f.later(25 * 3_600 * SECOND);
    save(
        &mut f,
        analyst,
        spec("out", "amount >= 100", Outcome::Hold, &[Point::Withdrawal]),
    );
    let available = f.balance(Kind::MerchantAvailable, f.merchant.0);
    let Ok(Reply::Withdrawal(id)) = withdraw(&mut f, 600, destination) else {
        panic!()
    };
    let review = f.shop.held(Subject::Withdrawal(id)).unwrap();
    let finance = staff(&mut f, "finance", AdminRole::Finance);
    assert!(matches!(
        run(
            &mut f,
            Command::ApproveWithdrawal {
                actor: finance,
                withdrawal: id
            }
        ),
        Err(ShopError::HeldForReview { .. })
    ));
    decide(&mut f, analyst, review, true).unwrap();
    assert_eq!(
        f.shop.withdrawal(id).unwrap().status,
        WithdrawalStatus::Requested
    );
    assert!(
        run(
            &mut f,
            Command::ApproveWithdrawal {
                actor: finance,
                withdrawal: id
            }
        )
        .is_ok()
    );
    // A second one, declined: its reservation ends, the money stays.
    let Ok(Reply::Withdrawal(second)) = withdraw(&mut f, 300, destination) else {
        panic!()
    };
    let review = f.shop.held(Subject::Withdrawal(second)).unwrap();
    decide(&mut f, analyst, review, false).unwrap();
    assert_eq!(
        f.shop.withdrawal(second).unwrap().status,
        WithdrawalStatus::Rejected
    );
    assert_eq!(
        f.balance(Kind::MerchantAvailable, f.merchant.0),
        available - 600
    );
}

#[test]
fn a_rule_saved_at_run_time_acts_on_the_next_request_and_a_shadow_rule_never_acts() {
    let (mut f, analyst) = gated();
    let loner = f.loner;
    let mut shadow = spec("watch", "amount >= 1", Outcome::Block, &[]);
    shadow.shadow = true;
    save(&mut f, analyst, shadow);
    let Ok(Reply::Bought { keys, .. }) = buy(&mut f, loner) else {
        panic!("a shadow rule never acts")
    };
    assert_eq!(keys.len(), 1);
    assert_eq!(decisions(&f, analyst)[0].decision.shadow[0].rule, "watch");
    save(
        &mut f,
        analyst,
        spec("watch", "amount >= 1", Outcome::Block, &[]),
    );
    assert!(matches!(
        buy(&mut f, loner),
        Err(ShopError::RiskBlocked { .. })
    ));
    let RiskView::Rules(versions) = risk(
        &f,
        analyst,
        RiskQuery::Versions {
            name: "watch".into(),
        },
    ) else {
        panic!()
    };
    assert_eq!(
        versions.iter().map(|r| r.version).collect::<Vec<_>>(),
        [1, 2]
    );
}

#[test]
fn only_analysts_and_admins_save_rules_and_a_bad_rule_is_named() {
    let (mut f, analyst) = gated();
    let loner = f.loner;
    assert!(matches!(
        run(
            &mut f,
            Command::SaveRiskRule {
                actor: loner,
                spec: spec("x", "amount > 1", Outcome::Hold, &[])
            }
        ),
        Err(ShopError::Forbidden(_))
    ));
    let bad = run(
        &mut f,
        Command::SaveRiskRule {
            actor: analyst,
            spec: spec("x", "amout > 1", Outcome::Hold, &[]),
        },
    );
    let Err(ShopError::RuleInvalid(why)) = bad else {
        panic!("{bad:?}")
    };
    assert!(why.contains("unknown feature \"amout\""), "{why}");
    let admin = f.admin;
    assert!(
        run(
            &mut f,
            Command::SaveRiskRule {
                actor: admin,
                spec: spec("x", "amount > 1", Outcome::Hold, &[])
            }
        )
        .is_ok()
    );
}

#[test]
fn holds_waiting_too_long_are_escalated_once() {
    let (mut f, analyst) = gated();
    save(
        &mut f,
        analyst,
        spec("big", "amount >= 10000", Outcome::Hold, &[]),
    );
    let loner = f.loner;
    let Ok(Reply::Bought { order, .. }) = buy(&mut f, loner) else {
        panic!()
    };
    let review = f.shop.held(Subject::Order(order)).unwrap();
    run(
        &mut f,
        Command::ClaimReview {
            actor: analyst,
            review,
        },
    )
    .unwrap();
    f.later(25 * 3_600 * SECOND);
    let Ok(Reply::Ticked(report)) = run(&mut f, Command::Tick) else {
        panic!()
    };
    assert_eq!(report.escalated_reviews, [review]);
    let Ok(Reply::Ticked(report)) = run(&mut f, Command::Tick) else {
        panic!()
    };
    assert!(report.escalated_reviews.is_empty());
    let RiskView::Reviews(lines) = risk(
        &f,
        analyst,
        RiskQuery::Reviews {
            open: true,
            before: None,
            limit: 10,
        },
    ) else {
        panic!()
    };
    assert_eq!(lines[0].status, "escalated");
    assert_eq!(lines[0].review.claimed.map(|c| c.0), Some(analyst));
    assert!(lines[0].waited_ns >= 25 * 3_600 * SECOND);
}

#[test]
fn a_shop_with_risk_off_decides_nothing() {
    let mut f = Fixture::new();
    let off = RiskSettings {
        enabled: false,
        ..RiskSettings::default()
    };
    run(&mut f, Command::StartRisk { settings: off }).unwrap();
    let loner = f.loner;
    buy(&mut f, loner).unwrap();
    let admin = f.admin;
    assert!(decisions(&f, admin).is_empty());
}

#[test]
fn a_restart_leaves_every_decision_review_and_window_as_it_was() {
    let mut j = Journaled::new(Config::default());
    let (_, buyer, product) = seller_and_buyer(&mut j, 1_000, product_spec(1_000), 30);
    j.run(Command::CreditWallet {
        user: buyer,
        currency: cny(),
        amount: 100_000,
    });
    j.run(Command::StartRisk {
        settings: RiskSettings::default(),
    });
    let admin = UserId(3);
    j.run(Command::SaveRiskRule {
        actor: admin,
        spec: spec(
            "burst",
            "device_count_10m >= 3",
            Outcome::Hold,
            &[Point::WalletPayment],
        ),
    });
    let buy = |device: &str| Command::WithContext {
        context: RequestContext {
            ip: "198.51.100.7".into(),
            device: device.into(),
            ..RequestContext::default()
        },
        command: Box::new(Command::BuyWithBalance {
            actor: buyer,
            product,
            quantity: 1,
            coupon: None,
        }),
    };
    for _ in 0..4 {
        j.run(buy("phone-1"));
    }
    let replayed = j.replayed_on(trigate_core::Shop::new(Config::default()));
    let ask = |shop: &trigate_core::Shop, ask: RiskQuery| {
        shop.query(&Query::Risk { actor: admin, ask }).unwrap()
    };
    for q in [
        RiskQuery::Decisions {
            before: None,
            limit: 50,
        },
        RiskQuery::Reviews {
            open: false,
            before: None,
            limit: 50,
        },
        RiskQuery::Rules,
    ] {
        assert_eq!(ask(&j.shop, q.clone()), ask(&replayed, q));
    }
    // The windows too: the next request decides the same on both.
    let now = j.now + SECOND;
    let mut live = j.shop;
    let mut again = replayed;
    let (a, ea) = live.apply_journaled(now, buy("phone-1"));
    let (b, eb) = again.apply_journaled(now, buy("phone-1"));
    assert_eq!(a, b);
    assert_eq!(ea, eb);
    let View::Risk(v) = ask(
        &again,
        RiskQuery::Decisions {
            before: None,
            limit: 1,
        },
    ) else {
        panic!()
    };
    let RiskView::Decisions(d) = *v else { panic!() };
    assert_eq!(
        d[0].decision.outcome,
        Outcome::Hold,
        "the fourth and fifth from one device are held"
    );
}
