//! Every answer the API gives, as a type with its schema: what the
//! OpenAPI document shows is what handlers send. Answers are flat objects
//! (no Rust enum shapes), times are RFC 3339 in UTC, reasons and roles are
//! names, and every object holding amounts (minor units) names their
//! currency.

mod accounts;
mod custody;
pub(crate) mod money;
mod orders;
mod risk;
mod risk_cases;

pub use accounts::*;
pub use custody::*;
pub use money::*;
pub use orders::*;
pub use risk::*;
pub use risk_cases::*;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A shop time (nanoseconds since the Unix epoch) as RFC 3339 in UTC, to
/// the nanosecond where it has one: `2026-12-06T03:51:00.123456789Z`.
pub fn rfc3339(nanos: u64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos))
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// A new record's id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_with_secrets_never_show_them_in_debug_output() {
        let enrolled = EnrolledAnswer {
            user: 7,
            secret: "TOTPSECRETBASE32".into(),
            otpauth_url: "otpauth://totp/x?secret=TOTPSECRETBASE32".into(),
        };
        let key = ApiKeyAnswer {
            key_id: "k1".into(),
            secret: "apisecret".into(),
        };
        let order = OrderAnswer {
            order: 1,
            status: "delivered".into(),
            currency: "CNY".into(),
            amount: 100,
            refunded: 0,
            keys: vec!["CARD-KEY-1".into()],
            text: Some("https://download/secret-link".into()),
            money: vec![],
            held_for_review: false,
        };
        let shown = format!("{enrolled:?} {key:?} {order:?}");
        for secret in ["TOTPSECRETBASE32", "apisecret", "CARD-KEY-1", "secret-link"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn times_are_rfc3339_in_utc_to_the_nanosecond() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(1_796_529_456_962_514_436),
            "2026-12-06T03:57:36.962514436Z"
        );
        assert_eq!(rfc3339(1_796_529_456_000_000_000), "2026-12-06T03:57:36Z");
    }
}
