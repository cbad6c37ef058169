//! Labelled traffic for `trigate risk eval`: JSON lines, one event each
//! (documented in `docs/risk.md`), and a seeded generator of good buyers
//! and several fraud patterns.

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

/// One event of labelled traffic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Event {
    /// Unix seconds.
    pub t: u64,
    /// `buyer_signup`, `merchant_signup`, `recharge`, `purchase` or
    /// `withdraw`.
    pub kind: String,
    pub scenario: String,
    pub fraud: bool,
    pub user: String,
    pub merchant: String,
    pub email: String,
    pub device: String,
    pub ip: String,
    pub ip_country: String,
    pub instrument: String,
    pub instrument_country: String,
    /// Minor units.
    pub amount: u64,
    /// A purchase's payment: `wallet` (the default) or `channel`.
    pub pay: String,
    pub destination: String,
    /// The channel declined the payment.
    pub upstream_declined: bool,
}

/// Reads JSON lines; a bad line is an error naming it.
pub fn read(text: &str) -> anyhow::Result<Vec<Event>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let e: Event =
            serde_json::from_str(line).map_err(|err| anyhow::anyhow!("line {}: {err}", i + 1))?;
        if !matches!(
            e.kind.as_str(),
            "buyer_signup" | "merchant_signup" | "recharge" | "purchase" | "withdraw"
        ) {
            anyhow::bail!("line {}: unknown kind {:?}", i + 1, e.kind);
        }
        out.push(e);
    }
    Ok(out)
}

