//! When to retry an upstream request and how long to wait: pure functions, property-tested.

use std::time::{Duration, SystemTime};

use crate::config::RetryPolicy;

impl RetryPolicy {
    /// The pause before attempt `attempt + 1` after a failure without server guidance:
    /// exponential with "equal jitter" (half fixed, half random), so gaps grow on average
    /// while concurrent clients spread out. `jitter` is uniform in [0, 1).
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exponential = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.min(20)))
            .min(self.max_delay);
        let half = exponential / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// `Retry-After` (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date relative to `now`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// `x-ratelimit-reset` (Pipedrive) and `x-sib-ratelimit-reset` (Brevo): seconds until the
/// window resets, sometimes fractional.
pub fn parse_reset_seconds(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    (0.0..1e9)
        .contains(&seconds)
        .then(|| Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn retry_after_accepts_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_784_000_000);
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        let in_three = httpdate::fmt_http_date(now + Duration::from_secs(3));
        assert_eq!(
            parse_retry_after(&in_three, now),
            Some(Duration::from_secs(3))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn reset_headers_accept_fractions_and_refuse_nonsense() {
        assert_eq!(parse_reset_seconds("5"), Some(Duration::from_secs(5)));
        assert_eq!(
            parse_reset_seconds("1.5"),
            Some(Duration::from_millis(1500))
        );
        for bad in ["", "-3", "NaN", "inf", "1e30", "x"] {
            assert_eq!(parse_reset_seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn backoff_doubles_until_the_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(0, 0.0), Duration::from_millis(250));
        assert_eq!(policy.backoff(1, 0.0), Duration::from_millis(500));
        assert_eq!(policy.backoff(3, 0.999_999).as_millis(), 3999);
        assert_eq!(policy.backoff(30, 0.0), Duration::from_secs(15));
    }

    proptest! {
        #[test]
        fn backoff_stays_within_its_bounds(attempt in 0u32..1000, jitter in 0.0f64..1.0) {
            let policy = RetryPolicy::default();
            let delay = policy.backoff(attempt, jitter);
            let step = policy.base_delay.saturating_mul(2u32.saturating_pow(attempt.min(20))).min(policy.max_delay);
            prop_assert!(delay >= step / 2 && delay <= step);
        }

        #[test]
        fn header_parsers_never_panic(value in ".{0,64}", secs in 0u64..10_000_000_000) {
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
            let _ = parse_retry_after(&value, now);
            let _ = parse_reset_seconds(&value);
        }
    }
}
