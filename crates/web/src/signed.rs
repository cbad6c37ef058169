//! Merchant API keys over HTTP: a request signed with HMAC-SHA256 acts as
//! the key's merchant (checked by the application layer). The signature
//! covers the method, the path, a timestamp, a nonce and the body:
//!
//! ```text
//! x-trigate-key: <key id>
//! x-trigate-timestamp: <unix seconds>
//! x-trigate-nonce: <8 to 64 printable characters, never reused>
//! x-trigate-signature: hex(HMAC-SHA256(secret, METHOD \n PATH \n TIMESTAMP \n NONCE \n BODY))
//! ```
//!
//! A timestamp more than five minutes off is `stale_timestamp`, a nonce seen
//! before is `replayed_nonce`, a wrong signature `bad_signature` — each 401,
//! and the request never reaches a handler.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use trigate_app::AppError;

pub use trigate_app::identity::signed_message;

use super::AppState;
use super::error::ApiError;

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Checks a signed request and lets it through as its merchant; requests
/// without `x-trigate-key` pass untouched.
pub async fn verify(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match check(&state, request).await {
        Ok(request) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

async fn check(state: &AppState, request: Request) -> Result<Request, ApiError> {
    let Some(key_id) = header(&request, "x-trigate-key").map(str::to_string) else {
        return Ok(request);
    };
    let missing = || {
        ApiError(AppError::BadSignature(
            "signed requests carry x-trigate-timestamp, x-trigate-nonce and x-trigate-signature"
                .into(),
        ))
    };
    let [timestamp, nonce, signature] = [
        "x-trigate-timestamp",
        "x-trigate-nonce",
        "x-trigate-signature",
    ]
    .map(|name| header(&request, name).map(str::to_string));
    let (Some(timestamp), Some(nonce), Some(signature)) = (timestamp, nonce, signature) else {
        return Err(missing());
    };
    let (mut parts, body) = request.into_parts();
    let body = to_bytes(body, super::BODY_LIMIT)
        .await
        .map_err(|_| ApiError(AppError::PayloadTooLarge))?;
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let message = signed_message(parts.method.as_str(), &path, &timestamp, &nonce, &body);
    let caller = state
        .app
        .check_signature(&key_id, &timestamp, &nonce, &signature, &message)
        .await?;
    parts.extensions.insert(caller);
    Ok(Request::from_parts(parts, Body::from(body)))
}
