//! Time as the shop counts it: nanoseconds since the Unix epoch, as the
//! writer stamps them on each command.

/// Times are nanoseconds, as the writer stamps them.
pub const NANOS_PER_SECOND: u64 = 1_000_000_000;
pub const NANOS_PER_DAY: u64 = 86_400 * NANOS_PER_SECOND;

/// The day `at` falls on in a time zone `offset` seconds east of UTC, as
/// days since 1970-01-01 there.
pub fn local_day(at: u64, offset: i32) -> i64 {
    let seconds = (at / NANOS_PER_SECOND) as i64 + i64::from(offset);
    seconds.div_euclid(86_400)
}

/// The (year, month) of a day counted from 1970-01-01 (the proleptic
/// Gregorian calendar).
pub fn year_month(day: i64) -> (i64, u32) {
    // Howard Hinnant's civil_from_days.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_months_are_counted_in_the_shops_time_zone() {
        // 2026-01-31 20:00 UTC is 2026-02-01 04:00 at +08:00.
        let at = 1_769_889_600 * NANOS_PER_SECOND;
        assert_eq!(year_month(local_day(at, 0)), (2026, 1));
        assert_eq!(year_month(local_day(at, 8 * 3600)), (2026, 2));
        assert_eq!(local_day(at, 8 * 3600) - local_day(at, 0), 1);
        assert_eq!(year_month(0), (1970, 1));
        assert_eq!(year_month(-1), (1969, 12));
        // 2024-02-29 is a day of February in a leap year.
        assert_eq!(year_month(19_782), (2024, 2));
        assert_eq!(year_month(19_783), (2024, 3));
    }
}
