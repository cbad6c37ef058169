//! Answers about money: wallets, a merchant's balances, withdrawals,
//! payments through channels and the channels' health, credits and
//! deposits.

use serde::Serialize;
use trigate_app::payments::Started;
use trigate_channels::Checkout;
use trigate_channels::routing::{Breaker, ChannelHealth};
use trigate_core::query::Balances;
use trigate_core::{Attempt, Currency, WalletView, WithdrawFrom, Withdrawal};

use super::{MovementAnswer, rfc3339};

/// A wallet's buckets and every movement through them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WalletAnswer {
    pub currency: String,
    /// Recharged money: spendable, not withdrawable (minor units).
    pub recharge: u64,
    /// Commissions earned and released: spendable and withdrawable.
    pub reward: u64,
    /// Commissions inside their holding period: neither spendable nor
    /// withdrawable yet.
    pub held: u64,
    /// What the user owes the platform's reserve (a commission a refund
    /// took back after it was spent or withdrawn); repaid from the next
    /// commissions, and no withdrawal is taken while it is open.
    pub debt: u64,
    pub history: Vec<MovementAnswer>,
}

impl From<&WalletView> for WalletAnswer {
    fn from(w: &WalletView) -> Self {
        let currency = w.currency.to_string();
        Self {
            history: w
                .history
                .iter()
                .map(|m| MovementAnswer::new(m, &currency))
                .collect(),
            currency,
            recharge: w.recharge,
            reward: w.reward,
            held: w.held,
            debt: w.debt,
        }
    }
}

/// A merchant's balances in one currency (minor units).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BalancesAnswer {
    pub merchant: u64,
    pub currency: String,
    /// Settled sales still held.
    pub pending: u64,
    /// Withdrawable.
    pub available: u64,
    /// The security deposit.
    pub deposit: u64,
    /// What the merchant owes the platform's reserve (refunds it paid in
    /// the merchant's place); repaid from the next settlements and
    /// releases, and no withdrawal is taken while it is open.
    pub debt: u64,
}

impl BalancesAnswer {
    pub fn new(b: &Balances, currency: Currency) -> Self {
        Self {
            merchant: b.merchant.0,
            currency: currency.to_string(),
            pending: b.pending,
            available: b.available,
            deposit: b.deposit,
            debt: b.debt,
        }
    }
}

/// Money moved from a merchant's available balance into its deposit.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Deposited {
    pub merchant: u64,
    pub currency: String,
    pub deposited: u64,
}

/// A withdrawal.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WithdrawalAnswer {
    pub id: u64,
    pub requester: u64,
    /// `merchant` (a merchant's available balance), `deposit` (its
    /// deposit) or `reward`.
    pub from: &'static str,
    pub currency: String,
    /// What leaves the balance.
    pub amount: u64,
    /// The fee taken out of it, earned when the payout is made.
    pub fee: u64,
    /// What the destination receives: amount less fee.
    pub payout: u64,
    /// Where it goes, masked for a destination from the book.
    pub destination: String,
    /// The destination from the requester's book it names.
    pub destination_id: Option<u64>,
    /// `requested`, `approved`, `paid_out`, `rejected` or `failed`.
    pub status: &'static str,
    #[schema(format = DateTime)]
    pub requested_at: String,
    /// Who approved it so far.
    pub approvals: Vec<u64>,
    pub approvals_needed: usize,
    /// When finance started paying it out through a channel.
    #[schema(format = DateTime)]
    pub payout_started_at: Option<String>,
    /// The payout's reference outside, once paid out.
    pub reference: Option<String>,
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
}

impl From<&Withdrawal> for WithdrawalAnswer {
    fn from(w: &Withdrawal) -> Self {
        Self {
            id: w.id.0,
            requester: w.requester.0,
            from: match w.from {
                WithdrawFrom::Merchant => "merchant",
                WithdrawFrom::Reward => "reward",
                WithdrawFrom::Deposit => "deposit",
            },
            currency: w.currency.to_string(),
            amount: w.amount,
            fee: w.fee,
            payout: w.amount - w.fee.min(w.amount),
            destination: w.destination.clone(),
            destination_id: w.destination_id.map(|d| d.0),
            status: w.status.as_str(),
            requested_at: rfc3339(w.requested_at),
            approvals: w.approvals.iter().map(|u| u.0).collect(),
            approvals_needed: w.approvals_needed,
            payout_started_at: w.payout_started.map(rfc3339),
            reference: w.reference.clone(),
            closed_at: w.closed_at.map(rfc3339),
        }
    }
}

