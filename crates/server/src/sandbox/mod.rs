//! The sandbox gateway: a simulated payment provider served by the binary
//! under `/sandbox`, so the demo and the tests pay through a real channel
//! round trip. Merchants create payments server to server (signed); the
//! buyer pays or fails on its hosted checkout page; paid payments are
//! notified to the shop, signed, retried with backoff until acknowledged;
//! it answers status queries, refunds, pays out, and gives a settlement
//! statement per day as CSV. Knobs add latency, a failure rate or a whole
//! outage, and drop notifications, to rehearse what real channels do.

mod api;
mod notifier;
mod pages;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use trigate_core::Currency;

use trigate_app::payments::Transport;

/// The knobs: how badly the sandbox behaves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Knobs {
    /// Added to every API call.
    #[serde(default)]
    pub latency_ms: u64,
    /// Share of API calls answered 500, in basis points.
    #[serde(default)]
    pub failure_rate_bps: u32,
    /// Every API call answered 503.
    #[serde(default)]
    pub outage: bool,
    /// The next this many notification sends are lost on the way.
    #[serde(default)]
    pub drop_notifications: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Paid,
    Failed,
}

impl PaymentStatus {
    fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Failed => "failed",
        }
    }
}

/// One payment at the sandbox.
#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    pub id: String,
    pub merchant: String,
    pub out_trade_no: String,
    pub method: String,
    pub amount: u64,
    pub currency: Currency,
    pub subject: String,
    pub notify_url: String,
    pub return_url: String,
    pub status: PaymentStatus,
    /// Unix seconds.
    pub created_at: u64,
    pub paid_at: Option<u64>,
    pub refunded: u64,
    pub notify_attempts: u32,
    pub notified: bool,
    /// The card fingerprint and its country the payer paid with, as the
    /// pay step was given them (passed on in the notification).
    pub payer_instrument: String,
    pub payer_country: String,
}

/// One payout made.
#[derive(Debug, Clone, Serialize)]
pub struct Payout {
    pub id: String,
    pub merchant: String,
    pub reference: String,
    pub amount: u64,
    pub currency: Currency,
    pub destination: String,
    pub at: u64,
}

#[derive(Debug, Default)]
struct Books {
    payments: Vec<Payment>,
    /// (merchant, out_trade_no) → index in `payments`.
    by_trade_no: HashMap<(String, String), usize>,
    payouts: Vec<Payout>,
    /// (merchant, reference) → the refund made under it and its amount:
    /// each reference is refunded once, however often asked.
    refunds: HashMap<(String, String), (String, u64)>,
}

/// The sandbox's state.
#[derive(Debug)]
pub struct Gateway {
    /// Merchant id → signing secret.
    accounts: HashMap<String, SecretString>,
    books: Mutex<Books>,
    knobs: Mutex<Knobs>,
    /// Where buyers reach it: checkout URLs start here.
    public_base: String,
    transport: Arc<dyn Transport>,
    /// The first retry waits this long; each next one twice as long.
    backoff: Duration,
    /// Sends of one notification before it gives up.
    max_sends: u32,
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Gateway {
    pub fn new(
        accounts: HashMap<String, SecretString>,
        public_base: &str,
        transport: Arc<dyn Transport>,
        backoff: Duration,
    ) -> Arc<Self> {
        Arc::new(Self {
            accounts,
            books: Mutex::default(),
            knobs: Mutex::default(),
            public_base: public_base.trim_end_matches('/').to_string(),
            transport,
            backoff,
            max_sends: 8,
        })
    }

    fn books(&self) -> std::sync::MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn knobs(&self) -> std::sync::MutexGuard<'_, Knobs> {
        self.knobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A payment as it stands, by its id.
    pub fn payment(&self, id: &str) -> Option<Payment> {
        self.books().payments.iter().find(|p| p.id == id).cloned()
    }

    /// Every payout made, oldest first.
    pub fn payouts(&self) -> Vec<Payout> {
        self.books().payouts.clone()
    }

    pub fn set_knobs(&self, knobs: Knobs) {
        *self.knobs() = knobs;
    }
}

/// `[sandbox]` in the TOML file: run the gateway, with one merchant
/// account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxConfig {
    pub merchant: String,
    pub secret: SecretString,
}

impl SandboxConfig {
    /// The gateway, reached by buyers at `public_base`.
    pub fn gateway(&self, public_base: &str, transport: Arc<dyn Transport>) -> Arc<Gateway> {
        let accounts = HashMap::from([(self.merchant.clone(), self.secret.clone())]);
        Gateway::new(accounts, public_base, transport, Duration::from_secs(1))
    }
}

/// The sandbox's routes, to serve under `/sandbox`.
pub fn routes(gateway: Arc<Gateway>) -> Router {
    api::routes().merge(pages::routes()).with_state(gateway)
}

/// `trigate sandbox-gateway`: the gateway alone on `listen`, at the root
/// of its own address, until Ctrl-C or SIGTERM.
pub async fn serve_alone(listen: &str, config: SandboxConfig) -> anyhow::Result<()> {
    let addr: std::net::SocketAddr = listen
        .parse()
        .map_err(|_| anyhow::anyhow!("listen address {listen:?} is not host:port"))?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let transport = Arc::new(trigate_app::payments::HyperTransport::new(
        Duration::from_secs(4),
    ));
    let gateway = config.gateway(&format!("http://{local}"), transport);
    println!("trigate sandbox gateway listening on http://{local}/");
    axum::serve(listener, routes(gateway))
        .with_graceful_shutdown(crate::serve::shutdown_signal())
        .await?;
    Ok(())
}

/// The UTC calendar date (`YYYY-MM-DD`) of a Unix time.
pub fn utc_date(unix: u64) -> String {
    // Days to civil date (proleptic Gregorian), after Howard Hinnant.
    let z = i64::try_from(unix / 86_400).unwrap_or(0) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn unix_times_read_as_utc_dates() {
        assert_eq!(super::utc_date(0), "1970-01-01");
        assert_eq!(super::utc_date(951_782_400), "2000-02-29");
        assert_eq!(super::utc_date(1_795_651_199), "2026-11-25");
        assert_eq!(super::utc_date(1_795_651_200), "2026-11-26");
    }
}
