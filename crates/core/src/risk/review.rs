//! The review queue: what a decision held waits here until an analyst
//! approves it (it proceeds: the order is delivered, the withdrawal goes on
//! to finance) or declines it (the money goes back where it came from:
//! through the channel for a channel payment, to the wallet for a wallet
//! payment; a withdrawal's reservation ends). Holds waiting too long are
//! escalated at the scheduler's tick. Every step is journaled and audited.

use serde::{Deserialize, Serialize};

use super::{Effect, Subject};
use crate::orders::{OrderStatus, PaidBy};
use crate::refunds::RefundTo;
use crate::users::AdminRole;
use crate::{MerchantStatus, Role, Shop, ShopError, UserId, WithdrawalStatus};

/// Where a review stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum ReviewState {
    Open,
    Approved { by: UserId, at: u64, note: String },
    Declined { by: UserId, at: u64, note: String },
}

/// A hold waiting for an analyst, or decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// 1 for the shop's first.
    pub id: u64,
    /// The decision that held it.
    pub decision: u64,
    pub subject: Subject,
    pub opened_at: u64,
    /// The decision's reason code.
    pub reason: String,
    /// Who took it, and when.
    pub claimed: Option<(UserId, u64)>,
    /// When it had waited longer than the shop allows.
    pub escalated_at: Option<u64>,
    pub state: ReviewState,
}

impl Review {
    pub fn is_open(&self) -> bool {
        self.state == ReviewState::Open
    }

    pub fn status(&self) -> &'static str {
        match self.state {
            ReviewState::Open if self.escalated_at.is_some() => "escalated",
            ReviewState::Open if self.claimed.is_some() => "claimed",
            ReviewState::Open => "open",
            ReviewState::Approved { .. } => "approved",
            ReviewState::Declined { .. } => "declined",
        }
    }

    /// Nanoseconds in the queue: until it was decided, or until `now`.
    pub fn waited(&self, now: u64) -> u64 {
        let end = match &self.state {
            ReviewState::Open => now,
            ReviewState::Approved { at, .. } | ReviewState::Declined { at, .. } => *at,
        };
        end.saturating_sub(self.opened_at)
    }
}

const NOTE_MAX: usize = 500;

/// An analyst's note, trimmed: 1 to 500 characters, no control ones.
pub(crate) fn checked_note(note: &str) -> Result<String, ShopError> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > NOTE_MAX || note.chars().any(char::is_control) {
        return Err(ShopError::Invalid(format!(
            "a review's decision needs a note of 1 to {NOTE_MAX} characters"
        )));
    }
    Ok(note.to_string())
}

impl Shop {
    /// Analysts and admins work the queue and the rules.
    pub(crate) fn require_analyst(&self, actor: UserId) -> Result<(), ShopError> {
        match self.require_user(actor)?.role {
            Role::Staff(AdminRole::RiskAnalyst | AdminRole::Admin) => Ok(()),
            _ => Err(ShopError::Forbidden(actor)),
        }
    }

    /// Opens the review of what `decision` held.
    pub(crate) fn open_review(&mut self, now: u64, decision: u64, subject: Subject) -> u64 {
        let reason = match self.risk.decisions.get_mut(decision) {
            Some(row) => {
                row.subject = Some(subject);
                row.effect = Effect::Held;
                row.decision.reason.clone()
            }
            None => String::new(),
        };
        let id = self.risk.reviews.len() as u64 + 1;
        self.risk.put_review(Review {
            id,
            decision,
            subject,
            opened_at: now,
            reason: if reason.is_empty() {
                "risk".into()
            } else {
                reason
            },
            claimed: None,
            escalated_at: None,
            state: ReviewState::Open,
        });
        self.changes.reviews.insert(id);
        self.join_case(id, subject);
        id
    }

    /// Whether `subject` waits for a review.
    pub fn held(&self, subject: Subject) -> Option<u64> {
        self.risk.holds.get(&subject).copied()
    }

    /// Refuses to go on with a held subject.
    pub(crate) fn require_not_held(&self, subject: Subject) -> Result<(), ShopError> {
        match self.held(subject) {
            Some(_) => Err(ShopError::HeldForReview {
                what: subject.to_string(),
            }),
            None => Ok(()),
        }
    }

    fn open_review_mut(&mut self, id: u64) -> Result<&mut Review, ShopError> {
        let review = self
            .risk
            .reviews
            .get_mut(usize::try_from(id.wrapping_sub(1)).unwrap_or(usize::MAX))
            .ok_or(ShopError::ReviewNotFound(id))?;
        if !review.is_open() {
            return Err(ShopError::Invalid(format!(
                "review {id} is {} already",
                review.status()
            )));
        }
        Ok(review)
    }

