//! Amounts as channels write them — decimal strings such as `"50.00"` or
//! `"50"` — read into minor units exactly, and written back. Anything that
//! is not plainly a non-negative decimal with no more digits than the
//! currency has is refused: no signs, exponents, spaces, thousands
//! separators or extra precision, so `"50.001"` is never rounded into a
//! match.

use trigate_core::Currency;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("{0:?} is not a decimal amount")]
    NotDecimal(String),
    #[error("{0:?} has more decimal places than {1} allows")]
    TooPrecise(String, Currency),
    #[error("{0:?} is too large")]
    TooLarge(String),
}

/// Reads `text` as an amount of `currency` in minor units.
pub fn parse(text: &str, currency: Currency) -> Result<u64, AmountError> {
    let not_decimal = || AmountError::NotDecimal(text.to_string());
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
        return Err(not_decimal());
    }
    let exponent = currency.exponent() as usize;
    let fraction = fraction.unwrap_or("");
    // Trailing zeros past the currency's precision say nothing more.
    let significant = fraction.trim_end_matches('0');
    if significant.len() > exponent {
        return Err(AmountError::TooPrecise(text.to_string(), currency));
    }
    let too_large = || AmountError::TooLarge(text.to_string());
    let mut minor: u64 = whole.parse().map_err(|_| too_large())?;
    for i in 0..exponent {
        let digit = significant
            .as_bytes()
            .get(i)
            .map_or(0, |b| u64::from(b - b'0'));
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add(digit))
            .ok_or_else(too_large)?;
    }
    Ok(minor)
}

/// Writes `minor` units of `currency` as a decimal string with exactly the
/// currency's decimal places (`5000` CNY → `"50.00"`).
pub fn format(minor: u64, currency: Currency) -> String {
    let exponent = currency.exponent();
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10u64.pow(exponent);
    format!(
        "{}.{:0width$}",
        minor / scale,
        minor % scale,
        width = exponent as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny() -> Currency {
        Currency::new("CNY").unwrap()
    }

    #[test]
    fn equal_amounts_written_differently_read_the_same() {
        for text in ["50", "50.0", "50.00", "50.000", "050.00"] {
            assert_eq!(parse(text, cny()), Ok(5_000), "{text}");
        }
        assert_eq!(parse("0.01", cny()), Ok(1));
        assert_eq!(parse("1234.5", cny()), Ok(123_450));
        assert_eq!(parse("7", Currency::new("JPY").unwrap()), Ok(7));
        assert_eq!(parse("1.234", Currency::new("KWD").unwrap()), Ok(1_234));
    }

    #[test]
    fn anything_but_a_plain_decimal_is_refused() {
        for text in [
            "", " 50", "50 ", "-50", "+50", "5e1", "50.", ".50", "5,000", "0x10", "50.00.0", "NaN",
            "inf", "５０", "50\u{0}",
        ] {
            assert!(
                matches!(parse(text, cny()), Err(AmountError::NotDecimal(_))),
                "{text:?}"
            );
        }
    }

    #[test]
    fn extra_precision_is_refused_never_rounded() {
        assert!(matches!(
            parse("50.001", cny()),
            Err(AmountError::TooPrecise(..))
        ));
        assert!(matches!(
            parse("7.5", Currency::new("JPY").unwrap()),
            Err(AmountError::TooPrecise(..))
        ));
    }

    #[test]
    fn amounts_beyond_u64_are_refused() {
        assert!(matches!(
            parse("184467440737095516.16", cny()),
            Err(AmountError::TooLarge(_))
        ));
        assert_eq!(parse("184467440737095516.15", cny()), Ok(u64::MAX));
        assert!(matches!(
            parse("99999999999999999999999", cny()),
            Err(AmountError::TooLarge(_))
        ));
    }

    #[test]
    fn formatting_writes_the_currencys_places() {
        assert_eq!(format(5_000, cny()), "50.00");
        assert_eq!(format(7, cny()), "0.07");
        assert_eq!(format(7, Currency::new("JPY").unwrap()), "7");
        assert_eq!(format(1_234, Currency::new("KWD").unwrap()), "1.234");
        for minor in [0, 1, 99, 100, 123_456_789, u64::MAX] {
            assert_eq!(parse(&format(minor, cny()), cny()), Ok(minor));
        }
    }
}
