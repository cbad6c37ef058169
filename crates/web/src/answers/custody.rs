//! Answers about money between custody and the outside: channel
//! settlements, fee sweeps, withdrawal destinations.

use serde::Serialize;
use trigate_core::{ChannelSettlement, Destination, SettlementSource, Sweep};

use super::rfc3339;

/// A channel's payout to the platform, booked into custody.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SettlementAnswer {
    pub id: u64,
    pub channel: String,
    /// The statement line's or the bank's reference.
    pub reference: String,
    pub currency: String,
    /// What buyers paid through the channel that it settled.
    pub gross: u64,
    /// What the channel kept (to `channel_fees`).
    pub fee: u64,
    /// `statement` or `bank_credit`.
    pub source: &'static str,
    /// `waiting` (a bank credit's second approval), `booked` or `rejected`.
    pub status: &'static str,
    pub by: u64,
    #[schema(format = DateTime)]
    pub at: String,
    pub approval: Option<u64>,
}

impl From<&ChannelSettlement> for SettlementAnswer {
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
            },
            status: s.status.as_str(),
            by: s.by.0,
            at: rfc3339(s.at),
            approval: s.approval.map(|a| a.0),
        }
    }
}

/// Earned fees swept out of custody to the platform's own account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SweepAnswer {
    pub id: u64,
    pub currency: String,
    pub amount: u64,
    pub by: u64,
    #[schema(format = DateTime)]
    pub at: String,
}

impl From<&Sweep> for SweepAnswer {
    fn from(s: &Sweep) -> Self {
        Self {
            id: s.id.0,
            currency: s.currency.to_string(),
            amount: s.amount,
            by: s.by.0,
            at: rfc3339(s.at),
        }
    }
}

/// A withdrawal destination in the caller's book, shown masked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DestinationAnswer {
    pub id: u64,
    pub label: String,
    /// Its last characters only.
    pub masked: String,
    #[schema(format = DateTime)]
    pub added_at: String,
    /// When a withdrawal to it may first be asked for (after the cooling
    /// period).
    #[schema(format = DateTime)]
    pub usable_from: String,
}

impl DestinationAnswer {
    pub fn of(d: &Destination, cooling_hours: u32) -> Self {
        Self {
            id: d.id.0,
            label: d.label.clone(),
            masked: d.masked.clone(),
            added_at: rfc3339(d.added_at),
            usable_from: rfc3339(d.usable_from(cooling_hours)),
        }
    }
}

/// The caller's destinations, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Destinations {
    pub destinations: Vec<DestinationAnswer>,
}
