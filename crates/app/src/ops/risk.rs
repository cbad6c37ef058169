//! The risk desk's operations: reads of rules, lists, decisions, the queue
//! and backtests; rules saved, identifiers listed, reviews claimed and
//! decided.

use trigate_core::Command;
use trigate_core::query::Query;
use trigate_core::risk::{IdKind, NewListEntry, RiskQuery, RiskView, RuleSpec};

use crate::{Caller, Change, Read};

/// A read of the risk desk (analysts, admins, auditors).
#[derive(Debug, Clone)]
pub struct RiskDesk(pub RiskQuery);
read!(RiskDesk -> Box<RiskView>, |self, caller| Query::Risk {
    actor: caller.0,
    ask: self.0,
});

/// Saves a rule: its next version, in force from the next decision.
#[derive(Debug, Clone)]
pub struct SaveRiskRule {
    pub spec: RuleSpec,
}
change!(logged SaveRiskRule -> u32, |self, caller| Command::SaveRiskRule {
    actor: caller.0,
    spec: self.spec,
});

/// Puts an identifier on the allow or block list.
#[derive(Debug, Clone)]
pub struct ListRisk {
    pub entry: NewListEntry,
}
change!(logged ListRisk -> (), |self, caller| Command::ListRisk {
    actor: caller.0,
    entry: self.entry,
});

/// Takes an identifier off its list.
#[derive(Debug, Clone)]
pub struct UnlistRisk {
    pub kind: IdKind,
    pub value: String,
}
change!(logged UnlistRisk -> (), |self, caller| Command::UnlistRisk {
    actor: caller.0,
    kind: self.kind,
    value: self.value,
});

/// Takes a review.
#[derive(Debug, Clone)]
pub struct ClaimReview {
    pub review: u64,
}
change!(logged ClaimReview -> (), |self, caller| Command::ClaimReview {
    actor: caller.0,
    review: self.review,
});

/// Approves or declines a held subject, with a note.
#[derive(Debug, Clone)]
pub struct DecideReview {
    pub review: u64,
    pub approve: bool,
    pub note: String,
}
change!(logged DecideReview -> (), |self, caller| Command::DecideReview {
    actor: caller.0,
    review: self.review,
    approve: self.approve,
    note: self.note,
});

/// Releases or bans one account of a ring case, with a note.
#[derive(Debug, Clone)]
pub struct DecideCaseMember {
    pub case: u64,
    pub member: trigate_core::UserId,
    pub ban: bool,
    pub note: String,
}
change!(logged DecideCaseMember -> (), |self, caller| Command::DecideCaseMember {
    actor: caller.0,
    case: self.case,
    member: self.member,
    ban: self.ban,
    note: self.note,
});