/// Traffic of `buyers` good buyers over `days`, with fraud woven in:
/// card testing (declined payments from one device, then a success),
/// stolen cards (paid from abroad), account farms (many accounts on one
/// device) and throw-away emails. The same seed writes the same traffic.
pub fn generate(seed: u64, buyers: u64, days: u64) -> Vec<Event> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let start = 1_767_225_600; // 2026-01-01
    let span = days.max(1) * 86_400;
    let mut out = Vec::new();
    let base = |t, kind: &str, scenario: &str, fraud, user: String| Event {
        t,
        kind: kind.into(),
        scenario: scenario.into(),
        fraud,
        user,
        merchant: "m1".into(),
        ip_country: "CN".into(),
        ..Event::default()
    };
    out.push(Event {
        merchant: "m1".into(),
        user: "seller1".into(),
        ..base(start, "merchant_signup", "good", false, "seller1".into())
    });
    for b in 0..buyers {
        let user = format!("buyer{b}");
        // One in twenty shares a family computer with the buyer before;
        // one in ten is behind a campus NAT shared with many.
        let device = if b % 20 == 19 {
            format!("dev-{seed}-{}", b - 1)
        } else {
            format!("dev-{seed}-{b}")
        };
        let ip = if b % 10 == 3 {
            format!("172.16.0.{}", b % 7)
        } else {
            format!("10.{}.{}.{}", b % 250, (b / 250) % 250, 1 + b % 200)
        };
        let who = |e: Event| Event {
            device: device.clone(),
            ip: ip.clone(),
            email: format!("{user}@example.com"),
            instrument: format!("card-{seed}-{b}"),
            instrument_country: "CN".into(),
            ..e
        };
        let mut t = start + rng.random_range(0..span / 2);
        out.push(who(base(t, "buyer_signup", "good", false, user.clone())));
        // Three in ten buy at once with a card, minutes after signing up.
        if rng.random_range(0..10) < 3 {
            out.push(who(Event {
                amount: rng.random_range(500..5_000),
                pay: "channel".into(),
                ..base(
                    t + rng.random_range(60..600),
                    "purchase",
                    "good",
                    false,
                    user.clone(),
                )
            }));
        }
        t += rng.random_range(3_600..86_400);
        out.push(who(Event {
            amount: 20_000,
            ..base(t, "recharge", "good", false, user.clone())
        }));
        for _ in 0..rng.random_range(1..6) {
            t += rng.random_range(600..3 * 86_400);
            let channel = rng.random_range(0..3) == 0;
            out.push(who(Event {
                amount: rng.random_range(500..5_000),
                pay: if channel { "channel" } else { "wallet" }.into(),
                // Honest buyers mistype a card now and then.
                upstream_declined: channel && rng.random_range(0..20) == 0,
                ..base(t, "purchase", "good", false, user.clone())
            }));
        }
    }
    let frauds = (buyers / 20).max(1);
    for f in 0..frauds {
        let t0 = start + rng.random_range(span / 2..span);
        // Card testing: declined payments from one device, then a success.
        let user = format!("tester{f}");
        let tester = |e: Event| Event {
            device: format!("tester-dev-{f}"),
            ip: format!("203.0.113.{}", f % 250),
            email: format!("{user}@example.net"),
            instrument: format!("stolen-{f}-{}", e.t % 7),
            instrument_country: "CN".into(),
            pay: "channel".into(),
            ..e
        };
        out.push(tester(base(
            t0,
            "buyer_signup",
            "card_testing",
            true,
            user.clone(),
        )));
        for i in 0..4 {
            out.push(tester(Event {
                amount: 3_000,
                upstream_declined: true,
                ..base(
                    t0 + 60 + i * 30,
                    "purchase",
                    "card_testing",
                    true,
                    user.clone(),
                )
            }));
        }
        out.push(tester(Event {
            amount: 3_000,
            ..base(t0 + 200, "purchase", "card_testing", true, user.clone())
        }));
        // A stolen card from abroad.
        let user = format!("abroad{f}");
        let abroad = |e: Event| Event {
            device: format!("abroad-dev-{f}"),
            ip: format!("198.51.100.{}", f % 250),
            email: format!("{user}@example.org"),
            instrument: format!("foreign-{f}"),
            instrument_country: "US".into(),
            pay: "channel".into(),
            ..e
        };
        out.push(abroad(base(
            t0 + 500,
            "buyer_signup",
            "stolen_card",
            true,
            user.clone(),
        )));
        out.push(abroad(Event {
            amount: 8_000,
            ..base(t0 + 700, "purchase", "stolen_card", true, user.clone())
        }));
        // An account farm: five accounts on one device, each buying.
        for a in 0..5 {
            let user = format!("farm{f}-{a}");
            let farm = |e: Event| Event {
                device: format!("farm-dev-{f}"),
                ip: format!("192.0.2.{}", f % 250),
                email: format!("{user}@example.com"),
                ..e
            };
            let t = t0 + 1_000 + a * 300;
            out.push(farm(base(
                t,
                "buyer_signup",
                "account_farm",
                true,
                user.clone(),
            )));
            out.push(farm(Event {
                amount: 4_000,
                ..base(t + 60, "recharge", "account_farm", true, user.clone())
            }));
            out.push(farm(Event {
                amount: 4_000,
                ..base(t + 120, "purchase", "account_farm", true, user.clone())
            }));
        }
        // A throw-away email.
        let user = format!("burner{f}");
        let burner = |e: Event| Event {
            device: format!("burner-dev-{f}"),
            ip: format!("100.64.0.{}", f % 250),
            email: format!("{user}@mailinator.com"),
            ..e
        };
        out.push(burner(base(
            t0 + 3_000,
            "buyer_signup",
            "disposable_email",
            true,
            user.clone(),
        )));
        out.push(burner(Event {
            amount: 6_000,
            ..base(
                t0 + 3_100,
                "recharge",
                "disposable_email",
                true,
                user.clone(),
            )
        }));
        out.push(burner(Event {
            amount: 6_000,
            ..base(
                t0 + 3_200,
                "purchase",
                "disposable_email",
                true,
                user.clone(),
            )
        }));
    }
    out.sort_by_key(|e| e.t);
    out
}
