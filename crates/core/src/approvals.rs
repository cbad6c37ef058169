//! Four eyes on the money that leaves through the platform's own hands: a
//! refund by staff above the shop's limit, any refund that would draw on
//! the reserve, a dispute decision refunding above its limit, and every
//! top-up of the reserve wait for a second member of staff (finance or an
//! admin), never the one who asked. Approved, the action runs as the one
//! who asked it; rejected, nothing moves. Each step is audited.

use serde::{Deserialize, Serialize};

use crate::chart::{Kind, Leg, Why, account_id};
use crate::orders::Decision;
use crate::refunds::RefundTo;
use crate::{ApprovalId, Currency, OrderId, Shop, ShopError, UserId};

/// What waits for a second pair of eyes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Approvable {
    Refund {
        order: OrderId,
        amount: u64,
        to: RefundTo,
    },
    Decision {
        order: OrderId,
        decision: Decision,
    },
    /// Money the platform puts into its reserve (into custody).
    ReserveTopUp {
        currency: Currency,
        amount: u64,
    },
    /// Money the platform moves from its own account into custody, not
    /// earmarked: what restores coverage after a loss.
    CustodyTopUp {
        currency: Currency,
        amount: u64,
    },
    /// A channel's payout seen at the bank, booked into custody.
    ChannelSettlement {
        settlement: crate::SettlementId,
    },
    /// A bank credit into a merchant's deposit.
    DepositCredit {
        merchant: crate::MerchantId,
        currency: Currency,
        amount: u64,
    },
    /// A banned merchant's deposit, forfeited to the reserve.
    ForfeitDeposit {
        merchant: crate::MerchantId,
        currency: Currency,
    },
}

impl Approvable {
    pub fn kind(&self) -> &'static str {
        match self {
            Approvable::Refund { .. } => "refund",
            Approvable::Decision { .. } => "dispute_decision",
            Approvable::ReserveTopUp { .. } => "reserve_top_up",
            Approvable::CustodyTopUp { .. } => "custody_top_up",
            Approvable::ChannelSettlement { .. } => "channel_settlement",
            Approvable::DepositCredit { .. } => "deposit_credit",
            Approvable::ForfeitDeposit { .. } => "deposit_forfeit",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApprovalStatus {
    Waiting,
    Approved,
    Rejected,
}

impl ApprovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::Waiting => "waiting",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
        }
    }
}

/// One action waiting for, or given, its second approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub id: ApprovalId,
    pub action: Approvable,
    pub asked_by: UserId,
    pub at: u64,
    pub status: ApprovalStatus,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<u64>,
}

#[derive(Debug, Default)]
pub(crate) struct Approvals {
    pub(crate) list: Vec<Approval>,
    /// Set while an approved action runs: its own checks for approval are
    /// met. Never journaled (the facts of the run are).
    pub(crate) approving: bool,
}

impl Shop {
    pub fn approval(&self, id: ApprovalId) -> Option<&Approval> {
        crate::ids::nth(&self.approvals.list, id.0)
    }

    /// Approvals waiting, oldest first (finance and admins).
    pub fn waiting_approvals(&self, actor: UserId) -> Result<Vec<Approval>, ShopError> {
        self.require_finance(actor)?;
        Ok(self
            .approvals
            .list
            .iter()
            .filter(|a| a.status == ApprovalStatus::Waiting)
            .cloned()
            .collect())
    }

    /// Refuses an action that needs a second approval, unless it runs as
    /// an approved one.
    pub(crate) fn require_approval_unless_approved(&self, why: String) -> Result<(), ShopError> {
        if self.approvals.approving {
            Ok(())
        } else {
            Err(ShopError::ApprovalRequired { why })
        }
    }

