//! Clients of the upstream APIs, one module each, sharing one error type.

pub mod brevo;
pub mod client;
pub mod gate;
mod pacing;
pub mod pipedrive;
pub mod retry;
pub mod usage;

use std::fmt;

use reqwest::StatusCode;

use crate::config::HttpClientSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Pipedrive,
    Brevo,
}

impl Api {
    /// The metrics label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pipedrive => "pipedrive",
            Self::Brevo => "brevo",
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pipedrive => "Pipedrive",
            Self::Brevo => "Brevo",
        })
    }
}

/// An upstream request that failed. Messages are written for the operator: they name the
/// API, what happened and what to check, and never contain a token or key.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("{api} is not configured: set {variable}.")]
    NotConfigured { api: Api, variable: &'static str },
    #[error("{api} did not answer in time ({operation}; {attempts} attempts in {seconds} s); check that {host} is reachable.")]
    Timeout {
        api: Api,
        operation: &'static str,
        host: String,
        attempts: u32,
        seconds: u64,
    },
    #[error("Could not reach {api} ({operation}): {reason}; check {variable} and the network.")]
    Unreachable {
        api: Api,
        operation: &'static str,
        reason: String,
        variable: &'static str,
    },
    #[error("{api} answered HTTP {status} to {operation}: {message}. {hint}")]
    Status {
        api: Api,
        operation: &'static str,
        status: u16,
        message: String,
        hint: String,
    },
    #[error("{api} is rate limiting {operation} until {until}; the sync will work again after that (check other integrations sharing the account's budget).")]
    RateLimited {
        api: Api,
        operation: &'static str,
        until: String,
    },
    #[error("Pipedrive's daily API budget is spent; it resets at {until}. Scheduled syncs wait for it; other integrations of the company share the budget.")]
    DailyBudgetSpent { until: String },
    #[error("{api} sent a response to {operation} that could not be read: {reason}.")]
    InvalidResponse {
        api: Api,
        operation: &'static str,
        reason: String,
    },
}

/// One HTTP client for all upstream calls, with every timeout set: reqwest has none by default.
pub fn http_client(settings: &HttpClientSettings) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(settings.connect_timeout)
        .read_timeout(settings.read_timeout)
        .timeout(settings.request_timeout)
        .user_agent(concat!("pipedrive-brevo-sync/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a client with only timeouts and a user agent always builds")
}

/// What the request's tries came to, for the message of the error that ends them.
#[derive(Debug, Clone, Copy)]
struct Tries {
    attempts: u32,
    spent: std::time::Duration,
}

fn timeout_error(api: Api, operation: &'static str, host: &str, tries: Tries) -> UpstreamError {
    UpstreamError::Timeout {
        api,
        operation,
        host: host.to_owned(),
        attempts: tries.attempts,
        seconds: tries.spent.as_secs_f64().round() as u64,
    }
}

/// Turns a transport error into an operator-readable one. reqwest's own message may
/// include the URL, which never carries secrets here (they travel in headers).
fn transport_error(
    api: Api,
    operation: &'static str,
    variable: &'static str,
    err: reqwest::Error,
    tries: Tries,
) -> UpstreamError {
    if err.is_timeout() {
        let host = err
            .url()
            .and_then(|url| url.host_str())
            .unwrap_or("the server");
        return timeout_error(api, operation, host, tries);
    }
    let reason = match std::error::Error::source(&err) {
        Some(cause) => format!("{err} ({cause})"),
        None => err.to_string(),
    };
    UpstreamError::Unreachable {
        api,
        operation,
        reason,
        variable,
    }
}

/// The most useful sentence from an error body: JSON `error`/`message` fields when present
/// (HTML pages, e.g. Cloudflare's, are summarised), cut to a readable length.
fn error_message(status: StatusCode, body: &str) -> String {
    let from_json = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|json| {
            ["error", "message", "error_info"]
                .iter()
                .find_map(|key| json.get(key).and_then(|v| v.as_str()).map(str::to_owned))
        });
    let message = match from_json {
        Some(message) => message,
        None if body.trim_start().starts_with('<') => "an HTML page instead of JSON".to_owned(),
        None if body.trim().is_empty() => status.canonical_reason().unwrap_or("no body").to_owned(),
        None => body.trim().to_owned(),
    };
    let mut message: String = message.chars().take(300).collect();
    if message.ends_with('.') {
        message.pop();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_summarised_for_the_operator() {
        let json = r#"{"success":false,"error":"unauthorized access","errorCode":401}"#;
        assert_eq!(
            error_message(StatusCode::UNAUTHORIZED, json),
            "unauthorized access"
        );
        let brevo = r#"{"code":"unauthorized","message":"Key not found"}"#;
        assert_eq!(
            error_message(StatusCode::UNAUTHORIZED, brevo),
            "Key not found"
        );
        let html = "<!DOCTYPE html><html><title>Attention Required! | Cloudflare</title>";
        assert_eq!(
            error_message(StatusCode::FORBIDDEN, html),
            "an HTML page instead of JSON"
        );
        assert_eq!(error_message(StatusCode::BAD_GATEWAY, ""), "Bad Gateway");
        assert_eq!(
            error_message(StatusCode::BAD_GATEWAY, &"x".repeat(1000)).len(),
            300
        );
    }
}
