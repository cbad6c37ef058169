//! Whether outflows are stopped, for every answer to show: a task reads it
//! from the shop every [`EVERY`] for as long as someone holds the flag, so
//! showing it costs a request one atomic load, and the shop a read a few
//! times a second.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use trigate_core::StopReason;
use trigate_core::query::Query;

use crate::App;
use crate::operation::ask;

/// How often the stop is read.
const EVERY: Duration = Duration::from_millis(200);

/// The outflow stop as last read: 0 running, 1 stopped for coverage, 2
/// stopped by hand.
#[derive(Debug, Default)]
pub struct OutflowFlag(AtomicU8);

impl OutflowFlag {
    /// Why outflows are stopped (`coverage` or `manual`), or none while
    /// they run.
    pub fn stopped(&self) -> Option<&'static str> {
        match self.0.load(Ordering::Relaxed) {
            1 => Some(StopReason::Coverage.as_str()),
            2 => Some(StopReason::Manual.as_str()),
            _ => None,
        }
    }
}

impl App {
    /// A flag that follows the outflow stop, at most [`EVERY`] late, for as
    /// long as it is held (outside a runtime it stays at running).
    pub fn follow_outflows(&self) -> Arc<OutflowFlag> {
        let flag = Arc::new(OutflowFlag::default());
        let weak = Arc::downgrade(&flag);
        let engine = self.engine.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let mut every = tokio::time::interval(EVERY);
                loop {
                    every.tick().await;
                    let Some(flag) = weak.upgrade() else { return };
                    let Ok(stop) =
                        ask::<Option<trigate_core::OutflowStop>>(&engine, Query::Outflows).await
                    else {
                        return;
                    };
                    let state = match stop.map(|s| s.reason) {
                        None => 0,
                        Some(StopReason::Coverage) => 1,
                        Some(StopReason::Manual) => 2,
                    };
                    flag.0.store(state, Ordering::Relaxed);
                }
            });
        }
        flag
    }
}
