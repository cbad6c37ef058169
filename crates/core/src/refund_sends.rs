//! Money sent back through a channel, exactly once.
//!
//! Before a channel is asked to send money back to a payer, the amount is
//! reserved: a pending transfer out of the payer's `refunds_due`, recorded
//! as a send under a reference of ours (`R<id>`) that goes to the channel
//! where its protocol carries one. The channel's answer then posts it
//! (sent), voids it (a clear refusal: still owed, it may be sent again) or
//! leaves it reserved and `unknown` (the answer was lost). While a send of
//! an attempt is in flight or unknown, nothing more is sent for that
//! attempt: finance resolves it — after asking the channel where it can
//! answer, or by hand — as sent or not sent, audited. A send still in
//! flight when the shop starts again is marked unknown then: its answer was
//! lost with the process.

use serde::{Deserialize, Serialize};

use crate::chart::{Kind, Why, account_id};
use crate::payments::Purpose;
use crate::{AttemptId, Currency, SendId, Shop, ShopError, UserId};

/// Where a send stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SendStatus {
    /// Reserved, the channel asked; no answer recorded yet.
    Sending,
    /// The channel sent it: the reservation is posted.
    Sent,
    /// The channel refused, or it was found not sent: voided, still owed.
    NotSent,
    /// The answer was lost: reserved until finance resolves it.
    Unknown,
}

impl SendStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SendStatus::Sending => "sending",
            SendStatus::Sent => "sent",
            SendStatus::NotSent => "not_sent",
            SendStatus::Unknown => "unknown",
        }
    }

    /// Whether it still holds its reservation, waiting for an outcome.
    pub fn is_open(self) -> bool {
        matches!(self, SendStatus::Sending | SendStatus::Unknown)
    }
}

/// What the channel's answer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SendOutcome {
    Sent,
    /// A clear refusal: nothing was sent.
    Refused,
    /// No answer, or one that cannot be read.
    Lost,
}

/// One sending of money back through a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundSend {
    pub id: SendId,
    pub attempt: AttemptId,
    pub payer: UserId,
    pub amount: u64,
    pub currency: Currency,
    /// The pending transfer out of `refunds_due` that reserves it.
    pub pending: u128,
    pub status: SendStatus,
    pub at: u64,
    pub finished_at: Option<u64>,
    /// Finance, when it was resolved by a person.
    pub resolved_by: Option<UserId>,
}

impl RefundSend {
    /// Our reference for it, sent to the channel where it carries one.
    pub fn reference(&self) -> String {
        format!("R{}", self.id.0)
    }
}

/// Every send, in order.
#[derive(Debug, Default)]
pub(crate) struct Sends {
    pub(crate) list: Vec<RefundSend>,
}

impl Shop {
    pub fn refund_send(&self, id: SendId) -> Option<&RefundSend> {
        crate::ids::nth(&self.sends.list, id.0)
    }

    /// Sends still open (in flight or unknown), oldest first: what finance
    /// resolves.
    pub fn open_refund_sends(&self, actor: UserId) -> Result<Vec<RefundSend>, ShopError> {
        self.require_finance(actor)?;
        Ok(self
            .sends
            .list
            .iter()
            .filter(|s| s.status.is_open())
            .cloned()
            .collect())
    }

    /// Reserves what `attempt` owes back, before its channel is asked to
    /// send it. Refused while another send of the attempt is open, or when
    /// nothing is owed.
    pub fn reserve_channel_refund(
        &mut self,
        now: u64,
        attempt: AttemptId,
    ) -> Result<SendId, ShopError> {
        self.tick(now)?;
        let a = self
            .attempt(attempt)
            .ok_or(ShopError::AttemptNotFound(attempt))?;
        self.require_outflows()?;
        if let Some(open) = self
            .sends
            .list
            .iter()
            .rev()
            .find(|s| s.attempt == attempt && s.status.is_open())
        {
            return Err(ShopError::SendUnresolved {
                reference: open.reference(),
            });
        }
        let owed = a.owed_back - a.sent_back;
        if owed == 0 {
            return Err(ShopError::Invalid(format!(
                "attempt {attempt} owes nothing back through its channel"
            )));
        }
        let (currency, payer) = (a.currency, a.user);
        let id = SendId(self.sends.list.len() as u64 + 1);
        let pending = self.reserve_money(
            now,
            currency,
            (
                account_id(Kind::RefundsDue, currency, payer.0),
                account_id(Kind::Clearing, currency, 0),
            ),
            owed,
            Why::RefundSent,
            order_tag(a.purpose),
        )?;
        self.sends.list.push(RefundSend {
            id,
            attempt,
            payer,
            amount: owed,
            currency,
            pending,
            status: SendStatus::Sending,
            at: now,
            finished_at: None,
            resolved_by: None,
        });
        Ok(id)
    }

