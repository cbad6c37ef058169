//! The dashboard over the API: today's orders, sales and balances, and the
//! daily figures the shop recorded at each day's end (the last 30), for
//! staff who see the books.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use trigate_app::ops;
use trigate_core::{DayFigures, DayMoney};

use super::AppState;
use super::answers::money::clamp;
use super::answers::rfc3339;
use super::auth::SignedIn;
use super::error::ApiError;
use super::openapi::ErrorBody;

/// Balances at a day's end (or now, for today), in minor units.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayBalancesAnswer {
    /// Paid orders not yet settled or refunded.
    pub escrow: i64,
    /// Custody and clearing.
    pub held: i64,
    /// What the shop owes users, merchants and the reserve.
    pub owed: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayMoneyAnswer {
    pub currency: String,
    /// Orders paid that day.
    pub orders: u64,
    /// What their buyers paid, in minor units.
    pub sales: u64,
    /// Null for a day that ended while the shop was not running.
    pub balances: Option<DayBalancesAnswer>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayAnswer {
    /// The day in the shop's time zone, `YYYY-MM-DD`.
    pub date: String,
    /// When it was closed (today's: when read), RFC 3339.
    pub closed_at: String,
    pub currencies: Vec<DayMoneyAnswer>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DashboardAnswer {
    /// Today so far, balances as they stand.
    pub today: DayAnswer,
    /// The last 30 recorded days, oldest first.
    pub days: Vec<DayAnswer>,
    /// The shop's time zone, seconds east of UTC.
    pub utc_offset_seconds: i32,
}

/// A day counted from 1970-01-01 (1970-01-01 is Julian day 2,440,588).
pub(crate) fn date_of(day: i64) -> Option<time::Date> {
    time::Date::from_julian_day(i32::try_from(day + 2_440_588).ok()?).ok()
}

/// A day counted from 1970-01-01, as `YYYY-MM-DD`.
pub(crate) fn day_date(day: i64) -> String {
    date_of(day).map_or_else(
        || day.to_string(),
        |d| format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
    )
}

fn money(m: &DayMoney) -> DayMoneyAnswer {
    DayMoneyAnswer {
        currency: m.currency.to_string(),
        orders: m.orders,
        sales: m.sales,
        balances: m.balances.map(|b| DayBalancesAnswer {
            escrow: clamp(b.escrow),
            held: clamp(b.held),
            owed: clamp(b.owed),
        }),
    }
}

fn day(d: &DayFigures) -> DayAnswer {
    DayAnswer {
        date: day_date(d.day),
        closed_at: rfc3339(d.closed_at),
        currencies: d.currencies.iter().map(money).collect(),
    }
}

/// Today and the recorded daily figures (admins, finance and auditors).
#[utoipa::path(get, path = "/api/v1/admin/dashboard", tag = "admin",
    responses((status = 200, description = "Today and the last 30 recorded days", body = DashboardAnswer),
        (status = 403, description = "Not admin, finance or an auditor", body = ErrorBody)))]
pub(super) async fn dashboard(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<DashboardAnswer>, ApiError> {
    let view = state.app.read(caller, ops::Dashboard).await?;
    Ok(Json(DashboardAnswer {
        today: day(&view.today),
        days: view.days.iter().map(day).collect(),
        utc_offset_seconds: view.utc_offset_seconds,
    }))
}
