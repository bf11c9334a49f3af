//! The request loop every upstream call goes through: authentication, pacing per rate-limit
//! bucket (`pacing`), timeouts (set on the reqwest client), retries with backoff that honour
//! the server's `Retry-After` and reset headers, a limit on how long a request may go on
//! failing, and operator-readable errors.

use std::{sync::Arc, time::Duration};

use bytes::Bytes;
use rand::Rng;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use url::Url;

use super::{
    error_message, gate::RateGate, timeout_error, transport_error, usage::UsageMeter, Api, Tries,
    UpstreamError,
};
use crate::config::RetryPolicy;

/// What differs between the upstream APIs in how they are called.
pub struct ApiSpec {
    pub api: Api,
    pub auth_header: &'static str,
    pub credential_variable: &'static str,
    pub base_url_variable: &'static str,
    pub remaining_header: &'static str,
    pub reset_header: &'static str,
    /// A header announcing the request limit, and the window it applies to: the client then
    /// paces itself one request under it, instead of running into the limit and pausing
    /// for the (whole-second) reset.
    pub limit_window: Option<(&'static str, Duration)>,
    /// What the operator should check for a failing status.
    pub hint: fn(u16) -> &'static str,
    /// A header with what is left of the account's daily budget, when the API sends one.
    pub daily_remaining_header: Option<&'static str>,
}

/// Whether a request may be sent again when the outcome of an attempt is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Reads and upserts: repeating them is harmless.
    Always,
    /// Creations: repeated only when the server surely did not act (429, 503, no connection).
    OnlyIfNotProcessed,
}

pub struct UpstreamRequest {
    pub operation: &'static str,
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    /// A JSON body, serialised once so every attempt sends the same bytes.
    pub body: Option<Bytes>,
    pub retry: Retry,
    /// What each answered attempt costs of the account's daily budget (Pipedrive's
    /// `x-token-cost`).
    pub token_cost: u32,
}

impl UpstreamRequest {
    pub fn get(operation: &'static str, path: impl Into<String>) -> Self {
        Self {
            operation,
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            body: None,
            retry: Retry::Always,
            token_cost: 0,
        }
    }

    pub fn post(
        operation: &'static str,
        path: impl Into<String>,
        body: Bytes,
        retry: Retry,
    ) -> Self {
        Self {
            operation,
            method: Method::POST,
            path: path.into(),
            query: Vec::new(),
            body: Some(body),
            retry,
            token_cost: 0,
        }
    }

    /// A deletion: repeating it is harmless (the repeat finds nothing to delete).
    pub fn delete(operation: &'static str, path: impl Into<String>) -> Self {
        Self {
            method: Method::DELETE,
            ..Self::get(operation, path)
        }
    }

    /// A replacing update: repeating it is harmless.
    pub fn put(operation: &'static str, path: impl Into<String>, body: Bytes) -> Self {
        Self {
            operation,
            method: Method::PUT,
            path: path.into(),
            query: Vec::new(),
            body: Some(body),
            retry: Retry::Always,
            token_cost: 0,
        }
    }

    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    /// The operation's documented token cost.
    pub fn costing(mut self, tokens: u32) -> Self {
        self.token_cost = tokens;
        self
    }
}

