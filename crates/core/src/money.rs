//! Money values that are valid once they exist: a currency code, and shares
//! in basis points. Amounts themselves are `u64` minor units.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("currency must be three letters A-Z (ISO 4217), not {0:?}")]
    Currency(String),
    #[error("basis points must be 0..=10000, not {0}")]
    Bps(u32),
}

/// An ISO 4217 code such as `CNY` or `USD`. Each currency is a ledger of its
/// own: money never moves between currencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn new(code: &str) -> Result<Self, MoneyError> {
        match code.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Self([a, b, c])),
            _ => Err(MoneyError::Currency(code.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        // Three ASCII capitals, checked on construction.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Digits after the decimal point in its minor unit (ISO 4217): 0 for
    /// yen or won, 3 for dinars, 2 for most.
    pub fn exponent(&self) -> u32 {
        match self.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }

    /// The ledger number this currency's accounts live in: the three
    /// letters packed, so distinct codes never share a ledger.
    pub fn ledger(&self) -> u32 {
        u32::from_be_bytes([0, self.0[0], self.0[1], self.0[2]])
    }

    /// The currency whose accounts live in `ledger`.
    pub fn from_ledger(ledger: u32) -> Option<Self> {
        let [zero, a, b, c] = ledger.to_be_bytes();
        if zero != 0 {
            return None;
        }
        std::str::from_utf8(&[a, b, c])
            .ok()
            .and_then(|s| Self::new(s).ok())
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, MoneyError> {
        Self::new(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_string()
    }
}

/// A share in basis points: 0..=10,000 (100%).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "u32", into = "u32")]
pub struct Bps(u32);

impl Bps {
    pub const ZERO: Bps = Bps(0);

    pub fn new(bps: u32) -> Result<Self, MoneyError> {
        if bps > trigate_ledger::split::BPS_WHOLE {
            return Err(MoneyError::Bps(bps));
        }
        Ok(Self(bps))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Bps {
    type Error = MoneyError;
    fn try_from(v: u32) -> Result<Self, MoneyError> {
        Self::new(v)
    }
}

impl From<Bps> for u32 {
    fn from(b: Bps) -> u32 {
        b.0
    }
}
