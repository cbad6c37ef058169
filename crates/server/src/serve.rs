//! `trigate serve`: the shop's process — the store, the writer and its
//! scheduler, the payment channels, the sandbox gateway when configured —
//! behind the HTTP layer, until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use trigate_app::payments::{ChannelKind, HyperTransport, Payments};
use trigate_app::{App, MasterKey};
use trigate_engine::{Clock, SystemClock, WriterExit, spawn_scheduler, start_shop_on};
use trigate_store::Store;
use trigate_web::{AppState, Sessions, router};

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
    pub channels: Vec<trigate_app::payments::ChannelConfig>,
    /// Run the sandbox gateway under `/sandbox` (`[sandbox]`).
    pub sandbox: Option<crate::sandbox::SandboxConfig>,
    /// The shop-wide settings (`[shop]`), recorded in the journal.
    pub shop: trigate_core::Config,
    /// The money rules per currency (`[rules]`), recorded in the journal.
    pub rules: trigate_core::Rules,
    /// Gate three's settings (`[risk]`).
    pub risk: trigate_core::risk::RiskSettings,
    /// The client headers trusted for gate three's IP and country.
    pub client_headers: trigate_web::client::ClientHeaders,
    /// How log lines are written.
    pub log_format: crate::logging::LogFormat,
    /// `TRIGATE_METRICS_TOKEN`: `/metrics` on the main listener answers
    /// only `Authorization: Bearer <token>`; unset, it is not served there.
    pub metrics_token: Option<secrecy::SecretString>,
    /// A listener of its own serving `/metrics` openly.
    pub metrics_listen: Option<SocketAddr>,
}

/// Runs the server until Ctrl-C or SIGTERM, then stops taking requests,
/// lets the writer commit what it holds, and returns.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    serve_with(config, Arc::new(SystemClock), |_| async { Ok(()) }).await
}

/// [`serve`] on the writer clock `clock`, with `before` run on the ready
/// state before the first request is taken (the demo seeds its shop there).
pub async fn serve_with<F, Fut>(
    config: ServeConfig,
    clock: Arc<dyn Clock>,
    before: F,
) -> anyhow::Result<()>
where
    F: FnOnce(AppState) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    if config.sandbox.is_some()
        && config
            .channels
            .iter()
            .any(|c| c.kind != ChannelKind::Sandbox)
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
    tracing::info!(
        listen = %config.listen,
        database = %trigate_store::mask_url(&config.database_url),
        data_dir = %config.data_dir.display(),
        base_url = %config.base_url,
        master_key = if config.master_key.is_some() { "TRIGATE_MASTER_KEY" } else { "key file" },
        channels = ?config.channels.iter().map(|c| format!("{} ({:?})", c.name, c.kind)).collect::<Vec<_>>(),
        sandbox = config.sandbox.is_some(),
        metrics = match (&config.metrics_token, &config.metrics_listen) {
            (_, Some(_)) => "own listener",
            (Some(_), None) => "bearer token",
            (None, None) => "off",
        },
        shop = %config.shop,
        "starting"
    );
    let headers = &config.client_headers;
    tracing::info!(
        ip = headers.ip.as_ref().map_or("the socket", |h| h.as_str()),
        country = match (&headers.country, &headers.country_file) {
            (Some(h), Some(f)) => format!("{h}, else {}", f.database_type()),
            (Some(h), None) => h.to_string(),
            (None, Some(f)) => f.database_type().to_string(),
            (None, None) => "unknown".to_string(),
        },
        "where client IPs and their countries come from"
    );
    let store = Store::open(&config.database_url).await?;
    let (engine, writer) = start_shop_on(
        &store,
        (config.shop, config.rules.clone(), config.risk),
        clock,
    )
    .await?;
    let scheduler = spawn_scheduler(engine.clone(), Duration::from_secs(1));
    let transport = Arc::new(HyperTransport::new(Duration::from_secs(10)));
    let payments = Payments::new(&config.channels, transport.clone(), &config.base_url)?;
    let app = App::new(engine, master).with_payments(payments);
    let mut state = AppState::new(
        app,
        Arc::new(Sessions::default()),
        config.base_url.starts_with("https://"),
    )
    .with_client_headers(config.client_headers.clone());
    if let Some(token) = config.metrics_token.clone() {
        state = state.with_metrics_token(token);
    }
    if let Some(sandbox) = &config.sandbox {
        let public = format!("{}/sandbox", config.base_url.trim_end_matches('/'));
        state = state.with_sandbox(crate::sandbox::routes(sandbox.gateway(&public, transport)));
    }
    before(state.clone()).await?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let local = listener.local_addr()?;
    tracing::info!(address = %local, "listening");
    println!("trigate listening on http://{local}");
    let metrics = match config.metrics_listen {
        Some(address) => {
            let metrics = tokio::net::TcpListener::bind(address).await?;
            tracing::info!(address = %metrics.local_addr()?, "serving /metrics");
            Some(tokio::spawn(async move {
                axum::serve(metrics, trigate_web::metrics::own_listener()).await
            }))
        }
        None => None,
    };
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    scheduler.abort();
    let _ = scheduler.await;
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    match writer.await? {
        WriterExit::Drained => {}
        WriterExit::Failed(e) => return Err(e.into()),
    }
    store.close().await;
    Ok(())
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
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
