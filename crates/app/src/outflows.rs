//! Whether outflows are stopped, for every answer to show: read from the
//! shop at most every [`FRESH_FOR`], by one request at a time, so that
//! showing it costs the shop a read a few times a second, not one per
//! request.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use trigate_core::StopReason;
use trigate_core::query::Query;

use crate::App;
use crate::operation::ask;

/// How long a reading is shown before it is read again.
const FRESH_FOR_MS: u64 = 250;

#[derive(Debug, Default)]
pub(crate) struct OutflowState {
    /// When it was last read (ms since the epoch; 0: never).
    read_at: AtomicU64,
    /// 0 running, 1 stopped for coverage, 2 stopped by hand.
    state: AtomicU8,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl App {
    /// Why outflows are stopped (`coverage` or `manual`), or none while
    /// they run: at most a quarter of a second old.
    pub async fn outflows_stopped(&self) -> Option<&'static str> {
        let s = &self.outflows;
        let now = now_ms();
        let last = s.read_at.load(Ordering::Acquire);
        if now.saturating_sub(last) >= FRESH_FOR_MS
            && s.read_at
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        {
            let read: Result<Option<trigate_core::OutflowStop>, _> =
                ask(&self.engine, Query::Outflows).await;
            if let Ok(stop) = read {
                let state = match stop.map(|s| s.reason) {
                    None => 0,
                    Some(StopReason::Coverage) => 1,
                    Some(StopReason::Manual) => 2,
                };
                s.state.store(state, Ordering::Release);
            }
        }
        match s.state.load(Ordering::Acquire) {
            1 => Some(StopReason::Coverage.as_str()),
            2 => Some(StopReason::Manual.as_str()),
            _ => None,
        }
    }
}
