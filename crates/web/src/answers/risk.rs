//! The risk desk's answers: features, rules, list entries, decisions
//! explained, reviews and backtests — flat objects with names for points,
//! outcomes and kinds, RFC 3339 times and amounts beside their currency.

use serde::Serialize;
use trigate_core::risk::{
    DecisionRow, Effect, Explained, ListEntry, ReviewLine, ReviewState, SavedRule, Subject,
};
use trigate_risk::{Backtest, Fired, Value};

use super::rfc3339;

/// A feature rules may read.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeatureAnswer {
    pub name: String,
    /// `int`, `bool` or `string`.
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub doc: String,
}

impl From<&trigate_risk::Feature> for FeatureAnswer {
    fn from(f: &trigate_risk::Feature) -> Self {
        Self {
            name: f.name.clone(),
            ty: f.ty.name(),
            doc: f.doc.clone(),
        }
    }
}

/// One version of a rule.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RuleAnswer {
    pub name: String,
    /// 1 for the name's first save.
    pub version: u32,
    /// The CEL expression.
    pub expr: String,
    /// `allow`, `challenge`, `hold` or `block`.
    pub outcome: &'static str,
    pub weight: i32,
    /// The decision points it is evaluated at; empty: all.
    pub points: Vec<&'static str>,
    /// Evaluated and recorded, never acted on.
    pub shadow: bool,
    /// False: retired.
    pub enabled: bool,
    /// The code shown to whoever it refuses or holds.
    pub reason: String,
    pub note: String,
    /// Who saved it (0: the shop itself, for the default pack).
    pub by: u64,
    #[schema(format = DateTime)]
    pub at: String,
}

impl From<&SavedRule> for RuleAnswer {
    fn from(r: &SavedRule) -> Self {
        let s = &r.spec;
        Self {
            name: s.name.clone(),
            version: r.version,
            expr: s.expr.clone(),
            outcome: s.outcome.name(),
            weight: s.weight,
            points: s.points.iter().map(|p| p.name()).collect(),
            shadow: s.shadow,
            enabled: s.enabled,
            reason: s.reason.clone(),
            note: s.note.clone(),
            by: r.by,
            at: rfc3339(r.at),
        }
    }
}

/// An identifier on the allow or block list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListEntryAnswer {
    /// `allow` or `block`.
    pub list: &'static str,
    /// `user`, `email`, `ip`, `device`, `instrument`, `destination` or
    /// `merchant`.
    pub kind: &'static str,
    pub value: String,
    pub reason: String,
    /// None: until taken off.
    #[schema(format = DateTime)]
    pub expires_at: Option<String>,
    pub by: u64,
    #[schema(format = DateTime)]
    pub at: String,
}

impl From<&ListEntry> for ListEntryAnswer {
    fn from(e: &ListEntry) -> Self {
        Self {
            list: e.list.name(),
            kind: e.kind.name(),
            value: e.value.clone(),
            reason: e.reason.clone(),
            expires_at: e.expires.map(rfc3339),
            by: e.by,
            at: rfc3339(e.at),
        }
    }
}

/// What a decision or a review is about.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubjectAnswer {
    /// `order`, `withdrawal`, `attempt` (a payment attempt: a top-up),
    /// `user` or `merchant`.
    pub kind: &'static str,
    pub id: u64,
}

impl From<Subject> for SubjectAnswer {
    fn from(s: Subject) -> Self {
        let (kind, id) = match s {
            Subject::Order(id) => ("order", id.0),
            Subject::Withdrawal(id) => ("withdrawal", id.0),
            Subject::Attempt(id) => ("attempt", id.0),
            Subject::User(id) => ("user", id.0),
            Subject::Merchant(id) => ("merchant", id.0),
        };
        Self { kind, id }
    }
}

/// A rule that fired.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FiredAnswer {
    pub rule: String,
    pub version: u32,
    pub outcome: &'static str,
    pub weight: i32,
    pub reason: String,
}

impl From<&Fired> for FiredAnswer {
    fn from(f: &Fired) -> Self {
        Self {
            rule: f.rule.clone(),
            version: f.version,
            outcome: f.outcome.name(),
            weight: f.weight,
            reason: f.reason.clone(),
        }
    }
}

/// A rule that could not be evaluated.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RuleErrorAnswer {
    pub rule: String,
    pub error: String,
}

/// The list entry a decision met.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListedAnswer {
    pub list: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub reason: String,
}

/// A feature's value at the decision (an integer, a bool or a string).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeatureValueAnswer {
    pub name: String,
    #[schema(value_type = Value)]
    pub value: serde_json::Value,
}

fn json_of(v: &Value) -> serde_json::Value {
    match v {
        Value::Int(i) => (*i).into(),
        Value::Bool(b) => (*b).into(),
        Value::Str(s) => s.clone().into(),
    }
}

