//! Who is calling: passwords hashed with Argon2id (the shop stores only the
//! PHC string), TOTP second factors (each code accepted once, guessing
//! locked out), and merchant API keys whose requests are signed with
//! HMAC-SHA256 over the method, the path, a timestamp, a nonce and the
//! body:
//!
//! ```text
//! x-trigate-key: <key id>
//! x-trigate-timestamp: <unix seconds>
//! x-trigate-nonce: <8 to 64 printable characters, never reused>
//! x-trigate-signature: hex(HMAC-SHA256(secret, METHOD \n PATH \n TIMESTAMP \n NONCE \n BODY))
//! ```

use std::collections::HashMap;
use std::sync::Mutex;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use trigate_core::UserId;

use crate::AppError;

pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| AppError::Internal("could not hash the password".into()))
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

    pub(crate) fn right_code(&self, user: UserId) {
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

/// How far a signed request's clock may be from ours.
pub const SKEW_SECS: u64 = 300;

/// Nonces seen in the last `2 × SKEW_SECS`, per key.
#[derive(Debug, Default)]
pub struct Nonces {
    seen: Mutex<HashMap<(String, String), u64>>,
}

impl Nonces {
    /// Records a nonce; false if it was seen before.
    pub(crate) fn first_use(&self, key: &str, nonce: &str, now: u64) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 100_000 {
            seen.retain(|_, at| now.saturating_sub(*at) <= 2 * SKEW_SECS);
        }
        seen.insert((key.to_string(), nonce.to_string()), now)
            .is_none()
    }
}

pub(crate) fn hex_decode(text: &str) -> Option<Vec<u8>> {
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
