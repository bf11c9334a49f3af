//! Timestamps are stored as unix seconds and shown as RFC 3339 UTC.

use time::{format_description::well_known::Rfc3339, Date, OffsetDateTime};

/// Seconds since the unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnixTime(pub i64);

impl UnixTime {
    pub fn now() -> Self {
        Self(OffsetDateTime::now_utc().unix_timestamp())
    }

    /// The first whole second at least `delay` from now. [`UnixTime::now`] drops the
    /// fraction of the current second, so `now() + delay` can come up to a second early.
    pub fn not_before(delay: std::time::Duration) -> Self {
        let at = OffsetDateTime::now_utc() + delay;
        Self(at.unix_timestamp() + i64::from(at.nanosecond() > 0))
    }

    /// The UTC calendar day.
    pub fn utc_date(self) -> Date {
        OffsetDateTime::from_unix_timestamp(self.0).map_or(Date::MIN, OffsetDateTime::date)
    }

    /// The next midnight UTC: when a UTC day's budget starts again.
    pub fn next_utc_midnight(self) -> UnixTime {
        Self(self.0 - self.0.rem_euclid(86_400) + 86_400)
    }

    /// RFC 3339 in UTC, e.g. `2026-11-26T04:26:50Z`. Values outside the calendar range
    /// (never written by this service) are clamped rather than failing a whole response.
    pub fn to_rfc3339(self) -> String {
        let clamped = self.0.clamp(0, 253_402_300_799); // 9999-12-31T23:59:59Z
        OffsetDateTime::from_unix_timestamp(clamped)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_before_never_comes_early() {
        for millis in [0, 1, 999, 1000, 1500] {
            let delay = std::time::Duration::from_millis(millis);
            let earliest = OffsetDateTime::now_utc() + delay;
            let at = UnixTime::not_before(delay);
            assert!(
                i128::from(at.0) * 1_000_000_000 >= earliest.unix_timestamp_nanos(),
                "{millis} ms"
            );
            assert!(at.0 <= earliest.unix_timestamp() + 1);
        }
    }

    #[test]
    fn unix_seconds_render_as_rfc3339_utc() {
        assert_eq!(UnixTime(0).to_rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(UnixTime(1_795_000_000).to_rfc3339(), "2026-11-18T11:06:40Z");
        assert_eq!(UnixTime(i64::MAX).to_rfc3339(), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn days_are_utc_days() {
        let t = UnixTime(1_795_000_000); // 2026-11-18T11:06:40Z
        assert_eq!(t.utc_date().to_string(), "2026-11-18");
        assert_eq!(t.next_utc_midnight().to_rfc3339(), "2026-11-19T00:00:00Z");
        assert_eq!(
            UnixTime(1_795_046_400).next_utc_midnight().0,
            1_795_046_400 + 86_400
        );
    }
}
