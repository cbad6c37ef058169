//! The features a rule may read: their names, types and meaning (the
//! documented catalogue, `docs/risk.md`), and their values for one request.
//! Velocity features count what happened *before* the request, in the
//! windows of the request's own family of points (payments with payments,
//! withdrawals with withdrawals, sign-ups with sign-ins).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::signals::IdKind;
use crate::velocity::Window;

/// A feature's name as a decision records it (the catalogue's own string
/// when decided, an owned one when read back).
pub type Name = std::borrow::Cow<'static, str>;

/// A feature's type, as CEL sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ty {
    Int,
    Bool,
    String,
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::Int => "int",
            Ty::Bool => "bool",
            Ty::String => "string",
        }
    }
}

/// A feature's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Int(i64),
    Bool(bool),
    Str(String),
}

impl Value {
    pub fn ty(&self) -> Ty {
        match self {
            Value::Int(_) => Ty::Int,
            Value::Bool(_) => Ty::Bool,
            Value::Str(_) => Ty::String,
        }
    }

    pub fn zero(ty: Ty) -> Value {
        match ty {
            Ty::Int => Value::Int(0),
            Ty::Bool => Value::Bool(false),
            Ty::String => Value::Str(String::new()),
        }
    }

    fn is_zero(&self) -> bool {
        matches!(self, Value::Int(0) | Value::Bool(false))
            || matches!(self, Value::Str(s) if s.is_empty())
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// One feature of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    pub name: String,
    pub ty: Ty,
    pub doc: String,
}

/// The features that are not velocity counts, in catalogue order.
pub(crate) const SCALARS: &[(&str, Ty, &str)] = &[
    (
        "point",
        Ty::String,
        "where the decision is taken: signup, signin, wallet_payment, channel_payment, recharge, withdrawal, merchant_opening, payout",
    ),
    (
        "amount",
        Ty::Int,
        "the amount at stake, in minor units (0 for sign-ups and sign-ins)",
    ),
    ("currency", Ty::String, "the amount's currency code"),
    (
        "has_account",
        Ty::Bool,
        "the actor is a signed-in user (false for guests and for a guest's order paid through a channel)",
    ),
    (
        "account_age_hours",
        Ty::Int,
        "hours since the actor's account was made (0 for guests)",
    ),
    (
        "email_domain",
        Ty::String,
        "the email's domain, lower case (\"\" when none)",
    ),
    (
        "email_disposable",
        Ty::Bool,
        "the email's domain is on the disposable-domain list shipped with trigate",
    ),
    (
        "ip",
        Ty::String,
        "the client's IP address (\"\" when unknown)",
    ),
    (
        "ip_country",
        Ty::String,
        "the IP's two-letter country, upper case (\"\" when unknown)",
    ),
    (
        "device",
        Ty::String,
        "the device id (\"\" when none was sent)",
    ),
    (
        "instrument_country",
        Ty::String,
        "the payer's instrument country as the channel reported it (\"\" when unknown)",
    ),
    (
        "country_mismatch",
        Ty::Bool,
        "both countries are known and the IP's differs from the instrument's",
    ),
    (
        "destination",
        Ty::String,
        "the withdrawal's destination account (\"\" elsewhere)",
    ),
    (
        "user_paid_count",
        Ty::Int,
        "payments and recharges of this user that went through, ever",
    ),
    (
        "user_paid_avg",
        Ty::Int,
        "their average amount, minor units (0 when none)",
    ),
    (
        "user_paid_max",
        Ty::Int,
        "their largest amount, minor units (0 when none)",
    ),
    (
        "amount_vs_avg_pct",
        Ty::Int,
        "amount as a percentage of the user's average (0 when the user has no history)",
    ),
    (
        "hours_since_recharge",
        Ty::Int,
        "hours since the user's last wallet top-up (-1 when none)",
    ),
    (
        "recharge_spent_pct",
        Ty::Int,
        "how much of that top-up was spent on orders since, in percent (100 when there was none)",
    ),
    (
        "device_accounts_7d",
        Ty::Int,
        "distinct accounts seen on this device in 7 days, this one included",
    ),
    (
        "ip_accounts_24h",
        Ty::Int,
        "distinct accounts seen from this IP in 24 hours, this one included",
    ),
    (
        "allow_listed",
        Ty::Bool,
        "one of the request's identifiers is on the allow list",
    ),
    (
        "block_listed",
        Ty::Bool,
        "one of the request's identifiers is on the block list",
    ),
    (
        "ring_linked",
        Ty::Int,
        "other accounts in the actor's ring: linked to it, directly or through others, by a shared device, payer instrument, withdrawal destination or email (one shared by more than 20 accounts links nothing; a link unseen for 90 days expires); 0 for guests",
    ),
    (
        "ring_banned",
        Ty::Int,
        "accounts of the actor's ring, the actor included, that are banned: owners of a banned merchant, users on the block list",
    ),
    (
        "ring_flagged",
        Ty::Int,
        "accounts of the actor's ring, the actor included, a hold of which an analyst declined",
    ),
    (
        "merchant_age_days",
        Ty::Int,
        "days since the merchant the request names opened (a sale's seller, a merchant's withdrawal or payout); 0 when it names none",
    ),
    (
        "merchant_new",
        Ty::Bool,
        "the merchant opened fewer than [risk] new_merchant_days ago",
    ),
    (
        "merchant_sales_cap",
        Ty::Int,
        "what a new merchant may sell in 24 hours ([risk] new_merchant_daily_cap), minor units; 0 for one not new (no cap)",
    ),
    (
        "merchant_sales_24h",
        Ty::Int,
        "the merchant's paid sales of the last 24 hours, minor units (this request not included)",
    ),
    (
        "merchant_sales_ratio_pct",
        Ty::Int,
        "the merchant's sales of the last 24 hours as a percent of its daily average over the 29 days before (0 with no history): a spike against its own history",
    ),
    (
        "merchant_orders_30d",
        Ty::Int,
        "the merchant's paid orders of the last 30 days",
    ),
    (
        "merchant_refunds_30d",
        Ty::Int,
        "refunds of the merchant's orders in the last 30 days",
    ),
    (
        "merchant_refund_rate_bp",
        Ty::Int,
        "refunds per paid order over 30 days, in basis points (10000 = one each)",
    ),
    (
        "merchant_disputes_7d",
        Ty::Int,
        "disputes (complaints) opened on the merchant's orders in the last 7 days",
    ),
    (
        "merchant_disputes_30d",
        Ty::Int,
        "disputes opened on the merchant's orders in the last 30 days",
    ),
    (
        "merchant_dispute_rate_bp",
        Ty::Int,
        "disputes per paid order over 30 days, in basis points",
    ),
    (
        "user_refunds_7d",
        Ty::Int,
        "refunds of the actor's orders in the last 7 days (purchase-and-refund loops)",
    ),
    (
        "referrer_linked",
        Ty::Bool,
        "the actor's referrer is in its ring: its own other account, or one sharing a device, instrument, destination or email",
    ),
    (
        "ring_referees",
        Ty::Int,
        "accounts of the actor's ring that signed up with the actor's referral code (a referral farm)",
    ),
    (
        "model_score",
        Ty::Int,
        "the trained model's score in points (a hundredth of the log-odds that the request is fraud), when the model is on ([risk] model_challenge or model_hold); 0 when off",
    ),
    (
        "ring_orders_30d",
        Ty::Int,
        "paid orders of the actor's ring (the actor included) in 30 days, as buyers",
    ),
    (
        "ring_refund_rate_bp",
        Ty::Int,
        "refunds of those orders per paid order, in basis points",
    ),
    (
        "ring_dispute_rate_bp",
        Ty::Int,
        "disputes the ring's accounts opened per paid order, in basis points",
    ),
];

/// Features that are a signal as it is (or the email's domain): a
/// decision records the signals, so not these again.
const FROM_SIGNALS: &[&str] = &[
    "point",
    "amount",
    "currency",
    "has_account",
    "email_domain",
    "ip",
    "ip_country",
    "device",
    "instrument_country",
    "destination",
];

/// What velocity counts per identifier and window.
const MEASURES: [(&str, &str); 3] = [
    ("count", "requests that went through"),
    ("sum", "their amounts, minor units"),
    ("fail", "failed or blocked requests"),
];

/// The whole catalogue, in order: the scalars, then for each identifier
/// kind, measure and window `<kind>_<measure>_<window>` (e.g.
/// `device_fail_10m`).
pub fn catalogue() -> &'static [Feature] {
    static CATALOGUE: OnceLock<Vec<Feature>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut out: Vec<Feature> = SCALARS
            .iter()
            .map(|(name, ty, doc)| Feature {
                name: (*name).to_string(),
                ty: *ty,
                doc: (*doc).to_string(),
            })
            .collect();
        for kind in IdKind::ALL {
            for (measure, doc) in MEASURES {
                for w in Window::ALL {
                    out.push(Feature {
                        name: format!("{}_{measure}_{}", kind.name(), w.name()),
                        ty: Ty::Int,
                        doc: format!(
                            "{doc} with this {} in the last {}, same family of points",
                            kind.name(),
                            w.name()
                        ),
                    });
                }
            }
        }
        out
    })
}

