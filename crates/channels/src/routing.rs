//! Choosing a channel for each payment attempt: first by rules (method,
//! currency, amount range, merchant), then by health — the success rate
//! over a sliding window, and a circuit breaker that opens after
//! consecutive failures, lets one trial through after a cool-down
//! (half-open), and closes again on a success. Pure: the caller says what
//! time it is and what happened.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;
use trigate_core::Currency;

/// Which payments a channel is offered for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub channel: String,
    pub methods: Vec<String>,
    pub currencies: Vec<Currency>,
    pub min_amount: u64,
    pub max_amount: u64,
    /// Only these merchants' orders; every merchant's if empty.
    pub merchants: Vec<u64>,
    /// Lower goes first among healthy channels.
    pub priority: u32,
}

impl Rule {
    fn matches(&self, ask: &Ask<'_>) -> bool {
        self.methods.iter().any(|m| m == ask.method)
            && self.currencies.contains(&ask.currency)
            && (self.min_amount..=self.max_amount).contains(&ask.amount)
            && (self.merchants.is_empty()
                || ask.merchant.is_some_and(|m| self.merchants.contains(&m)))
    }
}

/// Why no configured channel would take a payment, whatever their health:
/// the payer's to fix (another method, currency or amount), not an outage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unroutable {
    /// No channel offers this method.
    Method { offered: Vec<String> },
    /// The channels offering the method take none of this currency.
    Currency,
    /// The channels offering the method in this currency take amounts from
    /// `min` to `max` only.
    Amount { min: u64, max: u64 },
    /// The channels that would take it are kept for other merchants.
    Merchant,
}

impl std::fmt::Display for Unroutable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Method { offered } if offered.is_empty() => {
                f.write_str("no payment channel is configured")
            }
            Self::Method { offered } => {
                write!(
                    f,
                    "no channel offers this method; offered: {}",
                    offered.join(", ")
                )
            }
            Self::Currency => f.write_str("no channel takes this method in this currency"),
            Self::Amount { min, max } => write!(
                f,
                "the channels for this method and currency take amounts from {min} to {max} (minor units)"
            ),
            Self::Merchant => f.write_str("no channel takes payments for this merchant"),
        }
    }
}

/// A payment looking for a channel.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    pub method: &'a str,
    pub currency: Currency,
    pub amount: u64,
    /// The merchant selling (none for a recharge).
    pub merchant: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive failures that open the breaker.
    pub failures_to_open: u32,
    /// How long it stays open before one trial is let through.
    pub open_for_ns: u64,
    /// How far back the success rate looks.
    pub window_ns: u64,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failures_to_open: 5,
            open_for_ns: 30 * 1_000_000_000,
            window_ns: 300 * 1_000_000_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breaker {
    Closed,
    /// Refusing attempts until `until` (nanoseconds).
    Open {
        until: u64,
    },
    /// One trial attempt allowed; `trial` while it is out.
    HalfOpen {
        trial: bool,
    },
}

#[derive(Debug, Clone)]
struct Health {
    outcomes: VecDeque<(u64, bool)>,
    consecutive_failures: u32,
    breaker: Breaker,
    attempts: u64,
}

impl Health {
    fn new() -> Self {
        Self {
            outcomes: VecDeque::new(),
            consecutive_failures: 0,
            breaker: Breaker::Closed,
            attempts: 0,
        }
    }

    fn forget_before(&mut self, cutoff: u64) {
        while self.outcomes.front().is_some_and(|(t, _)| *t < cutoff) {
            self.outcomes.pop_front();
        }
    }

    /// Success rate in basis points over the window; 10,000 with no data.
    fn rate_bps(&self) -> u32 {
        let total = self.outcomes.len() as u64;
        if total == 0 {
            return 10_000;
        }
        let ok = self.outcomes.iter().filter(|(_, ok)| *ok).count() as u64;
        u32::try_from(ok * 10_000 / total).unwrap_or(10_000)
    }

