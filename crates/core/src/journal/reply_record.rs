//! The journal's spelling of a reply remembered under an idempotency key:
//! what a retried request is answered with, so it must read the same after
//! an upgrade as on the day it was first given. Part of journal format 2.

use serde::{Deserialize, Serialize};

use super::money_records::{SettlementRec, WithdrawalStatusRec};
use super::records::{attempt_id, key_ids, read_key_ids};
use crate::idempotency::Remembered;
use crate::{
    CreditId, ImportReport, InvalidLine, InvalidReason, MerchantId, OrderId, PaymentOutcome,
    ProductId, Reply, UserId, WithdrawalId,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutcomeRec {
    #[serde(rename = "delivered")]
    Delivered(Vec<u64>),
    #[serde(rename = "recharged")]
    Recharged,
    #[serde(rename = "credited_to_wallet")]
    CreditedToWallet,
    #[serde(rename = "owed_back")]
    OwedBack,
    #[serde(rename = "duplicate")]
    Duplicate(u64),
    /// Format 4 on.
    #[serde(rename = "deposit_funded")]
    DepositFunded,
    /// Format 7 on.
    #[serde(rename = "held")]
    Held,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidLineRec {
    pub line: u64,
    /// `empty`, `too_long` or `control_characters`.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplyRec {
    #[serde(rename = "done")]
    Done,
    #[serde(rename = "user")]
    User(u64),
    #[serde(rename = "merchant")]
    Merchant(u64),
    #[serde(rename = "product")]
    Product(u64),
    #[serde(rename = "imported")]
    Imported {
        added: Vec<u64>,
        duplicate_in_batch: u64,
        duplicate_existing: u64,
        invalid: Vec<InvalidLineRec>,
    },
    #[serde(rename = "order")]
    Order(u64),
    #[serde(rename = "delivered")]
    Delivered(Vec<u64>),
    #[serde(rename = "bought")]
    Bought { order: u64, keys: Vec<u64> },
    #[serde(rename = "attempt")]
    Attempt(u64),
    #[serde(rename = "withdrawal")]
    Withdrawal(u64),
    #[serde(rename = "credit")]
    Credit(u64),
    #[serde(rename = "withdrawal_status")]
    WithdrawalStatus(WithdrawalStatusRec),
    #[serde(rename = "payment")]
    Payment(OutcomeRec),
    #[serde(rename = "settled")]
    Settled(SettlementRec),
    #[serde(rename = "refused")]
    Refused { code: String, message: String },
    /// Format 3 on.
    #[serde(rename = "approval")]
    Approval(u64),
    /// Format 4 on.
    #[serde(rename = "channel_settlement")]
    ChannelSettlement {
        settlement: u64,
        approval: Option<u64>,
    },
    #[serde(rename = "sweep")]
    Sweep(u64),
    #[serde(rename = "destination")]
    Destination(u64),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RememberedRec {
    pub fingerprint: String,
    pub at: u64,
    pub reply: ReplyRec,
}

fn reason(name: &str) -> InvalidReason {
    match name {
        "empty" => InvalidReason::Empty,
        "too_long" => InvalidReason::TooLong,
        "not_utf8" => InvalidReason::NotUtf8,
        _ => InvalidReason::ControlCharacters,
    }
}

impl From<&Reply> for ReplyRec {
    fn from(r: &Reply) -> Self {
        match r {
            Reply::User(u) => Self::User(u.0),
            Reply::Merchant(m) => Self::Merchant(m.0),
            Reply::Product(p) => Self::Product(p.0),
            Reply::Imported(i) => Self::Imported {
                added: key_ids(&i.added),
                duplicate_in_batch: i.duplicate_in_batch as u64,
                duplicate_existing: i.duplicate_existing as u64,
                invalid: i
                    .invalid
                    .iter()
                    .map(|l| InvalidLineRec {
                        line: l.line as u64,
                        reason: l.reason.as_str().into(),
                    })
                    .collect(),
            },
            Reply::Order(o) => Self::Order(o.0),
            Reply::Delivered(k) => Self::Delivered(key_ids(k)),
            Reply::Bought { order, keys } => Self::Bought {
                order: order.0,
                keys: key_ids(keys),
            },
            Reply::Attempt(a) => Self::Attempt(a.0),
            Reply::Withdrawal(w) => Self::Withdrawal(w.0),
            Reply::Credit(c) => Self::Credit(c.0),
            Reply::WithdrawalStatus(s) => Self::WithdrawalStatus((*s).into()),
            Reply::Payment(p) => Self::Payment(match p {
                PaymentOutcome::Delivered(k) => OutcomeRec::Delivered(key_ids(k)),
                PaymentOutcome::Recharged => OutcomeRec::Recharged,
                PaymentOutcome::CreditedToWallet => OutcomeRec::CreditedToWallet,
                PaymentOutcome::OwedBack => OutcomeRec::OwedBack,
                PaymentOutcome::Duplicate(a) => OutcomeRec::Duplicate(a.0),
                PaymentOutcome::DepositFunded => OutcomeRec::DepositFunded,
                PaymentOutcome::Held => OutcomeRec::Held,
            }),
            Reply::Settled(s) => Self::Settled((*s).into()),
            Reply::Approval(a) => Self::Approval(a.0),
            Reply::Settlement {
                settlement,
                approval,
            } => Self::ChannelSettlement {
                settlement: settlement.0,
                approval: approval.map(|a| a.0),
            },
            Reply::Sweep(s) => Self::Sweep(s.0),
            Reply::Destination(d) => Self::Destination(d.0),
            Reply::Refused { code, message } => Self::Refused {
                code: code.clone(),
                message: message.clone(),
            },
            // Reads, ticks and nested idempotency are never remembered: no
            // request runs them under a key.
            // Nor do the channel sends' own commands.
            Reply::Done
            | Reply::RuleSaved(_)
            | Reply::Ticked(_)
            | Reply::Send(_)
            | Reply::Idempotent { .. }
            | Reply::View(_) => Self::Done,
        }
    }
}

impl From<ReplyRec> for Reply {
    fn from(r: ReplyRec) -> Self {
        match r {
            ReplyRec::Done => Reply::Done,
            ReplyRec::User(u) => Reply::User(UserId(u)),
            ReplyRec::Merchant(m) => Reply::Merchant(MerchantId(m)),
            ReplyRec::Product(p) => Reply::Product(ProductId(p)),
            ReplyRec::Imported {
                added,
                duplicate_in_batch,
                duplicate_existing,
                invalid,
            } => Reply::Imported(ImportReport {
                added: read_key_ids(&added),
                duplicate_in_batch: usize::try_from(duplicate_in_batch).unwrap_or(usize::MAX),
                duplicate_existing: usize::try_from(duplicate_existing).unwrap_or(usize::MAX),
                invalid: invalid
                    .into_iter()
                    .map(|l| InvalidLine {
                        line: usize::try_from(l.line).unwrap_or(usize::MAX),
                        reason: reason(&l.reason),
                    })
                    .collect(),
            }),
            ReplyRec::Order(o) => Reply::Order(OrderId(o)),
            ReplyRec::Delivered(k) => Reply::Delivered(read_key_ids(&k)),
            ReplyRec::Bought { order, keys } => Reply::Bought {
                order: OrderId(order),
                keys: read_key_ids(&keys),
            },
            ReplyRec::Attempt(a) => Reply::Attempt(attempt_id(a)),
            ReplyRec::Withdrawal(w) => Reply::Withdrawal(WithdrawalId(w)),
            ReplyRec::Credit(c) => Reply::Credit(CreditId(c)),
            ReplyRec::WithdrawalStatus(s) => Reply::WithdrawalStatus(s.into()),
            ReplyRec::Payment(p) => Reply::Payment(match p {
                OutcomeRec::Delivered(k) => PaymentOutcome::Delivered(read_key_ids(&k)),
                OutcomeRec::Recharged => PaymentOutcome::Recharged,
                OutcomeRec::CreditedToWallet => PaymentOutcome::CreditedToWallet,
                OutcomeRec::OwedBack => PaymentOutcome::OwedBack,
                OutcomeRec::Duplicate(a) => PaymentOutcome::Duplicate(attempt_id(a)),
                OutcomeRec::DepositFunded => PaymentOutcome::DepositFunded,
                OutcomeRec::Held => PaymentOutcome::Held,
            }),
            ReplyRec::Settled(s) => Reply::Settled(s.into()),
            ReplyRec::Refused { code, message } => Reply::Refused { code, message },
            ReplyRec::Approval(a) => Reply::Approval(crate::ApprovalId(a)),
            ReplyRec::ChannelSettlement {
                settlement,
                approval,
            } => Reply::Settlement {
                settlement: crate::SettlementId(settlement),
                approval: approval.map(crate::ApprovalId),
            },
            ReplyRec::Sweep(s) => Reply::Sweep(crate::SweepId(s)),
            ReplyRec::Destination(d) => Reply::Destination(crate::DestinationId(d)),
        }
    }
}

impl From<&Remembered> for RememberedRec {
    fn from(r: &Remembered) -> Self {
        Self {
            fingerprint: r.fingerprint.clone(),
            at: r.at,
            reply: (&r.reply).into(),
        }
    }
}

impl From<RememberedRec> for Remembered {
    fn from(r: RememberedRec) -> Self {
        Self {
            fingerprint: r.fingerprint,
            at: r.at,
            reply: r.reply.into(),
        }
    }
}
