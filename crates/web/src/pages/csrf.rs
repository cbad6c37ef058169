//! CSRF protection for the pages' forms: a random secret in an HttpOnly,
//! SameSite cookie, and in every form a token made from it under a fresh
//! random mask (`mask ‖ mask⊕secret`), so no two responses carry the same
//! bytes and a compressed page's size tells nothing of the secret. A form
//! posted without a token that unmasks to the cookie's secret is refused.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

pub const CSRF_COOKIE: &str = "trigate_csrf";
const LEN: usize = 32;

/// The viewer's CSRF secret, put in the request's extensions by [`ensure`].
#[derive(Clone)]
pub struct CsrfSecret([u8; LEN]);

impl std::fmt::Debug for CsrfSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfSecret(..)")
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // Without the OS's randomness no secret can be made: stop rather than
    // hand out a guessable one.
    if let Err(e) = getrandom::fill(&mut bytes) {
        panic!("the operating system gives no randomness: {e}");
    }
    bytes
}

/// `N` random bytes as hex: a bearer token.
pub fn random_hex<const N: usize>() -> String {
    hex(&random::<N>())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

impl CsrfSecret {
    /// A form token: the secret under a fresh mask.
    pub fn token(&self) -> String {
        let mask: [u8; LEN] = random();
        let mut out = [0u8; 2 * LEN];
        out[..LEN].copy_from_slice(&mask);
        for i in 0..LEN {
            out[LEN + i] = mask[i] ^ self.0[i];
        }
        hex(&out)
    }

    /// Whether `token` was made from this secret (compared in constant
    /// time).
    pub fn accepts(&self, token: &str) -> bool {
        let Some(bytes) = unhex::<{ 2 * LEN }>(token) else {
            return false;
        };
        let mut diff = 0u8;
        for i in 0..LEN {
            diff |= (bytes[i] ^ bytes[LEN + i]) ^ self.0[i];
        }
        diff == 0
    }
}

/// A random idempotency key for a money form: a double click sends the
/// same one twice and pays once.
pub fn idempotency_key() -> String {
    hex(&random::<16>())
}

/// A form's idempotency key as it came back, or a new one for a form
/// rendered afresh (or whose key a refusal used up).
pub fn key_or_new(key: String) -> String {
    if key.is_empty() {
        idempotency_key()
    } else {
        key
    }
}

/// The cookie's secret, or a new one set on the response.
pub async fn ensure(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let existing = super::cookie(request.headers(), CSRF_COOKIE).and_then(unhex::<LEN>);
    let (secret, fresh) = match existing {
        Some(bytes) => (CsrfSecret(bytes), false),
        None => (CsrfSecret(random()), true),
    };
    let value = hex(&secret.0);
    request.extensions_mut().insert(secret);
    let mut response = next.run(request).await;
    if fresh {
        let secure = if state.secure_cookies { "; Secure" } else { "" };
        let cookie = format!("{CSRF_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax{secure}");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_differ_every_time_and_each_unmasks_to_the_secret() {
        let secret = CsrfSecret(random());
        let (a, b) = (secret.token(), secret.token());
        assert_ne!(a, b);
        assert!(secret.accepts(&a) && secret.accepts(&b));
        assert!(!CsrfSecret(random()).accepts(&a));
    }

    #[test]
    fn malformed_and_tampered_tokens_are_refused() {
        let secret = CsrfSecret(random());
        let token = secret.token();
        assert!(!secret.accepts(""));
        assert!(!secret.accepts(&token[2..]));
        assert!(!secret.accepts(&format!("{}zz", &token[..token.len() - 2])));
        let mut flipped = token.into_bytes();
        flipped[100] = if flipped[100] == b'0' { b'1' } else { b'0' };
        assert!(!secret.accepts(&String::from_utf8(flipped).unwrap()));
        assert!(!secret.accepts(&"é".repeat(64)));
    }
}
