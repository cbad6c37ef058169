//! `trigate bench risk`: decisions per second on one core — the whole
//! default rule pack (the rules added to it since included) plus 50 more
//! rules and the trained model at its suggested threshold, over a history
//! of 100,000 users — each decision with its features (the identity graph's
//! and the merchants' included), every rule evaluated with CEL, the model
//! scored, and the decision recorded into the windows and the graph, as the
//! writer does. A second case decides with no rules and no model, so the
//! cost of CEL per rule reads off the difference.

use std::time::Instant;

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use trigate_risk::{
    Decision, Outcome, Point, Risk, RuleSpec, SavedRule, Signals, default_pack, later_rules,
};

use super::{BenchOptions, Latencies, Record};

const S: u64 = 1_000_000_000;
/// Events of history per user.
const HISTORY: u64 = 5;
/// Rules beyond the default pack.
const EXTRA_RULES: usize = 50;

pub fn run(options: &BenchOptions) -> anyhow::Result<()> {
    let ops = options
        .ops
        .unwrap_or(if options.quick { 5_000 } else { 200_000 });
    let users = options
        .accounts
        .unwrap_or(if options.quick { 2_000 } else { 100_000 });
    if ops == 0 || users == 0 {
        anyhow::bail!("--ops and --accounts must be at least 1");
    }
    let mut records = Vec::new();
    for (case, rules) in [("rules", true), ("no_rules", false)] {
        if options.case.as_deref().is_some_and(|c| c != case) {
            continue;
        }
        let mut risk = Risk::default();
        if rules {
            risk.set_model_thresholds(trigate_risk::ModelThresholds::suggested());
            for spec in default_pack()
                .into_iter()
                .chain(later_rules())
                .chain(extra_rules())
            {
                let version = risk.rules().next_version(&spec.name);
                risk.rules_mut().put(SavedRule {
                    spec,
                    version,
                    at: 0,
                    by: 0,
                });
            }
        }
        let mut rng = SmallRng::seed_from_u64(options.seed);
        let start = seed_history(&mut risk, &mut rng, users);
        let bar = super::progress_bar(ops, options.json)?;
        let mut latencies = Latencies::default();
        let mut now = start;
        let mut outcomes = [0u64; 4];
        for i in 0..ops {
            now += S / 10;
            let signals = request(&mut rng, users, i);
            let began = Instant::now();
            let decision = risk.decide(now, &signals);
            risk.record(now, &decision);
            latencies.record(began.elapsed());
            outcomes[decision.outcome as usize] += 1;
            if i % 4_096 == 0 {
                bar.set_position(i);
            }
        }
        bar.finish_and_clear();
        let secs = latencies.total().as_secs_f64();
        if !options.json {
            println!(
                "{case}: {} rules in force; outcomes allow {} challenge {} hold {} block {}",
                risk.rules().live().len(),
                outcomes[0],
                outcomes[1],
                outcomes[2],
                outcomes[3]
            );
        }
        records.push(Record {
            bench: "risk",
            case: case.to_string(),
            mode: "memory",
            backend: "none",
            batch: 1,
            accounts: users,
            hot_share: 0.0,
            ops,
            secs,
            per_sec: ops as f64 / secs.max(1e-9),
            p50_us: latencies.percentile_us(50.0),
            p99_us: latencies.percentile_us(99.0),
            peak_rss_mb: super::peak_rss_mb(),
            page_kb: None,
        });
    }
    super::print(&records, options.json)?;
    if !options.json
        && let [with, without] = records.as_slice()
    {
        let per_rule = (1e6 / with.per_sec - 1e6 / without.per_sec)
            / (default_pack().len() + EXTRA_RULES) as f64;
        println!("CEL per rule evaluated: {per_rule:.2} µs (mean, from the two cases)");
    }
    Ok(())
}

