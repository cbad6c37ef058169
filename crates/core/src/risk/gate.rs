//! A decision taken at a point of a flow: the request's signals gathered
//! (what it said of itself, what the shop knows of its actor), the engine
//! asked, the decision recorded, and what it means for the flow: go on,
//! hold, or refuse.

use trigate_risk::{Outcome, Point, Signals};

use super::{DecisionRow, Effect, RequestContext, Subject};
use crate::{Currency, MerchantId, Shop, ShopError, UserId};

/// What the flow does after a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Go on (allowed, risk off, or a challenge answered).
    Go,
    /// Take the money in, move nothing on: open a review of the subject with
    /// this decision once the subject exists.
    Hold(u64),
}

/// What a flow knows at its decision point.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ask {
    pub actor: Option<UserId>,
    pub amount: u64,
    pub currency: Option<Currency>,
    pub merchant: Option<MerchantId>,
    pub destination: String,
    /// Whose stored request context to use when the request itself has none
    /// (a channel's notification for an order made earlier).
    pub context_of: Option<Subject>,
    pub subject: Option<Subject>,
    pub failed: bool,
}

impl Shop {
    /// A request's signals at `point`: what it said of itself (or, for
    /// something made earlier, what it was made with) and what the shop
    /// knows of its actor.
    pub(crate) fn signals_for(&self, point: Point, ask: &Ask) -> Signals {
        // Where the request came from: its own context — or, for a payment
        // of something made earlier (a channel's notification), the
        // context it was made with, and only the payer from the request
        // (the notification comes from the channel, not the buyer).
        let request = self.risk.request.clone().unwrap_or_default();
        let context = match ask.context_of {
            Some(subject) => RequestContext {
                instrument: request.instrument.clone(),
                instrument_country: request.instrument_country.clone(),
                ..self
                    .risk
                    .contexts
                    .get(&subject)
                    .cloned()
                    .unwrap_or_default()
            },
            None => request.clone(),
        };
        let user = ask.actor.and_then(|id| self.user(id)).filter(|u| !u.guest);
        let email = ask
            .actor
            .and_then(|id| self.storefront.emails.get(&id))
            .map(|e| e.as_str().to_string())
            .unwrap_or_default();
        Signals {
            point: Some(point),
            user: user.map(|u| u.id.0),
            email,
            ip: context.ip.clone(),
            ip_country: context.ip_country.clone(),
            device: context.device.clone(),
            instrument: context.instrument.clone(),
            instrument_country: context.instrument_country.clone(),
            destination: ask.destination.clone(),
            merchant: ask.merchant.map(|m| m.0),
            amount: ask.amount,
            currency: ask.currency.map(|c| c.to_string()).unwrap_or_default(),
            account_created: user.map(|u| u.created_at),
            last_recharge: user.and_then(|u| self.risk.recharges.get(&u.id).copied()),
            failed: ask.failed,
        }
    }

    /// Decides at `point`. A refusal is an error whose decision is still
    /// recorded; a hold is the caller's to open once its subject exists.
    pub(crate) fn decide_risk(
        &mut self,
        now: u64,
        point: Point,
        ask: Ask,
    ) -> Result<Verdict, ShopError> {
        // A shop decides from the moment its risk settings are recorded
        // (format 7 on): rerunning an older journal decides nothing new.
        if !self.risk.recorded || !self.risk.settings.enabled {
            return Ok(Verdict::Go);
        }
        let signals = self.signals_for(point, &ask);
        let request = self.risk.request.clone().unwrap_or_default();
        let user = ask.actor.and_then(|id| self.user(id)).filter(|u| !u.guest);
        let can_answer = user.is_some_and(|u| u.second_factor.is_some())
            && matches!(
                point,
                Point::WalletPayment | Point::Withdrawal | Point::SignIn
            );
        let ring = self.ring_marks(now, signals.user);
        let decision = self.risk.engine.decide_with(now, &signals, ring);
        let answered = request.second_factor && can_answer;
        let (effect, verdict) = match decision.outcome {
            Outcome::Allow => (Effect::Proceeded, Ok(())),
            Outcome::Challenge if answered => (Effect::Proceeded, Ok(())),
            Outcome::Challenge if can_answer => (
                Effect::Refused,
                Err(ShopError::ChallengeRequired {
                    reason: decision.reason.clone(),
                }),
            ),
            // Money that arrived is never refused: it waits.
            Outcome::Block if matches!(point, Point::ChannelPayment | Point::Recharge) => {
                (Effect::Held, Ok(()))
            }
            Outcome::Block => (
                Effect::Refused,
                Err(ShopError::RiskBlocked {
                    reason: decision.reason.clone(),
                }),
            ),
            Outcome::Challenge | Outcome::Hold => (Effect::Held, Ok(())),
        };
        let id = self.risk.decisions.next_id();
        let outcome = decision.outcome;
        self.risk.note(DecisionRow {
            id,
            at: now,
            subject: ask.subject,
            challenge_passed: answered && outcome == Outcome::Challenge,
            effect,
            decision,
        });
        verdict?;
        Ok(match effect {
            Effect::Held => Verdict::Hold(id),
            _ => Verdict::Go,
        })
    }

    /// Keeps the request context an order or payment attempt was made
    /// with, for the decision its payment takes later.
    pub(crate) fn keep_context(&mut self, subject: Subject) {
        if !self.risk.recorded || !self.risk.settings.enabled {
            return;
        }
        if let Some(context) = self.risk.request.clone().filter(|c| !c.is_empty()) {
            self.risk.contexts.insert(subject, context.clone());
            self.risk.emit(crate::Fact::RiskContext {
                subject: subject.into(),
                context: (&context).into(),
            });
        }
    }
}
