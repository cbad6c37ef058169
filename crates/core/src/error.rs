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
    AttemptNotFound(crate::AttemptId),
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
    #[error(
        "a debt of {amount} {currency} to the platform's reserve is open: it is repaid from \
         the next income first, and nothing is withdrawn until it is"
    )]
    DebtOpen { currency: String, amount: u64 },
    #[error(
        "send {reference} of this payment back through its channel has no known outcome \
         yet: nothing more is sent until finance resolves it"
    )]
    SendUnresolved { reference: String },
    #[error("this needs a second member of staff's approval: {why}")]
    ApprovalRequired { why: String },
    #[error(
        "outflows are stopped ({reason}): no withdrawal, payout or refund through a channel \
         is started until two admins lift the stop"
    )]
    OutflowsStopped { reason: &'static str },
    #[error(
        "a sweep of {amount} {currency} is above the surplus ({surplus}): custody and clearing \
         must still cover everything owed after it"
    )]
    AboveSurplus {
        currency: String,
        amount: u64,
        surplus: i128,
    },
    #[error(
        "only {sweepable} {currency} of fees are past their orders' refund horizon and not \
         swept yet: fees that a refund may still reverse stay in custody"
    )]
    FeesNotMatured { currency: String, sweepable: u64 },
    #[error("order {0} settled longer ago than the refund horizon: it is no longer refunded")]
    PastRefundHorizon(OrderId),
    #[error("channel {channel}'s settlement {reference} is booked already (or waiting)")]
    SettlementDuplicate { channel: String, reference: String },
    #[error("the withdrawal is outside its limits: {why}")]
    WithdrawalLimit { why: String },
    #[error(
        "destination {destination} was added recently: it can be paid from {until} (ns since \
         the epoch), after its cooling period"
    )]
    DestinationCooling { destination: u64, until: u64 },
    #[error(
        "the merchant's deposit in {currency} is below the {minimum} it must hold before it sells"
    )]
    DepositRequired { currency: String, minimum: u64 },
    #[error("the deposit is held: {why}")]
    DepositHeld { why: String },
    #[error("refused by the shop's risk checks ({reason})")]
    RiskBlocked { reason: String },
    #[error(
        "a one-time code from the account's authenticator is needed for this ({reason}): \
         send it with the request"
    )]
    ChallengeRequired { reason: String },
    #[error("{what} is held for review by the shop's risk analysts")]
    HeldForReview { what: String },
    #[error("risk review {0} not found")]
    ReviewNotFound(u64),
    #[error(
        "risk decision {0} not found: the desk reads the latest decisions and those that held \
         something for review; every one is in the journal"
    )]
    DecisionNotFound(u64),
    #[error("the rule is not valid: {0}")]
    RuleInvalid(String),
    #[error("no ring case {0}")]
    CaseNotFound(u64),
}

