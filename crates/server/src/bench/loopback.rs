//! What the HTTP benchmarks share: a shop on a fresh SQLite file under the
//! temporary directory, served over loopback in the same process, the load
//! tasks' latencies gathered, and everything stopped and removed after.

use std::net::SocketAddr;
use std::path::PathBuf;

use tokio::task::{JoinHandle, JoinSet};
use trigate_store::Store;

use super::Latencies;
use trigate_app::App;
use trigate_engine::{WriterExit, start_shop_on};
use trigate_web::{AppState, router};

/// Concurrent connections (buyers, or a channel's notifiers) at once.
pub const CONCURRENT: usize = 128;

/// The share of `ops` that task `i` of [`CONCURRENT`] does.
pub fn share(ops: u64, i: usize) -> u64 {
    ops / CONCURRENT as u64 + u64::from((i as u64) < ops % CONCURRENT as u64)
}

pub struct Loopback {
    dir: PathBuf,
    store: Store,
    pub app: App,
    writer: JoinHandle<WriterExit>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl std::fmt::Debug for Loopback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Loopback({})", self.dir.display())
    }
}

impl Loopback {
    /// A fresh shop for benchmark `name`, under the benchmarks' master key,
    /// its risk checks on with the default rule pack.
    pub async fn open(name: &str) -> anyhow::Result<Self> {
        Self::open_with(name, trigate_core::risk::RiskSettings::default()).await
    }

    /// [`Self::open`] with these risk settings.
    pub async fn open_with(
        name: &str,
        risk: trigate_core::risk::RiskSettings,
    ) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("trigate-bench-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}", dir.join("shop.db").display());
        let store = Store::open(&url).await?;
        let settings = (
            trigate_core::Config::default(),
            trigate_core::Rules::default(),
            risk,
        );
        let clock = std::sync::Arc::new(trigate_engine::SystemClock);
        let (engine, writer) = start_shop_on(&store, settings, clock).await?;
        let app = App::new(engine, super::seed::master_key()?);
        Ok(Self {
            dir,
            store,
            app,
            writer,
            server: None,
        })
    }

    /// Serves `state` on a loopback port.
    pub async fn serve(
        &mut self,
        listener: tokio::net::TcpListener,
        state: AppState,
    ) -> SocketAddr {
        let addr = listener
            .local_addr()
            .unwrap_or_else(|_| ([127, 0, 0, 1], 0).into());
        self.server = Some(tokio::spawn(async move {
            let service = router(state).into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, service).await
        }));
        addr
    }

    /// Stops the server and the writer, and removes the files.
    pub async fn stop(self) {
        if let Some(server) = self.server {
            server.abort();
        }
        drop(self.app);
        let _ = self.writer.await;
        self.store.close().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Waits for every load task and merges their latencies.
pub async fn latencies(mut tasks: JoinSet<anyhow::Result<Latencies>>) -> anyhow::Result<Latencies> {
    let mut all = Latencies::default();
    while let Some(done) = tasks.join_next().await {
        all.merge(done??);
    }
    Ok(all)
}

/// A response's head as the benchmarks' clients read it.
pub struct Head {
    pub status: u16,
    pub length: Option<usize>,
    pub chunked: bool,
    pub gzip: bool,
}

/// Reads a response's status line and headers from `stream`.
pub async fn read_head(
    stream: &mut tokio::io::BufReader<tokio::net::TcpStream>,
) -> anyhow::Result<Head> {
    use anyhow::Context;
    use tokio::io::AsyncBufReadExt;
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("bad status line {line:?}"))?;
    let mut head = Head {
        status,
        length: None,
        chunked: false,
        gzip: false,
    };
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        let header = line.trim_end();
        if header.is_empty() {
            return Ok(head);
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                head.length = Some(value.parse()?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                head.chunked = value.eq_ignore_ascii_case("chunked");
            } else if name.eq_ignore_ascii_case("content-encoding") {
                head.gzip = value.eq_ignore_ascii_case("gzip");
            }
        }
    }
}
