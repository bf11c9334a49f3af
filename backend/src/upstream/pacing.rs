//! How the request loop follows the servers' pacing: `Retry-After` and reset headers, limit
//! announcements, and the error for a pause longer than the policy accepts.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use tokio::time::Instant;

use super::{
    client::ApiClient,
    gate::RateGate,
    retry::{parse_reset_seconds, parse_retry_after},
    Api, UpstreamError,
};
use crate::domain::time::UnixTime;

/// A Pipedrive 429 that asks for longer than this is its daily budget, not a burst window.
const DAILY_BUDGET_RESET: Duration = Duration::from_secs(3600);

/// Reset headers count whole seconds: a window the server calls spent may have been filled
/// by requests sent up to this much more than a period ago.
const RESET_GRANULARITY: Duration = Duration::from_secs(1);

impl ApiClient {
    /// The error for a pause longer than the policy accepts, saying when it would end.
    pub(super) fn rate_limited_until(
        &self,
        operation: &'static str,
        wait: Duration,
    ) -> UpstreamError {
        let until = UnixTime::not_before(wait).to_rfc3339();
        // The burst windows reset within seconds; a reset hours away is the daily budget.
        if self.spec.api == Api::Pipedrive && wait > DAILY_BUDGET_RESET {
            return UpstreamError::DailyBudgetSpent { until };
        }
        UpstreamError::RateLimited {
            api: self.spec.api,
            operation,
            until,
        }
    }

    /// How long the server asked us to wait: `Retry-After`, else the bucket's reset.
    pub(super) fn server_wait(&self, headers: &HeaderMap) -> Option<Duration> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        header("retry-after")
            .and_then(|v| parse_retry_after(v, SystemTime::now()))
            .or_else(|| header(self.spec.reset_header).and_then(parse_reset_seconds))
    }

    /// Slows down before the server has to refuse: when a response says the window is spent,
    /// nothing more goes out until it resets.
    pub(super) async fn follow_pacing_headers(&self, gate: &RateGate, headers: &HeaderMap) {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if let Some((name, period)) = self.spec.limit_window {
            if let Some(limit) = header(name).and_then(|v| v.trim().parse::<usize>().ok()) {
                gate.set_window(limit.saturating_sub(1).max(1), period)
                    .await;
            }
        }
        // A window spent by this client's own requests is already paced by its gate, to the
        // millisecond; the reset header (whole seconds, rounded up) would add up to a second.
        // The server counts a request when it arrives and we when we send it, and a request
        // sent before the limit was announced is not in the gate: either can make a window
        // the gate keeps one request short of the limit read as spent.
        let spent = header(self.spec.remaining_header).is_some_and(|v| v.trim() == "0")
            && !gate.own_requests_fill_window(RESET_GRANULARITY).await;
        if let (true, Some(reset)) = (
            spent,
            header(self.spec.reset_header).and_then(parse_reset_seconds),
        ) {
            gate.pause_until(Instant::now() + reset.min(self.policy.max_rate_limit_wait))
                .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use reqwest::header::HeaderValue;

    use super::*;
    use crate::{config::RetryPolicy, upstream::usage::UsageMeter};

    fn pipedrive() -> ApiClient {
        let url = "http://127.0.0.1:9/".parse().unwrap();
        let gates = vec![("", RateGate::new(None))];
        let usage = Arc::new(UsageMeter::default());
        let spec = &crate::upstream::pipedrive::SPEC;
        ApiClient::new(
            reqwest::Client::new(),
            spec,
            url,
            None,
            RetryPolicy::default(),
            gates,
            usage,
        )
    }

    fn answer(limit: u32, remaining: u32) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("x-ratelimit-limit", limit),
            ("x-ratelimit-remaining", remaining),
            ("x-ratelimit-reset", 1),
        ] {
            headers.insert(name, HeaderValue::from(value));
        }
        headers
    }

    const NO_CAP: Duration = Duration::from_secs(60);

    /// A client and a fresh gate after the first request, sent before any limit was known
    /// and answered with `answer(limit, remaining)`; and when it was sent.
    async fn after_the_first_answer(limit: u32, remaining: u32) -> (ApiClient, RateGate, Instant) {
        let (client, gate, start) = (pipedrive(), RateGate::new(None), Instant::now());
        gate.admit(NO_CAP).await.unwrap();
        client
            .follow_pacing_headers(&gate, &answer(limit, remaining))
            .await;
        (client, gate, start)
    }

    #[tokio::test(start_paused = true)]
    async fn a_window_spent_by_the_clients_own_requests_is_not_paused_again() {
        // Then the gate's 4 of the server's 5.
        let (client, gate, start) = after_the_first_answer(5, 4).await;
        for _ in 0..4 {
            gate.admit(NO_CAP).await.unwrap();
        }
        tokio::time::advance(Duration::from_millis(1500)).await;
        client.follow_pacing_headers(&gate, &answer(5, 0)).await;

        gate.admit(NO_CAP).await.unwrap();

        // The gate's own slot (2 s after its first counted request), not the reset's 2.5 s.
        assert_eq!(Instant::now().duration_since(start), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_window_spent_by_others_pauses_until_the_reset() {
        let (_client, gate, start) = after_the_first_answer(5, 0).await;

        gate.admit(NO_CAP).await.unwrap();

        assert_eq!(Instant::now().duration_since(start), Duration::from_secs(1));
    }
}
