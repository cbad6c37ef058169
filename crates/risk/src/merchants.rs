//! What the engine knows of each merchant: when it opened, and its sales,
//! refunds and disputes of the last 30 days with running totals — so a
//! window is two binary searches and a subtraction however busy the
//! merchant is. From these, the merchant features of a decision that names
//! a merchant (a sale, a merchant's withdrawal or payout): its age, the
//! daily sales cap of a new merchant, sales of the last day against its own
//! history, and its refund and dispute rates.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::catalogue::Value;

const NANOS: u64 = 1_000_000_000;
const DAY: u64 = 86_400 * NANOS;
/// How far back a merchant's events are kept.
const KEPT: u64 = 30 * DAY;

/// How new merchants are watched (the config's `[risk]`; all zero: off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MerchantSettings {
    /// A merchant open fewer days than this is new (0: none is).
    pub new_days: u32,
    /// What a new merchant may sell in 24 hours, minor units (0: no cap).
    pub daily_cap: u64,
    /// The holding period of a new merchant's sales, days, when longer
    /// than its own.
    pub new_holding_days: u32,
}

impl MerchantSettings {
    /// What the shop watches unless its operator says otherwise.
    pub const RECOMMENDED: MerchantSettings = MerchantSettings {
        new_days: 30,
        daily_cap: 500_000,
        new_holding_days: 7,
    };
}

/// A series of events with running totals.
#[derive(Debug, Clone, Default)]
struct Series {
    /// (time, events up to and including this one, their amounts).
    marks: VecDeque<(u64, u64, u128)>,
}

impl Series {
    fn push(&mut self, t: u64, amount: u64) {
        while self
            .marks
            .front()
            .is_some_and(|(at, _, _)| at.saturating_add(KEPT) < t)
        {
            self.marks.pop_front();
        }
        let (count, sum) = self.marks.back().map_or((0, 0), |(_, c, s)| (*c, *s));
        self.marks
            .push_back((t, count + 1, sum + u128::from(amount)));
    }

    /// Count and sum of the events in `(from, to]`.
    fn between(&self, from: u64, to: u64) -> (u64, u128) {
        let upto = |t: u64| {
            let i = self.marks.partition_point(|(at, _, _)| *at <= t);
            if i == 0 {
                (0, 0)
            } else {
                let (_, c, s) = self.marks[i - 1];
                (c, s)
            }
        };
        let (c1, s1) = upto(to);
        let (c0, s0) = upto(from);
        (c1.saturating_sub(c0), s1.saturating_sub(s0))
    }
}

#[derive(Debug, Clone, Default)]
struct Track {
    opened_at: Option<u64>,
    sales: Series,
    refunds: Series,
    disputes: Series,
}

/// Every merchant's track, and each buyer's refunds (purchase-and-refund
/// loops).
#[derive(Debug, Clone, Default)]
pub struct MerchantBook {
    tracks: FxHashMap<u64, Track>,
    buyer_refunds: FxHashMap<u64, Series>,
    buyer_orders: FxHashMap<u64, Series>,
    buyer_disputes: FxHashMap<u64, Series>,
}

/// What a buyer's orders came to over 30 days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BuyerCounts {
    pub orders: u64,
    pub refunds: u64,
    pub disputes: u64,
}

/// The merchant features, in catalogue order.
pub(crate) const MERCHANT_FEATURES: usize = 11;

impl MerchantBook {
    pub fn opened(&mut self, at: u64, merchant: u64) {
        self.tracks
            .entry(merchant)
            .or_default()
            .opened_at
            .get_or_insert(at);
    }

    pub fn sale(&mut self, at: u64, merchant: u64, amount: u64) {
        self.tracks
            .entry(merchant)
            .or_default()
            .sales
            .push(at, amount);
    }

    pub fn refund(&mut self, at: u64, merchant: u64, amount: u64) {
        self.tracks
            .entry(merchant)
            .or_default()
            .refunds
            .push(at, amount);
    }

    /// A refund of one of `buyer`'s orders.
    pub fn buyer_refund(&mut self, at: u64, buyer: u64) {
        self.buyer_refunds.entry(buyer).or_default().push(at, 0);
    }

