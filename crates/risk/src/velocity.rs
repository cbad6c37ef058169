//! Sliding windows of counts and sums per identifier: how many payments
//! this device made in the last ten minutes, how much went to this
//! destination in a day. Each identifier keeps its events of the last seven
//! days with running totals, so a window is two binary searches and a
//! subtraction however busy the identifier is.

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

use crate::point::Family;
use crate::signals::IdKind;

/// The windows every identifier is counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    TenMinutes,
    Hour,
    Day,
    Week,
}

impl Window {
    pub const ALL: [Window; 4] = [Window::TenMinutes, Window::Hour, Window::Day, Window::Week];

    pub fn seconds(self) -> u64 {
        match self {
            Window::TenMinutes => 600,
            Window::Hour => 3_600,
            Window::Day => 86_400,
            Window::Week => 7 * 86_400,
        }
    }

    /// How feature names spell it: `10m`, `1h`, `24h`, `7d`.
    pub fn name(self) -> &'static str {
        match self {
            Window::TenMinutes => "10m",
            Window::Hour => "1h",
            Window::Day => "24h",
            Window::Week => "7d",
        }
    }
}

const LONGEST: u64 = 7 * 86_400;
/// Accounts remembered per device or IP for "accounts on this device".
const SEEN_CAP: usize = 64;

/// Running totals up to and including one event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Mark {
    t: u64,
    ok: u64,
    sum: u64,
    failed: u64,
}

#[derive(Debug, Clone, Default)]
struct Track {
    /// Totals of the events already dropped off the week.
    base: Mark,
    marks: VecDeque<Mark>,
}

/// One window's figures for one identifier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Events that went through (not failed).
    pub count: u64,
    /// Their amounts, in minor units (saturating).
    pub sum: u64,
    /// Failed events, counted apart.
    pub failed: u64,
}

impl Track {
    fn add(&mut self, t: u64, amount: u64, failed: bool) {
        while self.marks.front().is_some_and(|m| m.t + LONGEST < t) {
            self.base = self.marks.pop_front().unwrap_or_default();
        }
        let last = self.marks.back().copied().unwrap_or(self.base);
        self.marks.push_back(Mark {
            t,
            ok: last.ok + u64::from(!failed),
            sum: if failed {
                last.sum
            } else {
                last.sum.saturating_add(amount)
            },
            failed: last.failed + u64::from(failed),
        });
    }

    fn counts(&self, now: u64, window: Window) -> Counts {
        let Some(last) = self.marks.back() else {
            return Counts::default();
        };
        let from = now.saturating_sub(window.seconds());
        let i = self.marks.partition_point(|m| m.t <= from);
        let before = if i == 0 { self.base } else { self.marks[i - 1] };
        Counts {
            count: last.ok - before.ok,
            sum: last.sum - before.sum,
            failed: last.failed - before.failed,
        }
    }
}

/// Every identifier's windows, per family of points.
#[derive(Debug, Clone, Default)]
pub struct Velocity {
    tracks: FxHashMap<u64, Track>,
    /// Accounts seen per device and per IP, with when each was last seen.
    seen: FxHashMap<u64, Vec<(u64, u64)>>,
}

fn key(kind: IdKind, family: Option<Family>, value: &str) -> u64 {
    let mut h = FxHasher::default();
    kind.hash(&mut h);
    family.hash(&mut h);
    value.hash(&mut h);
    h.finish()
}

impl Velocity {
    /// Counts one event at `t` (seconds) for each identifier.
    pub fn add(
        &mut self,
        t: u64,
        family: Family,
        ids: &[(IdKind, String)],
        user: Option<u64>,
        amount: u64,
        failed: bool,
    ) {
        for (kind, value) in ids {
            self.tracks
                .entry(key(*kind, Some(family), value))
                .or_default()
                .add(t, amount, failed);
            if let (Some(user), IdKind::Device | IdKind::Ip) = (user, kind) {
                let seen = self.seen.entry(key(*kind, None, value)).or_default();
                match seen.iter_mut().find(|(u, _)| *u == user) {
                    Some(entry) => entry.1 = t,
                    None => {
                        if seen.len() >= SEEN_CAP
                            && let Some(oldest) = (0..seen.len()).min_by_key(|&i| seen[i].1)
                        {
                            seen.swap_remove(oldest);
                        }
                        seen.push((user, t));
                    }
                }
            }
        }
    }

