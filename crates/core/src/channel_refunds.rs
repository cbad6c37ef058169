//! Money owed back through a channel: a refund `to: Channel` of an order
//! paid through one, or a guest's payment no order could take. It waits in
//! `refunds_due`, counted on the attempt that brought it in; once that
//! attempt's channel has sent it to the payer, `refunds_due → clearing`
//! records that it left.

use crate::chart::Leg;
use crate::chart::{Kind, Why, account_id};
use crate::orders::PaidBy;
use crate::payments::Purpose;
use crate::{AttemptId, Currency, OrderId, Shop, ShopError, UserId};

/// What an attempt owes back through its channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChannelRefundDue {
    pub attempt: AttemptId,
    pub owed: u64,
    pub currency: Currency,
}

impl Shop {
    /// What `order` owes back through the channel it was paid by — for its
    /// merchant and finance, admin or support staff.
    pub fn channel_refund_due(
        &self,
        caller: UserId,
        order: OrderId,
    ) -> Result<ChannelRefundDue, ShopError> {
        let o = self.require_order(order)?;
        self.may_act_for(caller, o.merchant)?;
        let Some(PaidBy::Channel(attempt)) = o.paid_by else {
            return Err(ShopError::Invalid(format!(
                "order {order} was not paid through a channel"
            )));
        };
        self.attempt_refund_due(attempt)
    }

    /// What `attempt` owes back through its channel.
    pub fn attempt_refund_due(&self, attempt: AttemptId) -> Result<ChannelRefundDue, ShopError> {
        let a = self
            .attempt(attempt)
            .ok_or(ShopError::AttemptNotFound(attempt))?;
        Ok(ChannelRefundDue {
            attempt,
            owed: a.owed_back - a.sent_back,
            currency: a.currency,
        })
    }

    /// The channel of `attempt` has sent `amount` of what it owes back to
    /// the payer.
    pub fn channel_refund_sent(
        &mut self,
        now: u64,
        attempt: AttemptId,
        amount: u64,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        let a = self
            .attempt(attempt)
            .ok_or(ShopError::AttemptNotFound(attempt))?;
        let owed = a.owed_back - a.sent_back;
        if amount == 0 || amount > owed {
            return Err(ShopError::Invalid(format!(
                "attempt {attempt} owes {owed} back through its channel, not {amount}"
            )));
        }
        let (currency, payer) = (a.currency, a.user);
        let order = match a.purpose {
            Purpose::Order(order) => Some(order),
            Purpose::Recharge | Purpose::Deposit(_) => None,
        };
        self.move_money(
            now,
            currency,
            &[Leg {
                debit: account_id(Kind::RefundsDue, currency, payer.0),
                credit: account_id(Kind::Clearing, currency, 0),
                amount,
                why: Why::RefundSent,
                order,
            }],
        )?;
        self.attempt_mut(attempt)?.sent_back += amount;
        Ok(())
    }
}
