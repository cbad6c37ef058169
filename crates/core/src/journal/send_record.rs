//! A send of money back through a channel as the journal keeps it (format
//! 3 on).

use serde::{Deserialize, Serialize};

use crate::facts::FactError;
use crate::{AttemptId, Currency, RefundSend, SendId, SendStatus, UserId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SendStatusRec {
    #[serde(rename = "sending")]
    Sending,
    #[serde(rename = "sent")]
    Sent,
    #[serde(rename = "not_sent")]
    NotSent,
    #[serde(rename = "unknown")]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendRec {
    pub id: u64,
    pub attempt: u64,
    pub payer: u64,
    pub amount: u64,
    pub currency: String,
    pub pending: u128,
    pub status: SendStatusRec,
    pub at: u64,
    pub finished_at: Option<u64>,
    pub resolved_by: Option<u64>,
}

impl From<&RefundSend> for SendRec {
    fn from(s: &RefundSend) -> Self {
        Self {
            id: s.id.0,
            attempt: s.attempt.0,
            payer: s.payer.0,
            amount: s.amount,
            currency: s.currency.to_string(),
            pending: s.pending,
            status: match s.status {
                SendStatus::Sending => SendStatusRec::Sending,
                SendStatus::Sent => SendStatusRec::Sent,
                SendStatus::NotSent => SendStatusRec::NotSent,
                SendStatus::Unknown => SendStatusRec::Unknown,
            },
            at: s.at,
            finished_at: s.finished_at,
            resolved_by: s.resolved_by.map(|u| u.0),
        }
    }
}

impl SendRec {
    pub fn read(&self) -> Result<RefundSend, FactError> {
        Ok(RefundSend {
            id: SendId(self.id),
            attempt: AttemptId(self.attempt),
            payer: UserId(self.payer),
            amount: self.amount,
            currency: Currency::new(&self.currency).map_err(|e| FactError::Bad(e.to_string()))?,
            pending: self.pending,
            status: match self.status {
                SendStatusRec::Sending => SendStatus::Sending,
                SendStatusRec::Sent => SendStatus::Sent,
                SendStatusRec::NotSent => SendStatus::NotSent,
                SendStatusRec::Unknown => SendStatus::Unknown,
            },
            at: self.at,
            finished_at: self.finished_at,
            resolved_by: self.resolved_by.map(UserId),
        })
    }
}