/// Withdrawals, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Withdrawals {
    pub withdrawals: Vec<WithdrawalAnswer>,
}

/// A withdrawal's status after a change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WithdrawalStatusAnswer {
    pub id: u64,
    /// As in [`WithdrawalAnswer`]'s `status`.
    pub status: &'static str,
    /// The payout's reference, when one was recorded.
    pub reference: Option<String>,
}

/// A payment started through a channel: where to send the payer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PaymentStarted {
    /// The payment attempt.
    pub attempt: u64,
    /// The channel that took it.
    pub channel: String,
    pub checkout: CheckoutAnswer,
    /// Attempts tried before it whose channel failed.
    pub failed_over: Vec<FailedOver>,
}

/// How the payer pays: open `redirect`, or show `qr` as a QR code.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CheckoutAnswer {
    /// `redirect` or `qr`.
    pub kind: &'static str,
    /// For `redirect`, the page to send the payer to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect: Option<String>,
    /// For `qr`, what the QR code holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr: Option<String>,
}

/// An attempt whose channel failed before another took the payment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FailedOver {
    pub attempt: u64,
    pub channel: String,
}

impl From<&Started> for PaymentStarted {
    fn from(s: &Started) -> Self {
        let checkout = match &s.checkout {
            Checkout::Redirect(url) => CheckoutAnswer {
                kind: "redirect",
                redirect: Some(url.clone()),
                qr: None,
            },
            Checkout::Qr(content) => CheckoutAnswer {
                kind: "qr",
                redirect: None,
                qr: Some(content.clone()),
            },
        };
        Self {
            attempt: s.attempt.0,
            channel: s.channel.clone(),
            checkout,
            failed_over: s
                .failed_over
                .iter()
                .map(|(a, c)| FailedOver {
                    attempt: a.0,
                    channel: c.clone(),
                })
                .collect(),
        }
    }
}

/// A payment as the payer's browser sees it on coming back: its status
/// only (the page is open to anyone with the attempt's number, so it shows
/// no amount).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PaymentStatusAnswer {
    pub attempt: u64,
    /// `pending`, `failed`, `succeeded`, `credited_to_wallet` or
    /// `owed_back`.
    pub status: &'static str,
    pub paid: bool,
    pub message: &'static str,
}

impl From<&Attempt> for PaymentStatusAnswer {
    fn from(a: &Attempt) -> Self {
        let paid = a.paid_at.is_some();
        Self {
            attempt: a.id.0,
            status: a.status.as_str(),
            paid,
            message: if paid {
                "paid: thank you"
            } else {
                "waiting for the channel's confirmation; this page changes nothing"
            },
        }
    }
}

/// What marking an attempt paid (补单) did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkedPaid {
    pub attempt: u64,
    /// `delivered`, `recharged`, `credited_to_wallet`, `owed_back` or
    /// `already_applied`.
    pub outcome: &'static str,
}

/// What finance sent back through a payment attempt's channel.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SentBack {
    pub attempt: u64,
    pub currency: String,
    /// Minor units; 0 when nothing was owed.
    pub sent: u64,
}

/// One channel's health.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChannelHealthAnswer {
    pub channel: String,
    /// Attempts sent to it since start.
    pub attempts: u64,
    /// Outcomes inside the recent window.
    pub recent: u64,
    /// The share of those that succeeded, in basis points.
    pub success_rate_bps: u32,
    pub consecutive_failures: u32,
    /// `closed` (taking payments), `open` (refusing them until
    /// `open_until`) or `half_open` (one trial at a time).
    pub breaker: &'static str,
    #[schema(format = DateTime)]
    pub open_until: Option<String>,
    /// While `half_open`: whether its one trial payment is out now.
    pub trial_out: Option<bool>,
}

