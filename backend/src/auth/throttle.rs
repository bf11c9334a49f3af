//! Failed sign-in throttling: a rolling window of failures per client address and in total.
//!
//! While either count is at its limit, every sign-in (even with the right password) is
//! refused with 429 until the oldest counted failure leaves the window, so there is no
//! permanent lockout. The total limit covers attacks spread over many addresses.

use std::{
    collections::{HashMap, VecDeque},
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::config::LoginThrottleSettings;

pub struct LoginThrottle {
    settings: LoginThrottleSettings,
    failures: Mutex<Failures>,
}

#[derive(Default)]
struct Failures {
    by_client: HashMap<IpAddr, VecDeque<Instant>>,
    total: VecDeque<Instant>,
}

/// Refused: how long until a sign-in may be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after: Duration,
}

impl LoginThrottle {
    pub fn new(settings: LoginThrottleSettings) -> Self {
        Self {
            settings,
            failures: Mutex::default(),
        }
    }

    /// Whether `client` may try to sign in now.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Throttled> {
        let mut failures = self.lock();
        failures.forget_before(now, self.settings.window);
        let window = self.settings.window;
        let blocked_until = |log: &VecDeque<Instant>, limit: usize| {
            (log.len() >= limit).then(|| log[log.len() - limit] + window)
        };
        let client_block = failures
            .by_client
            .get(&client)
            .and_then(|log| blocked_until(log, self.settings.max_failures_per_client));
        let total_block = blocked_until(&failures.total, self.settings.max_failures_total);
        match client_block.max(total_block) {
            Some(until) => Err(Throttled {
                // Round up so a client that waits exactly this long is let through.
                retry_after: (until - now).max(Duration::from_secs(1)),
            }),
            None => Ok(()),
        }
    }

    pub fn record_failure(&self, client: IpAddr, now: Instant) {
        let mut failures = self.lock();
        failures.by_client.entry(client).or_default().push_back(now);
        failures.total.push_back(now);
    }

    /// A successful sign-in clears that client's failures (not the total).
    pub fn record_success(&self, client: IpAddr) {
        self.lock().by_client.remove(&client);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Failures> {
        // The data stays consistent even if a holder panicked: every update is one push.
        self.failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Failures {
    /// Drops failures older than the window, so memory stays bounded by the limits' reach.
    fn forget_before(&mut self, now: Instant, window: Duration) {
        let expired = |at: &Instant| now.saturating_duration_since(*at) >= window;
        while self.total.front().is_some_and(expired) {
            self.total.pop_front();
        }
        self.by_client.retain(|_, log| {
            while log.front().is_some_and(expired) {
                log.pop_front();
            }
            !log.is_empty()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(per_client: usize, total: usize) -> LoginThrottle {
        LoginThrottle::new(LoginThrottleSettings {
            max_failures_per_client: per_client,
            max_failures_total: total,
            window: Duration::from_secs(60),
        })
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn a_client_is_refused_at_its_limit_until_the_window_passes() {
        let throttle = throttle(3, 100);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(throttle.check(ip(1), start).is_ok());
            throttle.record_failure(ip(1), start);
        }
        let refused = throttle.check(ip(1), start).unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_secs(60));
        assert!(
            throttle.check(ip(2), start).is_ok(),
            "other clients are not affected"
        );
        assert!(throttle
            .check(ip(1), start + Duration::from_secs(60))
            .is_ok());
    }

    #[test]
    fn failures_spread_over_many_clients_hit_the_total_limit() {
        let throttle = throttle(10, 20);
        let start = Instant::now();
        for n in 0..20u8 {
            throttle.record_failure(ip(n % 10), start);
        }
        assert!(
            throttle.check(ip(99), start).is_err(),
            "a fresh address is refused too"
        );
        assert!(throttle
            .check(ip(99), start + Duration::from_secs(61))
            .is_ok());
    }

    #[test]
    fn success_clears_the_clients_failures() {
        let throttle = throttle(2, 100);
        let now = Instant::now();
        throttle.record_failure(ip(1), now);
        throttle.record_success(ip(1));
        throttle.record_failure(ip(1), now);
        assert!(throttle.check(ip(1), now).is_ok());
    }
}
