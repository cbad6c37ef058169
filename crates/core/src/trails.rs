//! Reads for people: an order with its deliveries and money trail, a wallet
//! with its buckets and history, a merchant's balances, stock. Current
//! state comes from memory; the trail from the ledger's own transfers.

use serde::{Deserialize, Serialize};
use trigate_ledger::TransferRecord;

use crate::chart::{Kind, account_id, kind_of};
use crate::shop::Trail;
use crate::{Currency, KeyId, MerchantId, OrderId, Shop, UserId};

/// One movement of money, as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    pub transfer: u128,
    pub at: u64,
    pub from: String,
    pub to: String,
    pub amount: u64,
    /// Why: the transfer's code.
    pub why: u16,
    pub order: Option<OrderId>,
}

fn kind_name(id: u128) -> &'static str {
    match kind_of(id) {
        Some(Kind::Custody) => "custody",
        Some(Kind::Clearing) => "clearing",
        Some(Kind::Operating) => "operating",
        Some(Kind::Escrow) => "escrow",
        Some(Kind::WalletRecharge) => "wallet:recharge",
        Some(Kind::WalletReward) => "wallet:reward",
        Some(Kind::CommissionHeld) => "wallet:held",
        Some(Kind::UserDebt) => "debt:user",
        Some(Kind::MerchantDebt) => "debt:merchant",
        Some(Kind::Debts) => "debts",
        Some(Kind::Losses) => "losses",
        Some(Kind::ChannelFees) => "channel_fees",
        Some(Kind::MerchantPending) => "merchant:pending",
        Some(Kind::MerchantAvailable) => "merchant:available",
        Some(Kind::MerchantDeposit) => "merchant:deposit",
        Some(Kind::RefundsDue) => "refunds_due",
        Some(Kind::Payouts) => "payouts",
        Some(Kind::Fees) => "fees",
        Some(Kind::Reserve) => "reserve",
        None => "other",
    }
}

fn movement(t: &TransferRecord) -> Movement {
    Movement {
        transfer: t.id,
        at: t.timestamp,
        from: kind_name(t.debit_account_id).to_string(),
        to: kind_name(t.credit_account_id).to_string(),
        amount: t.amount,
        why: t.code,
        // An order's id, or none: 0, and a withdrawal's tag (above any
        // order's range), are no order.
        order: u64::try_from(t.user_data)
            .ok()
            .filter(|id| *id != 0)
            .map(OrderId),
    }
}

/// A wallet's buckets and what moved through them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletView {
    pub currency: Currency,
    pub recharge: u64,
    pub reward: u64,
    /// Commissions inside their holding period.
    pub held: u64,
    /// What the user owes the reserve (commissions a refund took back after
    /// they were spent or withdrawn).
    pub debt: u64,
    pub history: Vec<Movement>,
}

/// What the buyer of an order sees of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderTrail {
    pub order: OrderId,
    pub status: String,
    pub currency: Currency,
    pub amount: u64,
    pub refunded: u64,
    pub keys: Vec<KeyId>,
    pub replaced_keys: Vec<KeyId>,
    pub money: Vec<Movement>,
}

impl Shop {
    /// An order with its keys and every transfer made for it, oldest first.
    pub fn order_trail(&self, id: OrderId) -> Option<OrderTrail> {
        let o = self.order(id)?;
        let money = self.trail(Trail::Order(u128::from(id.0)));
        Some(OrderTrail {
            order: id,
            status: o.status.as_str().to_string(),
            currency: o.currency,
            amount: o.amount,
            refunded: o.refunded,
            keys: o.keys.clone(),
            replaced_keys: o.replaced_keys.clone(),
            money,
        })
    }

    /// A user's wallet in one currency, with every movement in or out.
    pub fn wallet_view(&self, user: UserId, currency: Currency) -> WalletView {
        let mine = [
            account_id(Kind::WalletRecharge, currency, user.0),
            account_id(Kind::WalletReward, currency, user.0),
            account_id(Kind::CommissionHeld, currency, user.0),
        ];
        let mut ids: Vec<u128> = mine
            .iter()
            .flat_map(|a| {
                self.trails
                    .get(&Trail::Account(*a))
                    .into_iter()
                    .flatten()
                    .copied()
            })
            .collect();
        // Transfer ids rise with time; one between two buckets shows once.
        ids.sort_unstable();
        ids.dedup();
        let history = self.movements(&ids);
        let (recharge, reward) = self.wallet(user, currency);
        WalletView {
            currency,
            recharge,
            reward,
            held: self.balance(mine[2]),
            debt: self.debt(crate::Party::User(user), currency),
            history,
        }
    }

    fn trail(&self, of: Trail) -> Vec<Movement> {
        self.movements(self.trails.get(&of).map_or(&[][..], Vec::as_slice))
    }

    /// The transfers as movements, leaving out reservations that were
    /// voided or expired: that money never moved.
    fn movements(&self, ids: &[u128]) -> Vec<Movement> {
        use trigate_ledger::PendingStatus;
        ids.iter()
            .filter(|id| {
                !matches!(
                    self.ledger.pending_status(**id),
                    Some(PendingStatus::Voided | PendingStatus::Expired)
                )
            })
            .filter_map(|id| self.ledger.transfer(*id))
            .map(|t| movement(&t))
            .collect()
    }

    /// Keys on sale per product of a merchant: (product, stock).
    pub fn merchant_stock(&self, merchant: MerchantId) -> Vec<(crate::ProductId, u64)> {
        self.catalog
            .of_merchant(merchant)
            .map(|p| (p.id, self.stock(p.id)))
            .collect()
    }
}
