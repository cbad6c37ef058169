//! The desk reads a bounded number of decisions from memory: the latest
//! ones and every older one that held something for review. The journal
//! keeps them all: a replay with room for all reads every one again.

mod common;

use common::journaled::{Journaled, seller_and_buyer};
use common::{SECOND, cny, product_spec};
use trigate_core::query::{Query, View};
use trigate_core::risk::{
    DecisionRow, Outcome, Point, RequestContext, RiskQuery, RiskSettings, RiskView, RuleSpec,
};
use trigate_core::{Command, Config, Shop, ShopError, UserId};

const ADMIN: UserId = UserId(3);

fn ask(shop: &Shop, ask: RiskQuery) -> Result<RiskView, ShopError> {
    match shop.query(&Query::Risk { actor: ADMIN, ask }) {
        Ok(View::Risk(v)) => Ok(*v),
        Ok(other) => panic!("{other:?}"),
        Err(e) => Err(e),
    }
}

fn all_decisions(shop: &Shop) -> Vec<DecisionRow> {
    let mut out = Vec::new();
    let mut before = None;
    loop {
        let Ok(RiskView::Decisions(page)) = ask(shop, RiskQuery::Decisions { before, limit: 7 })
        else {
            panic!()
        };
        let Some(last) = page.last() else {
            return out;
        };
        before = Some(last.id);
        out.extend(page);
    }
}

/// 30 wallet payments, the first held for review by its device.
fn thirty_decisions() -> Journaled {
    let mut j = Journaled::new(Config::default());
    let (_, buyer, product) = seller_and_buyer(&mut j, 1_000, product_spec(1_000), 40);
    j.run(Command::CreditWallet {
        user: buyer,
        currency: cny(),
        amount: 1_000_000,
    });
    j.run(Command::StartRisk {
        settings: RiskSettings::default(),
    });
    j.run(Command::SaveRiskRule {
        actor: ADMIN,
        spec: RuleSpec {
            name: "odd_device".into(),
            expr: "device == \"odd\"".into(),
            outcome: Outcome::Hold,
            weight: 0,
            points: vec![Point::WalletPayment],
            shadow: false,
            enabled: true,
            reason: "odd_device".into(),
            note: String::new(),
        },
    });
    for i in 0..30 {
        j.now += 60 * SECOND;
        j.run(Command::WithContext {
            context: RequestContext {
                device: if i == 0 {
                    "odd".into()
                } else {
                    format!("d{i}")
                },
                ..RequestContext::default()
            },
            command: Box::new(Command::BuyWithBalance {
                actor: buyer,
                product,
                quantity: 1,
                coupon: None,
            }),
        });
    }
    j
}

#[test]
fn the_desk_keeps_the_latest_decisions_and_every_one_that_held_something() {
    let mut j = thirty_decisions();
    assert_eq!(all_decisions(&j.shop).len(), 30);
    j.shop.keep_risk_decisions(16);
    let kept: Vec<u64> = all_decisions(&j.shop).iter().map(|d| d.id).collect();
    let mut expected: Vec<u64> = (15..=30).rev().collect();
    expected.push(1);
    assert_eq!(kept, expected);
    assert!(matches!(
        ask(&j.shop, RiskQuery::Decision { id: 2 }),
        Err(ShopError::DecisionNotFound(2))
    ));
    let Ok(RiskView::Decision(held)) = ask(&j.shop, RiskQuery::Decision { id: 1 }) else {
        panic!()
    };
    assert_eq!(held.row.decision.outcome, Outcome::Hold);
    assert_eq!(held.review, Some(1));
    // The queue still shows what its hold was decided on.
    let Ok(RiskView::Reviews(queue)) = ask(
        &j.shop,
        RiskQuery::Reviews {
            open: true,
            before: None,
            limit: 10,
        },
    ) else {
        panic!()
    };
    assert_eq!(queue.len(), 1);
    assert_eq!(
        (queue[0].amount, queue[0].point),
        (1_000, Point::WalletPayment)
    );
    // Decisions go on being written and numbered after some are let go.
    let product = trigate_core::ProductId(1);
    let (_, entry) = j.shop.apply_journaled(
        j.now + SECOND,
        Command::BuyWithBalance {
            actor: UserId(2),
            product,
            quantity: 1,
            coupon: None,
        },
    );
    j.entries.push(entry.unwrap().encode());
    assert_eq!(all_decisions(&j.shop)[0].id, 31);
    assert_eq!(all_decisions(&j.shop).len(), 17);
    // A replay keeping 16 reads the same; one keeping them all reads all 31.
    let mut small = Shop::new(Config::default());
    small.keep_risk_decisions(16);
    let small = j.replayed_on(small);
    assert_eq!(all_decisions(&small), all_decisions(&j.shop));
    let full = j.replayed_on(Shop::new(Config::default()));
    let ids: Vec<u64> = all_decisions(&full).iter().map(|d| d.id).collect();
    assert_eq!(ids, (1..=31).rev().collect::<Vec<_>>());
}

#[test]
fn a_backtest_runs_over_the_kept_decisions() {
    let mut j = thirty_decisions();
    let candidate = RuleSpec {
        name: "everyone".into(),
        expr: "amount >= 1".into(),
        outcome: Outcome::Block,
        weight: 0,
        points: vec![Point::WalletPayment],
        shadow: false,
        enabled: true,
        reason: "everyone".into(),
        note: String::new(),
    };
    let moved = |shop: &Shop| {
        let Ok(RiskView::Backtest(b)) = ask(
            shop,
            RiskQuery::Backtest {
                spec: candidate.clone(),
            },
        ) else {
            panic!()
        };
        b.decisions
    };
    assert_eq!(moved(&j.shop), 30);
    j.shop.keep_risk_decisions(16);
    assert_eq!(moved(&j.shop), 17);
}
