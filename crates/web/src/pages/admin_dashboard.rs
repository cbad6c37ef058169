//! The admin console's dashboard: today's orders and sales, money in
//! escrow and custody's coverage (held against owed) as they stand, and
//! charts of the last 30 days from the daily figures the shop recorded at
//! each day's end (in its time zone) — with the same figures as a table.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use trigate_app::ops;
use trigate_core::{Currency, DayFigures};

use super::admin::staff;
use super::charts::{self, Chart};
use super::{Page, i18n, refused, render};
use crate::AppState;
use crate::dashboard::{date_of, day_date as full_date};

/// One currency today.
struct Today {
    currency: String,
    orders: u64,
    sales: String,
    escrow: String,
    held: String,
    owed: String,
    covered: bool,
}

/// One recorded day in one currency, for the table.
struct Row {
    date: String,
    orders: u64,
    sales: String,
    escrow: Option<String>,
    held: Option<String>,
    owed: Option<String>,
}

struct Table {
    currency: String,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "admin_dashboard.html")]
struct DashboardPage<'a> {
    p: &'a Page,
    date: String,
    today: Vec<Today>,
    charts: Vec<Chart>,
    tables: Vec<Table>,
}

fn short_date(day: i64) -> String {
    date_of(day).map_or_else(
        || day.to_string(),
        |d| format!("{:02}-{:02}", u8::from(d.month()), d.day()),
    )
}

/// A signed amount of minor units in `currency`.
pub(super) fn signed(amount: i128, currency: Currency) -> String {
    let shown = i18n::money(
        u64::try_from(amount.unsigned_abs()).unwrap_or(u64::MAX),
        currency,
    );
    if amount < 0 {
        format!("−{shown}")
    } else {
        shown
    }
}

/// Every currency the figures name, in order.
fn currencies(view: &trigate_core::DashboardView) -> Vec<Currency> {
    let set: BTreeSet<Currency> = view
        .days
        .iter()
        .chain(std::iter::once(&view.today))
        .flat_map(|d| d.currencies.iter().map(|m| m.currency))
        .collect();
    set.into_iter().collect()
}

/// Orders per day, every currency together.
fn orders_chart(p: &Page, days: &[DayFigures]) -> Chart {
    let values: Vec<u64> = days
        .iter()
        .map(|d| d.currencies.iter().map(|m| m.orders).sum())
        .collect();
    let (bars, max) = charts::bars(&values, |i| {
        format!(
            "{} · {}",
            full_date(days[i].day),
            p.t1("dashboard-orders-n", "count", &values[i].to_string())
        )
    });
    Chart {
        id: "chart-orders".into(),
        title: p.t("dashboard-chart-orders").into_owned(),
        top: max.to_string(),
        first: days.first().map(|d| short_date(d.day)).unwrap_or_default(),
        last: days.last().map(|d| short_date(d.day)).unwrap_or_default(),
        bars,
        lines: Vec::new(),
    }
}

/// Sales per day in `currency`.
fn sales_chart(p: &Page, days: &[DayFigures], currency: Currency) -> Chart {
    let values: Vec<u64> = days
        .iter()
        .map(|d| d.currency(currency).map_or(0, |m| m.sales))
        .collect();
    let (bars, max) = charts::bars(&values, |i| {
        format!(
            "{} · {}",
            full_date(days[i].day),
            i18n::money(values[i], currency)
        )
    });
    Chart {
        id: format!("chart-sales-{currency}"),
        title: p.t1("dashboard-chart-sales", "currency", currency.as_str()),
        top: i18n::money(max, currency),
        first: days.first().map(|d| short_date(d.day)).unwrap_or_default(),
        last: days.last().map(|d| short_date(d.day)).unwrap_or_default(),
        bars,
        lines: Vec::new(),
    }
}

/// A line of a balances chart: its class, its message and its figure.
type Series = (
    &'static str,
    &'static str,
    fn(&trigate_core::DayBalances) -> i128,
);

