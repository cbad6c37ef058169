//! One error shape for the whole API — `{"error": {"code", "message"}}` —
//! with each stable code mapped to its HTTP status here and only here.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use trigate_core::ShopError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new("unauthenticated", "sign in first")
    }

    pub fn unavailable() -> Self {
        Self::new("unavailable", "the shop is not accepting changes right now")
    }

    /// The HTTP status for a code: the one place codes meet statuses.
    pub fn status(&self) -> StatusCode {
        match self.code.as_str() {
            "unauthenticated"
            | "bad_credentials"
            | "second_factor_required"
            | "bad_second_factor"
            | "bad_signature"
            | "stale_timestamp"
            | "replayed_nonce" => StatusCode::UNAUTHORIZED,
            "forbidden" => StatusCode::FORBIDDEN,
            "user_not_found"
            | "merchant_not_found"
            | "product_not_found"
            | "order_not_found"
            | "attempt_not_found"
            | "key_not_found"
            | "withdrawal_not_found"
            | "lookup_refused"
            | "not_found" => StatusCode::NOT_FOUND,
            "login_taken"
            | "order_state"
            | "idempotency_conflict"
            | "out_of_stock"
            | "reservation_expired"
            | "merchant_not_active"
            | "product_off_sale"
            | "dispute_window_closed"
            | "withdrawal_state"
            | "channel_says_unpaid" => StatusCode::CONFLICT,
            "insufficient_balance" => StatusCode::PAYMENT_REQUIRED,
            "unavailable" | "no_channel" | "channels_unavailable" => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            "channel_unreachable" => StatusCode::BAD_GATEWAY,
            "internal" | "ledger_refused" => StatusCode::INTERNAL_SERVER_ERROR,
            "payload_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
            "rate_limited" | "second_factor_locked" => StatusCode::TOO_MANY_REQUESTS,
            "bad_request" | "idempotency_key_required" => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<ShopError> for ApiError {
    fn from(e: ShopError) -> Self {
        Self::new(e.as_str(), e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = Json(json!({"error": {"code": self.code, "message": self.message}}));
        (status, body).into_response()
    }
}
