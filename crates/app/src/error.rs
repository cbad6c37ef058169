//! One error for everything the application layer refuses, each with its
//! stable code and its HTTP status — both exhaustive matches, so a new
//! refusal cannot ship without either.

use http::StatusCode;
use trigate_channels::Refusal;
use trigate_core::{ShopError, ShopErrorKind};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// The shop refused the command (or refused it before, under the same
    /// idempotency key).
    #[error("{message}")]
    Refused {
        kind: ShopErrorKind,
        message: String,
    },
    #[error("sign in first")]
    Unauthenticated,
    #[error("{0}")]
    BadCredentials(String),
    #[error("{0}")]
    SecondFactorRequired(String),
    #[error("wrong or reused TOTP code")]
    BadSecondFactor,
    #[error("too many wrong codes; try again in 15 minutes")]
    SecondFactorLocked,
    #[error("{0}")]
    BadSignature(String),
    #[error("the request's timestamp is more than five minutes off")]
    StaleTimestamp,
    #[error("this nonce was used before")]
    ReplayedNonce,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The request could not be read (malformed, wrong type, unknown field).
    #[error("{0}")]
    BadRequest(String),
    /// The request was read but a value in it is not acceptable.
    #[error("{0}")]
    Invalid(String),
    #[error("the body is too large")]
    PayloadTooLarge,
    #[error("this route does not take that method")]
    MethodNotAllowed,
    #[error("send the body as JSON, with content-type: application/json")]
    UnsupportedMediaType,
    #[error("the request took too long and was stopped")]
    Timeout,
    #[error("this request moves money or stock: send an Idempotency-Key header")]
    IdempotencyKeyRequired,
    #[error("{0}")]
    RateLimited(String),
    #[error("the shop is not accepting changes right now")]
    Unavailable,
    #[error("{0}")]
    NoChannel(String),
    #[error("every channel that takes this payment failed; try again shortly")]
    ChannelsUnavailable,
    #[error("{0}")]
    ChannelUnreachable(String),
    #[error("the channel has no payment for this attempt")]
    ChannelSaysUnpaid,
    #[error("{0}")]
    UnknownChannel(String),
    /// A channel's answer that does not bind to the attempt it is for.
    #[error("{0}")]
    ChannelRefusal(Refusal),
    /// A bug, never the caller's fault.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// A refusal the shop reported as `code`: its kind, or an internal
    /// error for a code no kind has (never written by this code).
    pub fn refused(code: &str, message: String) -> Self {
        match ShopErrorKind::from_code(code) {
            Some(kind) => Self::Refused { kind, message },
            None => Self::Internal(format!("the shop refused with an unknown code {code:?}")),
        }
    }

    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Refused { kind, .. } => kind.as_str(),
            Self::Unauthenticated => "unauthenticated",
            Self::BadCredentials(_) => "bad_credentials",
            Self::SecondFactorRequired(_) => "second_factor_required",
            Self::BadSecondFactor => "bad_second_factor",
            Self::SecondFactorLocked => "second_factor_locked",
            Self::BadSignature(_) => "bad_signature",
            Self::StaleTimestamp => "stale_timestamp",
            Self::ReplayedNonce => "replayed_nonce",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::BadRequest(_) => "bad_request",
            Self::Invalid(_) => "invalid",
            Self::PayloadTooLarge => "payload_too_large",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Timeout => "timeout",
            Self::IdempotencyKeyRequired => "idempotency_key_required",
            Self::RateLimited(_) => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::NoChannel(_) => "no_channel",
            Self::ChannelsUnavailable => "channels_unavailable",
            Self::ChannelUnreachable(_) => "channel_unreachable",
            Self::ChannelSaysUnpaid => "channel_says_unpaid",
            Self::UnknownChannel(_) => "unknown_channel",
            Self::ChannelRefusal(r) => r.code(),
            Self::Internal(_) => "internal",
        }
    }

    /// The HTTP status it is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Refused { kind, .. } => refusal_status(*kind),
            Self::Unauthenticated
            | Self::BadCredentials(_)
            | Self::SecondFactorRequired(_)
            | Self::BadSecondFactor
            | Self::BadSignature(_)
            | Self::StaleTimestamp
            | Self::ReplayedNonce => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::ChannelSaysUnpaid => StatusCode::CONFLICT,
            Self::BadRequest(_) | Self::IdempotencyKeyRequired => StatusCode::BAD_REQUEST,
            Self::Invalid(_) | Self::UnknownChannel(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::ChannelRefusal(r) => match r {
                Refusal::BadSignature => StatusCode::UNAUTHORIZED,
                Refusal::Malformed(_)
                | Refusal::Missing(_)
                | Refusal::EmptyKey
                | Refusal::WrongMerchant(_)
                | Refusal::NotPaid(_)
                | Refusal::BadAmount(_)
                | Refusal::OrderMismatch { .. }
                | Refusal::AmountMismatch { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            },
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Timeout => StatusCode::REQUEST_TIMEOUT,
            Self::RateLimited(_) | Self::SecondFactorLocked => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable | Self::NoChannel(_) | Self::ChannelsUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::ChannelUnreachable(_) => StatusCode::BAD_GATEWAY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl AppError {
    /// One of every variant and every channel refusal, for the API's
    /// document and tests (the match below fails to compile when a
    /// variant is added and not listed).
    pub fn examples() -> Vec<AppError> {
        let s = || String::from("x");
        let mut all: Vec<AppError> = ShopErrorKind::ALL
            .into_iter()
            .map(|kind| AppError::Refused { kind, message: s() })
            .collect();
        all.extend([
            AppError::Unauthenticated,
            AppError::BadCredentials(s()),
            AppError::SecondFactorRequired(s()),
            AppError::BadSecondFactor,
            AppError::SecondFactorLocked,
            AppError::BadSignature(s()),
            AppError::StaleTimestamp,
            AppError::ReplayedNonce,
            AppError::Forbidden(s()),
            AppError::NotFound(s()),
            AppError::BadRequest(s()),
            AppError::Invalid(s()),
            AppError::PayloadTooLarge,
            AppError::MethodNotAllowed,
            AppError::UnsupportedMediaType,
            AppError::Timeout,
            AppError::IdempotencyKeyRequired,
            AppError::RateLimited(s()),
            AppError::Unavailable,
            AppError::NoChannel(s()),
            AppError::ChannelsUnavailable,
            AppError::ChannelUnreachable(s()),
            AppError::ChannelSaysUnpaid,
            AppError::UnknownChannel(s()),
            AppError::ChannelRefusal(Refusal::BadSignature),
            AppError::ChannelRefusal(Refusal::EmptyKey),
            AppError::ChannelRefusal(Refusal::Malformed(trigate_channels::ParamsError::Malformed)),
            AppError::ChannelRefusal(Refusal::Missing("x")),
            AppError::ChannelRefusal(Refusal::WrongMerchant(s())),
            AppError::ChannelRefusal(Refusal::NotPaid(s())),
            AppError::ChannelRefusal(Refusal::BadAmount(
                trigate_channels::amount::AmountError::NotDecimal(s()),
            )),
            AppError::ChannelRefusal(Refusal::OrderMismatch { url: s(), got: s() }),
            AppError::Internal(s()),
        ]);
        if let Ok(currency) = trigate_core::Currency::new("CNY") {
            all.push(AppError::ChannelRefusal(Refusal::AmountMismatch {
                expected: 0,
                got: 0,
                currency,
            }));
        }
        for e in &all {
            match e {
                AppError::Refused { .. }
                | AppError::Unauthenticated
                | AppError::BadCredentials(_)
                | AppError::SecondFactorRequired(_)
                | AppError::BadSecondFactor
                | AppError::SecondFactorLocked
                | AppError::BadSignature(_)
                | AppError::StaleTimestamp
                | AppError::ReplayedNonce
                | AppError::Forbidden(_)
                | AppError::NotFound(_)
                | AppError::BadRequest(_)
                | AppError::Invalid(_)
                | AppError::PayloadTooLarge
                | AppError::MethodNotAllowed
                | AppError::UnsupportedMediaType
                | AppError::Timeout
                | AppError::IdempotencyKeyRequired
                | AppError::RateLimited(_)
                | AppError::Unavailable
                | AppError::NoChannel(_)
                | AppError::ChannelsUnavailable
                | AppError::ChannelUnreachable(_)
                | AppError::ChannelSaysUnpaid
                | AppError::UnknownChannel(_)
                | AppError::ChannelRefusal(_)
                | AppError::Internal(_) => {}
            }
        }
        all
    }

    /// The status an error with this code is answered with; none for a
    /// code no error has.
    pub fn status_of(code: &str) -> Option<StatusCode> {
        Self::examples()
            .into_iter()
            .find(|e| e.code() == code)
            .map(|e| e.status())
    }
}

/// The status of each refusal of the shop's.
fn refusal_status(kind: ShopErrorKind) -> StatusCode {
    use ShopErrorKind as K;
    match kind {
        K::Forbidden => StatusCode::FORBIDDEN,
        K::UserNotFound
        | K::MerchantNotFound
        | K::ProductNotFound
        | K::OrderNotFound
        | K::AttemptNotFound
        | K::KeyNotFound
        | K::WithdrawalNotFound
        | K::ReviewNotFound
        | K::DecisionNotFound
        | K::CaseNotFound
        | K::LookupRefused => StatusCode::NOT_FOUND,
        K::RiskBlocked => StatusCode::FORBIDDEN,
        K::ChallengeRequired => StatusCode::UNAUTHORIZED,
        K::LoginTaken
        | K::OrderState
        | K::IdempotencyConflict
        | K::OutOfStock
        | K::ReservationExpired
        | K::MerchantNotActive
        | K::ProductOffSale
        | K::DisputeWindowClosed
        | K::WithdrawalState
        | K::DebtOpen
        | K::SendUnresolved
        | K::ApprovalRequired
        | K::OutflowsStopped
        | K::AboveSurplus
        | K::FeesNotMatured
        | K::PastRefundHorizon
        | K::SettlementDuplicate
        | K::DestinationCooling
        | K::DepositRequired
        | K::DepositHeld
        | K::HeldForReview => StatusCode::CONFLICT,
        K::InsufficientBalance => StatusCode::PAYMENT_REQUIRED,
        K::Ledger => StatusCode::INTERNAL_SERVER_ERROR,
        K::Invalid
        | K::ReferrerNotFound
        | K::CommissionOnMembership
        | K::SharesOverWhole
        | K::QuantityOutOfRange
        | K::AmountOverflow
        | K::RefundBeyondPaid
        | K::AmountMismatch
        | K::CouponNotApplicable
        | K::WithdrawalLimit
        | K::RuleInvalid => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl From<ShopError> for AppError {
    fn from(e: ShopError) -> Self {
        Self::Refused {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_code_and_an_error_status() {
        for e in AppError::examples() {
            let code = e.code();
            assert!(
                !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{e:?}: {code:?}"
            );
            let status = e.status();
            assert!(
                status.is_client_error() || status.is_server_error(),
                "{e:?}: {status}"
            );
        }
    }

    #[test]
    fn statuses_are_the_documented_ones() {
        let status = |e: AppError| e.status().as_u16();
        let refused = |kind| AppError::Refused {
            kind,
            message: String::new(),
        };
        assert_eq!(status(refused(ShopErrorKind::OrderNotFound)), 404);
        assert_eq!(status(refused(ShopErrorKind::OutOfStock)), 409);
        assert_eq!(status(refused(ShopErrorKind::InsufficientBalance)), 402);
        assert_eq!(status(refused(ShopErrorKind::Forbidden)), 403);
        assert_eq!(status(refused(ShopErrorKind::Invalid)), 422);
        assert_eq!(status(refused(ShopErrorKind::Ledger)), 500);
        assert_eq!(status(AppError::Unauthenticated), 401);
        assert_eq!(status(AppError::IdempotencyKeyRequired), 400);
        assert_eq!(status(AppError::NoChannel(String::new())), 503);
        assert_eq!(status(AppError::ChannelUnreachable(String::new())), 502);
        assert_eq!(status(AppError::SecondFactorLocked), 429);
        assert_eq!(status(AppError::ChannelRefusal(Refusal::BadSignature)), 401);
    }

    #[test]
    fn a_stored_refusal_reads_back_as_its_kind() {
        for kind in ShopErrorKind::ALL {
            assert_eq!(
                AppError::refused(kind.as_str(), "m".into()),
                AppError::Refused {
                    kind,
                    message: "m".into()
                }
            );
        }
        assert_eq!(
            AppError::refused("no_such_code", "m".into()).code(),
            "internal"
        );
    }
}
