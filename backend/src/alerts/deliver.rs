//! POSTs alerts to the receiver: a timeout per attempt, a few retries, then a log line. The
//! receiver's URL is a credential: errors name its host only.

use std::{sync::Arc, time::Duration};

use tokio::sync::mpsc;

use super::message::Alert;
use crate::config::SecretUrl;

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error("Alerts are not configured: set ALERT_WEBHOOK_URL.")]
    NotConfigured,
    #[error("The alert receiver at {host} did not answer: {reason}.")]
    Unreachable { host: String, reason: String },
    #[error("The alert receiver at {host} answered HTTP {status}: {body}")]
    Rejected {
        host: String,
        status: u16,
        body: String,
    },
}

impl AlertError {
    /// A receiver that is down, slow or failing may take the alert later; one that refuses
    /// it (a wrong URL, a bad token) will refuse it again.
    fn is_retryable(&self) -> bool {
        match self {
            Self::NotConfigured => false,
            Self::Unreachable { .. } => true,
            Self::Rejected { status, .. } => *status >= 500 || *status == 429,
        }
    }
}

/// The most of a receiver's answer an error repeats.
const BODY_EXCERPT: usize = 300;

#[derive(Clone)]
pub struct Delivery {
    client: reqwest::Client,
    url: SecretUrl,
    retry_delays: Arc<[Duration]>,
}

impl Delivery {
    pub fn new(url: SecretUrl, timeout: Duration, retry_delays: Vec<Duration>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            // A redirect would carry the alert somewhere not configured.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("pipedrive-brevo-sync/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a client with a timeout and a user agent always builds");
        Self {
            client,
            url,
            retry_delays: retry_delays.into(),
        }
    }

    pub fn host(&self) -> String {
        self.url.0.host_str().unwrap_or_default().to_owned()
    }

    /// Delivers the queued alerts one after another until the queue closes.
    pub async fn run(self, mut queue: mpsc::Receiver<Alert>) {
        while let Some(alert) = queue.recv().await {
            self.deliver(&alert).await;
        }
    }

    /// One alert, retried while worth it; logged and dropped after the last attempt.
    async fn deliver(&self, alert: &Alert) {
        let event = alert.event.as_str();
        let mut delays = self.retry_delays.iter();
        loop {
            match self.send(alert).await {
                Ok(()) => {
                    crate::metrics::record_alert(event, "sent");
                    return;
                }
                Err(err) => match delays.next() {
                    Some(delay) if err.is_retryable() => {
                        tracing::info!(event, error = %err, "an alert failed; retrying");
                        tokio::time::sleep(*delay).await;
                    }
                    _ => {
                        tracing::warn!(event, error = %err, "dropped an alert the receiver did not take");
                        crate::metrics::record_alert(event, "dropped");
                        return;
                    }
                },
            }
        }
    }

    /// One attempt.
    pub async fn send(&self, alert: &Alert) -> Result<(), AlertError> {
        let host = self.host();
        let response = self
            .client
            .post(self.url.0.clone())
            .json(alert)
            .send()
            .await
            .map_err(|err| AlertError::Unreachable {
                host: host.clone(),
                reason: crate::telemetry::error_chain(&err.without_url()),
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        let mut body: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
        if body.len() > BODY_EXCERPT {
            let end = body.floor_char_boundary(BODY_EXCERPT);
            body.truncate(end);
            body.push('…');
        }
        Err(AlertError::Rejected {
            host,
            status: status.as_u16(),
            body,
        })
    }
}