impl ShopError {
    /// The stable code the API reports.
    pub fn as_str(&self) -> &'static str {
        self.kind().as_str()
    }

    /// Which refusal this is, without its details.
    pub fn kind(&self) -> ShopErrorKind {
        match self {
            Self::Invalid(_) => ShopErrorKind::Invalid,
            Self::UserNotFound(_) => ShopErrorKind::UserNotFound,
            Self::LoginTaken(_) => ShopErrorKind::LoginTaken,
            Self::ReferrerNotFound(_) => ShopErrorKind::ReferrerNotFound,
            Self::Forbidden(_) => ShopErrorKind::Forbidden,
            Self::MerchantNotFound(_) => ShopErrorKind::MerchantNotFound,
            Self::MerchantNotActive(_) => ShopErrorKind::MerchantNotActive,
            Self::ProductNotFound(_) => ShopErrorKind::ProductNotFound,
            Self::ProductOffSale(_) => ShopErrorKind::ProductOffSale,
            Self::CommissionOnMembership => ShopErrorKind::CommissionOnMembership,
            Self::SharesOverWhole => ShopErrorKind::SharesOverWhole,
            Self::QuantityOutOfRange { .. } => ShopErrorKind::QuantityOutOfRange,
            Self::OutOfStock { .. } => ShopErrorKind::OutOfStock,
            Self::AmountOverflow => ShopErrorKind::AmountOverflow,
            Self::OrderNotFound(_) => ShopErrorKind::OrderNotFound,
            Self::OrderState { .. } => ShopErrorKind::OrderState,
            Self::ReservationExpired(_) => ShopErrorKind::ReservationExpired,
            Self::InsufficientBalance => ShopErrorKind::InsufficientBalance,
            Self::RefundBeyondPaid { .. } => ShopErrorKind::RefundBeyondPaid,
            Self::DisputeWindowClosed(_) => ShopErrorKind::DisputeWindowClosed,
            Self::AttemptNotFound(_) => ShopErrorKind::AttemptNotFound,
            Self::AmountMismatch { .. } => ShopErrorKind::AmountMismatch,
            Self::CouponNotApplicable(_) => ShopErrorKind::CouponNotApplicable,
            Self::IdempotencyConflict => ShopErrorKind::IdempotencyConflict,
            Self::KeyNotFound(_) => ShopErrorKind::KeyNotFound,
            Self::WithdrawalNotFound(_) => ShopErrorKind::WithdrawalNotFound,
            Self::WithdrawalState { .. } => ShopErrorKind::WithdrawalState,
            Self::LookupRefused(_) => ShopErrorKind::LookupRefused,
            Self::Ledger(_) => ShopErrorKind::Ledger,
            Self::DebtOpen { .. } => ShopErrorKind::DebtOpen,
            Self::SendUnresolved { .. } => ShopErrorKind::SendUnresolved,
            Self::ApprovalRequired { .. } => ShopErrorKind::ApprovalRequired,
            Self::OutflowsStopped { .. } => ShopErrorKind::OutflowsStopped,
            Self::AboveSurplus { .. } => ShopErrorKind::AboveSurplus,
            Self::FeesNotMatured { .. } => ShopErrorKind::FeesNotMatured,
            Self::PastRefundHorizon(_) => ShopErrorKind::PastRefundHorizon,
            Self::SettlementDuplicate { .. } => ShopErrorKind::SettlementDuplicate,
            Self::WithdrawalLimit { .. } => ShopErrorKind::WithdrawalLimit,
            Self::DestinationCooling { .. } => ShopErrorKind::DestinationCooling,
            Self::DepositRequired { .. } => ShopErrorKind::DepositRequired,
            Self::DepositHeld { .. } => ShopErrorKind::DepositHeld,
            Self::RiskBlocked { .. } => ShopErrorKind::RiskBlocked,
            Self::ChallengeRequired { .. } => ShopErrorKind::ChallengeRequired,
            Self::HeldForReview { .. } => ShopErrorKind::HeldForReview,
            Self::ReviewNotFound(_) => ShopErrorKind::ReviewNotFound,
            Self::DecisionNotFound(_) => ShopErrorKind::DecisionNotFound,
            Self::RuleInvalid(_) => ShopErrorKind::RuleInvalid,
            Self::CaseNotFound(_) => ShopErrorKind::CaseNotFound,
        }
    }
}

/// Every kind of refusal, by the stable code it is reported with — a
/// refusal remembered under an idempotency key is stored as its code and
/// read back as its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShopErrorKind {
    Invalid,
    UserNotFound,
    LoginTaken,
    ReferrerNotFound,
    Forbidden,
    MerchantNotFound,
    MerchantNotActive,
    ProductNotFound,
    ProductOffSale,
    CommissionOnMembership,
    SharesOverWhole,
    QuantityOutOfRange,
    OutOfStock,
    AmountOverflow,
    OrderNotFound,
    OrderState,
    ReservationExpired,
    InsufficientBalance,
    RefundBeyondPaid,
    DisputeWindowClosed,
    AttemptNotFound,
    AmountMismatch,
    CouponNotApplicable,
    IdempotencyConflict,
    KeyNotFound,
    WithdrawalNotFound,
    WithdrawalState,
    LookupRefused,
    Ledger,
    DebtOpen,
    SendUnresolved,
    ApprovalRequired,
    OutflowsStopped,
    AboveSurplus,
    FeesNotMatured,
    PastRefundHorizon,
    SettlementDuplicate,
    WithdrawalLimit,
    DestinationCooling,
    DepositRequired,
    DepositHeld,
    RiskBlocked,
    ChallengeRequired,
    HeldForReview,
    ReviewNotFound,
    DecisionNotFound,
    RuleInvalid,
    CaseNotFound,
}