    /// Every window's figures for one identifier, in [`Window::ALL`]'s
    /// order, from one lookup.
    pub fn all_counts(&self, now: u64, family: Family, kind: IdKind, value: &str) -> [Counts; 4] {
        match self.tracks.get(&key(kind, Some(family), value)) {
            Some(t) => Window::ALL.map(|w| t.counts(now, w)),
            None => [Counts::default(); 4],
        }
    }

    pub fn counts(
        &self,
        now: u64,
        family: Family,
        kind: IdKind,
        value: &str,
        window: Window,
    ) -> Counts {
        self.tracks
            .get(&key(kind, Some(family), value))
            .map(|t| t.counts(now, window))
            .unwrap_or_default()
    }

    /// Distinct accounts seen on a device or IP within `window`, `user`
    /// (the one asking) counted whether seen before or not.
    pub fn accounts(
        &self,
        now: u64,
        kind: IdKind,
        value: &str,
        window: Window,
        user: Option<u64>,
    ) -> u64 {
        let from = now.saturating_sub(window.seconds());
        let seen = self.seen.get(&key(kind, None, value));
        let others = seen.map_or(0, |s| {
            s.iter()
                .filter(|(u, t)| *t > from && Some(*u) != user)
                .count() as u64
        });
        others + u64::from(user.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(device: &str) -> Vec<(IdKind, String)> {
        vec![(IdKind::Device, device.to_string())]
    }

    #[test]
    fn windows_count_only_their_own_span() {
        let mut v = Velocity::default();
        let f = Family::MoneyIn;
        v.add(1_000, f, &ids("d"), Some(1), 100, false);
        v.add(1_000 + 3_100, f, &ids("d"), Some(1), 200, false);
        v.add(1_000 + 3_500, f, &ids("d"), Some(2), 50, true);
        let now = 1_000 + 3_600;
        let c = |w| v.counts(now, f, IdKind::Device, "d", w);
        assert_eq!(
            c(Window::TenMinutes),
            Counts {
                count: 1,
                sum: 200,
                failed: 1
            }
        );
        // The first event is exactly an hour old: outside the hour.
        assert_eq!(c(Window::Hour).count, 1);
        assert_eq!(c(Window::Day).count, 2);
        assert_eq!(c(Window::Day).sum, 300);
        assert_eq!(v.accounts(now, IdKind::Device, "d", Window::Week, None), 2);
        assert_eq!(
            v.accounts(now, IdKind::Device, "d", Window::Week, Some(1)),
            2
        );
        assert_eq!(
            v.accounts(now, IdKind::Device, "d", Window::Week, Some(3)),
            3
        );
        // Other families and identifiers see nothing.
        assert_eq!(
            v.counts(now, Family::MoneyOut, IdKind::Device, "d", Window::Week),
            Counts::default()
        );
        assert_eq!(
            v.counts(now, f, IdKind::Device, "e", Window::Week),
            Counts::default()
        );
    }

    #[test]
    fn events_older_than_a_week_drop_out_and_totals_stay_right() {
        let mut v = Velocity::default();
        let f = Family::MoneyOut;
        for i in 0..10 {
            v.add(i * 86_400, f, &ids("d"), None, 10, false);
        }
        let now = 9 * 86_400;
        let week = v.counts(now, f, IdKind::Device, "d", Window::Week);
        // Days 3..=9 are within seven days of day 9 (day 2 is exactly 7 d old).
        assert_eq!(week.count, 7);
        assert_eq!(week.sum, 70);
        assert_eq!(v.counts(now, f, IdKind::Device, "d", Window::Day).count, 1);
    }
}
