//! Why a command was refused. Each has a stable code (`as_str`) for the API;
//! a refused command changes nothing.

use crate::{KeyId, MerchantId, OrderId, ProductId, UserId};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShopError {
    #[error("{0}")]
    Invalid(String),
    #[error("user {0} not found")]
    UserNotFound(UserId),
    #[error("the login {0:?} is taken")]
    LoginTaken(String),
    #[error("no user has the referral code {0:?}")]
    ReferrerNotFound(String),
    #[error("user {0} may not do this")]
    Forbidden(UserId),
    #[error("merchant {0} not found")]
    MerchantNotFound(MerchantId),
    #[error("merchant {0} is not active")]
    MerchantNotActive(MerchantId),
    #[error("product {0} not found")]
    ProductNotFound(ProductId),
    #[error("product {0} is not on sale")]
    ProductOffSale(ProductId),
    #[error("a membership or entry package carries no referral commission")]
    CommissionOnMembership,
    #[error("fee and commissions together exceed 100%")]
    SharesOverWhole,
    #[error("quantity {quantity} is outside this product's {min}..={max} per order")]
    QuantityOutOfRange { quantity: u32, min: u32, max: u32 },
    #[error("only {available} keys are in stock")]
    OutOfStock { available: u64 },
    #[error("the amount overflows")]
    AmountOverflow,
    #[error("order {0} not found")]
    OrderNotFound(OrderId),
    #[error("order {order} is {status}, not {expected}")]
    OrderState {
        order: OrderId,
        status: &'static str,
        expected: &'static str,
    },
    #[error("order {0}'s reservation has expired")]
    ReservationExpired(OrderId),
    #[error("the balance is short of the amount")]
    InsufficientBalance,
    #[error("the refund is more than what is left of the payment ({left})")]
    RefundBeyondPaid { left: u64 },
    #[error("the dispute window of order {0} has closed")]
    DisputeWindowClosed(OrderId),
    #[error("payment attempt {0} not found")]
    AttemptNotFound(crate::payments::AttemptId),
    #[error("the payment is not exactly the attempt's {expected} {currency}")]
    AmountMismatch { expected: u64, currency: String },
    #[error("coupon {0:?} cannot be used here")]
    CouponNotApplicable(String),
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyConflict,
    #[error("key {0} not found")]
    KeyNotFound(KeyId),
    #[error("withdrawal {0} not found")]
    WithdrawalNotFound(crate::WithdrawalId),
    #[error("withdrawal {id} is {status}, not {expected}")]
    WithdrawalState {
        id: crate::WithdrawalId,
        status: &'static str,
        expected: &'static str,
    },
    #[error("order {0} has no lookup secret, or it is wrong")]
    LookupRefused(OrderId),
    #[error("the ledger refused the transfers: {0}")]
    Ledger(String),
}

impl ShopError {
    /// The stable code the API reports.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid",
            Self::UserNotFound(_) => "user_not_found",
            Self::LoginTaken(_) => "login_taken",
            Self::ReferrerNotFound(_) => "referrer_not_found",
            Self::Forbidden(_) => "forbidden",
            Self::MerchantNotFound(_) => "merchant_not_found",
            Self::MerchantNotActive(_) => "merchant_not_active",
            Self::ProductNotFound(_) => "product_not_found",
            Self::ProductOffSale(_) => "product_off_sale",
            Self::CommissionOnMembership => "commission_on_membership",
            Self::SharesOverWhole => "shares_over_whole",
            Self::QuantityOutOfRange { .. } => "quantity_out_of_range",
            Self::OutOfStock { .. } => "out_of_stock",
            Self::AmountOverflow => "amount_overflow",
            Self::OrderNotFound(_) => "order_not_found",
            Self::OrderState { .. } => "order_state",
            Self::ReservationExpired(_) => "reservation_expired",
            Self::InsufficientBalance => "insufficient_balance",
            Self::RefundBeyondPaid { .. } => "refund_beyond_paid",
            Self::DisputeWindowClosed(_) => "dispute_window_closed",
            Self::AttemptNotFound(_) => "attempt_not_found",
            Self::AmountMismatch { .. } => "amount_mismatch",
            Self::CouponNotApplicable(_) => "coupon_not_applicable",
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::KeyNotFound(_) => "key_not_found",
            Self::WithdrawalNotFound(_) => "withdrawal_not_found",
            Self::WithdrawalState { .. } => "withdrawal_state",
            Self::LookupRefused(_) => "lookup_refused",
            Self::Ledger(_) => "ledger_refused",
        }
    }
}
