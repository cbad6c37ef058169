//! The decision: lists first, then every rule in force at the point, the
//! score, the outcome; and the state a decision leaves behind (velocity,
//! the user's history, the record backtests run over).

use serde::{Deserialize, Serialize};

use crate::catalogue::{Features, SCALARS, Value, velocity_index};
use crate::eval::{Evaluator, Resolver};
use crate::lists::{ListKind, Lists};
use crate::rules::{Compiled, RuleBook, RuleSpec};
use crate::signals::{IdKind, Signals};
use crate::velocity::{Velocity, Window};
use crate::{Outcome, Point, disposable};

const NANOS: u64 = 1_000_000_000;
static MODEL_SCORE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// Scores at which the sum of fired rules' weights asks for an outcome on
/// its own, whatever each rule asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    pub challenge: i32,
    pub hold: i32,
    pub block: i32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            challenge: 60,
            hold: 100,
            block: 200,
        }
    }
}

impl Thresholds {
    pub fn outcome(&self, score: i32) -> Outcome {
        if score >= self.block {
            Outcome::Block
        } else if score >= self.hold {
            Outcome::Hold
        } else if score >= self.challenge {
            Outcome::Challenge
        } else {
            Outcome::Allow
        }
    }
}

/// A rule that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fired {
    pub rule: String,
    pub version: u32,
    pub outcome: Outcome,
    pub weight: i32,
    /// The code shown when it blocks.
    pub reason: String,
}

/// The list entry a decision met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    pub list: ListKind,
    pub kind: IdKind,
    pub value: String,
    pub reason: String,
}

/// One decision, as recorded: enough to explain it and to backtest over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub point: Point,
    pub outcome: Outcome,
    /// The sum of the fired (acting) rules' weights.
    pub score: i32,
    /// A code safe to show to whoever is refused or held.
    pub reason: String,
    /// Rules in force that fired, acted on.
    pub fired: Vec<Fired>,
    /// Shadow rules that fired: recorded, never acted on.
    pub shadow: Vec<Fired>,
    /// Rules that could not be evaluated, with the error.
    pub errors: Vec<(String, String)>,
    pub listed: Option<Listed>,
    /// The features that were not zero, by name.
    pub features: Vec<(crate::catalogue::Name, Value)>,
    pub signals: Signals,
}

impl Decision {
    /// One line per reason, for people: why this outcome.
    pub fn explain(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(l) = &self.listed {
            out.push(format!(
                "{} {:?} is on the {} list: {}",
                l.kind,
                l.value,
                l.list.name(),
                l.reason
            ));
        }
        for f in &self.fired {
            out.push(format!(
                "rule {} (v{}) fired: asks {}, weight {}",
                f.rule, f.version, f.outcome, f.weight
            ));
        }
        for (rule, error) in &self.errors {
            out.push(format!(
                "rule {rule} could not be evaluated ({error}); at {} the point {}",
                self.point,
                match self.point.when_undecided() {
                    Outcome::Allow => "fails open",
                    _ => "fails closed: held",
                }
            ));
        }
        for f in &self.shadow {
            out.push(format!(
                "shadow rule {} (v{}) fired: would ask {}, weight {} (not acted on)",
                f.rule, f.version, f.outcome, f.weight
            ));
        }
        out.push(format!("score {} → {}", self.score, self.outcome));
        out
    }
}

/// How one user's payments went, for "amount against the user's history".
#[derive(Debug, Clone, Copy, Default)]
struct Paid {
    count: u64,
    sum: u128,
    max: u64,
}

/// What the shop knows of the actor's ring that the engine does not: how
/// many of its accounts are banned or flagged (see the `ring_banned` and
/// `ring_flagged` features).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RingMarks {
    pub banned: u64,
    pub flagged: u64,
    /// The actor's referrer is in its ring (or is itself).
    pub referrer_linked: bool,
    /// Accounts of its ring the actor referred.
    pub referees: u64,
    /// What the ring's accounts (the actor included) bought over 30 days:
    /// paid orders, refunds and disputes.
    pub bought: crate::merchants::BuyerCounts,
}

