//! Where the writer's timestamps come from: the system clock in production, a
//! stepping clock in tests, so that runs are repeatable.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub trait Clock: Send + Sync + 'static {
    /// Nanoseconds since the Unix epoch.
    fn now_nanos(&self) -> u64;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_nanos(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }
}

/// A clock that moves forward by a fixed step every time it is read.
#[derive(Debug)]
pub struct FixedStepClock {
    now: AtomicU64,
    step: u64,
}

impl FixedStepClock {
    pub fn new(start: u64, step: u64) -> Self {
        Self {
            now: AtomicU64::new(start),
            step,
        }
    }
}

impl FixedStepClock {
    /// Moves the clock forward by `nanos` at once (a test's "time passes").
    pub fn advance(&self, nanos: u64) {
        self.now.fetch_add(nanos, Ordering::Relaxed);
    }
}

impl Clock for FixedStepClock {
    fn now_nanos(&self) -> u64 {
        self.now.fetch_add(self.step, Ordering::Relaxed)
    }
}

/// The system clock running late by a lag that only ever shrinks: a shop
/// seeded on it lives through past days (the demo records a month of
/// daily figures), then catches up with the present. Time never goes back.
#[derive(Debug)]
pub struct LaggingClock {
    behind: AtomicU64,
}

impl LaggingClock {
    pub fn new(behind: u64) -> Self {
        Self {
            behind: AtomicU64::new(behind),
        }
    }

    /// Runs `behind` nanoseconds late from now on, if that is less late
    /// than it runs.
    pub fn catch_up_to(&self, behind: u64) {
        self.behind.fetch_min(behind, Ordering::SeqCst);
    }
}

impl Clock for LaggingClock {
    fn now_nanos(&self) -> u64 {
        SystemClock
            .now_nanos()
            .saturating_sub(self.behind.load(Ordering::SeqCst))
    }
}