    /// Asks for `action` to be approved: the same request already waiting
    /// from the same person is that approval (a retry asks once). Only
    /// those who may do the action may ask; a reserve top-up is finance's.
    pub fn ask_approval(
        &mut self,
        now: u64,
        actor: UserId,
        action: Approvable,
    ) -> Result<ApprovalId, ShopError> {
        self.tick(now)?;
        match action {
            Approvable::Refund { order, amount, .. } => {
                let o = self.require_order(order)?;
                self.may_act_for(actor, o.merchant)?;
                let left = o.unrefunded();
                if amount == 0 || amount > left {
                    return Err(ShopError::RefundBeyondPaid { left });
                }
            }
            Approvable::Decision { order, .. } => {
                self.require_dispute_staff(actor)?;
                self.require_order(order)?;
            }
            Approvable::ReserveTopUp { amount, .. }
            | Approvable::CustodyTopUp { amount, .. }
            | Approvable::DepositCredit { amount, .. } => {
                self.require_finance(actor)?;
                if amount == 0 {
                    return Err(ShopError::Invalid(
                        "a top-up or credit is at least 1 minor unit".into(),
                    ));
                }
                if let Approvable::DepositCredit { merchant, .. } = action {
                    self.merchant(merchant)
                        .ok_or(ShopError::MerchantNotFound(merchant))?;
                }
            }
            Approvable::ChannelSettlement { settlement } => {
                self.require_finance(actor)?;
                // Asked once, by the booking itself.
                let s = self
                    .settlement(settlement)
                    .ok_or_else(|| ShopError::Invalid(format!("no settlement {settlement}")))?;
                if s.status != crate::SettlementStatus::Waiting || s.approval.is_some() {
                    return Err(ShopError::Invalid(format!(
                        "settlement {settlement} is not waiting for an approval to be asked"
                    )));
                }
            }
            Approvable::ForfeitDeposit { merchant, currency } => {
                self.require_finance(actor)?;
                let m = self
                    .merchant(merchant)
                    .ok_or(ShopError::MerchantNotFound(merchant))?;
                if m.status != crate::MerchantStatus::Banned
                    || self.deposit(merchant, currency) == 0
                {
                    return Err(ShopError::Invalid(format!(
                        "only a banned merchant's deposit is forfeited, and merchant {merchant} \
                         is not banned or holds none in {currency}"
                    )));
                }
            }
        }
        if let Some(same) = self.approvals.list.iter().find(|a| {
            a.status == ApprovalStatus::Waiting && a.asked_by == actor && a.action == action
        }) {
            return Ok(same.id);
        }
        let id = ApprovalId(self.approvals.list.len() as u64 + 1);
        self.approvals.list.push(Approval {
            id,
            action,
            asked_by: actor,
            at: now,
            status: ApprovalStatus::Waiting,
            decided_by: None,
            decided_at: None,
        });
        self.audit(now, actor, || {
            format!("asked approval {id} for {}: {action:?}", action.kind())
        });
        Ok(id)
    }

    /// A second member of finance (or an admin) approves or rejects a
    /// waiting action; approved, it runs now as the one who asked.
    pub fn decide_approval(
        &mut self,
        now: u64,
        actor: UserId,
        id: ApprovalId,
        approve: bool,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_finance(actor)?;
        let a = self
            .approval(id)
            .ok_or_else(|| ShopError::Invalid(format!("no approval {id}")))?;
        if a.status != ApprovalStatus::Waiting {
            return Err(ShopError::Invalid(format!(
                "approval {id} is {} already",
                a.status.as_str()
            )));
        }
        if a.asked_by == actor {
            return Err(ShopError::Forbidden(actor));
        }
        let (action, asked_by) = (a.action, a.asked_by);
        if approve {
            self.approvals.approving = true;
            let ran = self.run_approved(now, asked_by, action);
            self.approvals.approving = false;
            ran?;
        } else if let Approvable::ChannelSettlement { settlement } = action
            && self
                .settlement(settlement)
                .is_some_and(|s| s.status == crate::SettlementStatus::Waiting)
        {
            self.set_settlement_status(settlement, crate::SettlementStatus::Rejected);
        }
        self.changes.approvals.insert(id.0);
        let a = crate::ids::nth_mut(&mut self.approvals.list, id.0)
            .ok_or_else(|| ShopError::Invalid(format!("no approval {id}")))?;
        a.status = if approve {
            ApprovalStatus::Approved
        } else {
            ApprovalStatus::Rejected
        };
        a.decided_by = Some(actor);
        a.decided_at = Some(now);
        self.audit(now, actor, || {
            format!(
                "{} approval {id} ({})",
                if approve { "approved" } else { "rejected" },
                action.kind()
            )
        });
        Ok(())
    }

    fn run_approved(
        &mut self,
        now: u64,
        asked_by: UserId,
        action: Approvable,
    ) -> Result<(), ShopError> {
        match action {
            Approvable::Refund { order, amount, to } => {
                self.refund(now, asked_by, order, amount, to)
            }
            Approvable::Decision { order, decision } => {
                self.decide_dispute(now, asked_by, order, decision)
            }
            Approvable::ReserveTopUp { currency, amount } => self.move_money(
                now,
                currency,
                &[Leg {
                    debit: account_id(Kind::Custody, currency, 0),
                    credit: account_id(Kind::Reserve, currency, 0),
                    amount,
                    why: Why::ReserveTopUp,
                    order: None,
                }],
            ),
            Approvable::ChannelSettlement { settlement } => self.post_settlement(now, settlement),
            Approvable::DepositCredit {
                merchant,
                currency,
                amount,
            } => self.credit_deposit(now, merchant, currency, amount),
            Approvable::ForfeitDeposit { merchant, currency } => self
                .forfeit_deposit(now, asked_by, merchant, currency)
                .map(|_| ()),
            Approvable::CustodyTopUp { currency, amount } => self.move_money(
                now,
                currency,
                &[Leg {
                    debit: account_id(Kind::Custody, currency, 0),
                    credit: account_id(Kind::Operating, currency, 0),
                    amount,
                    why: Why::CustodyTopUp,
                    order: None,
                }],
            ),
        }
    }
}