/// The risk engine's state: rules, lists, windows, the identity graph, the
/// users' history and the decisions kept for backtests. Rebuilt from the
/// journal: every change is a fact the shop records.
#[derive(Debug, Clone, Default)]
pub struct Risk {
    pub(crate) rules: RuleBook,
    pub(crate) lists: Lists,
    velocity: Velocity,
    graph: crate::graph::Graph,
    merchants: crate::merchants::MerchantBook,
    merchant_settings: crate::merchants::MerchantSettings,
    model_thresholds: crate::score::ModelThresholds,
    paid: rustc_hash::FxHashMap<u64, Paid>,
    pub(crate) thresholds: Thresholds,
    decided: u64,
}

impl Risk {
    pub fn rules(&self) -> &RuleBook {
        &self.rules
    }

    pub fn rules_mut(&mut self) -> &mut RuleBook {
        &mut self.rules
    }

    pub fn lists(&self) -> &Lists {
        &self.lists
    }

    pub fn lists_mut(&mut self) -> &mut Lists {
        &mut self.lists
    }

    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    pub fn set_thresholds(&mut self, t: Thresholds) {
        self.thresholds = t;
    }

    /// Decisions recorded since the shop began.
    pub fn decided(&self) -> u64 {
        self.decided
    }

    /// Accounts linked by what they share.
    pub fn graph(&self) -> &crate::graph::Graph {
        &self.graph
    }

    /// Each merchant's sales, refunds and disputes.
    pub fn merchants(&self) -> &crate::merchants::MerchantBook {
        &self.merchants
    }

    pub fn merchants_mut(&mut self) -> &mut crate::merchants::MerchantBook {
        &mut self.merchants
    }

    pub fn merchant_settings(&self) -> crate::merchants::MerchantSettings {
        self.merchant_settings
    }

    pub fn set_merchant_settings(&mut self, s: crate::merchants::MerchantSettings) {
        self.merchant_settings = s;
    }

    /// The features of a request at `now` (nanoseconds), its ring unmarked.
    pub fn features(&self, now: u64, s: &Signals) -> Features {
        self.features_with(now, s, RingMarks::default())
    }

