//! Refunds: before settlement out of escrow; after it, the whole split
//! reversed in proportion — the merchant's share, the platform's fee and
//! both commissions each give back their part of the refund, from where
//! that part still sits, and what a party cannot cover the reserve pays in
//! its place, as that party's debt.

use serde::{Deserialize, Serialize};
use trigate_ledger::pro_rata;

use crate::chart::{Kind, Leg, Why, account_id};
use crate::orders::{OrderStatus, PaidBy};
use crate::shares::{FEE, MERCHANT, Party, Shares};
use crate::{OrderId, Shop, ShopError, UserId};

/// Where refunded money goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundTo {
    /// The buyer's wallet, back into the buckets it was paid from.
    Wallet,
    /// Owed back through the channel the buyer paid by (`refunds_due`).
    Channel,
}

/// Money taken from one account towards a refund.
type Source = (u128, u64, Why);

/// How a refund after settlement is taken back.
#[derive(Debug, Default)]
struct Reversal {
    sources: Vec<Source>,
    /// Memo legs opening the debts of parties the reserve covered.
    debts: Vec<Leg>,
    /// The order's shares once it is taken.
    shares: Shares,
    /// What came out of this sale's own held share in pending.
    from_held: u64,
}

impl Shop {
    /// Returns `amount` of a paid order to its buyer. Before settlement it
    /// comes out of escrow; after, the split is reversed in proportion (see
    /// the module). The merchant's owner or finance/support staff may
    /// refund; one by staff above the shop's limit, or one that would draw
    /// on the reserve, needs a second member of staff's approval first.
    pub fn refund(
        &mut self,
        now: u64,
        actor: UserId,
        order: OrderId,
        amount: u64,
        to: RefundTo,
    ) -> Result<(), ShopError> {
        self.refund_as(now, actor, order, amount, to, true)
    }