    /// Whether an attempt may go to this channel now; moves an open breaker
    /// whose time is up to half-open.
    fn admits(&mut self, now: u64) -> bool {
        match self.breaker {
            Breaker::Closed => true,
            Breaker::Open { until } if now >= until => {
                self.breaker = Breaker::HalfOpen { trial: false };
                true
            }
            Breaker::Open { .. } => false,
            Breaker::HalfOpen { trial } => !trial,
        }
    }
}

/// What the health view shows per channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelHealth {
    pub channel: String,
    /// Attempts sent to it since start.
    pub attempts: u64,
    /// Outcomes inside the window, and the share that succeeded.
    pub recent: u64,
    pub success_rate_bps: u32,
    pub consecutive_failures: u32,
    pub breaker: Breaker,
}

/// The rules and every channel's health.
#[derive(Debug, Clone)]
pub struct Router {
    rules: Vec<Rule>,
    config: BreakerConfig,
    health: BTreeMap<String, Health>,
}

impl Router {
    pub fn new(rules: Vec<Rule>, config: BreakerConfig) -> Self {
        let health = rules
            .iter()
            .map(|r| (r.channel.clone(), Health::new()))
            .collect();
        Self {
            rules,
            config,
            health,
        }
    }

    /// The payment methods some rule takes in `currency`, each once, in
    /// the rules' order: what a checkout page offers.
    pub fn methods(&self, currency: Currency) -> Vec<String> {
        let mut methods: Vec<String> = Vec::new();
        for rule in self
            .rules
            .iter()
            .filter(|r| r.currencies.contains(&currency))
        {
            for m in &rule.methods {
                if !methods.contains(m) {
                    methods.push(m.clone());
                }
            }
        }
        methods
    }

    /// Why no rule takes `ask` at all (health aside); `None` if one does.
    pub fn unroutable(&self, ask: &Ask<'_>) -> Option<Unroutable> {
        if self.rules.iter().any(|r| r.matches(ask)) {
            return None;
        }
        let by_method: Vec<&Rule> = self
            .rules
            .iter()
            .filter(|r| r.methods.iter().any(|m| m == ask.method))
            .collect();
        if by_method.is_empty() {
            let mut offered: Vec<String> =
                self.rules.iter().flat_map(|r| r.methods.clone()).collect();
            offered.sort();
            offered.dedup();
            return Some(Unroutable::Method { offered });
        }
        let by_currency: Vec<&Rule> = by_method
            .into_iter()
            .filter(|r| r.currencies.contains(&ask.currency))
            .collect();
        if by_currency.is_empty() {
            return Some(Unroutable::Currency);
        }
        if !by_currency
            .iter()
            .any(|r| (r.min_amount..=r.max_amount).contains(&ask.amount))
        {
            let min = by_currency.iter().map(|r| r.min_amount).min().unwrap_or(0);
            let max = by_currency.iter().map(|r| r.max_amount).max().unwrap_or(0);
            return Some(Unroutable::Amount { min, max });
        }
        Some(Unroutable::Merchant)
    }

    /// The channels to try for `ask`, best first: those the rules allow
    /// and the breaker admits, by priority, then by recent success rate.
    /// Taking one for an attempt is [`Router::try_begin`].
    pub fn candidates(&mut self, now: u64, ask: &Ask<'_>) -> Vec<String> {
        let cutoff = now.saturating_sub(self.config.window_ns);
        let mut found: Vec<(u32, std::cmp::Reverse<u32>, String)> = Vec::new();
        for rule in self.rules.iter().filter(|r| r.matches(ask)) {
            let Some(h) = self.health.get_mut(&rule.channel) else {
                continue;
            };
            h.forget_before(cutoff);
            if h.admits(now) && !found.iter().any(|f| f.2 == rule.channel) {
                found.push((
                    rule.priority,
                    std::cmp::Reverse(h.rate_bps()),
                    rule.channel.clone(),
                ));
            }
        }
        found.sort();
        found.into_iter().map(|(_, _, c)| c).collect()
    }