    /// The features of a request at `now` (nanoseconds), its ring marked
    /// as the shop knows it.
    pub fn features_with(&self, now: u64, s: &Signals, ring: RingMarks) -> Features {
        let t = now / NANOS;
        let point = s.point();
        let family = point.family();
        let ids = s.identifiers();
        let find = |kind: IdKind| {
            ids.iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, v)| v.as_str())
        };
        let listed = |list: ListKind| {
            ids.iter()
                .any(|(k, v)| self.lists.find(*k, v, now).is_some_and(|e| e.list == list))
        };
        let paid = s
            .user
            .and_then(|u| self.paid.get(&u))
            .copied()
            .unwrap_or_default();
        let avg = if paid.count == 0 {
            0
        } else {
            (paid.sum / u128::from(paid.count)) as u64
        };
        let domain = s.email_domain();
        let clamp = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let (since_recharge, spent_pct) = match s.last_recharge {
            Some(r) => (
                clamp(now.saturating_sub(r.at) / (3_600 * NANOS)),
                if r.amount == 0 {
                    100
                } else {
                    clamp((u128::from(r.spent.min(r.amount)) * 100 / u128::from(r.amount)) as u64)
                },
            ),
            None => (-1, 100),
        };
        let accounts = |kind: IdKind, w: Window| {
            find(kind).map_or(0, |v| clamp(self.velocity.accounts(t, kind, v, w, s.user)))
        };
        let disposable = disposable::is_disposable(&domain);
        // Per paid order, in basis points (0 with no order).
        let rate = |n: u64, of: u64| {
            (u128::from(n) * 10_000)
                .checked_div(u128::from(of))
                .map_or(0, |r| i64::try_from(r).unwrap_or(i64::MAX))
        };
        let mut values: Vec<Value> = Vec::with_capacity(crate::catalogue::catalogue().len());
        values.extend([
            Value::Str(point.name().to_string()),
            Value::Int(clamp(s.amount)),
            Value::Str(s.currency.clone()),
            Value::Bool(s.user.is_some()),
            Value::Int(
                s.account_created
                    .map_or(0, |c| clamp(now.saturating_sub(c) / (3_600 * NANOS))),
            ),
            Value::Str(domain),
            Value::Bool(disposable),
            Value::Str(s.ip.trim().to_string()),
            Value::Str(s.ip_country.trim().to_uppercase()),
            Value::Str(s.device.trim().to_string()),
            Value::Str(s.instrument_country.trim().to_uppercase()),
            Value::Bool(
                !s.ip_country.trim().is_empty()
                    && !s.instrument_country.trim().is_empty()
                    && !s
                        .ip_country
                        .trim()
                        .eq_ignore_ascii_case(s.instrument_country.trim()),
            ),
            Value::Str(IdKind::Destination.normal(&s.destination)),
            Value::Int(clamp(paid.count)),
            Value::Int(clamp(avg)),
            Value::Int(clamp(paid.max)),
            Value::Int(if avg == 0 {
                0
            } else {
                clamp(
                    (u128::from(s.amount) * 100 / u128::from(avg)).min(u128::from(u64::MAX)) as u64,
                )
            }),
            Value::Int(since_recharge),
            Value::Int(spent_pct),
            Value::Int(accounts(IdKind::Device, Window::Week)),
            Value::Int(accounts(IdKind::Ip, Window::Day)),
            Value::Bool(listed(ListKind::Allow)),
            Value::Bool(listed(ListKind::Block)),
            Value::Int(
                s.user
                    .map_or(0, |u| clamp(self.graph.ring_size(u).saturating_sub(1))),
            ),
            Value::Int(clamp(ring.banned)),
            Value::Int(clamp(ring.flagged)),
        ]);
        values.extend(
            self.merchants
                .values(now, s.merchant, &self.merchant_settings),
        );
        values.extend([
            Value::Int(
                s.user
                    .map_or(0, |u| clamp(self.merchants.buyer_refunds_7d(now, u))),
            ),
            Value::Bool(ring.referrer_linked),
            Value::Int(clamp(ring.referees)),
            Value::Int(0),
            Value::Int(clamp(ring.bought.orders)),
            Value::Int(rate(ring.bought.refunds, ring.bought.orders)),
            Value::Int(rate(ring.bought.disputes, ring.bought.orders)),
        ]);
        debug_assert_eq!(values.len(), SCALARS.len());
        values.resize(crate::catalogue::catalogue().len(), Value::Int(0));
        for kind in IdKind::ALL {
            let Some(v) = find(kind) else { continue };
            let all = self.velocity.all_counts(t, family, kind, v);
            for (wi, c) in all.iter().enumerate() {
                for (mi, m) in [c.count, c.sum, c.failed].into_iter().enumerate() {
                    values[velocity_index(kind, mi, wi)] = Value::Int(clamp(m));
                }
            }
        }
        let mut features = Features(values);
        if self.model_thresholds.is_on() && crate::score::SCORED_POINTS.contains(&point) {
            let score = crate::score::default_model().score(&features);
            features.0[*MODEL_SCORE
                .get_or_init(|| crate::catalogue::index_of("model_score").unwrap_or_default())] =
                Value::Int(score);
        }
        features
    }

    /// The features a decision was taken on, from what it recorded: the
    /// ones that are not its signals' own, then those read off its
    /// signals again.
    pub fn recorded_features(&self, d: &Decision) -> Features {
        let mut f = Features::from_sparse(&d.features);
        let s = &d.signals;
        let mut set = |name: &str, v: Value| {
            if let Some(i) = crate::catalogue::index_of(name) {
                f.0[i] = v;
            }
        };
        set("point", Value::Str(d.point.name().to_string()));
        set(
            "amount",
            Value::Int(i64::try_from(s.amount).unwrap_or(i64::MAX)),
        );
        set("currency", Value::Str(s.currency.clone()));
        set("has_account", Value::Bool(s.user.is_some()));
        set("email_domain", Value::Str(s.email_domain()));
        set("ip", Value::Str(s.ip.trim().to_string()));
        set("ip_country", Value::Str(s.ip_country.trim().to_uppercase()));
        set("device", Value::Str(s.device.trim().to_string()));
        set(
            "instrument_country",
            Value::Str(s.instrument_country.trim().to_uppercase()),
        );
        set(
            "destination",
            Value::Str(IdKind::Destination.normal(&s.destination)),
        );
        f
    }

    /// Decides on a request at `now` (nanoseconds), its ring unmarked.
    /// Nothing changes until the decision is [recorded](Risk::record).
    pub fn decide(&self, now: u64, signals: &Signals) -> Decision {
        self.decide_with(now, signals, RingMarks::default())
    }

    /// Decides on a request at `now` (nanoseconds), its ring marked as the
    /// shop knows it. Nothing changes until the decision is
    /// [recorded](Risk::record).
    pub fn decide_with(&self, now: u64, signals: &Signals, ring: RingMarks) -> Decision {
        let point = signals.point();
        let features = self.features_with(now, signals, ring);
        let resolver = Resolver::new(&features);
        let evaluator = Evaluator::new(&resolver);
        let mut fired = Vec::new();
        let mut shadow = Vec::new();
        let mut errors = Vec::new();
        for rule in self.rules.live() {
            let spec = &rule.saved.spec;
            if !spec.applies_to(point) {
                continue;
            }
            match evaluator.fires(&rule.program) {
                Ok(true) if spec.shadow => shadow.push(fired_of(rule)),
                Ok(true) => fired.push(fired_of(rule)),
                Ok(false) => {}
                Err(e) => errors.push((spec.name.clone(), e)),
            }
        }
        if let Some(f) = self.model_fired(point, &features) {
            fired.push(f);
        }
        let listed = self.listed(now, signals);
        let (outcome, score, reason) = combine(
            point,
            &fired,
            listed.as_ref().map(|l| l.list),
            !errors.is_empty(),
            self.thresholds,
        );
        Decision {
            point,
            outcome,
            score,
            reason,
            fired,
            shadow,
            errors,
            listed,
            features: features.sparse(),
            signals: signals.clone(),
        }
    }

    /// The model acting as a rule: a challenge or a hold once its score
    /// reaches the shop's threshold.
    fn model_fired(&self, point: Point, features: &Features) -> Option<Fired> {
        let t = self.model_thresholds;
        if !t.is_on() || !crate::score::SCORED_POINTS.contains(&point) {
            return None;
        }
        let score = match features.get("model_score") {
            Some(Value::Int(s)) => *s,
            _ => 0,
        };
        let outcome = if t.hold > 0 && score >= t.hold {
            Outcome::Hold
        } else if t.challenge > 0 && score >= t.challenge {
            Outcome::Challenge
        } else {
            return None;
        };
        Some(Fired {
            rule: "model".into(),
            version: crate::score::default_model().version,
            outcome,
            weight: 0,
            reason: "model_score".into(),
        })
    }

    pub fn model_thresholds(&self) -> crate::score::ModelThresholds {
        self.model_thresholds
    }

    pub fn set_model_thresholds(&mut self, t: crate::score::ModelThresholds) {
        self.model_thresholds = t;
    }

    /// The list entry that decides: a block entry wins over an allow one.
    fn listed(&self, now: u64, s: &Signals) -> Option<Listed> {
        let mut found: Option<Listed> = None;
        for (kind, value) in s.identifiers() {
            if let Some(e) = self.lists.find(kind, &value, now)
                && found.as_ref().is_none_or(|f| f.list == ListKind::Allow)
            {
                found = Some(Listed {
                    list: e.list,
                    kind,
                    value: e.value.clone(),
                    reason: e.reason.clone(),
                });
            }
        }
        found
    }

    /// What a decision leaves behind: its windows counted, the user's
    /// history, the record backtests run over. Applied when the decision is
    /// made and when its fact is replayed, the same way.
    pub fn record(&mut self, now: u64, d: &Decision) {
        let s = &d.signals;
        let failed = s.failed || d.outcome == Outcome::Block;
        self.velocity.add(
            now / NANOS,
            d.point.family(),
            &s.identifiers(),
            s.user,
            s.amount,
            failed,
        );
        if !failed
            && d.outcome <= Outcome::Challenge
            && d.point.family() == crate::point::Family::MoneyIn
            && let Some(user) = s.user
        {
            let p = self.paid.entry(user).or_default();
            p.count += 1;
            p.sum += u128::from(s.amount);
            p.max = p.max.max(s.amount);
        }
        // What an account went through with links it (not a wrong
        // password or a refusal: those may be someone else's doing).
        if !failed && let Some(user) = s.user {
            self.graph.link(now, user, &s.identifiers());
        }
        self.decided += 1;
    }

    /// What `spec` would have changed over `decisions` (as recorded), had
    /// it been in force (acting, even if it is saved as shadow) in place of
    /// the rule of the same name.
    pub fn backtest<'d>(
        &self,
        spec: &RuleSpec,
        decisions: impl IntoIterator<Item = &'d Decision>,
    ) -> Result<Backtest, crate::RuleError> {
        let program = crate::rules::compile(spec)?;
        let candidate = Fired {
            rule: spec.name.clone(),
            version: 0,
            outcome: spec.outcome,
            weight: spec.weight,
            reason: spec.reason_code().to_string(),
        };
        let mut report = Backtest {
            rule: spec.name.clone(),
            ..Backtest::default()
        };
        for kept in decisions {
            let mut fired: Vec<Fired> = kept
                .fired
                .iter()
                .filter(|f| f.rule != spec.name)
                .cloned()
                .collect();
            if spec.applies_to(kept.point) && spec.enabled {
                let features = self.recorded_features(kept);
                let resolver = Resolver::new(&features);
                match Evaluator::new(&resolver).fires(&program) {
                    Ok(true) => {
                        report.fired += 1;
                        fired.push(candidate.clone());
                    }
                    Ok(false) => {}
                    Err(_) => report.errors += 1,
                }
            }
            let listed = kept.listed.as_ref().map(|l| l.list);
            let errors = !kept.errors.is_empty();
            let (after, _, _) = combine(kept.point, &fired, listed, errors, self.thresholds);
            report.decisions += 1;
            report.before[kept.outcome.index()] += 1;
            report.after[after.index()] += 1;
            if after != kept.outcome {
                report.changed += 1;
                let key = (kept.outcome, after);
                match report.moves.iter_mut().find(|m| (m.from, m.to) == key) {
                    Some(m) => m.count += 1,
                    None => report.moves.push(Move {
                        from: kept.outcome,
                        to: after,
                        count: 1,
                    }),
                }
            }
        }
        report.moves.sort_by_key(|m| (m.from, m.to));
        Ok(report)
    }
}

