//! Daily figures (journal format 6 on): at the end of each day in the
//! shop's time zone the scheduler's tick records that day's orders and
//! sales per currency and, when it closes the day as it ends, what escrow,
//! custody and the shop's debts held then. They are facts, kept for
//! reports: a later release that counts differently never rewrites them.
//!
//! A shop records days from the one it started recording on
//! ([`Shop::start_figures`], submitted once at start); days it was stopped
//! through are closed when it runs again, with their orders and sales
//! counted from the orders but no balances (nobody measured them then).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::chart::{Kind, kind_of};
use crate::time::{NANOS_PER_SECOND, local_day};
use crate::users::{AdminRole, Role};
use crate::{Currency, Shop, ShopError, UserId};

/// Days a shop stopped for longer than this are not closed one by one
/// when it runs again: the oldest are skipped.
pub const BACKLOG_DAYS: i64 = 400;

/// What the dashboard charts: the last this many days.
pub const CHART_DAYS: usize = 30;

/// Balances measured at a day's end, in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DayBalances {
    /// Paid orders not yet settled or refunded.
    pub escrow: i128,
    /// Custody and clearing.
    pub held: i128,
    /// What the shop owes users, merchants and the reserve.
    pub owed: i128,
}

/// One currency's figures for a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayMoney {
    pub currency: Currency,
    /// Orders paid that day.
    pub orders: u64,
    /// What their buyers paid, in minor units.
    pub sales: u64,
    /// At the day's end; `None` for a day closed later (the shop was not
    /// running when it ended).
    pub balances: Option<DayBalances>,
}

/// A day's figures: `day` counts days from 1970-01-01 in the shop's time
/// zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayFigures {
    pub day: i64,
    /// When it was closed (for today's figures: when they were read).
    pub closed_at: u64,
    pub currencies: Vec<DayMoney>,
}

impl DayFigures {
    pub fn currency(&self, currency: Currency) -> Option<&DayMoney> {
        self.currencies.iter().find(|m| m.currency == currency)
    }
}

/// The recorded days and where recording began.
#[derive(Debug, Default)]
pub(crate) struct Figures {
    /// The first day recorded; `None` until the shop starts recording.
    pub(crate) from: Option<i64>,
    /// Closed days, oldest first, each after the one before.
    pub(crate) days: Vec<DayFigures>,
}

/// The dashboard: today so far and the recorded days before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardView {
    /// Today so far, with the balances as they stand.
    pub today: DayFigures,
    /// The last [`CHART_DAYS`] recorded days, oldest first.
    pub days: Vec<DayFigures>,
    /// The shop's time zone, seconds east of UTC.
    pub utc_offset_seconds: i32,
}

impl Shop {
    /// Starts recording daily figures from today's day. Returns whether it
    /// began now (`false`: it already records them).
    pub fn start_figures(&mut self, now: u64) -> bool {
        if self.figures.from.is_some() {
            return false;
        }
        self.figures.from = Some(local_day(now, self.config.utc_offset_seconds));
        self.changes.figures_from = true;
        true
    }

    /// Whether the shop records daily figures.
    pub fn records_figures(&self) -> bool {
        self.figures.from.is_some()
    }

    /// Closes every day that ended before `now`, returning the days closed.
    /// The day just ended gets its balances; older ones (the shop was
    /// stopped) only their orders and sales.
    pub(crate) fn close_days(&mut self, now: u64) -> Vec<i64> {
        let Some(from) = self.figures.from else {
            return Vec::new();
        };
        let today = local_day(now, self.config.utc_offset_seconds);
        let next = self.figures.days.last().map_or(from, |d| d.day + 1);
        let first = next.max(today - BACKLOG_DAYS);
        let mut closed = Vec::new();
        for day in first..today {
            let figures = self.figures_of(day, now, day + 1 == today);
            self.figures.days.push(figures);
            closed.push(day);
        }
        closed
    }

    /// A day's orders and sales per currency, counted from the orders paid
    /// in it, with the balances as they stand when `balances`.
    fn figures_of(&self, day: i64, now: u64, balances: bool) -> DayFigures {
        let (start, end) = self.day_bounds(day);
        let mut by: BTreeMap<Currency, DayMoney> = BTreeMap::new();
        let blank = |currency| DayMoney {
            currency,
            orders: 0,
            sales: 0,
            balances: None,
        };
        for o in &self.orders.list {
            if let Some(paid) = o.paid_at
                && (start..end).contains(&paid)
            {
                let m = by.entry(o.currency).or_insert_with(|| blank(o.currency));
                m.orders += 1;
                m.sales = m.sales.saturating_add(o.amount);
            }
        }
        if balances {
            for (currency, b) in self.balances_now() {
                by.entry(currency)
                    .or_insert_with(|| blank(currency))
                    .balances = Some(b);
            }
        }
        DayFigures {
            day,
            closed_at: now,
            currencies: by.into_values().collect(),
        }
    }

    /// A day's first and last-plus-one instants, in nanoseconds.
    fn day_bounds(&self, day: i64) -> (u64, u64) {
        let at = |d: i64| {
            let seconds = d * 86_400 - i64::from(self.config.utc_offset_seconds);
            u64::try_from(seconds).unwrap_or(0) * NANOS_PER_SECOND
        };
        (at(day), at(day + 1))
    }

    /// Escrow, custody and what is owed, per currency, as they stand.
    pub fn balances_now(&self) -> BTreeMap<Currency, DayBalances> {
        let mut by: BTreeMap<Currency, DayBalances> = BTreeMap::new();
        for c in self.coverage() {
            let b = by.entry(c.currency).or_default();
            b.held = c.held;
            b.owed = c.owed;
        }
        for a in self.ledger.accounts() {
            if kind_of(a.id) == Some(Kind::Escrow)
                && let Some(currency) = Currency::from_ledger(a.ledger)
            {
                by.entry(currency).or_default().escrow +=
                    a.credits_posted as i128 - a.debits_posted as i128;
            }
        }
        by
    }

    /// The recorded days, oldest first.
    pub fn daily_figures(&self) -> &[DayFigures] {
        &self.figures.days
    }

    /// The dashboard, for staff who see the books (admins, finance,
    /// auditors).
    pub fn dashboard(&self, actor: UserId) -> Result<DashboardView, ShopError> {
        let role = self.require_user(actor)?.role;
        if !matches!(
            role,
            Role::Staff(AdminRole::Admin | AdminRole::Finance | AdminRole::Auditor)
        ) {
            return Err(ShopError::Forbidden(actor));
        }
        let now = self.last_time;
        let today = local_day(now, self.config.utc_offset_seconds);
        let days = &self.figures.days;
        Ok(DashboardView {
            today: self.figures_of(today, now, true),
            days: days[days.len().saturating_sub(CHART_DAYS)..].to_vec(),
            utc_offset_seconds: self.config.utc_offset_seconds,
        })
    }
}