/// Lines of balances at each day's end in `currency`: `series` names each
/// line's class, message and figure.
fn balances_chart(
    p: &Page,
    days: &[DayFigures],
    currency: Currency,
    (id, title): (&str, &str),
    series: &[Series],
) -> Chart {
    let balances: Vec<Option<trigate_core::DayBalances>> = days
        .iter()
        .map(|d| d.currency(currency).and_then(|m| m.balances))
        .collect();
    let max = balances
        .iter()
        .flatten()
        .flat_map(|b| series.iter().map(|(_, _, pick)| pick(b)))
        .max()
        .unwrap_or(0);
    let lines = series
        .iter()
        .map(|(class, name, pick)| {
            let values: Vec<Option<i128>> = balances.iter().map(|b| b.as_ref().map(pick)).collect();
            let name = p.t(name).into_owned();
            let shown = name.clone();
            charts::line(class, name, &values, max, |i, v| {
                format!(
                    "{} · {shown} {}",
                    full_date(days[i].day),
                    signed(v, currency)
                )
            })
        })
        .collect();
    Chart {
        id: format!("{id}-{currency}"),
        title: p.t1(title, "currency", currency.as_str()),
        top: signed(max, currency),
        first: days.first().map(|d| short_date(d.day)).unwrap_or_default(),
        last: days.last().map(|d| short_date(d.day)).unwrap_or_default(),
        bars: Vec::new(),
        lines,
    }
}

pub(super) async fn dashboard(State(state): State<AppState>, p: Page) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let view = match state.app.read(caller, ops::Dashboard).await {
        Ok(view) => view,
        Err(e) => return refused(&p, &e),
    };
    let currencies = currencies(&view);
    let today = currencies
        .iter()
        .map(|c| {
            let m = view.today.currency(*c);
            let b = m.and_then(|m| m.balances).unwrap_or_default();
            Today {
                currency: c.to_string(),
                orders: m.map_or(0, |m| m.orders),
                sales: i18n::money(m.map_or(0, |m| m.sales), *c),
                escrow: signed(b.escrow, *c),
                held: signed(b.held, *c),
                owed: signed(b.owed, *c),
                covered: b.held >= b.owed,
            }
        })
        .collect();
    let days = &view.days;
    let mut charts = Vec::new();
    if !days.is_empty() {
        charts.push(orders_chart(&p, days));
        for c in &currencies {
            charts.push(sales_chart(&p, days, *c));
            charts.push(balances_chart(
                &p,
                days,
                *c,
                ("chart-coverage", "dashboard-chart-coverage"),
                &[
                    ("s-held", "custody-held", |b| b.held),
                    ("s-owed", "custody-owed", |b| b.owed),
                ],
            ));
            charts.push(balances_chart(
                &p,
                days,
                *c,
                ("chart-escrow", "dashboard-chart-escrow"),
                &[("s-escrow", "dashboard-escrow", |b| b.escrow)],
            ));
        }
    }
    let tables = currencies
        .iter()
        .map(|c| Table {
            currency: c.to_string(),
            rows: days
                .iter()
                .rev()
                .map(|d| {
                    let m = d.currency(*c);
                    let b = m.and_then(|m| m.balances);
                    Row {
                        date: full_date(d.day),
                        orders: m.map_or(0, |m| m.orders),
                        sales: i18n::money(m.map_or(0, |m| m.sales), *c),
                        escrow: b.map(|b| signed(b.escrow, *c)),
                        held: b.map(|b| signed(b.held, *c)),
                        owed: b.map(|b| signed(b.owed, *c)),
                    }
                })
                .collect(),
        })
        .collect();
    render(
        StatusCode::OK,
        &DashboardPage {
            date: full_date(view.today.day),
            p: &p,
            today,
            charts,
            tables,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_shown_as_their_dates() {
        // 2026-12-01 is day 20,788 from 1970-01-01.
        assert_eq!(full_date(20_788), "2026-12-01");
        assert_eq!(short_date(20_788), "12-01");
        assert_eq!(full_date(0), "1970-01-01");
    }
}
