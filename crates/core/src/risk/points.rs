//! The decision points beyond payments and withdrawal requests: a buyer
//! signing up, a merchant opened, a withdrawal about to be paid out. A
//! held sign-up or merchant is made and flagged for an analyst (a held
//! merchant sells nothing until approved); a held payout does not start.

use trigate_risk::Point;

use super::review::ReviewState;
use super::{Ask, Subject, Verdict};
use crate::withdrawals::WithdrawFrom;
use crate::{
    MerchantId, MerchantStatus, PasswordHash, Role, Shop, ShopError, UserId, WithdrawalId,
};

impl Shop {
    /// A buyer signs up: a block refuses it; a hold makes the account and
    /// flags it for an analyst.
    pub(crate) fn sign_up(
        &mut self,
        now: u64,
        login: &str,
        referrer_code: Option<&str>,
        password: PasswordHash,
    ) -> Result<UserId, ShopError> {
        self.tick(now)?;
        let verdict = self.decide_risk(now, Point::Signup, Ask::default())?;
        let user = self.register_with_password(now, login, Role::Buyer, referrer_code, password)?;
        match verdict {
            Verdict::Hold(decision) => {
                self.open_review(now, decision, Subject::User(user));
            }
            Verdict::Go => self.risk.name_subject(now, Subject::User(user)),
        }
        Ok(user)
    }

    /// A sign-in: a block refuses it, a hold lets it in and flags the
    /// account; a failed one (a wrong password, an unknown login) is
    /// counted in the windows of where it came from.
    pub(crate) fn sign_in(
        &mut self,
        now: u64,
        user: Option<UserId>,
        ok: bool,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        if let Some(u) = user {
            self.require_user(u)?;
        }
        let ask = Ask {
            actor: user,
            subject: user.map(Subject::User),
            failed: !ok,
            ..Ask::default()
        };
        if !ok {
            self.observe_failure(now, Point::SignIn, ask);
            return Ok(());
        }
        if let (Verdict::Hold(decision), Some(u)) =
            (self.decide_risk(now, Point::SignIn, ask)?, user)
            && self.held(Subject::User(u)).is_none()
        {
            self.open_review(now, decision, Subject::User(u));
        }
        Ok(())
    }

    /// A merchant is opened (by an admin, or by the operator): a block
    /// refuses it; a hold opens it frozen until an analyst approves.
    pub(crate) fn open_merchant_checked(
        &mut self,
        now: u64,
        owner: UserId,
        create: impl FnOnce(&mut Shop) -> Result<MerchantId, ShopError>,
    ) -> Result<MerchantId, ShopError> {
        self.tick(now)?;
        let ask = Ask {
            actor: Some(owner),
            ..Ask::default()
        };
        let verdict = self.decide_risk(now, Point::MerchantOpening, ask)?;
        let merchant = create(self)?;
        match verdict {
            Verdict::Hold(decision) => {
                self.set_merchant_status(now, merchant, MerchantStatus::Frozen)?;
                self.open_review(now, decision, Subject::Merchant(merchant));
            }
            Verdict::Go => self.risk.name_subject(now, Subject::Merchant(merchant)),
        }
        Ok(merchant)
    }

    /// The decision before a withdrawal is paid out through a channel (fails
    /// closed). One an analyst approved already goes on.
    pub(crate) fn decide_payout(&mut self, now: u64, id: WithdrawalId) -> Result<(), ShopError> {
        let subject = Subject::Withdrawal(id);
        let approved = self
            .risk
            .reviews
            .iter()
            .any(|r| r.subject == subject && matches!(r.state, ReviewState::Approved { .. }));
        if approved {
            return Ok(());
        }
        let w = self
            .withdrawal(id)
            .ok_or(ShopError::WithdrawalNotFound(id))?;
        let merchant = match w.from {
            WithdrawFrom::Reward => None,
            WithdrawFrom::Merchant | WithdrawFrom::Deposit => {
                self.owned_merchant(w.requester).ok().map(|m| m.id)
            }
        };
        let ask = Ask {
            actor: Some(w.requester),
            amount: w.amount,
            currency: Some(w.currency),
            merchant,
            destination: w.destination.clone(),
            subject: Some(subject),
            ..Ask::default()
        };
        match self.decide_risk(now, Point::Payout, ask)? {
            Verdict::Go => Ok(()),
            Verdict::Hold(decision) => {
                let review = self.open_review(now, decision, subject);
                Err(ShopError::HeldForReview {
                    what: format!("{subject} (review {review})"),
                })
            }
        }
    }
}
