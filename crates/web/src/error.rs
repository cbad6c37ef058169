//! The API's one error shape — `{"error": {"code", "message"}}` — for every
//! refusal of the application layer; its status and code are the
//! [`AppError`]'s own.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use trigate_app::AppError;

/// An [`AppError`] as an HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0.code(), self.0)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({"code": self.0.code(), "message": self.0.to_string()});
        if let Some(id) = crate::trace::current() {
            error["request_id"] = id.into();
        }
        (self.0.status(), Json(json!({ "error": error }))).into_response()
    }
}