/// A feature's position in the catalogue.
pub fn index_of(name: &str) -> Option<usize> {
    static INDEX: OnceLock<rustc_hash::FxHashMap<&'static str, usize>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            catalogue()
                .iter()
                .enumerate()
                .map(|(i, f)| (f.name.as_str(), i))
                .collect()
        })
        .get(name)
        .copied()
}

/// Where velocity features start, and the position of one.
pub(crate) fn velocity_index(kind: IdKind, measure: usize, window: usize) -> usize {
    let k = IdKind::ALL.iter().position(|x| *x == kind).unwrap_or(0);
    SCALARS.len() + (k * MEASURES.len() + measure) * Window::ALL.len() + window
}

/// One request's features, in catalogue order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Features(pub Vec<Value>);

impl Features {
    pub fn get(&self, name: &str) -> Option<&Value> {
        index_of(name).and_then(|i| self.0.get(i))
    }

    /// The features that are not zero, false or empty, by name: what a
    /// decision records (the rest are zero by definition).
    /// Those read straight off the signals (which a decision records
    /// beside them) are left out: [`crate::Risk::recorded_features`] puts
    /// them back.
    pub fn sparse(&self) -> Vec<(Name, Value)> {
        catalogue()
            .iter()
            .zip(&self.0)
            .filter(|(f, v)| !v.is_zero() && !FROM_SIGNALS.contains(&f.name.as_str()))
            .map(|(f, v)| (Name::Borrowed(f.name.as_str()), v.clone()))
            .collect()
    }

    /// Features back from what a decision recorded; names this release no
    /// longer knows are ignored and new ones read as zero.
    pub fn from_sparse(recorded: &[(Name, Value)]) -> Features {
        let mut values: Vec<Value> = catalogue().iter().map(|f| Value::zero(f.ty)).collect();
        for (name, value) in recorded {
            if let Some(i) = index_of(name)
                && catalogue()[i].ty == value.ty()
            {
                values[i] = value.clone();
            }
        }
        Features(values)
    }
}
