//! The journal's spelling of the records money moves through: orders (with
//! their settlement and dispute), payment attempts, coupons, withdrawals,
//! credits by hand, audit entries and remembered idempotent replies. Part
//! of journal format 2, like [`super::records`].

use serde::{Deserialize, Serialize};

use super::records::{HiddenText, attempt_id, currency, key_ids, read_key_ids};
use crate::facts::FactError;
use crate::{CreditId, MerchantId, OrderId, ProductId, UserId, WithdrawalId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderStatusRec {
    #[serde(rename = "created")]
    Created,
    #[serde(rename = "paid")]
    Paid,
    #[serde(rename = "delivered")]
    Delivered,
    #[serde(rename = "disputed")]
    Disputed,
    #[serde(rename = "settled")]
    Settled,
    #[serde(rename = "expired")]
    Expired,
    #[serde(rename = "cancelled")]
    Cancelled,
    #[serde(rename = "refunded")]
    Refunded,
}

impl From<crate::OrderStatus> for OrderStatusRec {
    fn from(s: crate::OrderStatus) -> Self {
        use crate::OrderStatus as S;
        match s {
            S::Created => Self::Created,
            S::Paid => Self::Paid,
            S::Delivered => Self::Delivered,
            S::Disputed => Self::Disputed,
            S::Settled => Self::Settled,
            S::Expired => Self::Expired,
            S::Cancelled => Self::Cancelled,
            S::Refunded => Self::Refunded,
        }
    }
}

impl From<OrderStatusRec> for crate::OrderStatus {
    fn from(s: OrderStatusRec) -> Self {
        use OrderStatusRec as S;
        match s {
            S::Created => Self::Created,
            S::Paid => Self::Paid,
            S::Delivered => Self::Delivered,
            S::Disputed => Self::Disputed,
            S::Settled => Self::Settled,
            S::Expired => Self::Expired,
            S::Cancelled => Self::Cancelled,
            S::Refunded => Self::Refunded,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaidByRec {
    #[serde(rename = "balance")]
    Balance { recharge: u64, reward: u64 },
    #[serde(rename = "channel")]
    Channel { attempt: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementRec {
    pub merchant: u64,
    pub fee: u64,
    pub level1: u64,
    pub level2: u64,
    pub release_at: u64,
    pub held: u64,
}

impl From<crate::Settlement> for SettlementRec {
    fn from(s: crate::Settlement) -> Self {
        Self {
            merchant: s.merchant,
            fee: s.fee,
            level1: s.level1,
            level2: s.level2,
            release_at: s.release_at,
            held: s.held,
        }
    }
}

impl From<SettlementRec> for crate::Settlement {
    fn from(s: SettlementRec) -> Self {
        Self {
            merchant: s.merchant,
            fee: s.fee,
            level1: s.level1,
            level2: s.level2,
            release_at: s.release_at,
            held: s.held,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DisputeActionRec {
    #[serde(rename = "opened")]
    Opened { reason: String },
    #[serde(rename = "keys_replaced")]
    KeysReplaced { old: Vec<u64>, new: Vec<u64> },
    #[serde(rename = "refunded")]
    Refunded { amount: u64 },
    #[serde(rename = "escalated")]
    Escalated,
    #[serde(rename = "decided_refund")]
    DecidedRefund { amount: u64 },
    #[serde(rename = "decided_release")]
    DecidedRelease,
    /// Format 5 on.
    #[serde(rename = "message")]
    Message { text: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeStepRec {
    pub at: u64,
    pub by: Option<u64>,
    pub action: DisputeActionRec,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeRec {
    pub opened_at: u64,
    pub escalated: bool,
    pub open: bool,
    pub steps: Vec<DisputeStepRec>,
}

impl From<&crate::Dispute> for DisputeRec {
    fn from(d: &crate::Dispute) -> Self {
        use crate::{Decision, DisputeAction as A};
        Self {
            opened_at: d.opened_at,
            escalated: d.escalated,
            open: d.open,
            steps: d
                .steps
                .iter()
                .map(|s| DisputeStepRec {
                    at: s.at,
                    by: s.by.map(|u| u.0),
                    action: match &s.action {
                        A::Opened { reason } => DisputeActionRec::Opened {
                            reason: reason.clone(),
                        },
                        A::KeysReplaced { old, new } => DisputeActionRec::KeysReplaced {
                            old: key_ids(old),
                            new: key_ids(new),
                        },
                        A::Refunded { amount } => DisputeActionRec::Refunded { amount: *amount },
                        A::Escalated => DisputeActionRec::Escalated,
                        A::Decided(Decision::Refund(amount)) => {
                            DisputeActionRec::DecidedRefund { amount: *amount }
                        }
                        A::Decided(Decision::Release) => DisputeActionRec::DecidedRelease,
                        A::Message { text } => DisputeActionRec::Message { text: text.clone() },
                    },
                })
                .collect(),
        }
    }
}

impl From<DisputeRec> for crate::Dispute {
    fn from(d: DisputeRec) -> Self {
        use crate::{Decision, DisputeAction as A};
        Self {
            opened_at: d.opened_at,
            escalated: d.escalated,
            open: d.open,
            steps: d
                .steps
                .into_iter()
                .map(|s| crate::DisputeStep {
                    at: s.at,
                    by: s.by.map(UserId),
                    action: match s.action {
                        DisputeActionRec::Opened { reason } => A::Opened { reason },
                        DisputeActionRec::KeysReplaced { old, new } => A::KeysReplaced {
                            old: read_key_ids(&old),
                            new: read_key_ids(&new),
                        },
                        DisputeActionRec::Refunded { amount } => A::Refunded { amount },
                        DisputeActionRec::Escalated => A::Escalated,
                        DisputeActionRec::DecidedRefund { amount } => {
                            A::Decided(Decision::Refund(amount))
                        }
                        DisputeActionRec::DecidedRelease => A::Decided(Decision::Release),
                        DisputeActionRec::Message { text } => A::Message { text },
                    },
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRec {
    pub id: u64,
    pub buyer: u64,
    pub merchant: u64,
    pub product: u64,
    pub quantity: u32,
    pub currency: String,
    pub amount: u64,
    pub coupon: Option<String>,
    pub status: OrderStatusRec,
    pub created_at: u64,
    pub reserved_until: u64,
    pub keys: Vec<u64>,
    pub paid_by: Option<PaidByRec>,
    pub paid_at: Option<u64>,
    pub delivered_at: Option<u64>,
    pub confirm_at: Option<u64>,
    pub confirmed_at: Option<u64>,
    pub settled_at: Option<u64>,
    pub settlement: Option<SettlementRec>,
    pub dispute: Option<DisputeRec>,
    pub replaced_keys: Vec<u64>,
    pub refunded: u64,
    pub refunded_to_recharge: u64,
    pub lookup: Option<HiddenText>,
}

impl From<&crate::Order> for OrderRec {
    fn from(o: &crate::Order) -> Self {
        Self {
            id: o.id.0,
            buyer: o.buyer.0,
            merchant: o.merchant.0,
            product: o.product.0,
            quantity: o.quantity,
            currency: o.currency.to_string(),
            amount: o.amount,
            coupon: o.coupon.clone(),
            status: o.status.into(),
            created_at: o.created_at,
            reserved_until: o.reserved_until,
            keys: key_ids(&o.keys),
            paid_by: o.paid_by.map(|p| match p {
                crate::PaidBy::Balance { recharge, reward } => {
                    PaidByRec::Balance { recharge, reward }
                }
                crate::PaidBy::Channel(a) => PaidByRec::Channel { attempt: a.0 },
            }),
            paid_at: o.paid_at,
            delivered_at: o.delivered_at,
            confirm_at: o.confirm_at,
            confirmed_at: o.confirmed_at,
            settled_at: o.settled_at,
            settlement: o.settlement.map(Into::into),
            dispute: o.dispute.as_ref().map(Into::into),
            replaced_keys: key_ids(&o.replaced_keys),
            refunded: o.refunded,
            refunded_to_recharge: o.refunded_to_recharge,
            lookup: o.lookup.as_ref().map(|h| HiddenText(h.0.clone())),
        }
    }
}

impl OrderRec {
    pub fn read(self) -> Result<crate::Order, FactError> {
        Ok(crate::Order {
            id: OrderId(self.id),
            buyer: UserId(self.buyer),
            merchant: MerchantId(self.merchant),
            product: ProductId(self.product),
            quantity: self.quantity,
            currency: currency(&self.currency)?,
            amount: self.amount,
            coupon: self.coupon,
            status: self.status.into(),
            created_at: self.created_at,
            reserved_until: self.reserved_until,
            keys: read_key_ids(&self.keys),
            paid_by: self.paid_by.map(|p| match p {
                PaidByRec::Balance { recharge, reward } => {
                    crate::PaidBy::Balance { recharge, reward }
                }
                PaidByRec::Channel { attempt } => crate::PaidBy::Channel(attempt_id(attempt)),
            }),
            paid_at: self.paid_at,
            delivered_at: self.delivered_at,
            confirm_at: self.confirm_at,
            confirmed_at: self.confirmed_at,
            settled_at: self.settled_at,
            settlement: self.settlement.map(Into::into),
            dispute: self.dispute.map(Into::into),
            replaced_keys: read_key_ids(&self.replaced_keys),
            refunded: self.refunded,
            refunded_to_recharge: self.refunded_to_recharge,
            lookup: self.lookup.map(|h| crate::PasswordHash(h.0)),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PurposeRec {
    #[serde(rename = "order")]
    Order(u64),
    #[serde(rename = "recharge")]
    Recharge,
    /// Format 4 on: into a merchant's deposit.
    #[serde(rename = "deposit")]
    Deposit(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttemptStatusRec {
    #[serde(rename = "pending")]
    Pending,
    #[serde(rename = "failed")]
    Failed,
    #[serde(rename = "succeeded")]
    Succeeded,
    #[serde(rename = "credited_to_wallet")]
    CreditedToWallet,
    #[serde(rename = "owed_back")]
    OwedBack,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRec {
    pub id: u64,
    pub user: u64,
    pub purpose: PurposeRec,
    pub channel: String,
    pub amount: u64,
    pub currency: String,
    pub status: AttemptStatusRec,
    pub channel_txn: Option<String>,
    pub created_at: u64,
    pub paid_at: Option<u64>,
    pub owed_back: u64,
    pub sent_back: u64,
}

impl From<&crate::Attempt> for AttemptRec {
    fn from(a: &crate::Attempt) -> Self {
        use crate::AttemptStatus as S;
        Self {
            id: a.id.0,
            user: a.user.0,
            purpose: match a.purpose {
                crate::Purpose::Order(o) => PurposeRec::Order(o.0),
                crate::Purpose::Recharge => PurposeRec::Recharge,
                crate::Purpose::Deposit(m) => PurposeRec::Deposit(m.0),
            },
            channel: a.channel.clone(),
            amount: a.amount,
            currency: a.currency.to_string(),
            status: match a.status {
                S::Pending => AttemptStatusRec::Pending,
                S::Failed => AttemptStatusRec::Failed,
                S::Succeeded => AttemptStatusRec::Succeeded,
                S::CreditedToWallet => AttemptStatusRec::CreditedToWallet,
                S::OwedBack => AttemptStatusRec::OwedBack,
            },
            channel_txn: a.channel_txn.clone(),
            created_at: a.created_at,
            paid_at: a.paid_at,
            owed_back: a.owed_back,
            sent_back: a.sent_back,
        }
    }
}

impl AttemptRec {
    pub fn read(self) -> Result<crate::Attempt, FactError> {
        use crate::AttemptStatus as S;
        Ok(crate::Attempt {
            id: attempt_id(self.id),
            user: UserId(self.user),
            purpose: match self.purpose {
                PurposeRec::Order(o) => crate::Purpose::Order(OrderId(o)),
                PurposeRec::Recharge => crate::Purpose::Recharge,
                PurposeRec::Deposit(m) => crate::Purpose::Deposit(crate::MerchantId(m)),
            },
            channel: self.channel,
            amount: self.amount,
            currency: currency(&self.currency)?,
            status: match self.status {
                AttemptStatusRec::Pending => S::Pending,
                AttemptStatusRec::Failed => S::Failed,
                AttemptStatusRec::Succeeded => S::Succeeded,
                AttemptStatusRec::CreditedToWallet => S::CreditedToWallet,
                AttemptStatusRec::OwedBack => S::OwedBack,
            },
            channel_txn: self.channel_txn,
            created_at: self.created_at,
            paid_at: self.paid_at,
            owed_back: self.owed_back,
            sent_back: self.sent_back,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiscountRec {
    #[serde(rename = "fixed")]
    Fixed { amount: u64, currency: String },
    #[serde(rename = "percent_bps")]
    PercentBps(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponRec {
    pub merchant: u64,
    pub code: String,
    pub product: Option<u64>,
    pub discount: DiscountRec,
    pub uses: u32,
    pub expires_at: u64,
    pub uses_left: u32,
}

impl From<&crate::Coupon> for CouponRec {
    fn from(c: &crate::Coupon) -> Self {
        Self {
            merchant: c.merchant.0,
            code: c.spec.code.clone(),
            product: c.spec.product.map(|p| p.0),
            discount: match c.spec.discount {
                crate::Discount::Fixed { amount, currency } => DiscountRec::Fixed {
                    amount,
                    currency: currency.to_string(),
                },
                crate::Discount::Percent(b) => DiscountRec::PercentBps(b.get()),
            },
            uses: c.spec.uses,
            expires_at: c.spec.expires_at,
            uses_left: c.uses_left,
        }
    }
}

impl CouponRec {
    pub fn read(self) -> Result<crate::Coupon, FactError> {
        Ok(crate::Coupon {
            merchant: MerchantId(self.merchant),
            spec: crate::NewCoupon {
                code: self.code,
                product: self.product.map(ProductId),
                discount: match self.discount {
                    DiscountRec::Fixed {
                        amount,
                        currency: c,
                    } => crate::Discount::Fixed {
                        amount,
                        currency: currency(&c)?,
                    },
                    DiscountRec::PercentBps(b) => crate::Discount::Percent(
                        crate::Bps::new(b).map_err(|e| FactError::Bad(e.to_string()))?,
                    ),
                },
                uses: self.uses,
                expires_at: self.expires_at,
            },
            uses_left: self.uses_left,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WithdrawFromRec {
    #[serde(rename = "merchant")]
    Merchant,
    #[serde(rename = "reward")]
    Reward,
    /// Format 4 on.
    #[serde(rename = "deposit")]
    Deposit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WithdrawalStatusRec {
    #[serde(rename = "requested")]
    Requested,
    #[serde(rename = "approved")]
    Approved,
    #[serde(rename = "paid_out")]
    PaidOut,
    #[serde(rename = "rejected")]
    Rejected,
    #[serde(rename = "failed")]
    Failed,
}

impl From<crate::WithdrawalStatus> for WithdrawalStatusRec {
    fn from(s: crate::WithdrawalStatus) -> Self {
        use crate::WithdrawalStatus as S;
        match s {
            S::Requested => Self::Requested,
            S::Approved => Self::Approved,
            S::PaidOut => Self::PaidOut,
            S::Rejected => Self::Rejected,
            S::Failed => Self::Failed,
        }
    }
}

impl From<WithdrawalStatusRec> for crate::WithdrawalStatus {
    fn from(s: WithdrawalStatusRec) -> Self {
        use WithdrawalStatusRec as S;
        match s {
            S::Requested => Self::Requested,
            S::Approved => Self::Approved,
            S::PaidOut => Self::PaidOut,
            S::Rejected => Self::Rejected,
            S::Failed => Self::Failed,
        }
    }
}

/// Account ids are 128-bit: a number in the journal's binary encoding, hex
/// where a record is shown as text, so every JSON reader keeps them exact.
mod account {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(id: &u128, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&format!("{id:032x}"))
        } else {
            id.serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        if d.is_human_readable() {
            let text = String::deserialize(d)?;
            u128::from_str_radix(&text, 16).map_err(serde::de::Error::custom)
        } else {
            u128::deserialize(d)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalRec {
    pub id: u64,
    pub requester: u64,
    pub from: WithdrawFromRec,
    #[serde(with = "account")]
    pub source: u128,
    pub currency: String,
    pub amount: u64,
    pub destination: String,
    pub status: WithdrawalStatusRec,
    pub requested_at: u64,
    pub approvals: Vec<u64>,
    pub approvals_needed: u64,
    #[serde(with = "account")]
    pub reservation: u128,
    pub reference: Option<String>,
    pub closed_at: Option<u64>,
}

impl From<&crate::Withdrawal> for WithdrawalRec {
    fn from(w: &crate::Withdrawal) -> Self {
        Self {
            id: w.id.0,
            requester: w.requester.0,
            from: match w.from {
                crate::WithdrawFrom::Merchant => WithdrawFromRec::Merchant,
                crate::WithdrawFrom::Reward => WithdrawFromRec::Reward,
                crate::WithdrawFrom::Deposit => WithdrawFromRec::Deposit,
            },
            source: w.source,
            currency: w.currency.to_string(),
            amount: w.amount,
            destination: w.destination.clone(),
            status: w.status.into(),
            requested_at: w.requested_at,
            approvals: w.approvals.iter().map(|u| u.0).collect(),
            approvals_needed: w.approvals_needed as u64,
            reservation: w.reservation,
            reference: w.reference.clone(),
            closed_at: w.closed_at,
        }
    }
}

impl WithdrawalRec {
    pub fn read(self) -> Result<crate::Withdrawal, FactError> {
        Ok(crate::Withdrawal {
            id: WithdrawalId(self.id),
            requester: UserId(self.requester),
            from: match self.from {
                WithdrawFromRec::Merchant => crate::WithdrawFrom::Merchant,
                WithdrawFromRec::Reward => crate::WithdrawFrom::Reward,
                WithdrawFromRec::Deposit => crate::WithdrawFrom::Deposit,
            },
            source: self.source,
            currency: currency(&self.currency)?,
            amount: self.amount,
            destination: self.destination,
            status: self.status.into(),
            requested_at: self.requested_at,
            approvals: self.approvals.into_iter().map(UserId).collect(),
            approvals_needed: usize::try_from(self.approvals_needed)
                .map_err(|_| FactError::Bad("approvals_needed".into()))?,
            reservation: self.reservation,
            reference: self.reference,
            closed_at: self.closed_at,
            destination_id: None,
            fee: 0,
            payout_started: None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreditStatusRec {
    #[serde(rename = "requested")]
    Requested,
    #[serde(rename = "approved")]
    Approved,
    #[serde(rename = "rejected")]
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditRec {
    pub id: u64,
    pub maker: u64,
    pub user: u64,
    pub currency: String,
    pub amount: u64,
    pub note: String,
    pub status: CreditStatusRec,
    pub asked_at: u64,
    pub checker: Option<u64>,
}

impl From<&crate::ManualCredit> for CreditRec {
    fn from(c: &crate::ManualCredit) -> Self {
        use crate::CreditStatus as S;
        Self {
            id: c.id.0,
            maker: c.maker.0,
            user: c.user.0,
            currency: c.currency.to_string(),
            amount: c.amount,
            note: c.note.clone(),
            status: match c.status {
                S::Requested => CreditStatusRec::Requested,
                S::Approved => CreditStatusRec::Approved,
                S::Rejected => CreditStatusRec::Rejected,
            },
            asked_at: c.asked_at,
            checker: c.checker.map(|u| u.0),
        }
    }
}

impl CreditRec {
    pub fn read(self) -> Result<crate::ManualCredit, FactError> {
        use crate::CreditStatus as S;
        Ok(crate::ManualCredit {
            id: CreditId(self.id),
            maker: UserId(self.maker),
            user: UserId(self.user),
            currency: currency(&self.currency)?,
            amount: self.amount,
            note: self.note,
            status: match self.status {
                CreditStatusRec::Requested => S::Requested,
                CreditStatusRec::Approved => S::Approved,
                CreditStatusRec::Rejected => S::Rejected,
            },
            asked_at: self.asked_at,
            checker: self.checker.map(UserId),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRec {
    pub at: u64,
    pub actor: u64,
    pub action: String,
}

impl From<&crate::audit::AuditEntry> for AuditRec {
    fn from(a: &crate::audit::AuditEntry) -> Self {
        Self {
            at: a.at,
            actor: a.actor.0,
            action: a.action.clone(),
        }
    }
}

impl From<AuditRec> for crate::audit::AuditEntry {
    fn from(a: AuditRec) -> Self {
        Self {
            at: a.at,
            actor: UserId(a.actor),
            action: a.action,
        }
    }
}