fn fired_of(rule: &Compiled) -> Fired {
    let spec = &rule.saved.spec;
    Fired {
        rule: spec.name.clone(),
        version: rule.saved.version,
        outcome: spec.outcome,
        weight: spec.weight,
        reason: spec.reason_code().to_string(),
    }
}

/// The outcome of fired rules: the strongest any asks for or the score
/// reaches; a block list entry blocks, an allow list entry allows; an
/// evaluation error gives the point's policy at least.
fn combine(
    point: Point,
    fired: &[Fired],
    listed: Option<ListKind>,
    errors: bool,
    thresholds: Thresholds,
) -> (Outcome, i32, String) {
    let score: i32 = fired
        .iter()
        .map(|f| f.weight)
        .fold(0i32, i32::saturating_add);
    match listed {
        Some(ListKind::Block) => return (Outcome::Block, score, "blocked_identifier".into()),
        Some(ListKind::Allow) => return (Outcome::Allow, score, String::new()),
        None => {}
    }
    let by_rule = fired.iter().map(|f| f.outcome).max().unwrap_or_default();
    let by_score = thresholds.outcome(score);
    let mut outcome = by_rule.max(by_score);
    if errors {
        outcome = outcome.max(point.when_undecided());
    }
    let reason = if outcome == Outcome::Allow {
        String::new()
    } else if by_rule >= by_score {
        fired
            .iter()
            .filter(|f| f.outcome == by_rule)
            .max_by_key(|f| f.weight)
            .map_or_else(|| "risk".to_string(), |f| f.reason.clone())
    } else {
        "risk_score".to_string()
    };
    (outcome, score, reason)
}

/// One change a backtest found: this many decisions from one outcome to
/// another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Move {
    pub from: Outcome,
    pub to: Outcome,
    pub count: u64,
}

/// What a rule would have changed over the recorded decisions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backtest {
    pub rule: String,
    /// Decisions run over.
    pub decisions: u64,
    /// Of them, where the rule fired.
    pub fired: u64,
    /// Where it could not be evaluated.
    pub errors: u64,
    /// Where the outcome would have differed.
    pub changed: u64,
    /// Outcomes as recorded and as they would have been, in the order
    /// allow, challenge, hold, block.
    pub before: [u64; 4],
    pub after: [u64; 4],
    pub moves: Vec<Move>,
}
