//! Money after delivery: confirmation and the split settlement, the holding
//! period, refunds (from escrow before settlement, clawed back after), and
//! recharges into wallets.

use serde::{Deserialize, Serialize};
use trigate_ledger::{Leg as Share, split};

use crate::Settlement;
use crate::chart::Leg;
use crate::chart::{Kind, Why, account_id};
use crate::orders::{OrderStatus, PaidBy};
use crate::time::NANOS_PER_DAY;
use crate::users::{AdminRole, Role};
use crate::{Currency, MerchantId, OrderId, Shop, ShopError, UserId};

/// Where refunded money goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundTo {
    /// The buyer's wallet, back into the buckets it was paid from.
    Wallet,
    /// Owed back through the channel the buyer paid by (`refunds_due`).
    Channel,
}

impl Shop {
    /// The buyer confirms a delivered order: it settles at once.
    pub fn confirm_order(
        &mut self,
        now: u64,
        buyer: UserId,
        order: OrderId,
    ) -> Result<Settlement, ShopError> {
        self.tick(now)?;
        let o = self.require_order(order)?;
        if o.buyer != buyer {
            return Err(ShopError::Forbidden(buyer));
        }
        o.expect(OrderStatus::Delivered)?;
        self.settle(now, order)
    }

    /// Settles every delivered order whose dispute window has closed.
    pub fn confirm_due_orders(&mut self, now: u64) -> Result<Vec<OrderId>, ShopError> {
        self.tick(now)?;
        let due: Vec<(u64, OrderId)> = self
            .orders
            .confirm_due
            .range(..=(now, OrderId(u64::MAX)))
            .copied()
            .collect();
        let mut settled = Vec::with_capacity(due.len());
        for (_, id) in due {
            if self.settle(now, id).is_ok() {
                settled.push(id);
            }
        }
        Ok(settled)
    }

    /// One linked chain out of escrow: the merchant's net share to its
    /// pending balance, the fee, and level-1 and level-2 commissions (out of
    /// the merchant's share; kept by the merchant where there is no
    /// referrer). Exact split: the legs always sum to what is in escrow.
    pub(crate) fn settle(&mut self, now: u64, id: OrderId) -> Result<Settlement, ShopError> {
        let o = self.require_order(id)?;
        let (currency, amount, buyer, merchant_id) =
            (o.currency, o.unrefunded(), o.buyer, o.merchant);
        let confirm_at = o.confirm_at;
        let merchant = self
            .merchant(merchant_id)
            .ok_or(ShopError::MerchantNotFound(merchant_id))?;
        let product = self
            .product(o.product)
            .ok_or(ShopError::ProductNotFound(o.product))?;
        let (r1, r2) = self.referrers(buyer);
        let bps = |referrer: Option<UserId>, share: crate::Bps| {
            Share::Bps(if referrer.is_some() { share.get() } else { 0 })
        };
        let parts = split(
            amount,
            &[
                Share::Bps(merchant.fee.get()),
                bps(r1, product.spec.commission_l1),
                bps(r2, product.spec.commission_l2),
                Share::Remainder,
            ],
        )
        .map_err(|e| ShopError::Invalid(e.to_string()))?;
        let release_at = now.saturating_add(u64::from(merchant.holding_days) * NANOS_PER_DAY);
        let escrow = account_id(Kind::Escrow, currency, 0);
        let leg = |credit, amount, why| Leg {
            debit: escrow,
            credit,
            amount,
            why,
            order: Some(id),
        };
        let reward = |user: Option<UserId>| {
            account_id(Kind::WalletReward, currency, user.map_or(0, |u| u.0))
        };
        self.move_money(
            now,
            currency,
            &[
                leg(
                    account_id(Kind::MerchantPending, currency, merchant_id.0),
                    parts[3],
                    Why::SettleMerchant,
                ),
                leg(
                    account_id(Kind::Fees, currency, 0),
                    parts[0],
                    Why::SettleFee,
                ),
                leg(reward(r1), parts[1], Why::SettleCommission),
                leg(reward(r2), parts[2], Why::SettleCommission),
            ],
        )?;
        let settlement = Settlement {
            merchant: parts[3],
            fee: parts[0],
            level1: parts[1],
            level2: parts[2],
            release_at,
            held: parts[3],
        };
        if let Some(at) = confirm_at {
            self.orders.confirm_due.remove(&(at, id));
        }
        // A sale that leaves the merchant nothing (a whole fee) has nothing
        // to hold: as the journal's facts rebuild it.
        if settlement.held > 0 {
            self.orders.holds.insert((release_at, id));
        }
        let o = self.order_mut(id)?;
        o.status = OrderStatus::Settled;
        o.confirmed_at = Some(now);
        o.settled_at = Some(now);
        o.settlement = Some(settlement);
        Ok(settlement)
    }