    /// A paid order of `buyer`'s.
    pub fn buyer_order(&mut self, at: u64, buyer: u64) {
        self.buyer_orders.entry(buyer).or_default().push(at, 0);
    }

    /// A dispute `buyer` opened.
    pub fn buyer_dispute(&mut self, at: u64, buyer: u64) {
        self.buyer_disputes.entry(buyer).or_default().push(at, 0);
    }

    /// `buyer`'s paid orders, refunds and disputes in the 30 days up to
    /// `now`.
    pub fn buyer_counts(&self, now: u64, buyer: u64) -> BuyerCounts {
        let count = |m: &FxHashMap<u64, Series>| {
            m.get(&buyer)
                .map_or(0, |s| s.between(now.saturating_sub(30 * DAY), now).0)
        };
        BuyerCounts {
            orders: count(&self.buyer_orders),
            refunds: count(&self.buyer_refunds),
            disputes: count(&self.buyer_disputes),
        }
    }

    /// Refunds of `buyer`'s orders in the 7 days up to `now`.
    pub fn buyer_refunds_7d(&self, now: u64, buyer: u64) -> u64 {
        self.buyer_refunds
            .get(&buyer)
            .map_or(0, |s| s.between(now.saturating_sub(7 * DAY), now).0)
    }

    pub fn dispute(&mut self, at: u64, merchant: u64) {
        self.tracks
            .entry(merchant)
            .or_default()
            .disputes
            .push(at, 0);
    }

    /// When `merchant` opened, as far as the engine saw.
    pub fn opened_at(&self, merchant: u64) -> Option<u64> {
        self.tracks.get(&merchant).and_then(|t| t.opened_at)
    }

    /// Whether `merchant` is new at `now` under `settings`.
    pub fn is_new(&self, now: u64, merchant: u64, settings: &MerchantSettings) -> bool {
        settings.new_days > 0
            && self
                .opened_at(merchant)
                .is_some_and(|at| now.saturating_sub(at) < u64::from(settings.new_days) * DAY)
    }

    /// The merchant features of a request naming `merchant` at `now`
    /// (zero for one naming none).
    pub(crate) fn values(
        &self,
        now: u64,
        merchant: Option<u64>,
        settings: &MerchantSettings,
    ) -> [Value; MERCHANT_FEATURES] {
        let clamp = |v: u128| Value::Int(i64::try_from(v).unwrap_or(i64::MAX));
        let Some(track) = merchant.and_then(|m| self.tracks.get(&m)) else {
            return std::array::from_fn(|i| {
                if i == 1 {
                    Value::Bool(false)
                } else {
                    Value::Int(0)
                }
            });
        };
        let m = merchant.unwrap_or_default();
        let ago = |days: u64| now.saturating_sub(days * DAY);
        let (_, sales_day) = track.sales.between(ago(1), now);
        let (_, before) = track.sales.between(ago(30), ago(1));
        let (orders, _) = track.sales.between(ago(30), now);
        let (refunds, _) = track.refunds.between(ago(30), now);
        let (disputes_7d, _) = track.disputes.between(ago(7), now);
        let (disputes, _) = track.disputes.between(ago(30), now);
        let new = self.is_new(now, m, settings);
        // Sales of the last day as a percent of its daily average over the
        // days before it was open, at most 29 (0 with no history).
        let history_days = track.opened_at.map_or(29, |at| {
            (now.saturating_sub(at) / DAY)
                .saturating_sub(1)
                .clamp(1, 29)
        });
        let ratio = (sales_day * 100 * u128::from(history_days))
            .checked_div(before)
            .unwrap_or(0);
        let rate = |n: u64| {
            if orders == 0 {
                0
            } else {
                u128::from(n) * 10_000 / u128::from(orders)
            }
        };
        [
            clamp(u128::from(
                track.opened_at.map_or(0, |at| now.saturating_sub(at) / DAY),
            )),
            Value::Bool(new),
            clamp(if new {
                u128::from(settings.daily_cap)
            } else {
                0
            }),
            clamp(sales_day),
            clamp(ratio),
            clamp(u128::from(orders)),
            clamp(u128::from(refunds)),
            clamp(rate(refunds)),
            clamp(u128::from(disputes_7d)),
            clamp(u128::from(disputes)),
            clamp(rate(disputes)),
        ]
    }
}