pub struct ApiClient {
    http: reqwest::Client,
    pub(super) spec: &'static ApiSpec,
    base_url: Url,
    credential: Option<SecretString>,
    pub(super) policy: RetryPolicy,
    /// Rate-limit buckets by path prefix, most specific first; the last one matches all.
    gates: Vec<(&'static str, RateGate)>,
    usage: Arc<UsageMeter>,
}

impl ApiClient {
    pub fn new(
        http: reqwest::Client,
        spec: &'static ApiSpec,
        base_url: Url,
        credential: Option<SecretString>,
        policy: RetryPolicy,
        gates: Vec<(&'static str, RateGate)>,
        usage: Arc<UsageMeter>,
    ) -> Self {
        assert!(
            gates.last().is_some_and(|(prefix, _)| prefix.is_empty()),
            "a catch-all gate comes last"
        );
        Self {
            http,
            spec,
            base_url,
            credential,
            policy,
            gates,
            usage,
        }
    }

    /// Sends the request and decodes a 2xx JSON answer.
    pub async fn json<T: DeserializeOwned>(
        &self,
        request: UpstreamRequest,
    ) -> Result<T, UpstreamError> {
        let operation = request.operation;
        let body = self.send(request).await?;
        serde_json::from_slice(&body).map_err(|e| UpstreamError::InvalidResponse {
            api: self.spec.api,
            operation,
            reason: e.to_string(),
        })
    }

    /// Sends the request, retrying what can succeed later; returns a 2xx answer's body.
    pub async fn send(&self, request: UpstreamRequest) -> Result<Bytes, UpstreamError> {
        let spec = self.spec;
        let credential = self
            .credential
            .as_ref()
            .ok_or(UpstreamError::NotConfigured {
                api: spec.api,
                variable: spec.credential_variable,
            })?;
        let url =
            self.base_url
                .join(&request.path)
                .map_err(|e| UpstreamError::InvalidResponse {
                    api: spec.api,
                    operation: request.operation,
                    reason: format!("bad URL: {e}"),
                })?;
        let gate = self.gate_for(&request.path);
        let mut attempt = 0;
        // Time spent failing: attempts that did not succeed and the pauses after them.
        let mut failing = Duration::ZERO;
        loop {
            attempt += 1;
            let last_attempt = attempt >= self.policy.max_attempts;
            if let Err(slot) = gate.admit(self.policy.max_rate_limit_wait).await {
                return Err(self.rate_limited_until(request.operation, slot - Instant::now()));
            }
            let mut builder = self
                .http
                .request(request.method.clone(), url.clone())
                .query(&request.query)
                .header(spec.auth_header, credential.expose_secret());
            if let Some(body) = &request.body {
                builder = builder
                    .header("content-type", "application/json")
                    .body(body.clone());
            }
            let started = Instant::now();
            let left = self.policy.give_up_after.saturating_sub(failing);
            let answer = async {
                let response = builder.send().await?;
                let status = response.status();
                let headers = response.headers().clone();
                self.follow_pacing_headers(gate, &headers).await;
                response.bytes().await.map(|body| (status, headers, body))
            };
            let Ok(outcome) = tokio::time::timeout(left, answer).await else {
                crate::metrics::record_upstream(spec.api.label(), None);
                let tries = Tries {
                    attempts: attempt,
                    spent: failing + left,
                };
                let host = url.host_str().unwrap_or("the server");
                return Err(timeout_error(spec.api, request.operation, host, tries));
            };
            crate::metrics::record_upstream(
                spec.api.label(),
                outcome.as_ref().ok().map(|(s, ..)| *s),
            );
            if let Ok((_, headers, _)) = &outcome {
                self.count_usage(request.token_cost, headers);
            }
            let (status, headers, body) = match outcome {
                Ok(answer) => answer,
                Err(err) => {
                    failing += started.elapsed();
                    let unsent = err.is_connect();
                    if !last_attempt
                        && (unsent || request.retry == Retry::Always)
                        && self.back_off(attempt, &mut failing).await
                    {
                        continue;
                    }
                    let tries = Tries {
                        attempts: attempt,
                        spent: failing,
                    };
                    return Err(transport_error(
                        spec.api,
                        request.operation,
                        spec.base_url_variable,
                        err,
                        tries,
                    ));
                }
            };
            if status.is_success() {
                return Ok(body);
            }
            let retryable = match status {
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => true,
                s if s.is_server_error() => request.retry == Retry::Always,
                _ => false,
            };
            if status == StatusCode::TOO_MANY_REQUESTS {
                let wait = self
                    .server_wait(&headers)
                    .unwrap_or_else(|| self.jittered_backoff(attempt));
                if wait > self.policy.max_rate_limit_wait {
                    return Err(self.rate_limited_until(request.operation, wait));
                }
                gate.pause_until(Instant::now() + wait).await;
                if !last_attempt {
                    continue;
                }
            } else if retryable && !last_attempt {
                failing += started.elapsed();
                if self.back_off(attempt, &mut failing).await {
                    continue;
                }
            }
            let mut message = error_message(status, &String::from_utf8_lossy(&body));
            if attempt > 1 {
                message.push_str(&format!(" (after {attempt} attempts)"));
            }
            return Err(UpstreamError::Status {
                api: spec.api,
                operation: request.operation,
                status: status.as_u16(),
                message,
                hint: (spec.hint)(status.as_u16()).to_owned(),
            });
        }
    }

    /// An answered attempt costs its tokens (a refused one too: the budget is counted by
    /// the server, and over-counting is the safe side).
    fn count_usage(&self, tokens: u32, headers: &reqwest::header::HeaderMap) {
        self.usage.record(self.spec.api, tokens);
        let remaining = self
            .spec
            .daily_remaining_header
            .and_then(|name| headers.get(name))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(tokens) = remaining {
            self.usage.report_remaining(tokens);
        }
    }

    fn gate_for(&self, path: &str) -> &RateGate {
        let path = format!("/{}", path.trim_start_matches('/'));
        let (_, gate) = self
            .gates
            .iter()
            .find(|(prefix, _)| path.starts_with(prefix))
            .expect("the last gate matches every path");
        gate
    }

    fn jittered_backoff(&self, attempt: u32) -> Duration {
        self.policy.backoff(attempt - 1, rand::thread_rng().gen())
    }

    /// Pauses before the next attempt and counts the pause as time spent failing; `false`
    /// (no pause) when the request would then have failed for longer than it may.
    async fn back_off(&self, attempt: u32, failing: &mut Duration) -> bool {
        let pause = self.jittered_backoff(attempt);
        if *failing + pause >= self.policy.give_up_after {
            return false;
        }
        tokio::time::sleep(pause).await;
        *failing += pause;
        true
    }
}
