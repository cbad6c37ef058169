//! Signing in: passwords hashed with Argon2id (at the edge; the shop stores
//! the PHC string), and sessions as random tokens in an HttpOnly, SameSite
//! cookie (Secure when served over https).

use std::collections::HashMap;
use std::sync::Mutex;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use trigate_core::UserId;

use super::AppState;
use super::error::ApiError;

pub const COOKIE: &str = "trigate_session";

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| ApiError::new("internal", "could not hash the password"))
}

pub fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

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
        // The OS's randomness; a failure here is not recoverable.
        getrandom::fill(&mut bytes).unwrap_or_default();
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

/// The signed-in caller.
#[derive(Debug, Clone, Copy)]
pub struct Caller(pub UserId);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // A verified signed request (see `signed`) acts as its merchant.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(*caller);
        }
        session_token(parts)
            .and_then(|t| state.sessions.user(&t))
            .map(Caller)
            .ok_or_else(ApiError::unauthenticated)
    }
}

/// The session cookie's header value.
pub fn cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

/// Roles that must sign in with a second factor.
pub fn needs_second_factor(role: trigate_core::Role) -> bool {
    use trigate_core::{AdminRole, Role};
    matches!(role, Role::Staff(AdminRole::Admin | AdminRole::Finance))
}

/// A fresh TOTP seed (20 bytes, as authenticator apps expect).
pub fn new_totp_seed() -> secrecy::SecretBox<Vec<u8>> {
    let mut seed = vec![0u8; 20];
    getrandom::fill(&mut seed).unwrap_or_default();
    secrecy::SecretBox::new(Box::new(seed))
}

/// The seed as authenticator apps take it (base32, RFC 4648, no padding).
pub fn totp_base32(seed: &secrecy::SecretBox<Vec<u8>>) -> String {
    use secrecy::ExposeSecret;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let bytes = seed.expose_secret();
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for b in bytes {
        buffer = (buffer << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            out.push(char::from(ALPHABET[((buffer >> (bits - 5)) & 31) as usize]));
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The time step a TOTP code is valid for (one step either side allowed),
/// or `None` for a wrong code.
pub fn totp_step(seed: &secrecy::SecretBox<Vec<u8>>, code: &str, unix_secs: u64) -> Option<u64> {
    use secrecy::ExposeSecret;
    let totp = totp_rs::Builder::new()
        .with_secret(seed.expose_secret().as_slice())
        .build()
        .ok()?;
    totp.check(code.trim(), unix_secs)
}

/// Checks `code` against `user`'s sealed TOTP secret: refused when none is
/// enrolled, no code is sent, the code is wrong, or its step was used.
pub fn check_second_factor(
    state: &AppState,
    user: UserId,
    sealed: Option<&[u8]>,
    code: Option<&str>,
) -> Result<(), ApiError> {
    let sealed = sealed.ok_or_else(|| {
        ApiError::new(
            "second_factor_required",
            "this needs a TOTP code; enrol a second factor first",
        )
    })?;
    let code = code
        .ok_or_else(|| ApiError::new("second_factor_required", "send the TOTP code as \"totp\""))?;
    if state.used_steps.locked(user) {
        return Err(ApiError::new(
            "second_factor_locked",
            "too many wrong codes; try again in 15 minutes",
        ));
    }
    let seed = state
        .master
        .open_secret(sealed)
        .map_err(|e| ApiError::new("internal", e.to_string()))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    match totp_step(&seed, code, now).filter(|step| state.used_steps.accept(user, *step)) {
        Some(_) => {
            state.used_steps.right_code(user);
            Ok(())
        }
        None => {
            state.used_steps.wrong_code(user);
            Err(ApiError::new(
                "bad_second_factor",
                "wrong or reused TOTP code",
            ))
        }
    }
}

/// The TOTP code for a seed at a time (for the demo and tests).
pub fn totp_code(seed: &secrecy::SecretBox<Vec<u8>>, unix_secs: u64) -> String {
    use secrecy::ExposeSecret;
    totp_rs::Builder::new()
        .with_secret(seed.expose_secret().as_slice())
        .build()
        .map(|t| t.generate(unix_secs).to_string())
        .unwrap_or_default()
}

/// Wrong codes a user may send before their second factor is locked.
const WRONG_CODES: u32 = 5;
/// How long those wrong codes count, and the lock lasts.
const LOCK_FOR: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Steps already used per user — a code is accepted once — and wrong codes
/// per user: after [`WRONG_CODES`] in [`LOCK_FOR`], no code is checked
/// until that time has passed, so six digits cannot be guessed.
#[derive(Debug, Default)]
pub struct UsedSteps {
    last: Mutex<HashMap<UserId, u64>>,
    wrong: Mutex<HashMap<UserId, (u32, std::time::Instant)>>,
}

impl UsedSteps {
    fn wrong(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, (u32, std::time::Instant)>> {
        self.wrong.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `user` has sent too many wrong codes lately.
    pub fn locked(&self, user: UserId) -> bool {
        self.wrong()
            .get(&user)
            .is_some_and(|(n, since)| *n >= WRONG_CODES && since.elapsed() < LOCK_FOR)
    }

    /// Counts a wrong (or reused) code against `user`.
    pub fn wrong_code(&self, user: UserId) {
        let mut wrong = self.wrong();
        let entry = wrong.entry(user).or_insert((0, std::time::Instant::now()));
        if entry.1.elapsed() >= LOCK_FOR {
            *entry = (0, std::time::Instant::now());
        }
        entry.0 += 1;
    }

    fn right_code(&self, user: UserId) {
        self.wrong().remove(&user);
    }

    /// Accepts `step` for `user` if it is later than the last accepted.
    pub fn accept(&self, user: UserId, step: u64) -> bool {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        match last.get(&user) {
            Some(prev) if *prev >= step => false,
            _ => {
                last.insert(user, step);
                true
            }
        }
    }
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
