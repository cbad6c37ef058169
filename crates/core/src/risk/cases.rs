//! Ring cases: when a merchant is banned or a user is put on the block
//! list, every account linked to it in the identity graph (a shared
//! device, payer instrument, withdrawal destination or email) has its open
//! withdrawals and payouts held — not refused — together, as one case in
//! the queue, with the identifiers that link them as evidence. An analyst
//! then releases or bans the ring member by member: releasing approves the
//! member's holds (they go on to finance), banning declines them (each
//! reservation ends, a payout's money goes back to its source: nothing is
//! taken) and puts the account on the block list, its merchant banned.
//! A hold opened later for an account of an open case joins the case.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use trigate_risk::{IdKind, Link, ListEntry, ListKind, Lists};

use super::Subject;
use super::review::{Review, ReviewState};
use crate::{MerchantStatus, Shop, ShopError, UserId, WithdrawalStatus};

/// Accounts of a ring a case takes in at most.
const CASE_MEMBERS: usize = 200;

/// Why a case was opened.
pub const LINKED_TO_BANNED: &str = "linked_to_banned";

/// Where one account of a case stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum MemberState {
    Open,
    Released { by: UserId, at: u64, note: String },
    Banned { by: UserId, at: u64, note: String },
}

impl MemberState {
    pub fn name(&self) -> &'static str {
        match self {
            MemberState::Open => "open",
            MemberState::Released { .. } => "released",
            MemberState::Banned { .. } => "banned",
        }
    }
}

/// One account of a ring case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseMember {
    pub account: UserId,
    /// What links it to other accounts when the case was opened.
    pub links: Vec<Link>,
    /// The holds of its withdrawals and payouts in this case.
    pub reviews: Vec<u64>,
    pub state: MemberState,
}

/// The accounts linked to a banned one, held together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// 1 for the shop's first.
    pub id: u64,
    pub opened_at: u64,
    /// The banned account the ring is linked to.
    pub banned: UserId,
    /// What happened to it: `merchant_banned` or `user_blocked`.
    pub cause: String,
    pub members: Vec<CaseMember>,
}

impl Case {
    /// Open while any member waits for an analyst.
    pub fn is_open(&self) -> bool {
        self.members.iter().any(|m| m.state == MemberState::Open)
    }

    pub fn status(&self) -> &'static str {
        if self.is_open() { "open" } else { "closed" }
    }

    fn member_mut(&mut self, account: UserId) -> Option<&mut CaseMember> {
        self.members.iter_mut().find(|m| m.account == account)
    }
}

impl Shop {
    pub fn risk_case(&self, id: u64) -> Option<&Case> {
        self.risk
            .cases
            .get(usize::try_from(id.wrapping_sub(1)).unwrap_or(usize::MAX))
    }

    /// The ring case a review is held in, if any.
    pub(crate) fn case_of_review(&self, review: u64) -> Option<u64> {
        self.risk
            .cases
            .iter()
            .rev()
            .find(|c| c.members.iter().any(|m| m.reviews.contains(&review)))
            .map(|c| c.id)
    }

    /// The open case `account` waits in, if any.
    fn open_case_of(&self, account: UserId) -> Option<u64> {
        self.risk
            .cases
            .iter()
            .rev()
            .find(|c| {
                c.members
                    .iter()
                    .any(|m| m.account == account && m.state == MemberState::Open)
            })
            .map(|c| c.id)
    }

    /// Keeps a case as it now stands; the same live and in replay.
    pub(crate) fn put_case(&mut self, case: Case) {
        let at = usize::try_from(case.id.saturating_sub(1)).unwrap_or(usize::MAX);
        if at < self.risk.cases.len() {
            self.risk.cases[at] = case;
        } else {
            self.risk.cases.push(case);
        }
    }

    /// `banned` was banned (`cause`): its ring's accounts not waiting in a
    /// case already — itself included — have their open withdrawals and
    /// payouts held, as one new case. None when nothing is linked to it.
    pub(crate) fn open_ring_case(&mut self, now: u64, banned: UserId, cause: &str) -> Option<u64> {
        if !self.risk.recorded || !self.risk.settings.enabled {
            return None;
        }
        let graph = self.risk.engine.graph();
        let ring = graph.members(now, banned.0, CASE_MEMBERS);
        if ring.len() < 2 {
            return None;
        }
        let accounts: Vec<UserId> = ring
            .into_iter()
            .map(UserId)
            .filter(|a| self.open_case_of(*a).is_none())
            .collect();
        if !accounts.iter().any(|a| *a != banned) {
            return None;
        }
        let id = self.risk.cases.len() as u64 + 1;
        let mut holdable = self.holdable_withdrawals(&accounts);
        let mut members = Vec::with_capacity(accounts.len());
        for account in accounts {
            let links = self.risk.engine.graph().links(now, account.0);
            let reviews = holdable
                .remove(&account)
                .unwrap_or_default()
                .into_iter()
                .map(|w| self.open_case_review(now, Subject::Withdrawal(w)))
                .collect();
            members.push(CaseMember {
                account,
                links,
                reviews,
                state: MemberState::Open,
            });
        }
        self.put_case(Case {
            id,
            opened_at: now,
            banned,
            cause: cause.to_string(),
            members,
        });
        self.changes.cases.insert(id);
        Some(id)
    }

