//! Sessions: random tokens in an HttpOnly, SameSite cookie (Secure when
//! served over https), and the caller each request acts as — the session's
//! user, or a signed request's merchant.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use trigate_core::UserId;

use trigate_app::{AppError, Caller};

use super::AppState;
use super::error::ApiError;

pub const COOKIE: &str = "trigate_session";

/// Signed-in sessions: token → user. Kept in memory: a restart signs
/// everyone out.
#[derive(Default)]
pub struct Sessions {
    by_token: Mutex<HashMap<String, UserId>>,
}

/// Tokens are bearer secrets: never printed.
impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sessions({} open)", self.lock().len())
    }
}

impl Sessions {
    pub fn open(&self, user: UserId) -> String {
        let mut bytes = [0u8; 32];
        // Without the OS's randomness no token can be made: stop rather
        // than hand out a guessable one.
        if let Err(e) = getrandom::fill(&mut bytes) {
            panic!("the operating system gives no randomness: {e}");
        }
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        self.lock().insert(token.clone(), user);
        token
    }

    pub fn close(&self, token: &str) {
        self.lock().remove(token);
    }

    pub fn user(&self, token: &str) -> Option<UserId> {
        self.lock().get(token).copied()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, UserId>> {
        self.by_token.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The session token from the request's cookies.
pub fn session_token(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
}

/// The signed-in caller, as an extractor.
#[derive(Debug, Clone, Copy)]
pub struct SignedIn(pub Caller);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // A verified signed request (see `signed`) acts as its merchant.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(SignedIn(*caller));
        }
        session_token(parts)
            .and_then(|t| state.sessions.user(&t))
            .map(|user| SignedIn(Caller(user)))
            .ok_or(ApiError(AppError::Unauthenticated))
    }
}

/// The session cookie's header value.
pub fn cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_tokens_never_show_in_debug_output() {
        let sessions = Sessions::default();
        let token = sessions.open(UserId(1));
        let shown = format!("{sessions:?}");
        assert!(!shown.contains(&token), "{shown}");
        assert_eq!(shown, "Sessions(1 open)");
    }
}
