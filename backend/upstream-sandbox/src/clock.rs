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

/// Milliseconds since the Unix epoch of `time` (0 before the epoch).
pub fn unix_millis(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64)
}

/// RFC 3339 in UTC with milliseconds, as Pipedrive's webhooks use:
/// `2019-10-25T08:25:27.000Z`.
pub fn rfc3339_millis(unix_millis: i64) -> String {
    let (date, time) = split(unix_millis.div_euclid(1000));
    format!("{date}T{time}.{:03}Z", unix_millis.rem_euclid(1000))
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

/// Parses an RFC 3339 date-time (`2024-05-01T12:30:00Z`, `2024-05-01T14:30:00.250+02:00`)
/// to Unix seconds, rounded down. `None` for anything else.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    let shaped = bytes.len() >= 20
        && separators.iter().all(|&(at, byte)| bytes[at] == byte)
        && matches!(bytes[10], b'T' | b't');
    if !shaped {
        return None;
    }
    let number = |range: std::ops::Range<usize>| number_of(text.get(range)?);
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let in_range = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 61;
    if !in_range {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (number_of(rest.get(1..3)?)?, number_of(rest.get(4..6)?)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = hours * 3600 + minutes * 60;
            if *sign == b'+' {
                magnitude
            } else {
                -magnitude
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// A calendar date, `YYYY-MM-DD`, as Pipedrive date fields and Brevo date
/// attributes hold it; `days` since 1970-01-01.
pub fn iso_date(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Whether `text` is a real calendar date written `YYYY-MM-DD` (so not
/// `2026-02-30`).
pub fn is_iso_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let number = |range: std::ops::Range<usize>| number_of(&text[range]);
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    (1..=12).contains(&month)
        && civil_from_days(days_from_civil(year, month, day)) == (year, month, day)
}

/// A run of ASCII digits (no sign) as a number.
fn number_of(digits: &str) -> Option<i64> {
    digits
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| digits.parse().ok())?
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

/// A proleptic Gregorian date to days since 1970-01-01 (Howard Hinnant's
/// `days_from_civil`, the inverse of [`civil_from_days`]).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
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
        assert_eq!(
            rfc3339_millis(1_572_006_327_042),
            "2019-10-25T12:25:27.042Z"
        );
    }

    #[test]
    fn parses_what_it_formats_and_offsets() {
        for unix in [0, 951_782_400, 1_609_459_200, 1_709_210_096, 4_102_444_799] {
            assert_eq!(parse_rfc3339(&rfc3339(unix)), Some(unix), "{unix}");
        }
        let expected = Some(1_709_210_096);
        assert_eq!(parse_rfc3339("2024-02-29T14:34:56.999+02:00"), expected);
        assert_eq!(parse_rfc3339("2024-02-29t07:04:56-05:30"), expected);
        for bad in [
            "",
            "2024-02-29",
            "2024-02-29 12:34:56Z",
            "2024-13-01T00:00:00Z",
            "2024-02-29T12:34:56",
            "2024-02-29T12:34:56.Z",
            "2024-02-29T12:34:56 02:00",
            "2024-02-29T12:34:56+0200",
            "+024-02-29T12:34:56Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_and_checks_calendar_dates() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(19_782), "2024-02-29");
        assert!(is_iso_date("2024-02-29") && is_iso_date("2026-12-31"));
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026/01/01",
            "2026-01-01T00:00:00Z",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }
}
