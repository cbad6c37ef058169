//! What lets a guest's browser come back to the order it just bought (from
//! the channel's return, or after a lookup) without typing its secret
//! again: a random token in an HttpOnly cookie, standing in memory for the
//! order and the secret the guest gave. A restart forgets every pass; the
//! lookup page still finds the order.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use secrecy::SecretString;
use trigate_core::OrderId;

pub const PASS_COOKIE: &str = "trigate_guest";
/// How long a pass lasts.
const LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Passes kept at most; the oldest go first beyond it.
const MOST: usize = 100_000;

struct Pass {
    orders: Vec<(OrderId, SecretString)>,
    issued: Instant,
}

/// Guest passes: token → the orders (with their secrets) it opens.
#[derive(Default)]
pub struct GuestPasses {
    by_token: Mutex<HashMap<String, Pass>>,
}

/// Tokens and secrets are never printed.
impl std::fmt::Debug for GuestPasses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GuestPasses({} open)", self.lock().len())
    }
}

impl GuestPasses {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pass>> {
        self.by_token.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds `order` to the request's pass (or a new one); the token to set
    /// in the cookie.
    pub fn grant(&self, headers: &HeaderMap, order: OrderId, secret: SecretString) -> String {
        let mut passes = self.lock();
        if passes.len() >= MOST {
            passes.retain(|_, p| p.issued.elapsed() < LIFETIME);
            if passes.len() >= MOST
                && let Some(oldest) = passes
                    .iter()
                    .min_by_key(|(_, p)| p.issued)
                    .map(|(t, _)| t.clone())
            {
                passes.remove(&oldest);
            }
        }
        let token = super::cookie(headers, PASS_COOKIE)
            .filter(|t| passes.contains_key(*t))
            .map(str::to_string)
            .unwrap_or_else(|| {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes).unwrap_or_default();
                bytes.iter().map(|b| format!("{b:02x}")).collect()
            });
        let pass = passes.entry(token.clone()).or_insert_with(|| Pass {
            orders: Vec::new(),
            issued: Instant::now(),
        });
        pass.orders.retain(|(o, _)| *o != order);
        pass.orders.push((order, secret));
        if pass.orders.len() > 20 {
            pass.orders.remove(0);
        }
        token
    }

    /// The secret the request's pass holds for `order`.
    pub fn secret(&self, headers: &HeaderMap, order: OrderId) -> Option<SecretString> {
        let token = super::cookie(headers, PASS_COOKIE)?;
        let passes = self.lock();
        let pass = passes
            .get(token)
            .filter(|p| p.issued.elapsed() < LIFETIME)?;
        pass.orders
            .iter()
            .find(|(o, _)| *o == order)
            .map(|(_, s)| s.clone())
    }

    /// The cookie's header value.
    pub fn cookie(token: &str, secure: bool) -> String {
        let secure = if secure { "; Secure" } else { "" };
        format!("{PASS_COOKIE}={token}; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax{secure}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_pass_opens_only_the_orders_granted_to_it() {
        use secrecy::ExposeSecret;
        let passes = GuestPasses::default();
        let token = passes.grant(
            &HeaderMap::new(),
            OrderId(7),
            SecretString::from("secret-7"),
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            HeaderValue::from_str(&format!("{PASS_COOKIE}={token}")).unwrap(),
        );
        let again = passes.grant(&headers, OrderId(8), SecretString::from("secret-8"));
        assert_eq!(again, token, "one browser keeps one pass");
        assert_eq!(
            passes.secret(&headers, OrderId(7)).unwrap().expose_secret(),
            "secret-7"
        );
        assert_eq!(
            passes.secret(&headers, OrderId(8)).unwrap().expose_secret(),
            "secret-8"
        );
        assert!(passes.secret(&headers, OrderId(9)).is_none());
        assert!(passes.secret(&HeaderMap::new(), OrderId(7)).is_none());
        assert!(!format!("{passes:?}").contains(&token));
    }
}