    /// Records the channel's answer to a send: sent posts it, refused
    /// voids it (still owed), lost leaves it reserved and unknown.
    pub fn finish_channel_refund(
        &mut self,
        now: u64,
        id: SendId,
        outcome: SendOutcome,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.open_send(id, &[SendStatus::Sending])?;
        match outcome {
            SendOutcome::Sent => self.settle_send(now, id, true),
            SendOutcome::Refused => self.settle_send(now, id, false),
            SendOutcome::Lost => {
                self.send_mut(id)?.status = SendStatus::Unknown;
                Ok(())
            }
        }
    }

    /// Finance resolves an open send: the channel sent it or it did not
    /// (asked of the channel, or found by hand). Audited.
    pub fn resolve_channel_refund(
        &mut self,
        now: u64,
        actor: UserId,
        id: SendId,
        sent: bool,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_finance(actor)?;
        // A send still in flight has its answer coming: only a lost one
        // is resolved by a person.
        let s = self.open_send(id, &[SendStatus::Unknown])?;
        let (amount, currency, attempt) = (s.amount, s.currency, s.attempt);
        self.settle_send(now, id, sent)?;
        self.send_mut(id)?.resolved_by = Some(actor);
        self.audit(now, actor, || {
            format!(
                "resolved send R{id} of {amount} {currency} back through attempt {attempt}'s \
                 channel as {}",
                if sent { "sent" } else { "not sent" }
            )
        });
        Ok(())
    }

    /// Sends still in flight when the shop starts lost their answers with
    /// the process that made them: they are unknown now. Returns how many.
    pub fn sends_interrupted(&mut self, now: u64) -> Result<usize, ShopError> {
        self.tick(now)?;
        let ids: Vec<SendId> = self
            .sends
            .list
            .iter()
            .filter(|s| s.status == SendStatus::Sending)
            .map(|s| s.id)
            .collect();
        for id in &ids {
            self.send_mut(*id)?.status = SendStatus::Unknown;
        }
        Ok(ids.len())
    }

    /// Posts (sent) or voids a send's reservation.
    fn settle_send(&mut self, now: u64, id: SendId, sent: bool) -> Result<(), ShopError> {
        let s = self.open_send(id, &[SendStatus::Sending, SendStatus::Unknown])?;
        let (currency, payer, pending, amount, attempt) =
            (s.currency, s.payer, s.pending, s.amount, s.attempt);
        self.finish_reserved(
            now,
            currency,
            (
                account_id(Kind::RefundsDue, currency, payer.0),
                account_id(Kind::Clearing, currency, 0),
            ),
            pending,
            sent,
        )?;
        if sent {
            self.attempt_mut(attempt)?.sent_back += amount;
        }
        let s = self.send_mut(id)?;
        s.status = if sent {
            SendStatus::Sent
        } else {
            SendStatus::NotSent
        };
        s.finished_at = Some(now);
        Ok(())
    }

    fn open_send(&self, id: SendId, may_be: &[SendStatus]) -> Result<&RefundSend, ShopError> {
        let s = self
            .refund_send(id)
            .ok_or_else(|| ShopError::Invalid(format!("no send R{id}")))?;
        if !may_be.contains(&s.status) {
            return Err(ShopError::Invalid(format!(
                "send R{id} is {}, not open",
                s.status.as_str()
            )));
        }
        Ok(s)
    }

    fn send_mut(&mut self, id: SendId) -> Result<&mut RefundSend, ShopError> {
        self.changes.sends.insert(id.0);
        crate::ids::nth_mut(&mut self.sends.list, id.0)
            .ok_or_else(|| ShopError::Invalid(format!("no send R{id}")))
    }
}

/// The order a payment attempt paid (its money trail), or none.
fn order_tag(purpose: Purpose) -> u128 {
    match purpose {
        Purpose::Order(order) => u128::from(order.0),
        Purpose::Recharge | Purpose::Deposit(_) => 0,
    }
}
