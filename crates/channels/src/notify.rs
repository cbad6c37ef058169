//! What a notification must prove before it moves money, in two halves:
//! the channel's own checks ([`crate::Channel::verify`] gives a [`Notice`]
//! or a [`Refusal`]), then [`check_binding`] against the payment attempt
//! the notify URL names. Each refusal has a stable code; none changes
//! anything, and the server asks the channel instead of trusting a
//! notification that fails.

use trigate_core::Currency;

use crate::amount::AmountError;
use crate::params::ParamsError;

/// A payment as a verified notification (or a query) states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Our number for the payment, as the channel echoes it.
    pub out_trade_no: String,
    /// The channel's own transaction id: applied at most once.
    pub channel_txn: String,
    pub amount: u64,
    pub currency: Currency,
    /// What the channel reports of the payer, when it does: a fingerprint
    /// of the card or account that paid, and its country ("" when not
    /// reported). Read by gate three.
    pub payer: Payer,
}

/// The payer a channel reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Payer {
    pub instrument: String,
    pub country: String,
}

/// The attempt a notification claims to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub out_trade_no: String,
    pub amount: u64,
    pub currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the parameters are malformed: {0}")]
    Malformed(#[from] ParamsError),
    #[error("parameter {0} is missing")]
    Missing(&'static str),
    #[error("the channel has no key configured")]
    EmptyKey,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the notification is for merchant {0:?}, not us")]
    WrongMerchant(String),
    #[error("the trade status is {0:?}, not paid")]
    NotPaid(String),
    #[error("the amount is unreadable: {0}")]
    BadAmount(#[from] AmountError),
    #[error("the notification names order {got:?}, the URL {url:?}")]
    OrderMismatch { url: String, got: String },
    #[error("the notification pays {got} {currency}, the attempt is for {expected}")]
    AmountMismatch {
        expected: u64,
        got: u64,
        currency: Currency,
    },
}

impl Refusal {
    /// The stable code logged and counted for each refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Malformed(_) => "malformed",
            Refusal::Missing(_) => "missing_parameter",
            Refusal::EmptyKey => "empty_key",
            Refusal::BadSignature => "bad_signature",
            Refusal::WrongMerchant(_) => "wrong_merchant",
            Refusal::NotPaid(_) => "not_paid",
            Refusal::BadAmount(_) => "bad_amount",
            Refusal::OrderMismatch { .. } => "order_mismatch",
            Refusal::AmountMismatch { .. } => "amount_mismatch",
        }
    }
}

/// Checks a verified notice against the attempt it is for: the order
/// number bound into the notify URL, the one in the body and the
/// attempt's are the same; amount and currency are exactly the attempt's.
pub fn check_binding(
    notice: &Notice,
    url_order_no: &str,
    expected: &Expected,
) -> Result<(), Refusal> {
    if notice.out_trade_no != url_order_no || expected.out_trade_no != url_order_no {
        return Err(Refusal::OrderMismatch {
            url: url_order_no.to_string(),
            got: notice.out_trade_no.clone(),
        });
    }
    if notice.currency != expected.currency || notice.amount != expected.amount {
        return Err(Refusal::AmountMismatch {
            expected: expected.amount,
            got: notice.amount,
            currency: notice.currency,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny() -> Currency {
        Currency::new("CNY").unwrap()
    }

    fn notice(no: &str, amount: u64) -> Notice {
        Notice {
            out_trade_no: no.into(),
            channel_txn: "T1".into(),
            amount,
            currency: cny(),
            payer: Payer::default(),
        }
    }

    fn expected(no: &str, amount: u64) -> Expected {
        Expected {
            out_trade_no: no.into(),
            amount,
            currency: cny(),
        }
    }

    #[test]
    fn a_notice_binds_to_its_url_and_its_attempt_exactly() {
        assert_eq!(
            check_binding(&notice("A1", 500), "A1", &expected("A1", 500)),
            Ok(())
        );
        // Replayed onto another order of the same amount.
        let e = check_binding(&notice("A1", 500), "A2", &expected("A2", 500)).unwrap_err();
        assert_eq!(e.code(), "order_mismatch");
        let e = check_binding(&notice("A1", 499), "A1", &expected("A1", 500)).unwrap_err();
        assert_eq!(e.code(), "amount_mismatch");
        let e = check_binding(&notice("A1", 501), "A1", &expected("A1", 500)).unwrap_err();
        assert_eq!(e.code(), "amount_mismatch");
        let mut usd = notice("A1", 500);
        usd.currency = Currency::new("USD").unwrap();
        let e = check_binding(&usd, "A1", &expected("A1", 500)).unwrap_err();
        assert_eq!(e.code(), "amount_mismatch");
    }
}
