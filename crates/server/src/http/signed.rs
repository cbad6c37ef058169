//! Merchant API keys: a request signed with HMAC-SHA256 acts as the key's
//! merchant. The signature covers the method, the path, a timestamp, a
//! nonce and the body:
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

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;
use trigate_core::query::{Query, View};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;

/// How far a signed request's clock may be from ours.
pub const SKEW_SECS: u64 = 300;

/// Nonces seen in the last `2 × SKEW_SECS`, per key.
#[derive(Debug, Default)]
pub struct Nonces {
    seen: Mutex<HashMap<(String, String), u64>>,
}

impl Nonces {
    /// Records a nonce; false if it was seen before.
    fn first_use(&self, key: &str, nonce: &str, now: u64) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 100_000 {
            seen.retain(|_, at| now.saturating_sub(*at) <= 2 * SKEW_SECS);
        }
        seen.insert((key.to_string(), nonce.to_string()), now)
            .is_none()
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// What a signature covers.
pub fn signed_message(
    method: &str,
    path: &str,
    timestamp: &str,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut out = format!("{method}\n{path}\n{timestamp}\n{nonce}\n").into_bytes();
    out.extend_from_slice(body);
    out
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
        ApiError::new(
            "bad_signature",
            "signed requests carry x-trigate-timestamp, x-trigate-nonce and x-trigate-signature",
        )
    };
    let timestamp = header(&request, "x-trigate-timestamp")
        .ok_or_else(missing)?
        .to_string();
    let nonce = header(&request, "x-trigate-nonce")
        .ok_or_else(missing)?
        .to_string();
    let signature = header(&request, "x-trigate-signature")
        .and_then(hex_decode)
        .ok_or_else(missing)?;
    let now = unix_now();
    let at: u64 = timestamp.parse().map_err(|_| missing())?;
    if at.abs_diff(now) > SKEW_SECS {
        return Err(ApiError::new(
            "stale_timestamp",
            "the request's timestamp is more than five minutes off",
        ));
    }
    if !(8..=64).contains(&nonce.len()) || !nonce.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(missing());
    }
    let (owner, sealed) = match super::routes::query(
        state,
        Query::ApiKey {
            key_id: key_id.clone(),
        },
    )
    .await
    {
        Ok(View::ApiKey { owner, sealed }) => (owner, sealed),
        _ => return Err(ApiError::new("bad_signature", "unknown API key")),
    };
    let secret = state
        .master
        .open_secret(&sealed)
        .map_err(|e| ApiError::new("internal", e.to_string()))?;
    let (mut parts, body) = request.into_parts();
    let body = to_bytes(body, super::BODY_LIMIT)
        .await
        .map_err(|_| ApiError::new("payload_too_large", "the body is too large"))?;
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret())
        .map_err(|_| ApiError::new("internal", "bad API key secret"))?;
    mac.update(&signed_message(
        parts.method.as_str(),
        &path,
        &timestamp,
        &nonce,
        &body,
    ));
    // Constant time.
    mac.verify_slice(&signature)
        .map_err(|_| ApiError::new("bad_signature", "the signature does not match"))?;
    if !state.nonces.first_use(&key_id, &nonce, now) {
        return Err(ApiError::new(
            "replayed_nonce",
            "this nonce was used before",
        ));
    }
    parts.extensions.insert(Caller(owner));
    Ok(Request::from_parts(parts, Body::from(body)))
}
