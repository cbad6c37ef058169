//! Refunds owed back through a channel: a refund `to: Channel` leaves the
//! money in `refunds_due`; once the channel the order was paid by has sent
//! it to the buyer, `refunds_due → clearing` records that it left.

use crate::chart::{Kind, Why, account_id};
use crate::orders::PaidBy;
use crate::shop::Leg;
use crate::{AttemptId, Currency, OrderId, Shop, ShopError, UserId};

/// What an order owes back through its channel.
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
        Ok(ChannelRefundDue {
            attempt,
            owed: o.refunded_to_channel - o.channel_refunded,
            currency: o.currency,
        })
    }

    /// The channel has sent `amount` of what `order` owes back to its
    /// buyer.
    pub fn channel_refund_sent(
        &mut self,
        now: u64,
        order: OrderId,
        amount: u64,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        let o = self.require_order(order)?;
        if !matches!(o.paid_by, Some(PaidBy::Channel(_))) {
            return Err(ShopError::Invalid(format!(
                "order {order} was not paid through a channel"
            )));
        }
        let owed = o.refunded_to_channel - o.channel_refunded;
        if amount == 0 || amount > owed {
            return Err(ShopError::Invalid(format!(
                "order {order} owes {owed} back through its channel, not {amount}"
            )));
        }
        let (currency, buyer) = (o.currency, o.buyer);
        self.move_money(
            now,
            currency,
            &[Leg {
                debit: account_id(Kind::RefundsDue, currency, buyer.0),
                credit: account_id(Kind::Clearing, currency, 0),
                amount,
                why: Why::RefundSent,
                order: Some(order),
            }],
        )?;
        self.order_mut(order)?.channel_refunded += amount;
        Ok(())
    }
}
