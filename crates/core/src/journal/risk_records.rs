//! The journal's records of gate three (format 7 on): the risk settings,
//! rules as saved, list entries, decisions, reviews and request contexts.
//! The risk crate's types are mirrored here so that the journal's layout
//! is fixed by this file alone; fields keep their order and enums only
//! gain variants at their end (see the module above).

use serde::{Deserialize, Serialize};
use trigate_risk::{
    Decision, Fired, IdKind, LastRecharge, ListEntry, ListKind, Listed, Outcome, Point, RuleSpec,
    SavedRule, Signals, Thresholds, Value,
};

use crate::risk::{
    DecisionRow, Effect, RequestContext, Review, ReviewState, RiskSettings, Subject,
};
use crate::{AttemptId, OrderId, UserId, WithdrawalId};

/// Features the catalogue gained after format 7 was first written (the
/// identity graph's ring features, then the merchant features): a decision
/// recorded without one of them is rerun and compared without it.
pub const FEATURES_ADDED_LATER: &[&str] = &[
    "ring_linked",
    "ring_banned",
    "ring_flagged",
    "merchant_age_days",
    "merchant_new",
    "merchant_sales_cap",
    "merchant_sales_24h",
    "merchant_sales_ratio_pct",
    "merchant_orders_30d",
    "merchant_refunds_30d",
    "merchant_refund_rate_bp",
    "merchant_disputes_7d",
    "merchant_disputes_30d",
    "merchant_dispute_rate_bp",
    "user_refunds_7d",
    "referrer_linked",
    "ring_referees",
    "model_score",
    "ring_orders_30d",
    "ring_refund_rate_bp",
    "ring_dispute_rate_bp",
];

macro_rules! mirror {
    ($rec:ident, $ty:ty, [$($v:ident),* $(,)?]) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $rec { $($v),* }
        impl From<$ty> for $rec {
            fn from(v: $ty) -> Self {
                match v { $(<$ty>::$v => $rec::$v),* }
            }
        }
        impl From<$rec> for $ty {
            fn from(v: $rec) -> Self {
                match v { $($rec::$v => <$ty>::$v),* }
            }
        }
    };
}

mirror!(
    PointRec,
    Point,
    [
        Signup,
        SignIn,
        WalletPayment,
        ChannelPayment,
        Recharge,
        Withdrawal,
        MerchantOpening,
        Payout,
    ]
);
mirror!(OutcomeRec, Outcome, [Allow, Challenge, Hold, Block]);
mirror!(
    IdKindRec,
    IdKind,
    [User, Email, Ip, Device, Instrument, Destination, Merchant]
);
mirror!(ListKindRec, ListKind, [Allow, Block]);
mirror!(EffectRec, Effect, [Proceeded, Held, Refused, Failed]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskSettingsRec {
    pub enabled: bool,
    pub challenge: i32,
    pub hold: i32,
    pub block: i32,
    pub escalate_after_ns: u64,
}

impl From<&RiskSettings> for RiskSettingsRec {
    fn from(s: &RiskSettings) -> Self {
        Self {
            enabled: s.enabled,
            challenge: s.thresholds.challenge,
            hold: s.thresholds.hold,
            block: s.thresholds.block,
            escalate_after_ns: s.escalate_after_ns,
        }
    }
}

impl From<RiskSettingsRec> for RiskSettings {
    fn from(r: RiskSettingsRec) -> Self {
        Self {
            enabled: r.enabled,
            thresholds: Thresholds {
                challenge: r.challenge,
                hold: r.hold,
                block: r.block,
            },
            escalate_after_ns: r.escalate_after_ns,
            merchants: crate::risk::MerchantSettings::default(),
            model: crate::risk::ModelThresholds::default(),
        }
    }
}

/// What format 8 added to the risk settings: how new merchants are
/// watched, and where the trained model's score challenges or holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TuningRec {
    pub new_days: u32,
    pub daily_cap: u64,
    pub new_holding_days: u32,
    pub model_challenge: i64,
    pub model_hold: i64,
}

