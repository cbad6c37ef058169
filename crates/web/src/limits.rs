//! Rate limits (tower_governor): signing up and in per client address, and
//! checkout per session — so a script can neither guess passwords nor drain
//! stock at machine speed. A refusal is `429 rate_limited`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::IntoResponse;
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, governor::GovernorConfig};

use trigate_app::AppError;

use super::error::ApiError;

/// The client's address, when the server was started with it (a server
/// without it shares one bucket).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp;

impl KeyExtractor for ClientIp {
    type Key = Option<std::net::IpAddr>;

    fn extract<T>(&self, req: &axum::http::Request<T>) -> Result<Self::Key, GovernorError> {
        Ok(req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip()))
    }
}

/// The session cookie, else the client's address.
#[derive(Debug, Clone, Copy)]
pub struct SessionOrIp;

impl KeyExtractor for SessionOrIp {
    type Key = String;

    fn extract<T>(&self, req: &axum::http::Request<T>) -> Result<Self::Key, GovernorError> {
        let cookie = req
            .headers()
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == super::COOKIE)
            .map(|(_, value)| value.to_string());
        Ok(cookie.unwrap_or_else(|| format!("{:?}", ClientIp.extract(req).ok().flatten())))
    }
}

fn refused(_: GovernorError) -> axum::http::Response<Body> {
    let mut response = ApiError(AppError::RateLimited(
        "too many requests; slow down and retry".into(),
    ))
    .into_response();
    *response.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
    response
}

fn layer<K: KeyExtractor + Send + Sync + 'static>(
    key: K,
    every: Duration,
    burst: u32,
) -> GovernorLayer<K, ::governor::middleware::NoOpMiddleware<::governor::clock::QuantaInstant>, Body>
where
    K::Key: Send + Sync,
{
    let config: GovernorConfig<K, _> = GovernorConfigBuilder::default()
        .key_extractor(key)
        .period(every)
        .burst_size(burst)
        .finish()
        .unwrap_or_else(|| unreachable!("period and burst are non-zero"));
    GovernorLayer::new(Arc::new(config)).error_handler(refused)
}

/// Sign-up and sign-in: 10 at once, then one every 2 seconds, per address.
pub fn auth() -> GovernorLayer<
    ClientIp,
    ::governor::middleware::NoOpMiddleware<::governor::clock::QuantaInstant>,
    Body,
> {
    layer(ClientIp, Duration::from_secs(2), 10)
}

/// Checkout: 200 at once, then 100 a second, per session.
pub fn checkout() -> GovernorLayer<
    SessionOrIp,
    ::governor::middleware::NoOpMiddleware<::governor::clock::QuantaInstant>,
    Body,
> {
    layer(SessionOrIp, Duration::from_millis(10), 200)
}

/// Guest order lookups: 20 at once, then one every 3 seconds, per address
/// (each order also has its own limit; see `guest`).
pub fn lookup() -> GovernorLayer<
    ClientIp,
    ::governor::middleware::NoOpMiddleware<::governor::clock::QuantaInstant>,
    Body,
> {
    layer(ClientIp, Duration::from_secs(3), 20)
}

/// Guest checkout (no account, each order hashing a secret and reserving
/// stock): 10 at once, then one every 2 seconds, per address.
pub fn guest_checkout() -> GovernorLayer<
    ClientIp,
    ::governor::middleware::NoOpMiddleware<::governor::clock::QuantaInstant>,
    Body,
> {
    layer(ClientIp, Duration::from_secs(2), 10)
}