/// The actor's last top-up and what was spent since.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LastRechargeAnswer {
    #[schema(format = DateTime)]
    pub at: String,
    pub amount: u64,
    pub spent: u64,
}

/// What the request and the shop told the decision. Empty strings: not
/// known.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignalsAnswer {
    pub user: Option<u64>,
    pub email: String,
    pub ip: String,
    /// Two letters, upper case.
    pub ip_country: String,
    pub device: String,
    pub instrument: String,
    pub instrument_country: String,
    pub destination: String,
    pub merchant: Option<u64>,
    /// Minor units of `currency`.
    pub amount: u64,
    pub currency: String,
    #[schema(format = DateTime)]
    pub account_created: Option<String>,
    pub last_recharge: Option<LastRechargeAnswer>,
    /// A failure counted (a payment a channel declined, a wrong password).
    pub failed: bool,
}

/// One decision as recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionAnswer {
    pub id: u64,
    #[schema(format = DateTime)]
    pub at: String,
    /// The decision point: `sign_up`, `sign_in`, `wallet_payment`,
    /// `channel_payment`, `recharge`, `withdrawal`, `merchant_opening`,
    /// `payout`.
    pub point: &'static str,
    /// `allow`, `challenge`, `hold` or `block`.
    pub outcome: &'static str,
    /// What the shop did: `proceeded`, `held`, `refused` or `failed` (a
    /// failure counted, not a request decided on).
    pub effect: &'static str,
    /// The sum of the acting fired rules' weights.
    pub score: i32,
    /// The code shown to whoever was refused or held.
    pub reason: String,
    pub subject: Option<SubjectAnswer>,
    /// The actor answered a challenge with a one-time code.
    pub challenge_passed: bool,
    pub fired: Vec<FiredAnswer>,
    /// Shadow rules that fired: recorded, never acted on.
    pub shadow: Vec<FiredAnswer>,
    pub errors: Vec<RuleErrorAnswer>,
    pub listed: Option<ListedAnswer>,
    /// The features that were not zero.
    pub features: Vec<FeatureValueAnswer>,
    pub signals: SignalsAnswer,
}

impl From<&DecisionRow> for DecisionAnswer {
    fn from(r: &DecisionRow) -> Self {
        let d = &r.decision;
        let s = &d.signals;
        Self {
            id: r.id,
            at: rfc3339(r.at),
            point: d.point.name(),
            outcome: d.outcome.name(),
            effect: match r.effect {
                Effect::Proceeded => "proceeded",
                Effect::Held => "held",
                Effect::Refused => "refused",
                Effect::Failed => "failed",
            },
            score: d.score,
            reason: d.reason.clone(),
            subject: r.subject.map(Into::into),
            challenge_passed: r.challenge_passed,
            fired: d.fired.iter().map(Into::into).collect(),
            shadow: d.shadow.iter().map(Into::into).collect(),
            errors: d
                .errors
                .iter()
                .map(|(rule, error)| RuleErrorAnswer {
                    rule: rule.clone(),
                    error: error.clone(),
                })
                .collect(),
            listed: d.listed.as_ref().map(|l| ListedAnswer {
                list: l.list.name(),
                kind: l.kind.name(),
                value: l.value.clone(),
                reason: l.reason.clone(),
            }),
            features: d
                .features
                .iter()
                .map(|(name, value)| FeatureValueAnswer {
                    name: name.to_string(),
                    value: json_of(value),
                })
                .collect(),
            signals: SignalsAnswer {
                user: s.user,
                email: s.email.clone(),
                ip: s.ip.clone(),
                ip_country: s.ip_country.clone(),
                device: s.device.clone(),
                instrument: s.instrument.clone(),
                instrument_country: s.instrument_country.clone(),
                destination: s.destination.clone(),
                merchant: s.merchant,
                amount: s.amount,
                currency: s.currency.clone(),
                account_created: s.account_created.map(rfc3339),
                last_recharge: s.last_recharge.as_ref().map(|l| LastRechargeAnswer {
                    at: rfc3339(l.at),
                    amount: l.amount,
                    spent: l.spent,
                }),
                failed: s.failed,
            },
        }
    }
}

/// An identifier the actor shares with other accounts: the evidence that
/// links them into one ring.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkAnswer {
    /// `device`, `instrument`, `destination` or `email`.
    pub kind: &'static str,
    pub value: String,
    /// The other accounts seen with it (at most ten).
    pub with: Vec<u64>,
}

/// A decision with its reasons in words.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExplainedAnswer {
    pub decision: DecisionAnswer,
    /// One line per reason.
    pub explanation: Vec<String>,
    /// The review it opened, if it held something.
    pub review: Option<u64>,
    /// What links the actor to other accounts now.
    pub links: Vec<LinkAnswer>,
    /// The trained model's score explained: each feature's contribution in
    /// points, largest first (empty when the model was off).
    pub contributions: Vec<ContributionAnswer>,
}

