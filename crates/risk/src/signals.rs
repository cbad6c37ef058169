//! What the shop knows about one request when it asks for a decision: the
//! identifiers it came with and the facts about the actor the shop keeps.
//! Empty strings mean "not known".

use serde::{Deserialize, Serialize};

use crate::Point;

/// The kinds of identifier velocity is counted for and lists hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    User,
    Email,
    Ip,
    Device,
    Instrument,
    Destination,
    Merchant,
}

impl IdKind {
    pub const ALL: [IdKind; 7] = [
        IdKind::User,
        IdKind::Email,
        IdKind::Ip,
        IdKind::Device,
        IdKind::Instrument,
        IdKind::Destination,
        IdKind::Merchant,
    ];

    pub fn name(self) -> &'static str {
        match self {
            IdKind::User => "user",
            IdKind::Email => "email",
            IdKind::Ip => "ip",
            IdKind::Device => "device",
            IdKind::Instrument => "instrument",
            IdKind::Destination => "destination",
            IdKind::Merchant => "merchant",
        }
    }

    pub fn named(name: &str) -> Option<IdKind> {
        IdKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// An identifier as lists and windows compare it: emails and
    /// destinations without case or surrounding space, the rest as given.
    pub fn normal(self, value: &str) -> String {
        let v = value.trim();
        match self {
            IdKind::Email | IdKind::Destination => v.to_lowercase(),
            IdKind::Ip | IdKind::Device | IdKind::Instrument | IdKind::User | IdKind::Merchant => {
                v.to_string()
            }
        }
    }
}

impl std::fmt::Display for IdKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The last top-up of the actor's wallet, as the shop saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LastRecharge {
    /// When it was paid (nanoseconds).
    pub at: u64,
    pub amount: u64,
    /// How much of the wallet was spent on orders since.
    pub spent: u64,
}

/// One request's inputs. The shop fills what it knows; a decision records
/// them as they were.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Signals {
    pub point: Option<Point>,
    /// The acting user's id (none for a guest or a channel's notification
    /// of a guest's order).
    pub user: Option<u64>,
    pub email: String,
    /// The client's IP (from the configured trusted proxy header, else the
    /// socket).
    pub ip: String,
    /// Two-letter country of the IP (a trusted header or the operator's
    /// MaxMind-format file), upper case.
    pub ip_country: String,
    /// The device id: the pages' cookie, or `X-Device-Id` from API clients.
    pub device: String,
    /// The payer's instrument fingerprint, when a channel reports one.
    pub instrument: String,
    pub instrument_country: String,
    /// A withdrawal's destination (its account, as the shop keeps it).
    pub destination: String,
    /// The merchant the money goes to or comes from.
    pub merchant: Option<u64>,
    /// Minor units of `currency`.
    pub amount: u64,
    pub currency: String,
    /// When the actor's account was made (nanoseconds); none for a guest.
    pub account_created: Option<u64>,
    pub last_recharge: Option<LastRecharge>,
    /// The request failed before it reached the shop (a channel declined
    /// the payment, a wrong password): counted as a failure, decided on.
    pub failed: bool,
}

impl Signals {
    pub fn at(point: Point) -> Self {
        Self {
            point: Some(point),
            ..Self::default()
        }
    }

    pub fn point(&self) -> Point {
        self.point.unwrap_or(Point::WalletPayment)
    }

    /// The identifiers present, normalised, with their kinds.
    pub fn identifiers(&self) -> Vec<(IdKind, String)> {
        let mut out = Vec::with_capacity(7);
        if let Some(u) = self.user {
            out.push((IdKind::User, u.to_string()));
        }
        for (kind, value) in [
            (IdKind::Email, &self.email),
            (IdKind::Ip, &self.ip),
            (IdKind::Device, &self.device),
            (IdKind::Instrument, &self.instrument),
            (IdKind::Destination, &self.destination),
        ] {
            if !value.trim().is_empty() {
                out.push((kind, kind.normal(value)));
            }
        }
        if let Some(m) = self.merchant {
            out.push((IdKind::Merchant, m.to_string()));
        }
        out
    }

    /// The email's domain, lower case ("" when there is no email).
    pub fn email_domain(&self) -> String {
        self.email
            .rsplit_once('@')
            .map(|(_, d)| d.trim().to_lowercase())
            .unwrap_or_default()
    }
}
