//! The process's log: one line per event on standard error, human-readable
//! or JSON (`TRIGATE_LOG_FORMAT=json`, or `log_format = "json"` in the
//! config file), at the level `RUST_LOG` sets (default `info`). Lines are
//! gathered in a buffer and written out at least every 200 ms (warnings and
//! errors at once), so logging costs a request a copy, not a system call;
//! none is dropped. What is logged never carries a secret:
//! passwords, card keys, session tokens, lookup secrets, TOTP codes and
//! channel keys stay out of every event by construction (events name
//! routes, ids and outcomes, never request bodies or headers).

use std::io::{BufWriter, Stderr, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// `2026-12-06T01:02:03.456Z  INFO trigate::http: request route=… status=…`
    #[default]
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

impl LogFormat {
    /// `TRIGATE_LOG_FORMAT` if set (`human` or `json`), else `configured`.
    pub fn from_env_or(configured: Option<LogFormat>) -> anyhow::Result<LogFormat> {
        match std::env::var("TRIGATE_LOG_FORMAT") {
            Ok(v) if v.eq_ignore_ascii_case("json") => Ok(LogFormat::Json),
            Ok(v) if v.eq_ignore_ascii_case("human") => Ok(LogFormat::Human),
            Ok(v) if !v.is_empty() => {
                anyhow::bail!("TRIGATE_LOG_FORMAT is human or json, not {v:?}")
            }
            _ => Ok(configured.unwrap_or_default()),
        }
    }
}

/// Standard error behind a buffer shared by every thread.
#[derive(Clone)]
struct Buffered(Arc<Mutex<BufWriter<Stderr>>>);

impl Buffered {
    fn lock(&self) -> MutexGuard<'_, BufWriter<Stderr>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One event's line; flushed at once for warnings and errors.
struct Line<'a> {
    out: &'a Buffered,
    urgent: bool,
}

impl Write for Line<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut out = self.out.lock();
        out.write_all(buf)?;
        if self.urgent {
            out.flush()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.lock().flush()
    }
}

impl<'a> MakeWriter<'a> for Buffered {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Line<'a> {
        Line {
            out: self,
            urgent: false,
        }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Line<'a> {
        Line {
            out: self,
            urgent: *meta.level() <= tracing::Level::WARN,
        }
    }
}

/// Flushes what is buffered when dropped (at the end of `main`'s command).
#[derive(Debug)]
pub struct LogGuard(Option<Arc<Mutex<BufWriter<Stderr>>>>);

impl Drop for LogGuard {
    fn drop(&mut self) {
        if let Some(out) = &self.0 {
            let _ = out.lock().unwrap_or_else(|e| e.into_inner()).flush();
        }
    }
}

/// Installs the process's subscriber at `RUST_LOG`'s level, else
/// `default_level`; keep the guard until the process ends (dropping it
/// flushes what is buffered). A second call (tests) leaves the first in
/// place.
pub fn init(format: LogFormat, default_level: &str) -> LogGuard {
    let out = Buffered(Arc::new(Mutex::new(BufWriter::with_capacity(
        64 * 1024,
        std::io::stderr(),
    ))));
    let flusher = Arc::downgrade(&out.0);
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(out.clone())
        .with_ansi(false);
    let installed = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    if installed.is_err() {
        return LogGuard(None);
    }
    // Lines reach the log within 200 ms however quiet the shop is.
    std::thread::Builder::new()
        .name("trigate-log".into())
        .spawn(move || {
            while let Some(out) = flusher.upgrade() {
                let _ = out.lock().unwrap_or_else(|e| e.into_inner()).flush();
                drop(out);
                std::thread::sleep(Duration::from_millis(200));
            }
        })
        .ok();
    LogGuard(Some(out.0))
}
