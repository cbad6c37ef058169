//! The HTTP API: `trigate serve`. Every change goes to the writer as a
//! command, every read as a query answered after its group commits; money-
//! and stock-moving POSTs take an `Idempotency-Key`.

mod admin;
mod auth;
mod disputes;
mod error;
mod guest;
mod limits;
mod manage;
pub mod metrics;
pub mod openapi;
mod pay;
mod routes;
pub mod signed;
mod withdraw;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use trigate_store::Store;

pub use auth::{COOKIE, Sessions, UsedSteps, hash_password, new_totp_seed, totp_base32, totp_code};
pub use error::ApiError;

use crate::secrets::MasterKey;
use trigate_engine::{Engine, ShopMachine, WriterExit, spawn_scheduler, start_shop};

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Longest a request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pub engine: Engine<ShopMachine>,
    pub master: Arc<MasterKey>,
    pub sessions: Arc<Sessions>,
    /// TOTP steps already used, per user: each code signs in once.
    pub used_steps: Arc<auth::UsedSteps>,
    /// Nonces of signed merchant requests already seen.
    pub nonces: Arc<signed::Nonces>,
    /// Whether cookies are marked Secure (served over https).
    pub secure_cookies: bool,
    /// Guest order lookups allowed per order.
    pub lookups: Arc<governor::DefaultKeyedRateLimiter<u64>>,
    /// The payment channels and their health.
    pub payments: Arc<crate::payments::Payments>,
    /// The sandbox gateway, when this server runs one (`/sandbox`).
    pub sandbox: Option<Arc<crate::sandbox::Gateway>>,
}

impl AppState {
    /// A fresh state over a running engine: no one signed in, nothing used.
    pub fn new(
        engine: Engine<ShopMachine>,
        master: MasterKey,
        sessions: Arc<Sessions>,
        secure_cookies: bool,
    ) -> Self {
        Self {
            engine,
            master: Arc::new(master),
            sessions,
            used_steps: Arc::default(),
            nonces: Arc::default(),
            secure_cookies,
            lookups: guest::per_order_limiter(),
            payments: Arc::new(crate::payments::Payments::none()),
            sandbox: None,
        }
    }

    /// The same, serving the sandbox gateway under `/sandbox`.
    pub fn with_sandbox(mut self, gateway: Arc<crate::sandbox::Gateway>) -> Self {
        self.sandbox = Some(gateway);
        self
    }

    /// The same, paying through `payments`.
    pub fn with_payments(mut self, payments: crate::payments::Payments) -> Self {
        self.payments = Arc::new(payments);
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
    let mut app = routes::routes().merge(openapi::routes());
    if let Some(gateway) = state.sandbox.clone() {
        app = app.nest_service("/sandbox", crate::sandbox::routes(gateway));
    }
    app.route("/metrics", axum::routing::get(metrics::render))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            signed::verify,
        ))
        .route_layer(axum::middleware::from_fn(metrics::track))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send + 'static>| {
                // A bug, never the caller's fault; nothing of it is shown.
                axum::response::IntoResponse::into_response(ApiError::new(
                    "internal",
                    "the request failed inside the server",
                ))
            },
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "no-referrer"))
        .layer(header(
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
        ))
}

/// Where and how `trigate serve` runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub database_url: String,
    pub data_dir: std::path::PathBuf,
    /// `TRIGATE_MASTER_KEY`, if set; else the key file in the data directory.
    pub master_key: Option<secrecy::SecretString>,
    /// Where users reach the shop (https makes cookies Secure).
    pub base_url: String,
    /// Payment channels (`[[channel]]` in the TOML file).
    pub channels: Vec<crate::payments::ChannelConfig>,
    /// Run the sandbox gateway under `/sandbox` (`[sandbox]`).
    pub sandbox: Option<crate::sandbox::SandboxConfig>,
    /// The shop-wide settings (`[shop]`), recorded in the journal.
    pub shop: trigate_core::Config,
}

/// Runs the server until Ctrl-C or SIGTERM, then stops taking requests,
/// lets the writer commit what it holds, and returns.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    serve_with(config, |_| async { Ok(()) }).await
}

/// [`serve`], with `before` run on the ready state before the first
/// request is taken (the demo seeds its shop there).
pub async fn serve_with<F, Fut>(config: ServeConfig, before: F) -> anyhow::Result<()>
where
    F: FnOnce(AppState) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    if config.sandbox.is_some()
        && config
            .channels
            .iter()
            .any(|c| c.kind != crate::payments::ChannelKind::Sandbox)
    {
        // Its Pay button sends real, signed notifications: beside channels
        // that move real money it would deliver keys for none.
        anyhow::bail!(
            "the sandbox gateway runs only with sandbox channels; remove [sandbox] to use real ones"
        );
    }
    let master = MasterKey::load(
        config
            .master_key
            .as_ref()
            .map(secrecy::ExposeSecret::expose_secret),
        &config.data_dir,
    )?;
    let store = Store::open(&config.database_url).await?;
    let (engine, writer) = start_shop(&store, config.shop).await?;
    let scheduler = spawn_scheduler(engine.clone(), Duration::from_secs(1));
    let transport = Arc::new(crate::payments::HyperTransport::new(Duration::from_secs(
        10,
    )));
    let payments =
        crate::payments::Payments::new(&config.channels, transport.clone(), &config.base_url)?;
    let mut state = AppState::new(
        engine,
        master,
        Arc::new(Sessions::default()),
        config.base_url.starts_with("https://"),
    )
    .with_payments(payments);
    if let Some(sandbox) = &config.sandbox {
        let public = format!("{}/sandbox", config.base_url.trim_end_matches('/'));
        state = state.with_sandbox(sandbox.gateway(&public, transport));
    }
    before(state.clone()).await?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    println!("trigate listening on http://{}", listener.local_addr()?);
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    scheduler.abort();
    let _ = scheduler.await;
    match writer.await? {
        WriterExit::Drained => {}
        WriterExit::Failed(e) => return Err(e.into()),
    }
    store.close().await;
    Ok(())
}

/// Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
