//! Gate three in the shop: the risk engine's state beside the shop's,
//! consulted by the writer at each decision point before money moves, so a
//! decision and the command it guards are one journal entry and replay
//! never decides again. The engine itself (features, windows, lists, CEL
//! rules) is the pure `trigate-risk` crate; this module holds what the shop
//! adds: its settings, the decisions as recorded, the holds and the review
//! queue, and each request's context.

mod cases;
mod desk;
mod gate;
mod kept;
mod merchant_watch;
mod points;
mod recharge;
mod review;
mod rings;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
pub use trigate_risk::{
    Decision, IdKind, ListEntry, ListKind, MerchantSettings, ModelThresholds, Outcome, Point,
    RuleSpec, SavedRule, Thresholds, later_rules,
};

use crate::facts::Fact;
use crate::{AttemptId, MerchantId, OrderId, UserId, WithdrawalId};

pub use cases::{Case, CaseMember, LINKED_TO_BANNED, MemberState};
pub use desk::{CaseView, Explained, NewListEntry, RISK_PAGE_MAX, ReviewLine, RiskQuery, RiskView};
pub(crate) use gate::Ask;
pub use gate::Verdict;
pub use kept::DECISIONS_KEPT;
pub use recharge::HELD_TOP_UP;
pub use review::{Review, ReviewState};

/// How the shop runs its risk checks (the config's `[risk]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskSettings {
    /// Off: no decision is taken anywhere (every request goes on).
    pub enabled: bool,
    pub thresholds: Thresholds,
    /// A hold waiting longer than this is escalated (nanoseconds).
    pub escalate_after_ns: u64,
    /// How new merchants are watched (journaled apart, format 8 on; off
    /// unless set).
    #[serde(default)]
    pub merchants: MerchantSettings,
    /// Where the trained model's score challenges or holds (journaled with
    /// the merchants' settings; off unless set).
    #[serde(default)]
    pub model: ModelThresholds,
}

impl Default for RiskSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            thresholds: Thresholds::default(),
            escalate_after_ns: 24 * 3_600 * crate::time::NANOS_PER_SECOND,
            merchants: MerchantSettings::default(),
            model: ModelThresholds::default(),
        }
    }
}

/// What a request tells about itself that the shop cannot know: where it
/// came from, on what device, whether its second factor was checked at the
/// edge — and, for a channel's notification, what the channel reports of
/// the payer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestContext {
    pub ip: String,
    pub ip_country: String,
    pub device: String,
    /// The request carried a one-time code the edge verified.
    pub second_factor: bool,
    /// A fingerprint of the card or account that paid.
    pub instrument: String,
    /// Its country, two letters.
    pub instrument_country: String,
}

impl RequestContext {
    /// Whether it says where the request came from.
    pub fn is_empty(&self) -> bool {
        self.ip.is_empty() && self.ip_country.is_empty() && self.device.is_empty()
    }
}

/// What a decision or a hold is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Subject {
    Order(OrderId),
    Withdrawal(WithdrawalId),
    Attempt(AttemptId),
    User(UserId),
    Merchant(MerchantId),
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Order(id) => write!(f, "order {id}"),
            Subject::Withdrawal(id) => write!(f, "withdrawal {id}"),
            Subject::Attempt(id) => write!(f, "payment attempt {id}"),
            Subject::User(id) => write!(f, "user {id}"),
            Subject::Merchant(id) => write!(f, "merchant {id}"),
        }
    }
}

/// What the shop did with a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// The request went on (allowed, or its challenge was answered).
    Proceeded,
    /// Taken in, held for review.
    Held,
    /// Refused: blocked, or a one-time code is needed first.
    Refused,
    /// Not a request decided on: a payment that failed upstream, counted in
    /// its payer's windows.
    Failed,
}

/// One decision as the shop recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRow {
    /// 1 for the shop's first decision.
    pub id: u64,
    /// Nanoseconds.
    pub at: u64,
    pub subject: Option<Subject>,
    /// The actor answered a challenge with a one-time code.
    pub challenge_passed: bool,
    pub effect: Effect,
    pub decision: Decision,
}

/// The risk engine's state in the shop.
#[derive(Debug, Default)]
pub(crate) struct RiskBook {
    pub(crate) engine: trigate_risk::Risk,
    pub(crate) settings: RiskSettings,
    /// The settings are in the journal (format 7 on).
    pub(crate) recorded: bool,
    pub(crate) decisions: kept::Decisions,
    pub(crate) reviews: Vec<Review>,
    /// The open review of each held subject.
    pub(crate) holds: HashMap<Subject, u64>,
    /// The request context an order or a payment attempt was made with, for
    /// the decision its payment takes later.
    pub(crate) contexts: HashMap<Subject, RequestContext>,
    /// Each user's last top-up and what was spent since.
    pub(crate) recharges: HashMap<UserId, trigate_risk::LastRecharge>,
    /// Ring cases, the first at index 0.
    pub(crate) cases: Vec<cases::Case>,
    /// Accounts a hold of which an analyst declined.
    pub(crate) declined: std::collections::HashSet<UserId>,
    /// The context of the request being applied (set by
    /// `Command::WithContext` for its command only).
    pub(crate) request: Option<RequestContext>,
    /// What the command being applied decided, for its journal entry.
    pub(crate) pending: Vec<Fact>,
}

impl RiskBook {
    /// Applies a decision as recorded: its windows, the user's top-up
    /// tracking, the list of decisions. The same live and in replay.
    pub(crate) fn note(&mut self, row: DecisionRow) {
        let d = &row.decision;
        self.engine.record(row.at, d);
        // The context an order or attempt was made with is used by its
        // payment's decision, and then no more.
        if let Some(subject) = row.subject {
            self.contexts.remove(&subject);
        }
        if row.effect == Effect::Proceeded
            && !d.signals.failed
            && let Some(user) = d.signals.user.map(UserId)
        {
            match d.point {
                Point::Recharge => {
                    self.recharges.insert(
                        user,
                        trigate_risk::LastRecharge {
                            at: row.at,
                            amount: d.signals.amount,
                            spent: 0,
                        },
                    );
                }
                Point::WalletPayment => {
                    if let Some(r) = self.recharges.get_mut(&user) {
                        r.spent = r.spent.saturating_add(d.signals.amount);
                    }
                }
                _ => {}
            }
        }
        self.decisions.push(row);
    }

    pub(crate) fn put_review(&mut self, review: Review) {
        if review.is_open() {
            self.holds.insert(review.subject, review.id);
        } else if self.holds.get(&review.subject) == Some(&review.id) {
            self.holds.remove(&review.subject);
        }
        let at = usize::try_from(review.id.saturating_sub(1)).unwrap_or(usize::MAX);
        if at < self.reviews.len() {
            self.reviews[at] = review;
        } else {
            self.reviews.push(review);
        }
    }

    /// Names the subject of the decision just taken at `now` without one
    /// (a checkout decides before its order exists).
    pub(crate) fn name_subject(&mut self, now: u64, subject: Subject) {
        if let Some(row) = self.decisions.last_mut()
            && row.at == now
            && row.subject.is_none()
        {
            row.subject = Some(subject);
        }
    }

    pub(crate) fn emit(&mut self, fact: Fact) {
        self.pending.push(fact);
    }
}
