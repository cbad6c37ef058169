//! Decisions: every outcome, every default rule, lists, shadow rules,
//! backtests and a rebuild from recorded decisions.

use trigate_risk::{
    Decision, IdKind, LastRecharge, ListEntry, ListKind, Outcome, Point, Risk, RuleSpec, SavedRule,
    Signals, Value, default_pack,
};

const S: u64 = 1_000_000_000;
const H: u64 = 3_600 * S;
const DAY: u64 = 24 * H;

fn rule(name: &str, expr: &str, outcome: Outcome, weight: i32) -> RuleSpec {
    RuleSpec {
        name: name.into(),
        expr: expr.into(),
        outcome,
        weight,
        points: vec![],
        shadow: false,
        enabled: true,
        reason: String::new(),
        note: String::new(),
    }
}

fn save(risk: &mut Risk, spec: RuleSpec) {
    let version = risk.rules().next_version(&spec.name);
    risk.rules_mut().put(SavedRule {
        spec,
        version,
        at: 0,
        by: 1,
    });
}

fn with_pack() -> Risk {
    let mut risk = Risk::default();
    for spec in default_pack() {
        save(&mut risk, spec);
    }
    risk
}

fn pay(user: u64, amount: u64) -> Signals {
    Signals {
        user: Some(user),
        amount,
        currency: "CNY".into(),
        account_created: Some(0),
        ip: "10.0.0.1".into(),
        device: format!("dev-{user}"),
        ..Signals::at(Point::WalletPayment)
    }
}

/// Decides and records, as the shop does.
fn run(risk: &mut Risk, now: u64, s: &Signals) -> Decision {
    let d = risk.decide(now, s);
    risk.record(now, &d);
    d
}

