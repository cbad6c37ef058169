//! The shop's side of merchant risk: it tells the engine when a merchant
//! opens and when one of its orders is paid, refunded or disputed — live
//! where each happens, and in replay from the facts (an order's fact
//! compared with the order before it) — so the merchant features are the
//! same after a restart. A new merchant's sales are held longer.

use crate::facts::Fact;
use crate::orders::Order;
use crate::{MerchantId, Shop};

impl Shop {
    pub(crate) fn watch_merchant_opened(&mut self, now: u64, merchant: MerchantId) {
        self.risk.engine.merchants_mut().opened(now, merchant.0);
    }

    pub(crate) fn watch_sale(
        &mut self,
        now: u64,
        (merchant, buyer): (MerchantId, crate::UserId),
        amount: u64,
    ) {
        let book = self.risk.engine.merchants_mut();
        book.sale(now, merchant.0, amount);
        book.buyer_order(now, buyer.0);
    }

    pub(crate) fn watch_refund(
        &mut self,
        now: u64,
        (merchant, buyer): (MerchantId, crate::UserId),
        amount: u64,
    ) {
        if amount > 0 {
            let book = self.risk.engine.merchants_mut();
            book.refund(now, merchant.0, amount);
            book.buyer_refund(now, buyer.0);
            // Money refunded was not spent: a top-up run through
            // purchase-and-refund loops stays unspent.
            if let Some(r) = self.risk.recharges.get_mut(&buyer) {
                r.spent = r.spent.saturating_sub(amount);
            }
        }
    }

    pub(crate) fn watch_dispute(
        &mut self,
        now: u64,
        (merchant, buyer): (MerchantId, crate::UserId),
    ) {
        let book = self.risk.engine.merchants_mut();
        book.dispute(now, merchant.0);
        book.buyer_dispute(now, buyer.0);
    }

    /// Before a fact of an entry made at `at` is applied in replay: what it
    /// changes of a merchant's track, as the command that wrote it noted.
    pub(crate) fn watch_replayed(&mut self, at: u64, fact: &Fact) {
        match fact {
            Fact::Merchant { merchant } if self.merchant(MerchantId(merchant.id)).is_none() => {
                self.watch_merchant_opened(at, MerchantId(merchant.id));
            }
            Fact::Order { order } => {
                let (id, merchant) = (crate::OrderId(order.id), MerchantId(order.merchant));
                let buyer = crate::UserId(order.buyer);
                let old: Option<&Order> = self.order(id);
                let (was_paid, was_disputed, was_refunded) = old.map_or((false, false, 0), |o| {
                    (o.paid_at.is_some(), o.dispute.is_some(), o.refunded)
                });
                if let Some(paid_at) = order.paid_at.filter(|_| !was_paid) {
                    self.watch_sale(paid_at, (merchant, buyer), order.amount);
                }
                if let Some(d) = order.dispute.as_ref().filter(|_| !was_disputed) {
                    self.watch_dispute(d.opened_at, (merchant, buyer));
                }
                self.watch_refund(
                    at,
                    (merchant, buyer),
                    order.refunded.saturating_sub(was_refunded),
                );
            }
            _ => {}
        }
    }

    /// The days a sale of `merchant` confirmed at `now` is held: its own,
    /// or longer while it is new (`[risk] new_merchant_holding_days`).
    pub(crate) fn holding_days_of(&self, now: u64, merchant: MerchantId, own: u32) -> u32 {
        let settings = self.risk.settings.merchants;
        if self.risk.recorded
            && self.risk.settings.enabled
            && self
                .risk
                .engine
                .merchants()
                .is_new(now, merchant.0, &settings)
        {
            own.max(settings.new_holding_days)
        } else {
            own
        }
    }
}