/// One feature's part in the model's score.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContributionAnswer {
    /// A feature, or `point=<point>` for the decision point.
    pub feature: String,
    /// Points (a hundredth of the log-odds); negative ones speak for the
    /// request.
    pub points: i64,
}

impl From<&Explained> for ExplainedAnswer {
    fn from(e: &Explained) -> Self {
        Self {
            decision: (&e.row).into(),
            explanation: e.explanation.clone(),
            review: e.review,
            links: e.links.iter().map(LinkAnswer::from).collect(),
            contributions: e
                .contributions
                .iter()
                .map(|(feature, points)| ContributionAnswer {
                    feature: feature.clone(),
                    points: *points,
                })
                .collect(),
        }
    }
}

impl From<&trigate_risk::Link> for LinkAnswer {
    fn from(l: &trigate_risk::Link) -> Self {
        LinkAnswer {
            kind: l.kind.name(),
            value: l.value.clone(),
            with: l.with.clone(),
        }
    }
}

/// A hold in the review queue, or decided.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewAnswer {
    pub id: u64,
    /// The decision that held it (none: held by a ring case).
    pub decision: Option<u64>,
    /// The ring case it is held in, if any.
    pub case: Option<u64>,
    pub subject: SubjectAnswer,
    /// `open`, `claimed`, `escalated`, `approved` or `declined`.
    pub status: String,
    /// The decision's reason code.
    pub reason: String,
    /// The decision point and the amount held (minor units of `currency`).
    pub point: &'static str,
    pub amount: u64,
    pub currency: String,
    #[schema(format = DateTime)]
    pub opened_at: String,
    /// Seconds in the queue (until decided).
    pub waited_seconds: u64,
    pub claimed_by: Option<u64>,
    #[schema(format = DateTime)]
    pub claimed_at: Option<String>,
    #[schema(format = DateTime)]
    pub escalated_at: Option<String>,
    pub decided_by: Option<u64>,
    #[schema(format = DateTime)]
    pub decided_at: Option<String>,
    /// The analyst's note with the decision.
    pub note: Option<String>,
}

impl From<&ReviewLine> for ReviewAnswer {
    fn from(l: &ReviewLine) -> Self {
        let r = &l.review;
        let decided = match &r.state {
            ReviewState::Open => None,
            ReviewState::Approved { by, at, note } | ReviewState::Declined { by, at, note } => {
                Some((by.0, *at, note.clone()))
            }
        };
        Self {
            id: r.id,
            decision: (r.decision > 0).then_some(r.decision),
            case: l.case,
            subject: r.subject.into(),
            status: l.status.clone(),
            reason: r.reason.clone(),
            point: l.point.name(),
            amount: l.amount,
            currency: l.currency.clone(),
            opened_at: rfc3339(r.opened_at),
            waited_seconds: l.waited_ns / 1_000_000_000,
            claimed_by: r.claimed.map(|(by, _)| by.0),
            claimed_at: r.claimed.map(|(_, at)| rfc3339(at)),
            escalated_at: r.escalated_at.map(rfc3339),
            decided_by: decided.as_ref().map(|d| d.0),
            decided_at: decided.as_ref().map(|d| rfc3339(d.1)),
            note: decided.map(|d| d.2),
        }
    }
}

/// Decisions per outcome.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutcomeCounts {
    pub allow: u64,
    pub challenge: u64,
    pub hold: u64,
    pub block: u64,
}

impl From<[u64; 4]> for OutcomeCounts {
    fn from([allow, challenge, hold, block]: [u64; 4]) -> Self {
        Self {
            allow,
            challenge,
            hold,
            block,
        }
    }
}

/// Decisions that would have moved from one outcome to another.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MoveAnswer {
    pub from: &'static str,
    pub to: &'static str,
    pub count: u64,
}

/// What a rule would have changed over the kept decisions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BacktestAnswer {
    pub rule: String,
    /// Decisions run over.
    pub decisions: u64,
    /// Of them, where the rule fired.
    pub fired: u64,
    /// Where it could not be evaluated.
    pub errors: u64,
    /// Where the outcome would have differed.
    pub changed: u64,
    pub before: OutcomeCounts,
    pub after: OutcomeCounts,
    pub moves: Vec<MoveAnswer>,
}

impl From<&Backtest> for BacktestAnswer {
    fn from(b: &Backtest) -> Self {
        Self {
            rule: b.rule.clone(),
            decisions: b.decisions,
            fired: b.fired,
            errors: b.errors,
            changed: b.changed,
            before: b.before.into(),
            after: b.after.into(),
            moves: b
                .moves
                .iter()
                .map(|m| MoveAnswer {
                    from: m.from.name(),
                    to: m.to.name(),
                    count: m.count,
                })
                .collect(),
        }
    }
}