    /// An analyst takes a review (or takes it over).
    pub fn claim_review(&mut self, now: u64, actor: UserId, id: u64) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_analyst(actor)?;
        let review = self.open_review_mut(id)?;
        review.claimed = Some((actor, now));
        self.changes.reviews.insert(id);
        self.audit(now, actor, || format!("claimed risk review {id}"));
        Ok(())
    }

    /// An analyst approves (the held subject proceeds) or declines (its
    /// money goes back) a review, with a note saying why.
    pub fn decide_review(
        &mut self,
        now: u64,
        actor: UserId,
        id: u64,
        approve: bool,
        note: &str,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_analyst(actor)?;
        let note = checked_note(note)?;
        self.settle_review(now, actor, id, approve, &note)
    }

    /// A review by id.
    pub fn review(&self, id: u64) -> Option<&Review> {
        self.risk
            .reviews
            .get(usize::try_from(id.wrapping_sub(1)).unwrap_or(usize::MAX))
    }

    /// Approves or declines an open review (the caller checked who and
    /// why).
    pub(crate) fn settle_review(
        &mut self,
        now: u64,
        actor: UserId,
        id: u64,
        approve: bool,
        note: &str,
    ) -> Result<(), ShopError> {
        let subject = self.open_review_mut(id)?.subject;
        // The hold ends first, so the subject's own flow may go on.
        self.risk.holds.remove(&subject);
        let done = if approve {
            self.proceed(now, subject)
        } else {
            self.send_back(now, actor, subject)
        };
        if let Err(e) = done {
            self.risk.holds.insert(subject, id);
            return Err(e);
        }
        let state = if approve {
            ReviewState::Approved {
                by: actor,
                at: now,
                note: note.to_string(),
            }
        } else {
            ReviewState::Declined {
                by: actor,
                at: now,
                note: note.to_string(),
            }
        };
        let review = self.open_review_mut(id)?;
        review.state = state;
        let review = review.clone();
        self.note_review(review);
        self.changes.reviews.insert(id);
        let verb = if approve { "approved" } else { "declined" };
        self.audit(now, actor, || {
            format!("{verb} risk review {id} ({subject}): {note}")
        });
        Ok(())
    }

    /// A held subject goes on as if it had been allowed.
    fn proceed(&mut self, now: u64, subject: Subject) -> Result<(), ShopError> {
        match subject {
            Subject::Order(order) => {
                self.require_order(order)?.expect(OrderStatus::Paid)?;
                self.deliver(now, order);
                Ok(())
            }
            Subject::Withdrawal(id) => self.release_withdrawal_hold(now, id),
            Subject::Merchant(m) => self.set_merchant_status(now, m, MerchantStatus::Active),
            Subject::Attempt(a) => self.release_top_up(now, a, true),
            Subject::User(_) => Ok(()),
        }
    }

    /// A held subject's money goes back where it came from.
    fn send_back(&mut self, now: u64, actor: UserId, subject: Subject) -> Result<(), ShopError> {
        match subject {
            Subject::Order(order) => {
                let o = self.require_order(order)?;
                o.expect(OrderStatus::Paid)?;
                let to = match o.paid_by {
                    Some(PaidBy::Channel(_)) => RefundTo::Channel,
                    _ => RefundTo::Wallet,
                };
                let amount = o.unrefunded();
                self.refund_as(now, actor, order, amount, to, false)?;
                let o = self.order_mut(order)?;
                let keys = std::mem::take(&mut o.keys);
                let product = o.product;
                self.release_keys(product, &keys);
                Ok(())
            }
            Subject::Withdrawal(id) => {
                // Held when asked: its reservation ends. Held at its payout:
                // the whole goes back to its source.
                match self.withdrawal(id).map(|w| w.status) {
                    Some(WithdrawalStatus::Approved) => self
                        .close_payout(now, id, false, "declined by a risk review")
                        .map(|_| ()),
                    _ => self.end_withdrawal(now, id),
                }
            }
            Subject::Merchant(m) => self.set_merchant_status(now, m, MerchantStatus::Banned),
            Subject::Attempt(a) => self.release_top_up(now, a, false),
            Subject::User(_) => Ok(()),
        }
    }

    /// Open reviews waiting longer than the shop allows are escalated.
    pub(crate) fn escalate_reviews(&mut self, now: u64) -> Vec<u64> {
        let after = self.risk.settings.escalate_after_ns;
        let due: Vec<u64> = self
            .risk
            .reviews
            .iter()
            .filter(|r| {
                r.is_open() && r.escalated_at.is_none() && now.saturating_sub(r.opened_at) >= after
            })
            .map(|r| r.id)
            .collect();
        for id in &due {
            if let Some(r) = self.risk.reviews.get_mut((*id - 1) as usize) {
                r.escalated_at = Some(now);
            }
            self.changes.reviews.insert(*id);
        }
        due
    }
}
