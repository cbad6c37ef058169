//! The shop's side of the identity graph (the risk engine links accounts
//! by what they share): which accounts of a ring are banned or flagged, for
//! a decision's `ring_banned` and `ring_flagged` features, and the links
//! shown as evidence when a decision is explained.

use trigate_risk::{IdKind, Link, RingMarks};

use super::Subject;
use super::review::{Review, ReviewState};
use crate::{MerchantStatus, Shop, UserId};

/// How many accounts of a ring are looked at for its marks.
const RING_SCAN: usize = 200;

impl Shop {
    /// The account a hold was about: the buyer, the one withdrawing, the
    /// payer of a top-up, the merchant's owner.
    pub(crate) fn account_of(&self, subject: Subject) -> Option<UserId> {
        match subject {
            Subject::Order(o) => self.order(o).map(|o| o.buyer),
            Subject::Withdrawal(w) => self.withdrawal(w).map(|w| w.requester),
            Subject::Attempt(a) => self.attempt(a).map(|a| a.user),
            Subject::User(u) => Some(u),
            Subject::Merchant(m) => self.merchant(m).map(|m| m.owner),
        }
    }

    /// Keeps a review as it now stands; a declined one flags its account.
    /// The same live and in replay.
    pub(crate) fn note_review(&mut self, review: Review) {
        if matches!(review.state, ReviewState::Declined { .. })
            && let Some(account) = self.account_of(review.subject)
        {
            self.risk.declined.insert(account);
        }
        self.risk.put_review(review);
    }

    /// Banned: the owner of a banned merchant, or a user on the block list.
    fn banned_account(&self, now: u64, account: UserId) -> bool {
        self.merchants
            .owned_by(account)
            .is_some_and(|m| m.status == MerchantStatus::Banned)
            || self
                .risk
                .engine
                .lists()
                .find(IdKind::User, &account.0.to_string(), now)
                .is_some_and(|e| e.list == trigate_risk::ListKind::Block)
    }

    /// How many accounts of `user`'s ring (itself included) are banned or
    /// flagged, as the shop knows at `now`.
    pub(crate) fn ring_marks(&self, now: u64, user: Option<u64>) -> RingMarks {
        let Some(user) = user else {
            return RingMarks::default();
        };
        let mut marks = RingMarks::default();
        let actor = UserId(user);
        let graph = self.risk.engine.graph();
        marks.referrer_linked = self
            .user(actor)
            .and_then(|u| u.referrer)
            .is_some_and(|r| r == actor || graph.linked(r.0, user));
        for account in graph.members(now, user, RING_SCAN) {
            let account = UserId(account);
            marks.banned += u64::from(self.banned_account(now, account));
            marks.flagged += u64::from(self.risk.declined.contains(&account));
            marks.referees += u64::from(
                account != actor && self.user(account).and_then(|u| u.referrer) == Some(actor),
            );
            let c = self.risk.engine.merchants().buyer_counts(now, account.0);
            marks.bought.orders += c.orders;
            marks.bought.refunds += c.refunds;
            marks.bought.disputes += c.disputes;
        }
        marks
    }

    /// The referrers an order's commissions go to: none linked to the
    /// buyer in the identity graph — the referrer's own second account, or
    /// one of its ring — so a self-referral earns nothing, and the merchant
    /// keeps that share as where there is no referrer. Checked once risk
    /// decisions are on; the same live and when a journal is run again.
    pub(crate) fn paid_referrers(&self, buyer: UserId) -> (Option<UserId>, Option<UserId>) {
        let (r1, r2) = self.referrers(buyer);
        if !self.risk.recorded || !self.risk.settings.enabled {
            return (r1, r2);
        }
        let graph = self.risk.engine.graph();
        let paid = |r: Option<UserId>| r.filter(|r| *r != buyer && !graph.linked(r.0, buyer.0));
        (paid(r1), paid(r2))
    }

    /// What links `user` to other accounts now: the evidence.
    pub(crate) fn ring_links(&self, user: Option<u64>) -> Vec<Link> {
        user.map(|u| self.risk.engine.graph().links(self.last_time, u))
            .unwrap_or_default()
    }
}