    /// An account's withdrawals a ring case holds: those waiting for
    /// finance, and approved ones whose payout has not started (one sent
    /// to a channel is out of the shop's hands), not held already.
    fn holdable_withdrawals(
        &self,
        accounts: &[UserId],
    ) -> HashMap<UserId, Vec<crate::WithdrawalId>> {
        let mut out: HashMap<UserId, Vec<crate::WithdrawalId>> =
            accounts.iter().map(|a| (*a, Vec::new())).collect();
        for w in &self.withdrawals.list {
            let open = match w.status {
                WithdrawalStatus::Requested => true,
                WithdrawalStatus::Approved => w.payout_started.is_none(),
                _ => false,
            };
            if open
                && self.held(Subject::Withdrawal(w.id)).is_none()
                && let Some(list) = out.get_mut(&w.requester)
            {
                list.push(w.id);
            }
        }
        out
    }

    /// A hold a case opens: no decision of its own (decision 0).
    fn open_case_review(&mut self, now: u64, subject: Subject) -> u64 {
        let id = self.risk.reviews.len() as u64 + 1;
        self.risk.put_review(Review {
            id,
            decision: 0,
            subject,
            opened_at: now,
            reason: LINKED_TO_BANNED.into(),
            claimed: None,
            escalated_at: None,
            state: ReviewState::Open,
        });
        self.changes.reviews.insert(id);
        id
    }

    /// A hold opened for an account waiting in an open case joins it.
    pub(crate) fn join_case(&mut self, review: u64, subject: Subject) {
        let Some(account) = self.account_of(subject) else {
            return;
        };
        let Some(case) = self.open_case_of(account) else {
            return;
        };
        let c = &mut self.risk.cases[(case - 1) as usize];
        if let Some(m) = c.member_mut(account) {
            m.reviews.push(review);
            self.changes.cases.insert(case);
        }
    }

    /// An analyst releases (its holds approved) or bans (its holds
    /// declined, the account block-listed, its merchant banned) one
    /// account of a case, with a note.
    pub fn decide_case_member(
        &mut self,
        now: u64,
        actor: UserId,
        case: u64,
        account: UserId,
        ban: bool,
        note: &str,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_analyst(actor)?;
        let note = super::review::checked_note(note)?;
        let c = self.risk_case(case).ok_or(ShopError::CaseNotFound(case))?;
        let m = c
            .members
            .iter()
            .find(|m| m.account == account)
            .ok_or_else(|| {
                ShopError::Invalid(format!("user {account} is not in ring case {case}"))
            })?;
        if m.state != MemberState::Open {
            return Err(ShopError::Invalid(format!(
                "user {account} of ring case {case} is {} already",
                m.state.name()
            )));
        }
        let open: Vec<u64> = m
            .reviews
            .iter()
            .copied()
            .filter(|r| self.review(*r).is_some_and(Review::is_open))
            .collect();
        for review in open {
            self.settle_review(now, actor, review, !ban, &note)?;
        }
        if ban {
            self.ban_account(now, actor, account, case)?;
        }
        let state = if ban {
            MemberState::Banned {
                by: actor,
                at: now,
                note: note.clone(),
            }
        } else {
            MemberState::Released {
                by: actor,
                at: now,
                note: note.clone(),
            }
        };
        if let Some(m) = self.risk.cases[(case - 1) as usize].member_mut(account) {
            m.state = state;
        }
        self.changes.cases.insert(case);
        let verb = if ban { "banned" } else { "released" };
        self.audit(now, actor, || {
            format!("{verb} user {account} of ring case {case}: {note}")
        });
        Ok(())
    }

    /// A member banned in a case: on the block list, its merchant banned
    /// (its ring is this case's: no new case is opened).
    fn ban_account(
        &mut self,
        now: u64,
        actor: UserId,
        account: UserId,
        case: u64,
    ) -> Result<(), ShopError> {
        let entry = ListEntry {
            list: ListKind::Block,
            kind: IdKind::User,
            value: account.0.to_string(),
            reason: format!("banned in ring case {case}"),
            expires: None,
            by: actor.0,
            at: now,
        };
        Lists::check(&entry, now).map_err(|e| ShopError::Invalid(e.to_string()))?;
        self.risk.emit(crate::Fact::RiskListed {
            entry: (&entry).into(),
        });
        self.risk.engine.lists_mut().put(entry);
        if let Some(m) = self.merchants.owned_by(account).map(|m| m.id) {
            self.merchant_mut(m)?.status = MerchantStatus::Banned;
        }
        Ok(())
    }

    /// The queue's line of a hold a case opened (no decision of its own):
    /// its point and amount from its withdrawal.
    pub(crate) fn case_hold_amount(
        &self,
        subject: Subject,
    ) -> Option<(trigate_risk::Point, u64, String)> {
        let Subject::Withdrawal(id) = subject else {
            return None;
        };
        let w = self.withdrawal(id)?;
        let point = if w.status == WithdrawalStatus::Approved {
            trigate_risk::Point::Payout
        } else {
            trigate_risk::Point::Withdrawal
        };
        Some((point, w.amount, w.currency.to_string()))
    }
}