    /// Moves every settled share whose holding period has ended from the
    /// merchant's pending balance to available. Returns the orders released.
    pub fn release_due(&mut self, now: u64) -> Result<Vec<OrderId>, ShopError> {
        self.tick(now)?;
        let due: Vec<(u64, OrderId)> = self
            .orders
            .holds
            .range(..=(now, OrderId(u64::MAX)))
            .copied()
            .collect();
        let mut released = Vec::with_capacity(due.len());
        for entry in due {
            let id = entry.1;
            let o = self.require_order(id)?;
            let (currency, merchant) = (o.currency, o.merchant);
            let held = o.settlement.map_or(0, |s| s.held);
            let pending = account_id(Kind::MerchantPending, currency, merchant.0);
            // A clawback may already have taken part of it.
            let amount = held.min(self.balance(pending));
            self.move_money(
                now,
                currency,
                &[Leg {
                    debit: pending,
                    credit: account_id(Kind::MerchantAvailable, currency, merchant.0),
                    amount,
                    why: Why::Release,
                    order: Some(id),
                }],
            )?;
            self.orders.holds.remove(&entry);
            if let Some(s) = self.order_mut(id)?.settlement.as_mut() {
                s.held = 0;
            }
            released.push(id);
        }
        Ok(released)
    }

    /// Returns `amount` of a paid order to its buyer. Before settlement it
    /// comes out of escrow; after, out of the merchant's available balance,
    /// then pending, then deposit, then the platform reserve (recorded as
    /// the merchant's debt). The merchant's owner or finance/support staff
    /// may refund.
    pub fn refund(
        &mut self,
        now: u64,
        actor: UserId,
        order: OrderId,
        amount: u64,
        to: RefundTo,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        let to = self.refund_lands(order, to);
        let o = self.require_order(order)?;
        self.may_act_for(actor, o.merchant)?;
        if amount == 0 {
            return Err(ShopError::Invalid(
                "a refund is at least 1 minor unit".into(),
            ));
        }
        let settled = match o.status {
            OrderStatus::Paid | OrderStatus::Delivered | OrderStatus::Disputed => false,
            OrderStatus::Settled => true,
            _ => return Err(o.wrong_state("paid, delivered, disputed or settled")),
        };
        let left = o.unrefunded();
        if amount > left {
            return Err(ShopError::RefundBeyondPaid { left });
        }
        let (currency, merchant) = (o.currency, o.merchant);
        let destinations = self.refund_destinations(order, amount, to);
        let sources = if settled {
            self.clawback_sources(merchant, currency, amount)
        } else {
            vec![(account_id(Kind::Escrow, currency, 0), amount)]
        };
        let legs = pair_up(
            &sources,
            &destinations,
            order,
            if settled { Why::Clawback } else { Why::Refund },
        );
        let from_reserve = sources
            .iter()
            .find(|(account, _)| *account == account_id(Kind::Reserve, currency, 0))
            .map_or(0, |(_, a)| *a);
        self.move_money(now, currency, &legs)?;
        self.audit(now, actor, || {
            format!("refunded {amount} of order {order} ({to:?})")
        });
        // The reserve covered what the merchant could not: the merchant owes it.
        let m = self.merchant_mut(merchant)?;
        m.debt = m.debt.saturating_add(from_reserve);
        let from_pending = sources
            .iter()
            .find(|(account, _)| {
                *account == account_id(Kind::MerchantPending, currency, merchant.0)
            })
            .map_or(0, |(_, a)| *a);
        let o = self.order_mut(order)?;
        // What came out of pending is no longer this sale's to release.
        let mut release_done = None;
        if let Some(s) = o.settlement.as_mut() {
            s.held -= s.held.min(from_pending);
            if s.held == 0 {
                release_done = Some(s.release_at);
            }
        }
        o.refunded += amount;
        let through = match (to, o.paid_by) {
            (RefundTo::Channel, Some(PaidBy::Channel(attempt))) => Some(attempt),
            _ => None,
        };
        if let Some(PaidBy::Balance { .. }) = o.paid_by {
            o.refunded_to_recharge += destinations
                .first()
                .filter(|(account, _)| {
                    crate::chart::kind_of(*account) == Some(Kind::WalletRecharge)
                })
                .map_or(0, |(_, a)| *a);
        }
        if o.refunded == o.amount {
            o.status = OrderStatus::Refunded;
            if let Some(at) = o.confirm_at {
                self.orders.confirm_due.remove(&(at, order));
            }
        }
        if let Some(at) = release_done {
            self.orders.holds.remove(&(at, order));
        }
        // Owed back through the channel the order was paid by.
        if let Some(attempt) = through {
            let a = self.attempt_mut(attempt)?;
            a.owed_back = a.owed_back.saturating_add(amount);
        }
        Ok(())
    }

