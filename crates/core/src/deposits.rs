//! A merchant's security deposit (保证金): paid in from outside (through
//! a channel, or a bank credit finance books with a second approval) or
//! from its available balance; the shop's minimum per currency before the
//! merchant sells in it; withdrawn only with no order still open and some
//! days after its last sale; forfeited to the reserve, which refunds its
//! buyers, when staff ban the merchant (four eyes).

use crate::chart::{Kind, Leg, Why, account_id};
use crate::orders::OrderStatus;
use crate::time::NANOS_PER_DAY;
use crate::{Currency, MerchantId, MerchantStatus, Shop, ShopError, UserId};

impl Shop {
    /// What `merchant`'s deposit holds in `currency`.
    pub fn deposit(&self, merchant: MerchantId, currency: Currency) -> u64 {
        self.balance(account_id(Kind::MerchantDeposit, currency, merchant.0))
    }

    /// Refuses a sale in `currency` while the merchant's deposit is below
    /// the shop's minimum for it.
    pub(crate) fn require_deposit(
        &self,
        merchant: MerchantId,
        currency: Currency,
    ) -> Result<(), ShopError> {
        let minimum = self.rules.deposit_minimum(currency);
        if minimum > 0 && self.deposit(merchant, currency) < minimum {
            return Err(ShopError::DepositRequired {
                currency: currency.to_string(),
                minimum,
            });
        }
        Ok(())
    }

    /// When the merchant last sold (an order paid), if ever.
    pub fn last_sale(&self, merchant: MerchantId) -> Option<u64> {
        self.orders
            .list
            .iter()
            .filter(|o| o.merchant == merchant)
            .filter_map(|o| o.paid_at)
            .max()
    }

    /// Refuses taking the deposit out while an order of the merchant's is
    /// paid but not settled (or disputed), or within the shop's days after
    /// its last sale.
    pub(crate) fn require_deposit_free(
        &self,
        now: u64,
        merchant: MerchantId,
    ) -> Result<(), ShopError> {
        if let Some(o) = self.orders.list.iter().find(|o| {
            o.merchant == merchant
                && matches!(
                    o.status,
                    OrderStatus::Created
                        | OrderStatus::Paid
                        | OrderStatus::Delivered
                        | OrderStatus::Disputed
                )
        }) {
            return Err(ShopError::DepositHeld {
                why: format!("order {} is not settled yet", o.id),
            });
        }
        // A refund after settlement may still take from the deposit until
        // the order's refund horizon.
        let horizon = self.rules.refund_horizon_ns();
        if let Some(o) = self.orders.list.iter().find(|o| {
            o.merchant == merchant
                && o.settled_at
                    .is_some_and(|at| now < at.saturating_add(horizon) && !self.swept_past(at))
        }) {
            return Err(ShopError::DepositHeld {
                why: format!("order {} may still be refunded", o.id),
            });
        }
        let days = self.rules.deposit_hold_days;
        if let Some(last) = self.last_sale(merchant) {
            let free_at = last.saturating_add(u64::from(days) * NANOS_PER_DAY);
            if now < free_at {
                return Err(ShopError::DepositHeld {
                    why: format!(
                        "the last sale was less than {days} days ago; it is free from {free_at} \
                         (ns since the epoch)"
                    ),
                });
            }
        }
        Ok(())
    }

    /// A bank credit into a merchant's deposit, approved: custody → deposit.
    pub(crate) fn credit_deposit(
        &mut self,
        now: u64,
        merchant: MerchantId,
        currency: Currency,
        amount: u64,
    ) -> Result<(), ShopError> {
        self.merchant(merchant)
            .ok_or(ShopError::MerchantNotFound(merchant))?;
        self.move_money(
            now,
            currency,
            &[Leg {
                debit: account_id(Kind::Custody, currency, 0),
                credit: account_id(Kind::MerchantDeposit, currency, merchant.0),
                amount,
                why: Why::DepositIn,
                order: None,
            }],
        )
    }

    /// A banned merchant's deposit, forfeited with a second approval: all
    /// of it to the reserve, which pays the refunds its buyers are owed.
    pub(crate) fn forfeit_deposit(
        &mut self,
        now: u64,
        actor: UserId,
        merchant: MerchantId,
        currency: Currency,
    ) -> Result<u64, ShopError> {
        let m = self
            .merchant(merchant)
            .ok_or(ShopError::MerchantNotFound(merchant))?;
        if m.status != MerchantStatus::Banned {
            return Err(ShopError::Invalid(format!(
                "merchant {merchant} is not banned: only a banned merchant's deposit is forfeited"
            )));
        }
        // Deposit withdrawals still waiting end first: the whole deposit
        // goes.
        let waiting: Vec<crate::WithdrawalId> = self
            .withdrawals
            .list
            .iter()
            .filter(|w| {
                w.from == crate::WithdrawFrom::Deposit
                    && w.currency == currency
                    && w.status == crate::WithdrawalStatus::Requested
                    && w.source == account_id(Kind::MerchantDeposit, currency, merchant.0)
            })
            .map(|w| w.id)
            .collect();
        for id in waiting {
            self.end_withdrawal(now, id)?;
        }
        let amount = self.deposit(merchant, currency);
        if amount == 0 {
            return Err(ShopError::Invalid(format!(
                "merchant {merchant} holds no deposit in {currency}"
            )));
        }
        self.move_money(
            now,
            currency,
            &[Leg {
                debit: account_id(Kind::MerchantDeposit, currency, merchant.0),
                credit: account_id(Kind::Reserve, currency, 0),
                amount,
                why: Why::DepositForfeit,
                order: None,
            }],
        )?;
        self.audit(now, actor, || {
            format!("forfeited merchant {merchant}'s deposit of {amount} {currency} to the reserve")
        });
        Ok(amount)
    }
}
