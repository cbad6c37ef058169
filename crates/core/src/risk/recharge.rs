//! Wallet top-ups through gate three, and failed payments counted. A held
//! top-up's money waits in escrow, tagged with its attempt (never an
//! order's number), until an analyst approves it (into the wallet) or
//! declines it (owed back through the channel it came by).

use trigate_risk::Point;

use super::{Ask, Effect, Subject, Verdict};
use crate::chart::{Kind, Leg, Why, account_id};
use crate::payments::{PaymentOutcome, Purpose};
use crate::{AttemptId, Currency, OrderId, Shop, ShopError, UserId};

/// Escrow transfers of held top-ups carry their attempt with this bit set
/// where an order's carry the order's number.
pub const HELD_TOP_UP: u64 = 1 << 62;

impl Shop {
    /// A top-up the channel confirmed: into the wallet, or held.
    pub(crate) fn recharge_checked(
        &mut self,
        now: u64,
        attempt: AttemptId,
        user: UserId,
        (amount, currency): (u64, Currency),
    ) -> Result<PaymentOutcome, ShopError> {
        let subject = Subject::Attempt(attempt);
        let ask = Ask {
            actor: Some(user),
            amount,
            currency: Some(currency),
            context_of: Some(subject),
            subject: Some(subject),
            ..Ask::default()
        };
        match self.decide_risk(now, Point::Recharge, ask)? {
            Verdict::Go => {
                self.credit_from_clearing(now, user, currency, amount, None)?;
                Ok(PaymentOutcome::Recharged)
            }
            Verdict::Hold(decision) => {
                self.move_top_up(now, attempt, Kind::Clearing, Kind::Escrow, 0)?;
                self.open_review(now, decision, subject);
                Ok(PaymentOutcome::Held)
            }
        }
    }

    /// A held top-up approved (into the wallet) or declined (owed back
    /// through its channel).
    pub(crate) fn release_top_up(
        &mut self,
        now: u64,
        attempt: AttemptId,
        approve: bool,
    ) -> Result<(), ShopError> {
        let a = self
            .attempt(attempt)
            .ok_or(ShopError::AttemptNotFound(attempt))?;
        if a.purpose != Purpose::Recharge {
            return Ok(());
        }
        let user = a.user.0;
        if approve {
            self.move_top_up(now, attempt, Kind::Escrow, Kind::WalletRecharge, user)
        } else {
            self.move_top_up(now, attempt, Kind::Escrow, Kind::RefundsDue, user)?;
            let amount = self.attempt(attempt).map_or(0, |a| a.amount);
            let a = self.attempt_mut(attempt)?;
            a.owed_back = a.owed_back.saturating_add(amount);
            Ok(())
        }
    }

    fn move_top_up(
        &mut self,
        now: u64,
        attempt: AttemptId,
        from: Kind,
        to: Kind,
        owner: u64,
    ) -> Result<(), ShopError> {
        let a = self
            .attempt(attempt)
            .ok_or(ShopError::AttemptNotFound(attempt))?;
        let (currency, amount) = (a.currency, a.amount);
        let why = match to {
            Kind::RefundsDue => Why::OwedBack,
            _ => Why::Credit,
        };
        self.move_money(
            now,
            currency,
            &[Leg {
                debit: account_id(from, currency, 0),
                credit: account_id(to, currency, if to == Kind::Escrow { 0 } else { owner }),
                amount,
                why,
                order: Some(OrderId(HELD_TOP_UP | attempt.0)),
            }],
        )
    }

    /// What held top-ups keep in escrow, per currency: for invariant 4.
    pub(crate) fn held_top_ups(&self) -> Vec<(u64, Currency, u64)> {
        self.risk
            .holds
            .keys()
            .filter_map(|s| match s {
                Subject::Attempt(a) => self
                    .attempt(*a)
                    .filter(|x| x.purpose == Purpose::Recharge)
                    .map(|x| (HELD_TOP_UP | a.0, x.currency, x.amount)),
                _ => None,
            })
            .collect()
    }

    /// A payment that failed upstream, counted in its payer's windows.
    pub(crate) fn note_failed_payment(&mut self, now: u64, attempt: AttemptId) {
        if !self.risk.recorded || !self.risk.settings.enabled {
            return;
        }
        let Some(a) = self.attempt(attempt) else {
            return;
        };
        let (point, context_of, merchant) = match a.purpose {
            Purpose::Order(order) => (
                Point::ChannelPayment,
                Subject::Order(order),
                self.order(order).map(|o| o.merchant),
            ),
            Purpose::Recharge | Purpose::Deposit(_) => {
                (Point::Recharge, Subject::Attempt(attempt), None)
            }
        };
        let ask = Ask {
            actor: Some(a.user),
            amount: a.amount,
            currency: Some(a.currency),
            merchant,
            context_of: Some(context_of),
            subject: Some(Subject::Attempt(attempt)),
            failed: true,
            ..Ask::default()
        };
        self.observe_failure(now, point, ask);
    }

    /// Records what happened without deciding anything on it: a failure.
    pub(crate) fn observe_failure(&mut self, now: u64, point: Point, ask: Ask) {
        if !self.risk.recorded || !self.risk.settings.enabled {
            return;
        }
        let signals = self.signals_for(point, &ask);
        let decision = self.risk.engine.decide(now, &signals);
        let id = self.risk.decisions.next_id();
        self.risk.note(super::DecisionRow {
            id,
            at: now,
            subject: ask.subject,
            challenge_passed: false,
            effect: Effect::Failed,
            decision,
        });
    }
}