    /// Takes `channel` for an attempt if its breaker still admits one now
    /// (a half-open breaker admits one trial, taken here); false if not.
    pub fn try_begin(&mut self, now: u64, channel: &str) -> bool {
        let Some(h) = self.health.get_mut(channel) else {
            return false;
        };
        if !h.admits(now) {
            return false;
        }
        h.attempts += 1;
        if let Breaker::HalfOpen { trial } = &mut h.breaker {
            *trial = true;
        }
        true
    }

    /// An attempt taken by [`Router::try_begin`] ended before the channel
    /// was asked anything (the shop refused it): a half-open breaker's
    /// trial is free again, and nothing is counted against the channel.
    pub fn abandon(&mut self, channel: &str) {
        if let Some(h) = self.health.get_mut(channel)
            && let Breaker::HalfOpen { trial } = &mut h.breaker
        {
            *trial = false;
        }
    }

    /// What came of an attempt at `channel`: whether the channel did its
    /// part (took the payment request, answered, paid).
    pub fn record(&mut self, now: u64, channel: &str, ok: bool) {
        let config = self.config;
        let Some(h) = self.health.get_mut(channel) else {
            return;
        };
        h.outcomes.push_back((now, ok));
        h.forget_before(now.saturating_sub(config.window_ns));
        if ok {
            h.consecutive_failures = 0;
            h.breaker = Breaker::Closed;
        } else {
            h.consecutive_failures += 1;
            let reopen = matches!(h.breaker, Breaker::HalfOpen { .. });
            if reopen || h.consecutive_failures >= config.failures_to_open {
                h.breaker = Breaker::Open {
                    until: now.saturating_add(config.open_for_ns),
                };
            }
        }
    }