impl From<&ChannelHealth> for ChannelHealthAnswer {
    fn from(h: &ChannelHealth) -> Self {
        let (breaker, open_until, trial_out) = match h.breaker {
            Breaker::Closed => ("closed", None, None),
            Breaker::Open { until } => ("open", Some(rfc3339(until)), None),
            Breaker::HalfOpen { trial } => ("half_open", None, Some(trial)),
        };
        Self {
            channel: h.channel.clone(),
            attempts: h.attempts,
            recent: h.recent,
            success_rate_bps: h.success_rate_bps,
            consecutive_failures: h.consecutive_failures,
            breaker,
            open_until,
            trial_out,
        }
    }
}

/// Every channel's health.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChannelsHealth {
    pub channels: Vec<ChannelHealthAnswer>,
}

/// A credit asked for or decided.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreditAnswer {
    pub credit: u64,
    /// `requested`, `approved` or `rejected`.
    pub status: &'static str,
    /// The user credited (when asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<u64>,
}

/// One sending of money back through a channel.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SendAnswer {
    pub send: u64,
    /// Our reference for it, given to the channel where its protocol
    /// carries one (`R<send>`).
    pub reference: String,
    pub attempt: u64,
    pub payer: u64,
    pub amount: u64,
    pub currency: String,
    /// `sending` (in flight, or its answer lost in a restart), `sent`,
    /// `not_sent` (still owed) or `unknown` (the answer was lost).
    pub status: &'static str,
    pub at: String,
    pub finished_at: Option<String>,
}

impl From<&trigate_core::RefundSend> for SendAnswer {
    fn from(s: &trigate_core::RefundSend) -> Self {
        Self {
            send: s.id.0,
            reference: s.reference(),
            attempt: s.attempt.0,
            payer: s.payer.0,
            amount: s.amount,
            currency: s.currency.to_string(),
            status: s.status.as_str(),
            at: rfc3339(s.at),
            finished_at: s.finished_at.map(rfc3339),
        }
    }
}

/// Sends whose outcome is not known yet, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpenSends {
    pub sends: Vec<SendAnswer>,
}

/// How finance resolved a send.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SendResolved {
    pub send: u64,
    pub reference: String,
    /// `sent` (its reservation posted) or `not_sent` (voided: the money
    /// stays owed and may be sent again).
    pub status: &'static str,
}

/// An action waiting for, or given, its second approval.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApprovalAnswer {
    pub approval: u64,
    /// `refund`, `dispute_decision`, `reserve_top_up`, `custody_top_up`,
    /// `channel_settlement`, `deposit_credit` or `deposit_forfeit`.
    pub kind: &'static str,
    /// The order, for a refund or a dispute decision.
    pub order: Option<u64>,
    /// The settlement (for a channel settlement) or the merchant (for a
    /// deposit credit or forfeit).
    pub subject: Option<u64>,
    /// Minor units: the refund, the decision's refund (none to release), or
    /// the top-up.
    pub amount: Option<u64>,
    /// For a top-up.
    pub currency: Option<String>,
    /// For a refund: `wallet` or `channel`. For a decision: `refund` or
    /// `release`.
    pub detail: Option<&'static str>,
    pub asked_by: u64,
    pub at: String,
    /// `waiting`, `approved` or `rejected`.
    pub status: &'static str,
}