    /// Where a refund asked to go `to` goes: back through the channel only
    /// for an order paid through one (nothing else could ever send it);
    /// otherwise to the buyer's wallet.
    pub fn refund_lands(&self, order: OrderId, to: RefundTo) -> RefundTo {
        match (to, self.order(order).and_then(|o| o.paid_by)) {
            (RefundTo::Channel, Some(PaidBy::Channel(_))) => RefundTo::Channel,
            _ => RefundTo::Wallet,
        }
    }

    /// Where a refund lands: for wallet refunds, back into recharge up to
    /// what was paid from it (so recharged money never becomes withdrawable
    /// reward), the rest into reward.
    fn refund_destinations(&self, order: OrderId, amount: u64, to: RefundTo) -> Vec<(u128, u64)> {
        let Some(o) = self.order(order) else {
            return Vec::new();
        };
        let c = o.currency;
        match to {
            RefundTo::Channel => vec![(account_id(Kind::RefundsDue, c, o.buyer.0), amount)],
            RefundTo::Wallet => {
                let recharge_paid = match o.paid_by {
                    Some(PaidBy::Balance { recharge, .. }) => recharge,
                    // Paid from outside: it comes back as recharge.
                    _ => o.amount,
                };
                let to_recharge = amount.min(recharge_paid.saturating_sub(o.refunded_to_recharge));
                vec![
                    (account_id(Kind::WalletRecharge, c, o.buyer.0), to_recharge),
                    (
                        account_id(Kind::WalletReward, c, o.buyer.0),
                        amount - to_recharge,
                    ),
                ]
            }
        }
    }

    /// Where a clawback after settlement comes from, in order.
    fn clawback_sources(&self, merchant: MerchantId, c: Currency, amount: u64) -> Vec<(u128, u64)> {
        let mut left = amount;
        let mut out = Vec::new();
        for kind in [
            Kind::MerchantAvailable,
            Kind::MerchantPending,
            Kind::MerchantDeposit,
        ] {
            let account = account_id(kind, c, merchant.0);
            let take = left.min(self.balance(account));
            if take > 0 {
                out.push((account, take));
                left -= take;
            }
        }
        if left > 0 {
            out.push((account_id(Kind::Reserve, c, 0), left));
        }
        out
    }

    /// Credits a user's recharge wallet with money received from outside
    /// (a recharge paid through a channel, held in clearing).
    pub fn credit_wallet(
        &mut self,
        now: u64,
        user: UserId,
        currency: Currency,
        amount: u64,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_user(user)?;
        if amount == 0 {
            return Err(ShopError::Invalid(
                "a credit is at least 1 minor unit".into(),
            ));
        }
        self.credit_from_clearing(now, user, currency, amount, None)
    }

    /// The merchant moves part of its available balance into its security
    /// deposit.
    pub fn fund_deposit(
        &mut self,
        now: u64,
        actor: UserId,
        merchant: MerchantId,
        currency: Currency,
        amount: u64,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.may_act_for(actor, merchant)?;
        if amount == 0 {
            return Err(ShopError::Invalid(
                "a deposit is at least 1 minor unit".into(),
            ));
        }
        if self.balance(account_id(Kind::MerchantAvailable, currency, merchant.0)) < amount {
            return Err(ShopError::InsufficientBalance);
        }
        self.move_money(
            now,
            currency,
            &[Leg {
                debit: account_id(Kind::MerchantAvailable, currency, merchant.0),
                credit: account_id(Kind::MerchantDeposit, currency, merchant.0),
                amount,
                why: Why::Deposit,
                order: None,
            }],
        )
    }

    /// Whether `actor` may act for `merchant`: its owner, or staff who
    /// handle money and buyers (admin, finance, support).
    pub(crate) fn may_act_for(&self, actor: UserId, merchant: MerchantId) -> Result<(), ShopError> {
        let user = self.require_user(actor)?;
        let owner = self.merchant(merchant).map(|m| m.owner);
        match user.role {
            Role::Merchant if owner == Some(actor) => Ok(()),
            Role::Staff(AdminRole::Admin | AdminRole::Finance | AdminRole::Support) => Ok(()),
            _ => Err(ShopError::Forbidden(actor)),
        }
    }
}

/// Pairs sources with destinations into legs, each unit once: both lists
/// sum to the same amount.
fn pair_up(
    sources: &[(u128, u64)],
    destinations: &[(u128, u64)],
    order: OrderId,
    why: Why,
) -> Vec<Leg> {
    let mut legs = Vec::new();
    let mut dest = destinations.iter().copied().filter(|d| d.1 > 0);
    let mut current = dest.next();
    for &(debit, mut left) in sources {
        while left > 0 {
            let Some((credit, room)) = current.as_mut() else {
                break;
            };
            let take = left.min(*room);
            legs.push(Leg {
                debit,
                credit: *credit,
                amount: take,
                why,
                order: Some(order),
            });
            left -= take;
            *room -= take;
            if *room == 0 {
                current = dest.next();
            }
        }
    }
    legs
}
