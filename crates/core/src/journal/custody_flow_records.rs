//! Format 4's records: the money rules per currency, channel settlements
//! into custody, fee sweeps out of it, withdrawal destinations, and a
//! withdrawal with its fee and the destination it names.

use serde::{Deserialize, Serialize};

use crate::facts::FactError;
use crate::journal::money_records::WithdrawalRec;
use crate::journal::records::currency;
use crate::{
    ApprovalId, ChannelSettlement, DepositMinimum, Destination, DestinationId, PartyKind, Rules,
    SettlementId, SettlementSource, SettlementStatus, Sweep, SweepId, UserId, Withdrawal,
    WithdrawalRule, WithdrawalRuleFor,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalRuleRec {
    pub currency: String,
    /// `reward` or `merchant`.
    pub party: String,
    pub min: u64,
    pub max: u64,
    pub daily: u64,
    pub monthly: u64,
    pub fee_fixed: u64,
    pub fee_bps: u32,
    pub one_approver_from: u64,
    pub two_approvers_from: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesRec {
    pub refund_horizon_days: u32,
    pub destination_cooling_hours: u32,
    pub deposit_hold_days: u32,
    /// (currency, minimum)
    pub deposits: Vec<(String, u64)>,
    pub withdrawals: Vec<WithdrawalRuleRec>,
}

impl From<&Rules> for RulesRec {
    fn from(r: &Rules) -> Self {
        Self {
            refund_horizon_days: r.refund_horizon_days,
            destination_cooling_hours: r.destination_cooling_hours,
            deposit_hold_days: r.deposit_hold_days,
            deposits: r
                .deposits
                .iter()
                .map(|d| (d.currency.to_string(), d.minimum))
                .collect(),
            withdrawals: r
                .withdrawals
                .iter()
                .map(|w| WithdrawalRuleRec {
                    currency: w.currency.to_string(),
                    party: w.party.as_str().into(),
                    min: w.rule.min,
                    max: w.rule.max,
                    daily: w.rule.daily,
                    monthly: w.rule.monthly,
                    fee_fixed: w.rule.fee_fixed,
                    fee_bps: w.rule.fee_bps,
                    one_approver_from: w.rule.one_approver_from,
                    two_approvers_from: w.rule.two_approvers_from,
                })
                .collect(),
        }
    }
}

impl RulesRec {
    pub fn read(self) -> Result<Rules, FactError> {
        let mut deposits = Vec::new();
        for (c, minimum) in self.deposits {
            deposits.push(DepositMinimum {
                currency: currency(&c)?,
                minimum,
            });
        }
        let mut withdrawals = Vec::new();
        for w in self.withdrawals {
            withdrawals.push(WithdrawalRuleFor {
                currency: currency(&w.currency)?,
                party: match w.party.as_str() {
                    "reward" => PartyKind::Reward,
                    "merchant" => PartyKind::Merchant,
                    other => return Err(FactError::Bad(format!("party kind {other:?}"))),
                },
                rule: WithdrawalRule {
                    min: w.min,
                    max: w.max,
                    daily: w.daily,
                    monthly: w.monthly,
                    fee_fixed: w.fee_fixed,
                    fee_bps: w.fee_bps,
                    one_approver_from: w.one_approver_from,
                    two_approvers_from: w.two_approvers_from,
                },
            });
        }
        Ok(Rules {
            refund_horizon_days: self.refund_horizon_days,
            destination_cooling_hours: self.destination_cooling_hours,
            deposit_hold_days: self.deposit_hold_days,
            deposits,
            withdrawals,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementRec {
    pub id: u64,
    pub channel: String,
    pub reference: String,
    pub currency: String,
    pub gross: u64,
    pub fee: u64,
    /// `statement` or `bank_credit`.
    pub source: String,
    /// `waiting`, `booked` or `rejected`.
    pub status: String,
    pub by: u64,
    pub at: u64,
    pub approval: Option<u64>,
}

impl From<&ChannelSettlement> for SettlementRec {
    fn from(s: &ChannelSettlement) -> Self {
        Self {
            id: s.id.0,
            channel: s.channel.clone(),
            reference: s.reference.clone(),
            currency: s.currency.to_string(),
            gross: s.gross,
            fee: s.fee,
            source: match s.source {
                SettlementSource::Statement => "statement",
                SettlementSource::BankCredit => "bank_credit",
            }
            .into(),
            status: s.status.as_str().into(),
            by: s.by.0,
            at: s.at,
            approval: s.approval.map(|a| a.0),
        }
    }
}

impl SettlementRec {
    pub fn read(self) -> Result<ChannelSettlement, FactError> {
        Ok(ChannelSettlement {
            id: SettlementId(self.id),
            channel: self.channel,
            reference: self.reference,
            currency: currency(&self.currency)?,
            gross: self.gross,
            fee: self.fee,
            source: match self.source.as_str() {
                "statement" => SettlementSource::Statement,
                "bank_credit" => SettlementSource::BankCredit,
                other => return Err(FactError::Bad(format!("settlement source {other:?}"))),
            },
            status: match self.status.as_str() {
                "waiting" => SettlementStatus::Waiting,
                "booked" => SettlementStatus::Booked,
                "rejected" => SettlementStatus::Rejected,
                other => return Err(FactError::Bad(format!("settlement status {other:?}"))),
            },
            by: UserId(self.by),
            at: self.at,
            approval: self.approval.map(ApprovalId),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepRec {
    pub id: u64,
    pub currency: String,
    pub amount: u64,
    pub by: u64,
    pub at: u64,
    pub cutoff: u64,
}

impl From<&Sweep> for SweepRec {
    fn from(s: &Sweep) -> Self {
        Self {
            id: s.id.0,
            currency: s.currency.to_string(),
            amount: s.amount,
            by: s.by.0,
            at: s.at,
            cutoff: s.cutoff,
        }
    }
}

impl SweepRec {
    pub fn read(self) -> Result<Sweep, FactError> {
        Ok(Sweep {
            id: SweepId(self.id),
            currency: currency(&self.currency)?,
            amount: self.amount,
            by: UserId(self.by),
            at: self.at,
            cutoff: self.cutoff,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationRec {
    pub id: u64,
    pub owner: u64,
    pub label: String,
    pub masked: String,
    #[serde(with = "crate::journal::records::hex")]
    pub sealed: Vec<u8>,
    pub added_at: u64,
    pub removed_at: Option<u64>,
}

impl From<&Destination> for DestinationRec {
    fn from(d: &Destination) -> Self {
        Self {
            id: d.id.0,
            owner: d.owner.0,
            label: d.label.clone(),
            masked: d.masked.clone(),
            sealed: d.sealed.clone(),
            added_at: d.added_at,
            removed_at: d.removed_at,
        }
    }
}

impl DestinationRec {
    pub fn read(self) -> Destination {
        Destination {
            id: DestinationId(self.id),
            owner: UserId(self.owner),
            label: self.label,
            masked: self.masked,
            sealed: self.sealed,
            added_at: self.added_at,
            removed_at: self.removed_at,
        }
    }
}

/// A withdrawal as format 3 kept it, with its fee and its destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal4Rec {
    pub base: WithdrawalRec,
    pub fee: u64,
    pub destination_id: Option<u64>,
    pub payout_started: Option<u64>,
}

impl From<&Withdrawal> for Withdrawal4Rec {
    fn from(w: &Withdrawal) -> Self {
        Self {
            base: w.into(),
            fee: w.fee,
            destination_id: w.destination_id.map(|d| d.0),
            payout_started: w.payout_started,
        }
    }
}

impl Withdrawal4Rec {
    pub fn read(self) -> Result<Withdrawal, FactError> {
        let mut w = self.base.read()?;
        w.fee = self.fee;
        w.destination_id = self.destination_id.map(DestinationId);
        w.payout_started = self.payout_started;
        Ok(w)
    }
}