impl From<&trigate_core::Approval> for ApprovalAnswer {
    fn from(a: &trigate_core::Approval) -> Self {
        use trigate_core::{Approvable, Decision, RefundTo};
        let (order, amount, currency, detail) = match a.action {
            Approvable::Refund { order, amount, to } => (
                Some(order.0),
                Some(amount),
                None,
                Some(match to {
                    RefundTo::Wallet => "wallet",
                    RefundTo::Channel => "channel",
                }),
            ),
            Approvable::Decision {
                order,
                decision: Decision::Refund(amount),
            } => (Some(order.0), Some(amount), None, Some("refund")),
            Approvable::Decision {
                order,
                decision: Decision::Release,
            } => (Some(order.0), None, None, Some("release")),
            Approvable::ReserveTopUp { currency, amount }
            | Approvable::CustodyTopUp { currency, amount } => {
                (None, Some(amount), Some(currency.to_string()), None)
            }
            Approvable::DepositCredit {
                currency, amount, ..
            } => (None, Some(amount), Some(currency.to_string()), None),
            Approvable::ForfeitDeposit { currency, .. } => {
                (None, None, Some(currency.to_string()), None)
            }
            Approvable::ChannelSettlement { .. } => (None, None, None, None),
        };
        let subject = match a.action {
            Approvable::ChannelSettlement { settlement } => Some(settlement.0),
            Approvable::DepositCredit { merchant, .. }
            | Approvable::ForfeitDeposit { merchant, .. } => Some(merchant.0),
            _ => None,
        };
        Self {
            approval: a.id.0,
            kind: a.action.kind(),
            order,
            subject,
            amount,
            currency,
            detail,
            asked_by: a.asked_by.0,
            at: rfc3339(a.at),
            status: a.status.as_str(),
        }
    }
}

/// Actions waiting for a second approval, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Approvals {
    pub approvals: Vec<ApprovalAnswer>,
}

/// An approval as it stands after a request.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApprovalStatusAnswer {
    pub approval: u64,
    /// `waiting`, `approved` or `rejected`.
    pub status: &'static str,
}

/// What custody and clearing hold against what is owed, in one currency.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CoverageAnswer {
    pub currency: String,
    /// Custody and clearing (minor units).
    pub held: i64,
    /// Escrow, wallets, held commissions, merchants' balances, refunds
    /// owed, payouts and the reserve.
    pub owed: i64,
    /// `held − owed`: below zero, outflows stop.
    pub surplus: i64,
}

/// Outflows stopped.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutflowStopAnswer {
    /// `coverage` (set by the shop when coverage failed) or `manual`.
    pub reason: &'static str,
    pub since: String,
    pub by: Option<u64>,
    pub note: String,
    /// Admins who asked to lift it (a second, different one lifts it).
    pub lifts: Vec<u64>,
}

/// A loss booked, per currency.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LossAnswer {
    pub currency: String,
    pub amount: u64,
}

/// Custody's coverage per currency, whether outflows are stopped, losses.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustodyAnswer {
    pub coverage: Vec<CoverageAnswer>,
    /// `running` or `stopped`.
    pub outflows: &'static str,
    pub stop: Option<OutflowStopAnswer>,
    pub losses: Vec<LossAnswer>,
    /// Fees past their orders' refund horizon and not swept, per currency.
    pub sweepable: Vec<LossAnswer>,
    /// The latest channel settlements and fee sweeps, newest last.
    pub settlements: Vec<super::SettlementAnswer>,
    pub sweeps: Vec<super::SweepAnswer>,
}

/// An i128 balance as i64, saturating.
pub(crate) fn clamp(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

impl From<&trigate_core::query::CustodyView> for CustodyAnswer {
    fn from(v: &trigate_core::query::CustodyView) -> Self {
        Self {
            coverage: v
                .coverage
                .iter()
                .map(|c| CoverageAnswer {
                    currency: c.currency.to_string(),
                    held: clamp(c.held),
                    owed: clamp(c.owed),
                    surplus: clamp(c.surplus()),
                })
                .collect(),
            outflows: if v.stop.is_some() {
                "stopped"
            } else {
                "running"
            },
            stop: v.stop.as_ref().map(|s| OutflowStopAnswer {
                reason: s.reason.as_str(),
                since: rfc3339(s.at),
                by: s.by.map(|u| u.0),
                note: s.note.clone(),
                lifts: s.lifts.iter().map(|u| u.0).collect(),
            }),
            losses: v
                .losses
                .iter()
                .map(|(c, a)| LossAnswer {
                    currency: c.to_string(),
                    amount: *a,
                })
                .collect(),
            sweepable: v
                .sweepable
                .iter()
                .map(|(c, a)| LossAnswer {
                    currency: c.to_string(),
                    amount: *a,
                })
                .collect(),
            settlements: v.settlements.iter().map(Into::into).collect(),
            sweeps: v.sweeps.iter().map(Into::into).collect(),
        }
    }
}