impl From<&RiskSettings> for TuningRec {
    fn from(s: &RiskSettings) -> Self {
        Self {
            new_days: s.merchants.new_days,
            daily_cap: s.merchants.daily_cap,
            new_holding_days: s.merchants.new_holding_days,
            model_challenge: s.model.challenge,
            model_hold: s.model.hold,
        }
    }
}

impl TuningRec {
    /// Sets what it records on `s`.
    pub fn onto(self, s: &mut RiskSettings) {
        s.merchants = crate::risk::MerchantSettings {
            new_days: self.new_days,
            daily_cap: self.daily_cap,
            new_holding_days: self.new_holding_days,
        };
        s.model = crate::risk::ModelThresholds {
            challenge: self.model_challenge,
            hold: self.model_hold,
        };
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRec {
    pub name: String,
    pub expr: String,
    pub outcome: OutcomeRec,
    pub weight: i32,
    pub points: Vec<PointRec>,
    pub shadow: bool,
    pub enabled: bool,
    pub reason: String,
    pub note: String,
    pub version: u32,
    pub at: u64,
    pub by: u64,
}

impl From<&SavedRule> for RuleRec {
    fn from(r: &SavedRule) -> Self {
        let s = &r.spec;
        Self {
            name: s.name.clone(),
            expr: s.expr.clone(),
            outcome: s.outcome.into(),
            weight: s.weight,
            points: s.points.iter().map(|p| (*p).into()).collect(),
            shadow: s.shadow,
            enabled: s.enabled,
            reason: s.reason.clone(),
            note: s.note.clone(),
            version: r.version,
            at: r.at,
            by: r.by,
        }
    }
}

impl From<RuleRec> for SavedRule {
    fn from(r: RuleRec) -> Self {
        SavedRule {
            spec: RuleSpec {
                name: r.name,
                expr: r.expr,
                outcome: r.outcome.into(),
                weight: r.weight,
                points: r.points.into_iter().map(Into::into).collect(),
                shadow: r.shadow,
                enabled: r.enabled,
                reason: r.reason,
                note: r.note,
            },
            version: r.version,
            at: r.at,
            by: r.by,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntryRec {
    pub list: ListKindRec,
    pub kind: IdKindRec,
    pub value: String,
    pub reason: String,
    pub expires: Option<u64>,
    pub by: u64,
    pub at: u64,
}

impl From<&ListEntry> for ListEntryRec {
    fn from(e: &ListEntry) -> Self {
        Self {
            list: e.list.into(),
            kind: e.kind.into(),
            value: e.value.clone(),
            reason: e.reason.clone(),
            expires: e.expires,
            by: e.by,
            at: e.at,
        }
    }
}

impl From<ListEntryRec> for ListEntry {
    fn from(e: ListEntryRec) -> Self {
        ListEntry {
            list: e.list.into(),
            kind: e.kind.into(),
            value: e.value,
            reason: e.reason,
            expires: e.expires,
            by: e.by,
            at: e.at,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubjectRec {
    Order(u64),
    Withdrawal(u64),
    Attempt(u64),
    User(u64),
    Merchant(u64),
}

impl From<Subject> for SubjectRec {
    fn from(s: Subject) -> Self {
        match s {
            Subject::Order(id) => Self::Order(id.0),
            Subject::Withdrawal(id) => Self::Withdrawal(id.0),
            Subject::Attempt(id) => Self::Attempt(id.0),
            Subject::User(id) => Self::User(id.0),
            Subject::Merchant(id) => Self::Merchant(id.0),
        }
    }
}

impl From<SubjectRec> for Subject {
    fn from(s: SubjectRec) -> Self {
        match s {
            SubjectRec::Order(id) => Self::Order(OrderId(id)),
            SubjectRec::Withdrawal(id) => Self::Withdrawal(WithdrawalId(id)),
            SubjectRec::Attempt(id) => Self::Attempt(AttemptId(id)),
            SubjectRec::User(id) => Self::User(UserId(id)),
            SubjectRec::Merchant(id) => Self::Merchant(crate::MerchantId(id)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeatureRec {
    Int(i64),
    Bool(bool),
    Str(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiredRec {
    pub rule: String,
    pub version: u32,
    pub outcome: OutcomeRec,
    pub weight: i32,
    pub reason: String,
}

impl From<&Fired> for FiredRec {
    fn from(f: &Fired) -> Self {
        Self {
            rule: f.rule.clone(),
            version: f.version,
            outcome: f.outcome.into(),
            weight: f.weight,
            reason: f.reason.clone(),
        }
    }
}

impl From<FiredRec> for Fired {
    fn from(f: FiredRec) -> Self {
        Fired {
            rule: f.rule,
            version: f.version,
            outcome: f.outcome.into(),
            weight: f.weight,
            reason: f.reason,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignalsRec {
    pub point: Option<PointRec>,
    pub user: Option<u64>,
    pub email: String,
    pub ip: String,
    pub ip_country: String,
    pub device: String,
    pub instrument: String,
    pub instrument_country: String,
    pub destination: String,
    pub merchant: Option<u64>,
    pub amount: u64,
    pub currency: String,
    pub account_created: Option<u64>,
    /// When, how much, spent since.
    pub last_recharge: Option<(u64, u64, u64)>,
    pub failed: bool,
}

impl From<&Signals> for SignalsRec {
    fn from(s: &Signals) -> Self {
        Self {
            point: s.point.map(Into::into),
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
            account_created: s.account_created,
            last_recharge: s.last_recharge.map(|r| (r.at, r.amount, r.spent)),
            failed: s.failed,
        }
    }
}

impl From<SignalsRec> for Signals {
    fn from(s: SignalsRec) -> Self {
        Signals {
            point: s.point.map(Into::into),
            user: s.user,
            email: s.email,
            ip: s.ip,
            ip_country: s.ip_country,
            device: s.device,
            instrument: s.instrument,
            instrument_country: s.instrument_country,
            destination: s.destination,
            merchant: s.merchant,
            amount: s.amount,
            currency: s.currency,
            account_created: s.account_created,
            last_recharge: s.last_recharge.map(|(at, amount, spent)| LastRecharge {
                at,
                amount,
                spent,
            }),
            failed: s.failed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedRec {
    pub list: ListKindRec,
    pub kind: IdKindRec,
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRec {
    pub id: u64,
    pub at: u64,
    pub subject: Option<SubjectRec>,
    pub challenge_passed: bool,
    pub effect: EffectRec,
    pub point: PointRec,
    pub outcome: OutcomeRec,
    pub score: i32,
    pub reason: String,
    pub fired: Vec<FiredRec>,
    pub shadow: Vec<FiredRec>,
    pub errors: Vec<(String, String)>,
    pub listed: Option<ListedRec>,
    pub features: Vec<(String, FeatureRec)>,
    pub signals: SignalsRec,
}

impl From<&DecisionRow> for DecisionRec {
    fn from(r: &DecisionRow) -> Self {
        let d = &r.decision;
        Self {
            id: r.id,
            at: r.at,
            subject: r.subject.map(Into::into),
            challenge_passed: r.challenge_passed,
            effect: r.effect.into(),
            point: d.point.into(),
            outcome: d.outcome.into(),
            score: d.score,
            reason: d.reason.clone(),
            fired: d.fired.iter().map(Into::into).collect(),
            shadow: d.shadow.iter().map(Into::into).collect(),
            errors: d.errors.clone(),
            listed: d.listed.as_ref().map(|l| ListedRec {
                list: l.list.into(),
                kind: l.kind.into(),
                value: l.value.clone(),
                reason: l.reason.clone(),
            }),
            features: d
                .features
                .iter()
                .map(|(n, v)| {
                    let v = match v {
                        Value::Int(i) => FeatureRec::Int(*i),
                        Value::Bool(b) => FeatureRec::Bool(*b),
                        Value::Str(s) => FeatureRec::Str(s.clone()),
                    };
                    (n.to_string(), v)
                })
                .collect(),
            signals: (&d.signals).into(),
        }
    }
}

impl From<DecisionRec> for DecisionRow {
    fn from(r: DecisionRec) -> Self {
        DecisionRow {
            id: r.id,
            at: r.at,
            subject: r.subject.map(Into::into),
            challenge_passed: r.challenge_passed,
            effect: r.effect.into(),
            decision: Decision {
                point: r.point.into(),
                outcome: r.outcome.into(),
                score: r.score,
                reason: r.reason,
                fired: r.fired.into_iter().map(Into::into).collect(),
                shadow: r.shadow.into_iter().map(Into::into).collect(),
                errors: r.errors,
                listed: r.listed.map(|l| Listed {
                    list: l.list.into(),
                    kind: l.kind.into(),
                    value: l.value,
                    reason: l.reason,
                }),
                features: r
                    .features
                    .into_iter()
                    .map(|(n, v)| {
                        let v = match v {
                            FeatureRec::Int(i) => Value::Int(i),
                            FeatureRec::Bool(b) => Value::Bool(b),
                            FeatureRec::Str(s) => Value::Str(s),
                        };
                        (n.into(), v)
                    })
                    .collect(),
                signals: r.signals.into(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewStateRec {
    Open,
    Approved { by: u64, at: u64, note: String },
    Declined { by: u64, at: u64, note: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRec {
    pub id: u64,
    pub decision: u64,
    pub subject: SubjectRec,
    pub opened_at: u64,
    pub reason: String,
    pub claimed: Option<(u64, u64)>,
    pub escalated_at: Option<u64>,
    pub state: ReviewStateRec,
}

impl From<&Review> for ReviewRec {
    fn from(r: &Review) -> Self {
        Self {
            id: r.id,
            decision: r.decision,
            subject: r.subject.into(),
            opened_at: r.opened_at,
            reason: r.reason.clone(),
            claimed: r.claimed.map(|(u, at)| (u.0, at)),
            escalated_at: r.escalated_at,
            state: match &r.state {
                ReviewState::Open => ReviewStateRec::Open,
                ReviewState::Approved { by, at, note } => ReviewStateRec::Approved {
                    by: by.0,
                    at: *at,
                    note: note.clone(),
                },
                ReviewState::Declined { by, at, note } => ReviewStateRec::Declined {
                    by: by.0,
                    at: *at,
                    note: note.clone(),
                },
            },
        }
    }
}

impl From<ReviewRec> for Review {
    fn from(r: ReviewRec) -> Self {
        Review {
            id: r.id,
            decision: r.decision,
            subject: r.subject.into(),
            opened_at: r.opened_at,
            reason: r.reason,
            claimed: r.claimed.map(|(u, at)| (UserId(u), at)),
            escalated_at: r.escalated_at,
            state: match r.state {
                ReviewStateRec::Open => ReviewState::Open,
                ReviewStateRec::Approved { by, at, note } => ReviewState::Approved {
                    by: UserId(by),
                    at,
                    note,
                },
                ReviewStateRec::Declined { by, at, note } => ReviewState::Declined {
                    by: UserId(by),
                    at,
                    note,
                },
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextRec {
    pub ip: String,
    pub ip_country: String,
    pub device: String,
}

impl From<&RequestContext> for ContextRec {
    fn from(c: &RequestContext) -> Self {
        Self {
            ip: c.ip.clone(),
            ip_country: c.ip_country.clone(),
            device: c.device.clone(),
        }
    }
}

impl From<ContextRec> for RequestContext {
    fn from(c: ContextRec) -> Self {
        RequestContext {
            ip: c.ip,
            ip_country: c.ip_country,
            device: c.device,
            ..RequestContext::default()
        }
    }
}
