//! What lets a guest's browser come back to the orders it bought (from the
//! channel's return, or after a lookup) without typing the secret again: a
//! random token in an HttpOnly cookie, standing in memory for the orders
//! whose secret this browser showed. No secret is kept. Each grant issues a
//! new token (a planted cookie never gains an order), and a pass lasts a
//! day. A restart forgets every pass; the lookup page still finds the
//! order.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use trigate_core::OrderId;

pub const PASS_COOKIE: &str = "trigate_guest";
/// How long a pass lasts.
const LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Passes kept at most; the oldest go first beyond it.
const MOST: usize = 100_000;
/// Orders one pass opens at most (the latest).
const ORDERS: usize = 20;

struct Pass {
    orders: Vec<OrderId>,
    issued: Instant,
}

/// Guest passes: token → the orders it opens.
#[derive(Default)]
pub struct GuestPasses {
    by_token: Mutex<HashMap<String, Pass>>,
}

/// Tokens are bearer secrets: never printed.
impl std::fmt::Debug for GuestPasses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GuestPasses({} open)", self.lock().len())
    }
}

impl GuestPasses {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pass>> {
        self.by_token.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new pass opening `order` and the orders the request's pass (if
    /// still valid) opened; its token, to set in the cookie. The old token
    /// stops working.
    pub fn grant(&self, headers: &HeaderMap, order: OrderId) -> String {
        let mut passes = self.lock();
        let mut orders = super::cookie(headers, PASS_COOKIE)
            .and_then(|old| passes.remove(old))
            .filter(|p| p.issued.elapsed() < LIFETIME)
            .map(|p| p.orders)
            .unwrap_or_default();
        orders.retain(|o| *o != order);
        orders.push(order);
        if orders.len() > ORDERS {
            orders.remove(0);
        }
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
        let token = super::csrf::random_hex::<32>();
        passes.insert(
            token.clone(),
            Pass {
                orders,
                issued: Instant::now(),
            },
        );
        token
    }

    /// Whether the request's pass opens `order`.
    pub fn opens(&self, headers: &HeaderMap, order: OrderId) -> bool {
        let Some(token) = super::cookie(headers, PASS_COOKIE) else {
            return false;
        };
        self.lock()
            .get(token)
            .filter(|p| p.issued.elapsed() < LIFETIME)
            .is_some_and(|p| p.orders.contains(&order))
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

    fn with(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            HeaderValue::from_str(&format!("{PASS_COOKIE}={token}")).unwrap(),
        );
        headers
    }

    #[test]
    fn a_pass_opens_only_the_orders_granted_to_it_and_each_grant_replaces_it() {
        let passes = GuestPasses::default();
        let first = passes.grant(&HeaderMap::new(), OrderId(7));
        assert!(passes.opens(&with(&first), OrderId(7)));
        let second = passes.grant(&with(&first), OrderId(8));
        assert_ne!(second, first, "a new token for every grant");
        assert!(
            !passes.opens(&with(&first), OrderId(7)),
            "the old one stops"
        );
        assert!(passes.opens(&with(&second), OrderId(7)));
        assert!(passes.opens(&with(&second), OrderId(8)));
        assert!(!passes.opens(&with(&second), OrderId(9)));
        assert!(!passes.opens(&HeaderMap::new(), OrderId(7)));
        // A planted, unknown token gains nothing from a grant.
        let planted = passes.grant(&with("planted"), OrderId(9));
        assert!(!passes.opens(&with(&planted), OrderId(7)));
        assert!(!format!("{passes:?}").contains(&second));
    }
}