    /// [`Self::refund`]; `checked` false for a refund a dispute decision
    /// makes (the decision has its own limit, and before settlement nothing
    /// draws on the reserve).
    pub(crate) fn refund_as(
        &mut self,
        now: u64,
        actor: UserId,
        order: OrderId,
        amount: u64,
        to: RefundTo,
        checked: bool,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        let to = self.refund_lands(order, to);
        let o = self.require_order(order)?;
        // A refund a decision makes (a dispute's, a risk review's) is
        // authorised by that decision's own checks.
        if checked {
            self.may_act_for(actor, o.merchant)?;
            self.require_not_held(crate::risk::Subject::Order(order))?;
        }
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
        // After the horizon a settled order's split is final: its fee may
        // have left custody.
        if let Some(at) = o.settled_at.filter(|_| settled)
            && (now >= at.saturating_add(self.rules.refund_horizon_ns()) || self.swept_past(at))
        {
            return Err(ShopError::PastRefundHorizon(order));
        }
        let left = o.unrefunded();
        if amount > left {
            return Err(ShopError::RefundBeyondPaid { left });
        }
        let currency = o.currency;
        let destinations = self.refund_destinations(order, amount, to);
        let reversal = match settled {
            false => None,
            true if self.config.policy.reverse_split => Some(self.reversal(order, amount)?),
            true => Some(self.clawback(order, amount)),
        };
        if checked {
            self.refund_approval(actor, amount, currency, reversal.as_ref())?;
        }
        let mut legs = match &reversal {
            Some(r) => pair_up(&r.sources, &destinations, order),
            None => pair_up(
                &[(account_id(Kind::Escrow, currency, 0), amount, Why::Refund)],
                &destinations,
                order,
            ),
        };
        if let Some(r) = &reversal {
            legs.extend(r.debts.iter().copied());
        }
        self.move_money(now, currency, &legs)?;
        self.audit(now, actor, || {
            format!("refunded {amount} of order {order} ({to:?})")
        });
        let from_held = reversal.as_ref().map_or(0, |r| r.from_held);
        if let Some(r) = reversal.filter(|_| self.config.policy.reverse_split) {
            self.set_shares(order, r.shares);
        }
        let o = self.order_mut(order)?;
        // What came out of this sale's held share is no longer to release.
        let mut release_done = None;
        if let Some(s) = o.settlement.as_mut()
            && from_held > 0
        {
            s.held -= s.held.min(from_held);
            if s.held == 0 {
                release_done = Some(s.release_at);
            }
        }
        o.refunded += amount;
        let parties = (o.merchant, o.buyer);
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
            // Nothing of it is left to release.
            if let Some(s) = o.settlement.as_mut().filter(|s| s.held > 0) {
                s.held = 0;
                release_done = Some(s.release_at);
            }
            if let Some(at) = o.confirm_at {
                self.orders.confirm_due.remove(&(at, order));
            }
        }
        if let Some(at) = release_done {
            self.orders.holds.remove(&(at, order));
        }
        self.watch_refund(now, parties, amount);
        // Owed back through the channel the order was paid by.
        if let Some(attempt) = through {
            let a = self.attempt_mut(attempt)?;
            a.owed_back = a.owed_back.saturating_add(amount);
        }
        Ok(())
    }

    /// Takes `amount` back from a settled order's split: each part's share
    /// of it in proportion to what is left of the part, so that refunds
    /// adding up to the whole reverse the whole split exactly. Each part
    /// comes from where it still sits; what its party cannot cover, the
    /// reserve pays, and the party owes it.
    fn reversal(&self, order: OrderId, amount: u64) -> Result<Reversal, ShopError> {
        let o = self.require_order(order)?;
        let (c, merchant) = (o.currency, o.merchant);
        let s = o.settlement.unwrap_or_default();
        let mut shares = self.shares_or_legacy(order);
        let whole = [s.merchant, s.fee, s.level1, s.level2];
        let left: Vec<u64> = whole
            .iter()
            .zip(shares.reversed)
            .map(|(w, r)| w.saturating_sub(r))
            .collect();
        let parts = pro_rata(amount, &left).map_err(|_| ShopError::RefundBeyondPaid {
            left: o.unrefunded(),
        })?;
        let mut out = Reversal::default();
        let balance = |kind, owner| self.balance(account_id(kind, c, owner));
        let mut take = |account: u128, room: u64, want: &mut u64, why: Why| -> u64 {
            let t = (*want).min(room);
            if t > 0 {
                out.sources.push((account, t, why));
                *want -= t;
            }
            t
        };
        // The merchant's part: this sale's held share, the available
        // balance, the rest of pending, the deposit.
        let mut want = parts[MERCHANT];
        let pending = account_id(Kind::MerchantPending, c, merchant.0);
        let pending_balance = balance(Kind::MerchantPending, merchant.0);
        let from_held = take(
            pending,
            s.held.min(pending_balance),
            &mut want,
            Why::Clawback,
        );
        take(
            account_id(Kind::MerchantAvailable, c, merchant.0),
            balance(Kind::MerchantAvailable, merchant.0),
            &mut want,
            Why::Clawback,
        );
        take(
            pending,
            pending_balance - from_held,
            &mut want,
            Why::Clawback,
        );
        take(
            account_id(Kind::MerchantDeposit, c, merchant.0),
            balance(Kind::MerchantDeposit, merchant.0),
            &mut want,
            Why::Clawback,
        );
        // Who could not cover what: (their place in `covered`, party, amount).
        let mut uncovered = vec![(MERCHANT, Party::Merchant(merchant), want)];
        // The fee: the reserve gives back its share of the fee's part (so
        // that the whole fee reversed gives back exactly what it took), the
        // platform's income the rest.
        let before = shares.reversed[FEE];
        let reserve_had = |reversed: u64| share_in(reversed, shares.to_reserve, s.fee);
        let mut from_reserve = reserve_had(before + parts[FEE]) - reserve_had(before);
        let mut fee = parts[FEE] - from_reserve;
        take(
            account_id(Kind::Reserve, c, 0),
            u64::MAX,
            &mut from_reserve,
            Why::ReverseFee,
        );
        take(
            account_id(Kind::Fees, c, 0),
            u64::MAX,
            &mut fee,
            Why::ReverseFee,
        );
        // Each commission: what is still held of it, then the referrer's
        // reward.
        for level in 0..2 {
            let mut want = parts[2 + level];
            let Some(referrer) = shares.referrers[level] else {
                // No referrer was paid: nothing can be owed for it.
                take(
                    account_id(Kind::Fees, c, 0),
                    u64::MAX,
                    &mut want,
                    Why::ReverseFee,
                );
                continue;
            };
            let held = account_id(Kind::CommissionHeld, c, referrer.0);
            let from_held = take(
                held,
                shares.held[level].min(self.balance(held)),
                &mut want,
                Why::ReverseCommission,
            );
            shares.held[level] -= from_held;
            take(
                account_id(Kind::WalletReward, c, referrer.0),
                balance(Kind::WalletReward, referrer.0),
                &mut want,
                Why::ReverseCommission,
            );
            uncovered.push((1 + level, Party::User(referrer), want));
        }
        for (i, party, amount) in uncovered {
            if amount > 0 {
                out.sources
                    .push((account_id(Kind::Reserve, c, 0), amount, Why::ReserveCover));
                out.debts.push(Self::open_debt_leg(party, c, amount, order));
                shares.covered[i] += amount;
            }
        }
        for (r, p) in shares.reversed.iter_mut().zip(&parts) {
            *r += p;
        }
        out.shares = shares;
        out.from_held = from_held;
        Ok(out)
    }

    /// Refuses a refund that needs a second approval and has none.
    fn refund_approval(
        &self,
        actor: UserId,
        amount: u64,
        currency: crate::Currency,
        reversal: Option<&Reversal>,
    ) -> Result<(), ShopError> {
        let from_reserve: u64 = reversal.map_or(0, |r| {
            r.sources
                .iter()
                .filter(|(account, _, _)| *account == account_id(Kind::Reserve, currency, 0))
                .filter(|(_, _, why)| *why != Why::ReverseFee)
                .map(|(_, a, _)| *a)
                .sum()
        });
        if from_reserve > 0 {
            return self.require_approval_unless_approved(format!(
                "{from_reserve} {currency} of it would be paid by the reserve"
            ));
        }
        let limit = self.config.policy.refund_approval_above;
        let staff = matches!(
            self.user(actor).map(|u| u.role),
            Some(crate::Role::Staff(_))
        );
        if staff && amount > limit {
            return self.require_approval_unless_approved(format!(
                "a refund by staff above {limit} {currency}"
            ));
        }
        Ok(())
    }

    /// A refund after settlement as shops begun in journal format 1 took
    /// it: from the merchant's available balance, pending, deposit, then
    /// the reserve as the merchant's debt.
    fn clawback(&self, order: OrderId, amount: u64) -> Reversal {
        let Some(o) = self.order(order) else {
            return Reversal::default();
        };
        let (c, merchant) = (o.currency, o.merchant);
        let mut out = Reversal::default();
        let mut left = amount;
        for kind in [
            Kind::MerchantAvailable,
            Kind::MerchantPending,
            Kind::MerchantDeposit,
        ] {
            let account = account_id(kind, c, merchant.0);
            let take = left.min(self.balance(account));
            if take > 0 {
                out.sources.push((account, take, Why::Clawback));
                left -= take;
                if kind == Kind::MerchantPending {
                    out.from_held = take;
                }
            }
        }
        if left > 0 {
            out.sources
                .push((account_id(Kind::Reserve, c, 0), left, Why::Clawback));
            out.debts.push(Self::open_debt_leg(
                Party::Merchant(merchant),
                c,
                left,
                order,
            ));
        }
        out
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
}

/// What of `amount` (out of `whole`) falls to `part`: ⌊amount × part /
/// whole⌋, which never shrinks as `amount` grows and is exactly `part` at
/// `whole`.
pub(crate) fn share_in(amount: u64, part: u64, whole: u64) -> u64 {
    if whole == 0 {
        return 0;
    }
    let v = u128::from(amount.min(whole)) * u128::from(part) / u128::from(whole);
    u64::try_from(v).unwrap_or(part)
}

/// Pairs sources with destinations into legs, each unit once: both lists
/// sum to the same amount.
fn pair_up(sources: &[Source], destinations: &[(u128, u64)], order: OrderId) -> Vec<Leg> {
    let mut legs = Vec::new();
    let mut dest = destinations.iter().copied().filter(|d| d.1 > 0);
    let mut current = dest.next();
    for &(debit, mut left, why) in sources {
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
