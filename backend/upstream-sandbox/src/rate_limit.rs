//! Upstream rate limits as sliding windows, and the headers that report them.
//!
//! Pipedrive: one burst window of 2 s per token (`x-ratelimit-*`). Brevo: every
//! path under `/v3/contacts` shares a per-second window, everything else a
//! per-hour window (`x-sib-ratelimit-*`). Refused requests do not use up the
//! window, so a client that backs off as told recovers.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::api::Api;
use crate::config::SandboxConfig;
use crate::state::lock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bucket {
    Pipedrive,
    BrevoContacts,
    BrevoOther,
}

impl Bucket {
    pub fn of(api: Api, path: &str) -> Self {
        match api {
            Api::Pipedrive => Self::Pipedrive,
            Api::Brevo if path == "/v3/contacts" || path.starts_with("/v3/contacts/") => {
                Self::BrevoContacts
            }
            Api::Brevo => Self::BrevoOther,
        }
    }
}

/// The outcome of counting one request against its bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Whole seconds until the window frees a slot (or fully resets when empty).
    pub reset_secs: u64,
}

impl Verdict {
    /// The three rate-limit headers, named as `api` names them.
    pub fn headers(&self, api: Api) -> [(&'static str, u64); 3] {
        let [limit, remaining, reset] = header_names(api);
        [
            (limit, u64::from(self.limit)),
            (remaining, u64::from(self.remaining)),
            (reset, self.reset_secs),
        ]
    }
}

/// `[limit, remaining, reset]` header names of an API.
pub(crate) fn header_names(api: Api) -> [&'static str; 3] {
    match api {
        Api::Pipedrive => [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ],
        Api::Brevo => [
            "x-sib-ratelimit-limit",
            "x-sib-ratelimit-remaining",
            "x-sib-ratelimit-reset",
        ],
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RateLimiter {
    enforce: bool,
    windows: Arc<Mutex<[Window; 3]>>,
}

#[derive(Debug)]
struct Window {
    limit: u32,
    length: Duration,
    /// Admission times inside the current window, oldest first.
    hits: VecDeque<Instant>,
}

impl RateLimiter {
    pub fn new(config: &SandboxConfig) -> Self {
        let windows = [
            Window::new(config.pipedrive_requests_per_2s, Duration::from_secs(2)),
            Window::new(
                config.brevo_contacts_requests_per_second,
                Duration::from_secs(1),
            ),
            Window::new(
                config.brevo_other_requests_per_hour,
                Duration::from_secs(3600),
            ),
        ];
        Self {
            enforce: config.enforce_rate_limits,
            windows: Arc::new(Mutex::new(windows)),
        }
    }

    /// Counts a request arriving at `now`. When limits are not enforced the
    /// request is always allowed, but the headers still tell the truth.
    pub fn check(&self, bucket: Bucket, now: Instant) -> Verdict {
        let mut windows = lock(&self.windows);
        let window = &mut windows[bucket as usize];
        while window
            .hits
            .front()
            .is_some_and(|&hit| now.duration_since(hit) >= window.length)
        {
            window.hits.pop_front();
        }
        let used = window.hits.len() as u32;
        let full = used >= window.limit;
        if !full || !self.enforce {
            window.hits.push_back(now);
        }
        let oldest = window.hits.front().copied().unwrap_or(now);
        let until_free = (oldest + window.length).saturating_duration_since(now);
        Verdict {
            allowed: !full || !self.enforce,
            limit: window.limit,
            remaining: window.limit.saturating_sub(window.hits.len() as u32),
            reset_secs: until_free.as_millis().div_ceil(1000) as u64,
        }
    }

    /// The configured limit of a bucket (for scripted 429s).
    pub fn limit(&self, bucket: Bucket) -> u32 {
        lock(&self.windows)[bucket as usize].limit
    }

    /// Forgets every counted request.
    pub fn clear(&self) {
        lock(&self.windows)
            .iter_mut()
            .for_each(|window| window.hits.clear());
    }
}

impl Window {
    fn new(limit: u32, length: Duration) -> Self {
        Self {
            limit,
            length,
            hits: VecDeque::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(enforce: bool) -> RateLimiter {
        RateLimiter::new(&SandboxConfig {
            enforce_rate_limits: enforce,
            pipedrive_requests_per_2s: 2,
            ..SandboxConfig::default()
        })
    }

    #[test]
    fn refuses_when_full_and_recovers_after_the_window() {
        let limiter = limiter(true);
        let start = Instant::now();
        let first = limiter.check(Bucket::Pipedrive, start);
        assert_eq!(
            (first.allowed, first.remaining, first.reset_secs),
            (true, 1, 2)
        );
        assert!(limiter.check(Bucket::Pipedrive, start).allowed);
        let refused = limiter.check(Bucket::Pipedrive, start + Duration::from_millis(500));
        assert_eq!(
            (refused.allowed, refused.remaining, refused.reset_secs),
            (false, 0, 2)
        );
        // Other buckets are independent.
        assert!(limiter.check(Bucket::BrevoOther, start).allowed);
        assert!(
            limiter
                .check(Bucket::Pipedrive, start + Duration::from_secs(2))
                .allowed
        );
    }

    #[test]
    fn reports_without_refusing_when_not_enforced() {
        let limiter = limiter(false);
        let now = Instant::now();
        let verdicts: Vec<Verdict> = (0..3)
            .map(|_| limiter.check(Bucket::Pipedrive, now))
            .collect();
        assert!(verdicts.iter().all(|verdict| verdict.allowed));
        assert_eq!(verdicts[2].remaining, 0);
    }

    #[test]
    fn buckets_follow_the_documented_split() {
        assert_eq!(
            Bucket::of(Api::Brevo, "/v3/contacts/import"),
            Bucket::BrevoContacts
        );
        assert_eq!(
            Bucket::of(Api::Brevo, "/v3/processes/4"),
            Bucket::BrevoOther
        );
        assert_eq!(
            Bucket::of(Api::Pipedrive, "/api/v2/persons"),
            Bucket::Pipedrive
        );
    }
}
