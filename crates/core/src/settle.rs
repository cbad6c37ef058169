//! Money after delivery: confirmation and the split settlement, the
//! holding periods of merchants' shares and of commissions, and recharges
//! into wallets.

use trigate_ledger::{Leg as Share, split};

use crate::Settlement;
use crate::chart::Leg;
use crate::chart::{Kind, Why, account_id};
use crate::orders::OrderStatus;
use crate::shares::{MERCHANT, Party, Shares};
use crate::time::NANOS_PER_DAY;
use crate::users::{AdminRole, Role};
use crate::{Currency, MerchantId, OrderId, Shop, ShopError, UserId};

/// `bps` basis points of `amount`, rounded down.
pub(crate) fn share_of(amount: u64, bps: u32) -> u64 {
    let share = u128::from(amount) * u128::from(bps.min(10_000)) / 10_000;
    u64::try_from(share).unwrap_or(amount)
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
    /// pending balance, the fee (the reserve's share of it to the reserve),
    /// and level-1 and level-2 commissions (out of the merchant's share;
    /// kept by the merchant where there is no referrer, or the referrer is
    /// linked to the buyer: a self-referral earns nothing), held for the
    /// shop's commission holding period. A party's open debt is repaid
    /// first from what it gets. Exact split: the legs always sum to what is
    /// in escrow.
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
        let (r1, r2) = self.paid_referrers(buyer);
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
        let (fee, merchant_part) = (parts[0], parts[3]);
        let policy = self.config.policy;
        let holding = self.holding_days_of(now, merchant.id, merchant.holding_days);
        let release_at = now.saturating_add(u64::from(holding) * NANOS_PER_DAY);
        let mut shares = Shares {
            referrers: [r1, r2],
            commission_release_at: now
                .saturating_add(u64::from(policy.commission_holding_days) * NANOS_PER_DAY),
            to_reserve: share_of(fee, policy.reserve_fee_bps),
            ..Shares::default()
        };
        let escrow = account_id(Kind::Escrow, currency, 0);
        let leg = |credit, amount, why| Leg {
            debit: escrow,
            credit,
            amount,
            why,
            order: Some(id),
        };
        let mut legs = Vec::with_capacity(8);
        let (repay, repaid) = self.repay_from(
            Party::Merchant(merchant_id),
            currency,
            escrow,
            merchant_part,
            id,
        );
        legs.extend(repay);
        shares.repaid[MERCHANT] = repaid;
        legs.push(leg(
            account_id(Kind::MerchantPending, currency, merchant_id.0),
            merchant_part - repaid,
            Why::SettleMerchant,
        ));
        legs.push(leg(
            account_id(Kind::Fees, currency, 0),
            fee - shares.to_reserve,
            Why::SettleFee,
        ));
        legs.push(leg(
            account_id(Kind::Reserve, currency, 0),
            shares.to_reserve,
            Why::ReserveShare,
        ));
        for (level, referrer) in [r1, r2].into_iter().enumerate() {
            let Some(referrer) = referrer else { continue };
            let commission = parts[1 + level];
            let (repay, repaid) =
                self.repay_from(Party::User(referrer), currency, escrow, commission, id);
            legs.extend(repay);
            shares.repaid[1 + level] = repaid;
            let kind = if policy.commission_holding_days > 0 {
                shares.held[level] = commission - repaid;
                Kind::CommissionHeld
            } else {
                Kind::WalletReward
            };
            legs.push(leg(
                account_id(kind, currency, referrer.0),
                commission - repaid,
                Why::SettleCommission,
            ));
        }
        self.move_money(now, currency, &legs)?;
        let settlement = Settlement {
            merchant: merchant_part,
            fee,
            level1: parts[1],
            level2: parts[2],
            release_at,
            held: merchant_part - shares.repaid[MERCHANT],
        };
        if let Some(at) = confirm_at {
            self.orders.confirm_due.remove(&(at, id));
        }
        // A sale that leaves the merchant nothing (a whole fee) has nothing
        // to hold: as the journal's facts rebuild it.
        if settlement.held > 0 {
            self.orders.holds.insert((release_at, id));
        }
        self.set_shares(id, shares);
        let o = self.order_mut(id)?;
        o.status = OrderStatus::Settled;
        o.confirmed_at = Some(now);
        o.settled_at = Some(now);
        o.settlement = Some(settlement);
        Ok(settlement)
    }

    /// Moves every settled share whose holding period has ended from the
    /// merchant's pending balance to available, and every commission whose
    /// holding period has ended to its referrer's reward, each repaying
    /// its party's open debt first. Returns the orders released.
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
            let (mut legs, repaid) =
                self.repay_from(Party::Merchant(merchant), currency, pending, amount, id);
            legs.push(Leg {
                debit: pending,
                credit: account_id(Kind::MerchantAvailable, currency, merchant.0),
                amount: amount - repaid,
                why: Why::Release,
                order: Some(id),
            });
            self.move_money(now, currency, &legs)?;
            self.orders.holds.remove(&entry);
            if repaid > 0 {
                let mut shares = self.shares_or_legacy(id);
                shares.repaid[MERCHANT] += repaid;
                self.set_shares(id, shares);
            }
            if let Some(s) = self.order_mut(id)?.settlement.as_mut() {
                s.held = 0;
            }
            released.push(id);
        }
        let due: Vec<(u64, OrderId)> = self
            .shares
            .commission_holds
            .range(..=(now, OrderId(u64::MAX)))
            .copied()
            .collect();
        for (_, id) in due {
            self.release_commissions(now, id)?;
            if !released.contains(&id) {
                released.push(id);
            }
        }
        Ok(released)
    }

    /// Moves an order's held commissions to their referrers' reward.
    fn release_commissions(&mut self, now: u64, id: OrderId) -> Result<(), ShopError> {
        let currency = self.require_order(id)?.currency;
        let mut shares = self.shares_or_legacy(id);
        let mut legs = Vec::new();
        for level in 0..2 {
            let (Some(referrer), held) = (shares.referrers[level], shares.held[level]) else {
                continue;
            };
            let account = account_id(Kind::CommissionHeld, currency, referrer.0);
            let amount = held.min(self.balance(account));
            let (repay, repaid) =
                self.repay_from(Party::User(referrer), currency, account, amount, id);
            legs.extend(repay);
            legs.push(Leg {
                debit: account,
                credit: account_id(Kind::WalletReward, currency, referrer.0),
                amount: amount - repaid,
                why: Why::CommissionRelease,
                order: Some(id),
            });
            shares.repaid[1 + level] += repaid;
            shares.held[level] = 0;
        }
        self.move_money(now, currency, &legs)?;
        self.set_shares(id, shares);
        Ok(())
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
