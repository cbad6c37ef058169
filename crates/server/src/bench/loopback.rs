//! What the HTTP benchmarks share: a shop on a fresh SQLite file under the
//! temporary directory, served over loopback in the same process, the load
//! tasks' latencies gathered, and everything stopped and removed after.

use std::net::SocketAddr;
use std::path::PathBuf;

use tokio::task::{JoinHandle, JoinSet};
use trigate_store::Store;

use super::Latencies;
use crate::http::{AppState, router};
use crate::secrets::MasterKey;
use trigate_engine::{Engine, ShopMachine, WriterExit, start_shop};

/// Concurrent connections (buyers, or a channel's notifiers) at once.
pub const CONCURRENT: usize = 128;

/// The share of `ops` that task `i` of [`CONCURRENT`] does.
pub fn share(ops: u64, i: usize) -> u64 {
    ops / CONCURRENT as u64 + u64::from((i as u64) < ops % CONCURRENT as u64)
}

pub struct Loopback {
    dir: PathBuf,
    store: Store,
    pub engine: Engine<ShopMachine>,
    writer: JoinHandle<WriterExit>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl std::fmt::Debug for Loopback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Loopback({})", self.dir.display())
    }
}

impl Loopback {
    /// A fresh shop for benchmark `name`, and the master key to serve it
    /// with.
    pub async fn open(name: &str) -> anyhow::Result<(Self, MasterKey)> {
        let dir = std::env::temp_dir().join(format!("trigate-bench-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}", dir.join("shop.db").display());
        let store = Store::open(&url).await?;
        let (engine, writer) = start_shop(&store, trigate_core::Config::default()).await?;
        let master = MasterKey::load(Some(&"5a".repeat(32)), &dir)?;
        Ok((
            Self {
                dir,
                store,
                engine,
                writer,
                server: None,
            },
            master,
        ))
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
            axum::serve(listener, router(state)).await
        }));
        addr
    }

    /// Stops the server and the writer, and removes the files.
    pub async fn stop(self) {
        if let Some(server) = self.server {
            server.abort();
        }
        drop(self.engine);
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