fn fired(d: &Decision) -> Vec<&str> {
    d.fired.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn an_ordinary_payment_is_allowed_with_nothing_fired() {
    let risk = with_pack();
    let d = risk.decide(30 * DAY, &pay(1, 2_000));
    assert_eq!(d.outcome, Outcome::Allow);
    assert!(d.fired.is_empty());
    assert_eq!(d.score, 0);
    assert_eq!(d.reason, "");
}

#[test]
fn each_outcome_comes_from_the_rule_that_asks_for_it() {
    for outcome in Outcome::ALL {
        let mut risk = Risk::default();
        save(&mut risk, rule("big", "amount > 100", outcome, 0));
        assert_eq!(risk.decide(DAY, &pay(1, 101)).outcome, outcome);
        assert_eq!(risk.decide(DAY, &pay(1, 100)).outcome, Outcome::Allow);
    }
}

#[test]
fn the_strongest_outcome_wins_and_a_block_says_its_reason() {
    let mut risk = Risk::default();
    save(&mut risk, rule("a", "amount > 100", Outcome::Challenge, 0));
    let mut b = rule("b", "amount > 500", Outcome::Block, 0);
    b.reason = "too_much".into();
    save(&mut risk, b);
    let d = risk.decide(DAY, &pay(1, 600));
    assert_eq!(d.outcome, Outcome::Block);
    assert_eq!(d.reason, "too_much");
    assert_eq!(fired(&d), ["a", "b"]);
}

#[test]
fn weights_add_up_to_the_thresholds() {
    let mut risk = Risk::default();
    save(&mut risk, rule("a", "amount > 100", Outcome::Allow, 50));
    save(&mut risk, rule("b", "amount > 200", Outcome::Allow, 50));
    save(&mut risk, rule("c", "amount > 300", Outcome::Allow, 100));
    assert_eq!(risk.decide(DAY, &pay(1, 150)).outcome, Outcome::Allow);
    let d = risk.decide(DAY, &pay(1, 250));
    assert_eq!((d.score, d.outcome), (100, Outcome::Hold));
    assert_eq!(d.reason, "risk_score");
    assert_eq!(risk.decide(DAY, &pay(1, 350)).outcome, Outcome::Block);
}

#[test]
fn a_shadow_rule_is_recorded_and_never_acts() {
    let mut risk = Risk::default();
    let mut s = rule("watch", "amount > 100", Outcome::Block, 500);
    s.shadow = true;
    save(&mut risk, s);
    let d = risk.decide(DAY, &pay(1, 1_000));
    assert_eq!(d.outcome, Outcome::Allow);
    assert_eq!(d.score, 0);
    assert_eq!(d.shadow.len(), 1);
    assert_eq!(d.shadow[0].rule, "watch");
    assert!(d.explain().iter().any(|l| l.contains("not acted on")));
}

#[test]
fn a_saved_version_acts_from_the_next_decision_and_a_retired_rule_stops() {
    let mut risk = Risk::default();
    save(&mut risk, rule("big", "amount > 100", Outcome::Hold, 0));
    assert_eq!(risk.decide(DAY, &pay(1, 150)).outcome, Outcome::Hold);
    save(&mut risk, rule("big", "amount > 200", Outcome::Hold, 0));
    let d = risk.decide(DAY, &pay(1, 150));
    assert_eq!(d.outcome, Outcome::Allow);
    let d = risk.decide(DAY, &pay(1, 250));
    assert_eq!(d.fired[0].version, 2);
    let mut retired = rule("big", "amount > 200", Outcome::Hold, 0);
    retired.enabled = false;
    save(&mut risk, retired);
    assert_eq!(risk.decide(DAY, &pay(1, 250)).outcome, Outcome::Allow);
    assert_eq!(risk.rules().versions("big").map(<[_]>::len), Some(3));
}

#[test]
fn a_rule_applies_only_at_its_points() {
    let mut risk = Risk::default();
    let mut r = rule("out", "amount > 100", Outcome::Block, 0);
    r.points = vec![Point::Withdrawal];
    save(&mut risk, r);
    assert_eq!(risk.decide(DAY, &pay(1, 500)).outcome, Outcome::Allow);
    let w = Signals {
        amount: 500,
        ..Signals::at(Point::Withdrawal)
    };
    assert_eq!(risk.decide(DAY, &w).outcome, Outcome::Block);
}

#[test]
fn a_rule_that_errors_fails_open_for_payments_and_closed_for_money_out() {
    let mut risk = Risk::default();
    save(
        &mut risk,
        rule("ratio", "amount / user_paid_count > 5", Outcome::Block, 0),
    );
    let d = risk.decide(DAY, &pay(1, 500));
    assert_eq!(d.outcome, Outcome::Allow);
    assert_eq!(d.errors.len(), 1);
    assert_eq!(d.errors[0].0, "ratio");
    for point in [Point::Withdrawal, Point::Payout] {
        let d = risk.decide(
            DAY,
            &Signals {
                user: Some(1),
                amount: 500,
                ..Signals::at(point)
            },
        );
        assert_eq!(d.outcome, Outcome::Hold, "{point}");
    }
}

fn listed(list: ListKind, kind: IdKind, value: &str, expires: Option<u64>) -> ListEntry {
    ListEntry {
        list,
        kind,
        value: value.into(),
        reason: "seen before".into(),
        expires,
        by: 1,
        at: 0,
    }
}

#[test]
fn a_block_listed_identifier_blocks_until_it_expires() {
    let mut risk = with_pack();
    risk.lists_mut().put(listed(
        ListKind::Block,
        IdKind::Email,
        " Bad@Example.com ",
        Some(2 * DAY),
    ));
    let s = Signals {
        email: "bad@example.COM".into(),
        ..pay(1, 100)
    };
    let d = risk.decide(DAY, &s);
    assert_eq!(d.outcome, Outcome::Block);
    assert_eq!(d.reason, "blocked_identifier");
    assert_eq!(d.listed.as_ref().map(|l| l.kind), Some(IdKind::Email));
    assert_eq!(risk.decide(2 * DAY, &s).outcome, Outcome::Allow);
}

#[test]
fn an_allow_listed_identifier_allows_but_a_block_entry_wins() {
    let mut risk = Risk::default();
    save(&mut risk, rule("big", "amount > 100", Outcome::Block, 0));
    risk.lists_mut()
        .put(listed(ListKind::Allow, IdKind::Device, "dev-1", None));
    let d = risk.decide(DAY, &pay(1, 500));
    assert_eq!(d.outcome, Outcome::Allow);
    assert_eq!(fired(&d), ["big"], "rules are still evaluated and shown");
    risk.lists_mut()
        .put(listed(ListKind::Block, IdKind::Ip, "10.0.0.1", None));
    assert_eq!(risk.decide(DAY, &pay(1, 500)).outcome, Outcome::Block);
}

// --- the default pack, rule by rule ---

#[test]
fn default_failed_payment_burst_holds_after_three_failures_from_a_device() {
    let mut risk = with_pack();
    let mut now = 10 * DAY;
    for _ in 0..3 {
        let failed = Signals {
            failed: true,
            ..pay(1, 100)
        };
        run(&mut risk, now, &failed);
        now += 10 * S;
    }
    let d = risk.decide(now, &pay(1, 100));
    assert_eq!(fired(&d), ["failed_payment_burst"]);
    assert_eq!(d.outcome, Outcome::Hold);
    assert_eq!(d.reason, "too_many_failed_payments");
    assert_eq!(
        d.features
            .iter()
            .find(|(n, _)| n == "device_fail_10m")
            .map(|(_, v)| v),
        Some(&Value::Int(3))
    );
    // Ten minutes later the burst is over.
    assert_eq!(
        risk.decide(now + 600 * S, &pay(1, 100)).outcome,
        Outcome::Allow
    );
}

#[test]
fn default_new_account_high_amount_challenges() {
    let risk = with_pack();
    let new = Signals {
        account_created: Some(DAY),
        ..pay(1, 50_000)
    };
    let d = risk.decide(DAY + 2 * H, &new);
    assert_eq!(fired(&d), ["new_account_high_amount"]);
    assert_eq!(d.outcome, Outcome::Challenge);
    assert_eq!(risk.decide(2 * DAY + 1, &new).outcome, Outcome::Allow);
    let small = Signals {
        account_created: Some(DAY),
        ..pay(1, 49_999)
    };
    assert_eq!(risk.decide(DAY + 2 * H, &small).outcome, Outcome::Allow);
}

#[test]
fn default_country_mismatch_challenges_a_channel_payment() {
    let risk = with_pack();
    let s = Signals {
        point: Some(Point::ChannelPayment),
        ip_country: "cn".into(),
        instrument_country: "US".into(),
        ..pay(1, 1_000)
    };
    let d = risk.decide(DAY, &s);
    assert_eq!(fired(&d), ["country_mismatch"]);
    assert_eq!(d.outcome, Outcome::Challenge);
    let same = Signals {
        instrument_country: "CN".into(),
        ..s.clone()
    };
    assert_eq!(risk.decide(DAY, &same).outcome, Outcome::Allow);
    let unknown = Signals {
        instrument_country: String::new(),
        ..s
    };
    assert_eq!(risk.decide(DAY, &unknown).outcome, Outcome::Allow);
}

#[test]
fn default_disposable_email_challenges() {
    let risk = with_pack();
    let s = Signals {
        email: "x@Mailinator.com".into(),
        ..pay(1, 1_000)
    };
    let d = risk.decide(DAY, &s);
    assert_eq!(fired(&d), ["disposable_email"]);
    assert_eq!(d.outcome, Outcome::Challenge);
}

#[test]
fn default_many_accounts_on_device_holds_the_fourth_account() {
    let mut risk = with_pack();
    let shared = |user| Signals {
        device: "shared".into(),
        ..pay(user, 1_000)
    };
    for user in 1..=3 {
        assert_eq!(
            run(&mut risk, DAY + user, &shared(user)).outcome,
            Outcome::Allow
        );
    }
    // The first three again: still three accounts.
    assert_eq!(risk.decide(DAY + 10, &shared(2)).outcome, Outcome::Allow);
    let d = risk.decide(DAY + 10, &shared(4));
    assert_eq!(fired(&d), ["many_accounts_on_device"]);
    assert_eq!(d.outcome, Outcome::Hold);
}

#[test]
fn default_recharge_then_withdraw_holds_unspent_money() {
    let risk = with_pack();
    let w = |spent| Signals {
        user: Some(1),
        amount: 10_000,
        destination: "alipay:x".into(),
        account_created: Some(0),
        last_recharge: Some(LastRecharge {
            at: 10 * DAY,
            amount: 10_000,
            spent,
        }),
        ..Signals::at(Point::Withdrawal)
    };
    let d = risk.decide(10 * DAY + 5 * H, &w(1_000));
    assert_eq!(fired(&d), ["recharge_then_withdraw"]);
    assert_eq!(d.outcome, Outcome::Hold);
    assert_eq!(d.reason, "unspent_recharge");
    assert_eq!(
        risk.decide(10 * DAY + 5 * H, &w(5_000)).outcome,
        Outcome::Allow
    );
    assert_eq!(risk.decide(14 * DAY, &w(1_000)).outcome, Outcome::Allow);
}

#[test]
fn default_signup_burst_blocks_the_tenth_signup_from_an_ip() {
    let mut risk = with_pack();
    let signup = |i: u64| Signals {
        ip: "203.0.113.9".into(),
        email: format!("u{i}@example.com"),
        ..Signals::at(Point::Signup)
    };
    for i in 0..10 {
        assert_eq!(
            run(&mut risk, DAY + i * S, &signup(i)).outcome,
            Outcome::Allow
        );
    }
    let d = risk.decide(DAY + 20 * S, &signup(10));
    assert_eq!(fired(&d), ["signup_burst"]);
    assert_eq!(
        (d.outcome, d.reason.as_str()),
        (Outcome::Block, "too_many_signups")
    );
}

// --- backtests and rebuilds ---

#[test]
fn a_backtest_counts_exactly_what_would_have_changed() {
    let mut risk = Risk::default();
    save(&mut risk, rule("big", "amount >= 1000", Outcome::Hold, 0));
    // 10 payments: amounts 200, 400, …, 2000: 6 held (1000..2000), 4 allowed.
    let recorded: Vec<Decision> = (1..=10u64)
        .map(|i| run(&mut risk, DAY + i * S, &pay(i, i * 200)))
        .collect();
    // A candidate: block from 1600 on, in place of "big" → 600..=1400 … let
    // it replace big: amounts >= 1600 blocked (3), the rest allowed (7).
    let mut candidate = rule("big", "amount >= 1600", Outcome::Block, 0);
    candidate.shadow = true;
    let report = risk.backtest(&candidate, &recorded).unwrap();
    assert_eq!(report.decisions, 10);
    assert_eq!(report.fired, 3);
    assert_eq!(report.before, [4, 0, 6, 0]);
    assert_eq!(report.after, [7, 0, 0, 3]);
    assert_eq!(report.changed, 6);
    let moves: Vec<_> = report
        .moves
        .iter()
        .map(|m| (m.from, m.to, m.count))
        .collect();
    assert_eq!(
        moves,
        [
            (Outcome::Hold, Outcome::Allow, 3),
            (Outcome::Hold, Outcome::Block, 3)
        ]
    );
    // A new name adds to what is there.
    let extra = rule("tiny", "amount < 300", Outcome::Challenge, 0);
    let report = risk.backtest(&extra, &recorded).unwrap();
    assert_eq!((report.fired, report.changed), (1, 1));
    assert_eq!(report.after, [3, 1, 6, 0]);
}

#[test]
fn a_backtest_refuses_an_invalid_rule() {
    let risk = Risk::default();
    assert!(
        risk.backtest(&rule("x", "nope > 1", Outcome::Hold, 0), &[])
            .is_err()
    );
}

#[test]
fn recording_the_same_decisions_again_rebuilds_every_window() {
    let mut live = with_pack();
    let mut recorded = Vec::new();
    for i in 0..200u64 {
        let s = Signals {
            device: format!("d{}", i % 7),
            ip: format!("10.0.0.{}", i % 5),
            failed: i % 11 == 0,
            ..pay(i % 13, 100 + i)
        };
        let now = DAY + i * 37 * S;
        recorded.push((now, run(&mut live, now, &s)));
    }
    let mut rebuilt = with_pack();
    for (now, d) in &recorded {
        rebuilt.record(*now, d);
    }
    let probe = Signals {
        device: "d3".into(),
        ip: "10.0.0.2".into(),
        ..pay(5, 999)
    };
    let at = DAY + 200 * 37 * S;
    assert_eq!(live.features(at, &probe), rebuilt.features(at, &probe));
    assert_eq!(live.decide(at, &probe), rebuilt.decide(at, &probe));
    assert_eq!(live.decided(), 200);
}

#[test]
fn a_decision_explains_itself_and_keeps_its_inputs() {
    let risk = with_pack();
    let s = Signals {
        email: "a@yopmail.com".into(),
        ..pay(1, 1_000)
    };
    let d = risk.decide(DAY, &s);
    assert_eq!(d.signals, s);
    assert!(
        d.features
            .iter()
            .any(|(n, v)| n == "email_disposable" && *v == Value::Bool(true))
    );
    let lines = d.explain();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("rule disposable_email (v1) fired"))
    );
    assert_eq!(
        lines.last().map(String::as_str),
        Some("score 30 → challenge")
    );
    let json = serde_json::to_string(&d).unwrap();
    let back: Decision = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d);
}
