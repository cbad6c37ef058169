//! An action waiting for, or given, its second approval, as the journal
//! keeps it (format 3 on).

use serde::{Deserialize, Serialize};

use crate::facts::FactError;
use crate::{
    Approvable, Approval, ApprovalId, ApprovalStatus, Currency, Decision, OrderId, RefundTo, UserId,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApprovableRec {
    #[serde(rename = "refund")]
    Refund {
        order: u64,
        amount: u64,
        to_channel: bool,
    },
    #[serde(rename = "decide_refund")]
    DecideRefund { order: u64, amount: u64 },
    #[serde(rename = "decide_release")]
    DecideRelease { order: u64 },
    #[serde(rename = "reserve_top_up")]
    ReserveTopUp { currency: String, amount: u64 },
    #[serde(rename = "custody_top_up")]
    CustodyTopUp { currency: String, amount: u64 },
    /// Format 4 on.
    #[serde(rename = "channel_settlement")]
    ChannelSettlement { settlement: u64 },
    #[serde(rename = "deposit_credit")]
    DepositCredit {
        merchant: u64,
        currency: String,
        amount: u64,
    },
    #[serde(rename = "deposit_forfeit")]
    ForfeitDeposit { merchant: u64, currency: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApprovalStatusRec {
    #[serde(rename = "waiting")]
    Waiting,
    #[serde(rename = "approved")]
    Approved,
    #[serde(rename = "rejected")]
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRec {
    pub id: u64,
    pub action: ApprovableRec,
    pub asked_by: u64,
    pub at: u64,
    pub status: ApprovalStatusRec,
    pub decided_by: Option<u64>,
    pub decided_at: Option<u64>,
}

impl From<&Approval> for ApprovalRec {
    fn from(a: &Approval) -> Self {
        Self {
            id: a.id.0,
            action: match a.action {
                Approvable::Refund { order, amount, to } => ApprovableRec::Refund {
                    order: order.0,
                    amount,
                    to_channel: to == RefundTo::Channel,
                },
                Approvable::Decision {
                    order,
                    decision: Decision::Refund(amount),
                } => ApprovableRec::DecideRefund {
                    order: order.0,
                    amount,
                },
                Approvable::Decision {
                    order,
                    decision: Decision::Release,
                } => ApprovableRec::DecideRelease { order: order.0 },
                Approvable::ReserveTopUp { currency, amount } => ApprovableRec::ReserveTopUp {
                    currency: currency.to_string(),
                    amount,
                },
                Approvable::CustodyTopUp { currency, amount } => ApprovableRec::CustodyTopUp {
                    currency: currency.to_string(),
                    amount,
                },
                Approvable::ChannelSettlement { settlement } => ApprovableRec::ChannelSettlement {
                    settlement: settlement.0,
                },
                Approvable::DepositCredit {
                    merchant,
                    currency,
                    amount,
                } => ApprovableRec::DepositCredit {
                    merchant: merchant.0,
                    currency: currency.to_string(),
                    amount,
                },
                Approvable::ForfeitDeposit { merchant, currency } => {
                    ApprovableRec::ForfeitDeposit {
                        merchant: merchant.0,
                        currency: currency.to_string(),
                    }
                }
            },
            asked_by: a.asked_by.0,
            at: a.at,
            status: match a.status {
                ApprovalStatus::Waiting => ApprovalStatusRec::Waiting,
                ApprovalStatus::Approved => ApprovalStatusRec::Approved,
                ApprovalStatus::Rejected => ApprovalStatusRec::Rejected,
            },
            decided_by: a.decided_by.map(|u| u.0),
            decided_at: a.decided_at,
        }
    }
}

impl ApprovalRec {
    pub fn read(&self) -> Result<Approval, FactError> {
        Ok(Approval {
            id: ApprovalId(self.id),
            action: match &self.action {
                ApprovableRec::Refund {
                    order,
                    amount,
                    to_channel,
                } => Approvable::Refund {
                    order: OrderId(*order),
                    amount: *amount,
                    to: if *to_channel {
                        RefundTo::Channel
                    } else {
                        RefundTo::Wallet
                    },
                },
                ApprovableRec::DecideRefund { order, amount } => Approvable::Decision {
                    order: OrderId(*order),
                    decision: Decision::Refund(*amount),
                },
                ApprovableRec::DecideRelease { order } => Approvable::Decision {
                    order: OrderId(*order),
                    decision: Decision::Release,
                },
                ApprovableRec::ReserveTopUp { currency, amount } => Approvable::ReserveTopUp {
                    currency: Currency::new(currency).map_err(|e| FactError::Bad(e.to_string()))?,
                    amount: *amount,
                },
                ApprovableRec::CustodyTopUp { currency, amount } => Approvable::CustodyTopUp {
                    currency: Currency::new(currency).map_err(|e| FactError::Bad(e.to_string()))?,
                    amount: *amount,
                },
                ApprovableRec::ChannelSettlement { settlement } => Approvable::ChannelSettlement {
                    settlement: crate::SettlementId(*settlement),
                },
                ApprovableRec::DepositCredit {
                    merchant,
                    currency,
                    amount,
                } => Approvable::DepositCredit {
                    merchant: crate::MerchantId(*merchant),
                    currency: Currency::new(currency).map_err(|e| FactError::Bad(e.to_string()))?,
                    amount: *amount,
                },
                ApprovableRec::ForfeitDeposit { merchant, currency } => {
                    Approvable::ForfeitDeposit {
                        merchant: crate::MerchantId(*merchant),
                        currency: Currency::new(currency)
                            .map_err(|e| FactError::Bad(e.to_string()))?,
                    }
                }
            },
            asked_by: UserId(self.asked_by),
            at: self.at,
            status: match self.status {
                ApprovalStatusRec::Waiting => ApprovalStatus::Waiting,
                ApprovalStatusRec::Approved => ApprovalStatus::Approved,
                ApprovalStatusRec::Rejected => ApprovalStatus::Rejected,
            },
            decided_by: self.decided_by.map(UserId),
            decided_at: self.decided_at,
        })
    }
}