impl ShopErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 48] = [
        Self::Invalid,
        Self::UserNotFound,
        Self::LoginTaken,
        Self::ReferrerNotFound,
        Self::Forbidden,
        Self::MerchantNotFound,
        Self::MerchantNotActive,
        Self::ProductNotFound,
        Self::ProductOffSale,
        Self::CommissionOnMembership,
        Self::SharesOverWhole,
        Self::QuantityOutOfRange,
        Self::OutOfStock,
        Self::AmountOverflow,
        Self::OrderNotFound,
        Self::OrderState,
        Self::ReservationExpired,
        Self::InsufficientBalance,
        Self::RefundBeyondPaid,
        Self::DisputeWindowClosed,
        Self::AttemptNotFound,
        Self::AmountMismatch,
        Self::CouponNotApplicable,
        Self::IdempotencyConflict,
        Self::KeyNotFound,
        Self::WithdrawalNotFound,
        Self::WithdrawalState,
        Self::LookupRefused,
        Self::Ledger,
        Self::DebtOpen,
        Self::SendUnresolved,
        Self::ApprovalRequired,
        Self::OutflowsStopped,
        Self::AboveSurplus,
        Self::FeesNotMatured,
        Self::PastRefundHorizon,
        Self::SettlementDuplicate,
        Self::WithdrawalLimit,
        Self::DestinationCooling,
        Self::DepositRequired,
        Self::DepositHeld,
        Self::RiskBlocked,
        Self::ChallengeRequired,
        Self::HeldForReview,
        Self::ReviewNotFound,
        Self::DecisionNotFound,
        Self::RuleInvalid,
        Self::CaseNotFound,
    ];

    /// The stable code the API reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "invalid",
            Self::UserNotFound => "user_not_found",
            Self::LoginTaken => "login_taken",
            Self::ReferrerNotFound => "referrer_not_found",
            Self::Forbidden => "forbidden",
            Self::MerchantNotFound => "merchant_not_found",
            Self::MerchantNotActive => "merchant_not_active",
            Self::ProductNotFound => "product_not_found",
            Self::ProductOffSale => "product_off_sale",
            Self::CommissionOnMembership => "commission_on_membership",
            Self::SharesOverWhole => "shares_over_whole",
            Self::QuantityOutOfRange => "quantity_out_of_range",
            Self::OutOfStock => "out_of_stock",
            Self::AmountOverflow => "amount_overflow",
            Self::OrderNotFound => "order_not_found",
            Self::OrderState => "order_state",
            Self::ReservationExpired => "reservation_expired",
            Self::InsufficientBalance => "insufficient_balance",
            Self::RefundBeyondPaid => "refund_beyond_paid",
            Self::DisputeWindowClosed => "dispute_window_closed",
            Self::AttemptNotFound => "attempt_not_found",
            Self::AmountMismatch => "amount_mismatch",
            Self::CouponNotApplicable => "coupon_not_applicable",
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::KeyNotFound => "key_not_found",
            Self::WithdrawalNotFound => "withdrawal_not_found",
            Self::WithdrawalState => "withdrawal_state",
            Self::LookupRefused => "lookup_refused",
            Self::Ledger => "ledger_refused",
            Self::DebtOpen => "debt_open",
            Self::SendUnresolved => "send_unresolved",
            Self::ApprovalRequired => "approval_required",
            Self::OutflowsStopped => "outflows_stopped",
            Self::AboveSurplus => "above_surplus",
            Self::FeesNotMatured => "fees_not_matured",
            Self::PastRefundHorizon => "past_refund_horizon",
            Self::SettlementDuplicate => "settlement_duplicate",
            Self::WithdrawalLimit => "withdrawal_limit",
            Self::DestinationCooling => "destination_cooling",
            Self::DepositRequired => "deposit_required",
            Self::DepositHeld => "deposit_held",
            Self::RiskBlocked => "risk_blocked",
            Self::ChallengeRequired => "challenge_required",
            Self::HeldForReview => "held_for_review",
            Self::ReviewNotFound => "review_not_found",
            Self::DecisionNotFound => "decision_not_found",
            Self::RuleInvalid => "rule_invalid",
            Self::CaseNotFound => "case_not_found",
        }
    }

    /// The kind a code names.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == code)
    }
}
