//! Wall-clock timestamps in the formats the two APIs use.
//!
//! Times are kept as Unix seconds (UTC) and only formatted at the edge; a few
//! lines of calendar arithmetic spare a date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// Pipedrive v1 style: `2019-10-15 11:01:53`.
pub fn pipedrive_v1(unix: i64) -> String {
    let (date, time) = split(unix);
    format!("{date} {time}")
}

/// RFC 3339 in UTC, as Pipedrive v2 and Brevo use: `2021-01-01T00:00:00Z`.
pub fn rfc3339(unix: i64) -> String {
    let (date, time) = split(unix);
    format!("{date}T{time}Z")
}

fn split(unix: i64) -> (String, String) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    (
        format!("{year:04}-{month:02}-{day:02}"),
        format!(
            "{:02}:{:02}:{:02}",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        ),
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(pipedrive_v1(0), "1970-01-01 00:00:00");
        assert_eq!(pipedrive_v1(1_571_137_313), "2019-10-15 11:01:53");
        assert_eq!(rfc3339(1_609_459_200), "2021-01-01T00:00:00Z");
        // A leap day, to exercise the March-based year of the algorithm.
        assert_eq!(rfc3339(1_709_210_096), "2024-02-29T12:34:56Z");
    }
}
