//! A transparent score over the numeric features: a logistic model whose
//! weights `trigate risk train` learns from the generator's labelled
//! traffic with a fixed seed (`model/weights.json`, kept in the repo). It
//! decides in integers — each feature's input is its value on a log-2
//! scale (a flag is 0 or 1), each weight is in points (a hundredth of the
//! log-odds) — so a decision reruns the same on every machine, and the
//! score is explained as each feature's contribution.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::catalogue::{Features, Value, index_of};

/// One feature's weight, in points per unit of its input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weight {
    pub feature: String,
    pub weight: i64,
}

/// The model as its file holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    pub version: u32,
    /// How it was made (the command, the seed, the traffic's size).
    pub trained: String,
    /// Points before any feature.
    pub bias: i64,
    pub weights: Vec<Weight>,
    /// Scores from which the trainer suggests a challenge and a hold (the
    /// config's `[risk] model_challenge` and `model_hold` unless set).
    pub suggested_challenge: i64,
    pub suggested_hold: i64,
}

/// Where the model scores and acts: the points where money moves, which it
/// was trained on (sign-ups, sign-ins and merchant openings are the rules'
/// alone).
pub const SCORED_POINTS: &[crate::Point] = &[
    crate::Point::WalletPayment,
    crate::Point::ChannelPayment,
    crate::Point::Recharge,
    crate::Point::Withdrawal,
    crate::Point::Payout,
];

/// The features a model may weigh: the numeric ones by name, and the
/// decision point as one flag per point (`point=recharge`).
pub const MODEL_FEATURES: &[&str] = &[
    "point=wallet_payment",
    "point=channel_payment",
    "point=recharge",
    "point=withdrawal",
    "amount",
    "account_age_hours",
    "email_disposable",
    "country_mismatch",
    "user_paid_count",
    "amount_vs_avg_pct",
    "hours_since_recharge",
    "recharge_spent_pct",
    "device_accounts_7d",
    "ip_accounts_24h",
    "ring_linked",
    "ring_banned",
    "ring_flagged",
    "user_refunds_7d",
    "referrer_linked",
    "ring_referees",
    "device_count_24h",
    "device_fail_10m",
    "ip_count_1h",
    "ip_fail_10m",
    "instrument_fail_24h",
    "user_count_24h",
    "email_count_7d",
];

/// The input a model feature takes from a request's features.
pub fn input_of(f: &Features, feature: &str) -> i64 {
    match feature.split_once('=') {
        Some((name, wanted)) => {
            i64::from(matches!(f.get(name), Some(Value::Str(s)) if s == wanted))
        }
        None => f.get(feature).map_or(0, input),
    }
}

/// A feature's input to the model: a flag as 0 or 1, a count or amount on
/// a log-2 scale (the bits it needs: 0 for 0, 1 for 1, 11 for 1,500), a
/// negative one (no recharge yet) as 0.
pub fn input(v: &Value) -> i64 {
    match v {
        Value::Bool(b) => i64::from(*b),
        Value::Int(i) if *i > 0 => i64::from(64 - (*i as u64).leading_zeros()),
        _ => 0,
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("the model file does not read: {0}")]
    Read(String),
    #[error("the model weighs {0:?}, which is not a numeric feature of the catalogue")]
    Unknown(String),
}

impl Model {
    /// Reads a model file, each feature checked against the catalogue.
    pub fn read(text: &str) -> Result<Model, ModelError> {
        let m: Model = serde_json::from_str(text).map_err(|e| ModelError::Read(e.to_string()))?;
        for w in &m.weights {
            let name = w.feature.split('=').next().unwrap_or_default();
            if !MODEL_FEATURES.contains(&w.feature.as_str()) || index_of(name).is_none() {
                return Err(ModelError::Unknown(w.feature.clone()));
            }
        }
        Ok(m)
    }

    /// Each weighed feature's contribution in points, largest first (by
    /// size), leaving out those that add nothing.
    pub fn contributions(&self, f: &Features) -> Vec<(String, i64)> {
        let mut out: Vec<(String, i64)> = self
            .weights
            .iter()
            .map(|w| {
                let x = input_of(f, &w.feature);
                (w.feature.clone(), w.weight.saturating_mul(x))
            })
            .filter(|(_, c)| *c != 0)
            .collect();
        out.sort_by(|a, b| b.1.abs().cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// The score in points: the bias and every contribution.
    pub fn score(&self, f: &Features) -> i64 {
        self.weights.iter().fold(self.bias, |s, w| {
            let x = input_of(f, &w.feature);
            s.saturating_add(w.weight.saturating_mul(x))
        })
    }
}

/// The model kept in the repo (`crates/risk/model/weights.json`).
pub fn default_model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        Model::read(include_str!("../model/weights.json"))
            .unwrap_or_else(|e| panic!("the model in the repo: {e}"))
    })
}

/// Where the model's score challenges or holds (0: the model does not act).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelThresholds {
    pub challenge: i64,
    pub hold: i64,
}

impl ModelThresholds {
    pub fn is_on(self) -> bool {
        self.challenge > 0 || self.hold > 0
    }

    /// The repo model's suggestions.
    pub fn suggested() -> ModelThresholds {
        let m = default_model();
        ModelThresholds {
            challenge: m.suggested_challenge,
            hold: m.suggested_hold,
        }
    }
}
