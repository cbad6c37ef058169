//! trigate's HTTP layer: the JSON API (and its OpenAPI document), sessions,
//! signed merchant requests, rate limits and metrics. Thin: each handler
//! parses the request, calls the application layer and renders its answer;
//! nothing here decides money. Money- and stock-moving POSTs take an
//! `Idempotency-Key`.

mod account;
mod admin;
pub mod answers;
mod approvals;
mod auth;
pub mod client;
mod custody;
mod custody_flows;
mod dashboard;
mod disputes;
mod error;
pub mod geoip;
mod guest;
mod limits;
mod merchant;
pub mod metrics;
pub mod openapi;
mod orders;
mod outflow_header;
pub mod pages;
mod pay;
mod refusals;
mod risk_api;
mod risk_case_api;
mod routes;
mod sends;
pub mod signed;
mod storefront;
pub mod trace;
mod withdraw;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

pub use auth::{COOKIE, Sessions};
pub use error::ApiError;
use trigate_app::{App, AppError};

/// Largest request body accepted, but by the routes that take uploads.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Largest request body any route accepts (a merchant's key file).
pub const UPLOAD_BODY_LIMIT: usize = pages::UPLOAD_LIMIT + 64 * 1024;
/// Longest a request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pub app: App,
    pub sessions: Arc<Sessions>,
    /// Whether cookies are marked Secure (served over https).
    pub secure_cookies: bool,
    /// The sandbox gateway's routes, served under `/sandbox` when this
    /// server runs one.
    pub sandbox: Option<Router>,
    /// The bearer token `/metrics` asks for; without one it is not served
    /// on this listener.
    pub metrics_token: Option<Arc<secrecy::SecretString>>,
    /// Guests' passes back to the orders they bought or looked up.
    pub passes: Arc<pages::GuestPasses>,
    /// Payments started by the pages' top-up forms, by form key.
    pub started: Arc<pages::StartedPayments>,
    /// The client headers the operator trusts (gate three's IP and
    /// country).
    pub client_headers: Arc<client::ClientHeaders>,
}

impl AppState {
    /// A fresh state over the application: no one signed in.
    pub fn new(app: App, sessions: Arc<Sessions>, secure_cookies: bool) -> Self {
        Self {
            app,
            sessions,
            secure_cookies,
            sandbox: None,
            metrics_token: None,
            passes: Arc::default(),
            started: Arc::default(),
            client_headers: Arc::default(),
        }
    }

    /// The same, trusting `headers` for the client's IP and country.
    pub fn with_client_headers(mut self, headers: client::ClientHeaders) -> Self {
        self.client_headers = Arc::new(headers);
        self
    }

    /// The same, serving `/metrics` to clients showing `token`.
    pub fn with_metrics_token(mut self, token: secrecy::SecretString) -> Self {
        self.metrics_token = Some(Arc::new(token));
        self
    }

    /// The same, paying through `payments`.
    pub fn with_payments(mut self, payments: trigate_app::Payments) -> Self {
        self.app = self.app.with_payments(payments);
        self
    }

    /// The same, serving the sandbox gateway's `routes` under `/sandbox`.
    pub fn with_sandbox(mut self, routes: Router) -> Self {
        self.sandbox = Some(routes);
        self
    }
}

/// The whole application: routes and the layers every request passes.
pub fn router(state: AppState) -> Router {
    metrics::handle();
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::overriding(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    let outflows = state.app.follow_outflows();
    let state_for_scope = state.clone();
    let mut app = routes::routes()
        .merge(openapi::routes())
        .merge(pages::routes(state.clone()));
    if let Some(sandbox) = state.sandbox.clone() {
        app = app.nest_service("/sandbox", sandbox);
    }
    app.route("/metrics", axum::routing::get(metrics::guarded))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            signed::verify,
        ))
        .route_layer(axum::middleware::from_fn(metrics::track))
        .with_state(state)
        // Each route's own limit (extractors read at most this) unless it
        // sets a larger one; nothing beyond the largest is read at all.
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(UPLOAD_BODY_LIMIT))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send + 'static>| {
                // A bug, never the caller's fault; nothing of it is shown.
                axum::response::IntoResponse::into_response(ApiError(AppError::Internal(
                    "the request failed inside the server".into(),
                )))
            },
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "no-referrer"))
        // The pages set their own, stricter policy.
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
            ),
        ))
        .layer(axum::middleware::map_response(move |response| {
            outflow_header::show(outflows.clone(), response)
        }))
        .layer(axum::middleware::from_fn_with_state(
            state_for_scope,
            client::scope,
        ))
        .layer(axum::middleware::from_fn(trace::track))
}