    /// Every channel's health as of `now`.
    pub fn health(&mut self, now: u64) -> Vec<ChannelHealth> {
        let cutoff = now.saturating_sub(self.config.window_ns);
        self.health
            .iter_mut()
            .map(|(name, h)| {
                h.forget_before(cutoff);
                ChannelHealth {
                    channel: name.clone(),
                    attempts: h.attempts,
                    recent: h.outcomes.len() as u64,
                    success_rate_bps: h.rate_bps(),
                    consecutive_failures: h.consecutive_failures,
                    breaker: h.breaker,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    fn cny() -> Currency {
        Currency::new("CNY").unwrap()
    }

    fn rule(channel: &str, priority: u32) -> Rule {
        Rule {
            channel: channel.into(),
            methods: vec!["alipay".into()],
            currencies: vec![cny()],
            min_amount: 1,
            max_amount: 100_000,
            merchants: vec![],
            priority,
        }
    }

    fn ask(amount: u64) -> Ask<'static> {
        Ask {
            method: "alipay",
            currency: cny(),
            amount,
            merchant: Some(1),
        }
    }

    #[test]
    fn a_payment_no_rule_takes_says_why_whatever_the_health() {
        let mut only_two = rule("b", 1);
        only_two.merchants = vec![2];
        let mut router = Router::new(vec![rule("a", 0), only_two], BreakerConfig::default());
        assert_eq!(router.unroutable(&ask(500)), None);
        let wechat = Ask {
            method: "wxpay",
            ..ask(500)
        };
        assert_eq!(
            router.unroutable(&wechat),
            Some(Unroutable::Method {
                offered: vec!["alipay".into()]
            })
        );
        let dollars = Ask {
            currency: Currency::new("USD").unwrap(),
            ..ask(500)
        };
        assert_eq!(router.unroutable(&dollars), Some(Unroutable::Currency));
        assert_eq!(
            router.unroutable(&ask(0)),
            Some(Unroutable::Amount {
                min: 1,
                max: 100_000
            })
        );
        assert_eq!(
            Router::new(vec![], BreakerConfig::default()).unroutable(&ask(5)),
            Some(Unroutable::Method { offered: vec![] })
        );
        // A channel whose breaker is open is an outage, not a refusal.
        for _ in 0..5 {
            router.record(S, "a", false);
        }
        assert!(router.candidates(S, &ask(500)).is_empty());
        assert_eq!(router.unroutable(&ask(500)), None);
        let mut reserved = Router::new(vec![rule("b", 0)], BreakerConfig::default());
        reserved.rules[0].merchants = vec![2];
        assert_eq!(reserved.unroutable(&ask(500)), Some(Unroutable::Merchant));
    }

    #[test]
    fn rules_choose_by_method_currency_amount_and_merchant() {
        let mut only_two = rule("b", 1);
        only_two.merchants = vec![2];
        let mut router = Router::new(vec![rule("a", 0), only_two], BreakerConfig::default());
        assert_eq!(router.candidates(0, &ask(500)), vec!["a"]);
        assert!(router.candidates(0, &ask(100_001)).is_empty());
        assert!(router.candidates(0, &ask(0)).is_empty());
        let wx = Ask {
            method: "wxpay",
            ..ask(500)
        };
        assert!(router.candidates(0, &wx).is_empty());
        let usd = Ask {
            currency: Currency::new("USD").unwrap(),
            ..ask(500)
        };
        assert!(router.candidates(0, &usd).is_empty());
        let two = Ask {
            merchant: Some(2),
            ..ask(500)
        };
        assert_eq!(router.candidates(0, &two), vec!["a", "b"]);
    }

    #[test]
    fn consecutive_failures_open_the_breaker_and_a_trial_closes_it() {
        let config = BreakerConfig {
            failures_to_open: 3,
            open_for_ns: 30 * S,
            window_ns: 300 * S,
        };
        let mut router = Router::new(vec![rule("a", 0), rule("b", 1)], config);
        for i in 0..2 {
            assert!(router.try_begin(i * S, "a"));
            router.record(i * S, "a", false);
        }
        assert_eq!(
            router.candidates(2 * S, &ask(5)),
            vec!["a", "b"],
            "two failures"
        );
        assert!(router.try_begin(3 * S, "a"));
        router.record(3 * S, "a", false);
        assert_eq!(
            router.candidates(4 * S, &ask(5)),
            vec!["b"],
            "open: failed over"
        );
        assert_eq!(router.candidates(32 * S, &ask(5)), vec!["b"], "still open");
        // After the cool-down one trial goes through, and only one, even
        // to callers who saw it offered at the same moment.
        assert_eq!(router.candidates(33 * S, &ask(5)), vec!["a", "b"]);
        assert!(router.try_begin(33 * S, "a"));
        assert!(!router.try_begin(33 * S, "a"));
        assert_eq!(router.candidates(33 * S, &ask(5)), vec!["b"]);
        // A trial the shop abandoned before asking the channel is free again.
        router.abandon("a");
        assert_eq!(router.candidates(33 * S, &ask(5)), vec!["a", "b"]);
        assert!(router.try_begin(33 * S, "a"));
        // A failed trial opens it again at once.
        router.record(34 * S, "a", false);
        assert_eq!(router.candidates(35 * S, &ask(5)), vec!["b"]);
        assert!(matches!(
            router.health(35 * S)[0].breaker,
            Breaker::Open { until } if until == 64 * S
        ));
        // A good trial closes it.
        assert_eq!(router.candidates(64 * S, &ask(5)), vec!["a", "b"]);
        assert!(router.try_begin(64 * S, "a"));
        router.record(65 * S, "a", true);
        let h = &router.health(65 * S)[0];
        assert_eq!((h.breaker, h.consecutive_failures), (Breaker::Closed, 0));
        assert_eq!(router.candidates(66 * S, &ask(5)), vec!["a", "b"]);
    }

    #[test]
    fn among_equals_the_healthier_channel_goes_first() {
        let mut router = Router::new(vec![rule("a", 0), rule("b", 0)], BreakerConfig::default());
        router.record(S, "a", true);
        router.record(2 * S, "a", false);
        router.record(3 * S, "b", true);
        assert_eq!(router.candidates(4 * S, &ask(5)), vec!["b", "a"]);
        let h = router.health(4 * S);
        assert_eq!(h[0].success_rate_bps, 5_000);
        assert_eq!(h[1].success_rate_bps, 10_000);
        // Outcomes leave the window.
        let later = 4 * S + BreakerConfig::default().window_ns;
        assert_eq!(router.health(later)[0].recent, 0);
    }
}