/// A user's identifiers, the same every time the user comes back.
fn user_signals(user: u64, point: Point) -> Signals {
    Signals {
        user: Some(user),
        email: format!("user{user}@example.com"),
        ip: format!("10.{}.{}.{}", user % 200, (user / 200) % 250, user % 7),
        ip_country: "CN".into(),
        device: format!("dev-{user:x}"),
        currency: "CNY".into(),
        account_created: Some(0),
        ..Signals::at(point)
    }
}

/// 100,000 users' history recorded as decisions were: a few payments and
/// the odd withdrawal each, over the last week.
fn seed_history(risk: &mut Risk, rng: &mut SmallRng, users: u64) -> u64 {
    let start = 30 * 86_400 * S;
    let events = users * HISTORY;
    let step = (7 * 86_400 * S) / events.max(1);
    let mut now = start;
    for i in 0..events {
        now += step;
        let user = rng.random_range(0..users);
        let point = if i % 10 == 9 {
            Point::Withdrawal
        } else {
            Point::WalletPayment
        };
        let signals = Signals {
            amount: rng.random_range(100..20_000),
            failed: rng.random_range(0..100) == 0,
            ..user_signals(user, point)
        };
        let decision = Decision {
            point,
            outcome: Outcome::Allow,
            score: 0,
            reason: String::new(),
            fired: vec![],
            shadow: vec![],
            errors: vec![],
            listed: None,
            features: vec![],
            signals,
        };
        risk.record(now, &decision);
    }
    now
}

/// One request: mostly payments of known users, some withdrawals, some
/// with a channel's instrument, a few from a shared device.
fn request(rng: &mut SmallRng, users: u64, i: u64) -> Signals {
    let user = rng.random_range(0..users);
    let point = match i % 20 {
        0 => Point::Withdrawal,
        1..=5 => Point::ChannelPayment,
        6 => Point::Recharge,
        _ => Point::WalletPayment,
    };
    let mut s = Signals {
        amount: rng.random_range(100..80_000),
        failed: rng.random_range(0..50) == 0,
        ..user_signals(user, point)
    };
    if point == Point::ChannelPayment {
        s.instrument = format!("card-{}", user % 5_000);
        s.instrument_country = if i.is_multiple_of(97) { "US" } else { "CN" }.into();
    }
    if point == Point::Withdrawal {
        s.destination = format!("alipay:{user}");
    }
    if i.is_multiple_of(101) {
        s.device = "shared-device".into();
    }
    s
}

/// 50 rules of the shapes analysts write: thresholds on amounts and
/// windows, string tests, combinations; a few in shadow.
fn extra_rules() -> Vec<RuleSpec> {
    let kinds = [
        "user",
        "email",
        "ip",
        "device",
        "instrument",
        "destination",
        "merchant",
    ];
    let windows = ["10m", "1h", "24h", "7d"];
    (0..EXTRA_RULES)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            let window = windows[i % windows.len()];
            let expr = match i % 5 {
                0 => format!("{kind}_count_{window} > {} && amount > {}", 20 + i, 1_000 * i),
                1 => format!("{kind}_sum_{window} + amount > {}", 5_000_000 + i * 1_000),
                2 => format!(
                    "ip_country in [\"KP\", \"IR\", \"SY\"] || email_domain.endsWith(\".invalid{i}\")"
                ),
                3 => format!(
                    "has_account && account_age_hours < {} && {kind}_fail_{window} >= 2",
                    i + 1
                ),
                _ => format!(
                    "amount_vs_avg_pct > {} && user_paid_count >= 3 && !allow_listed",
                    1_000 + i * 10
                ),
            };
            RuleSpec {
                name: format!("extra_{i:02}"),
                expr,
                outcome: if i % 3 == 0 {
                    Outcome::Challenge
                } else {
                    Outcome::Allow
                },
                weight: 10,
                points: vec![],
                shadow: i % 10 == 0,
                enabled: true,
                reason: String::new(),
                note: String::new(),
            }
        })
        .collect()
}
