//! Sending webhook events as Pipedrive does: a JSON `POST`, Basic auth when
//! the webhook has credentials, any 2xx counts, a timeout per attempt, and
//! retries after a failure (3, 30 and 150 s by default). Every attempt is
//! recorded.
//!
//! Not modelled: the ban after 10 failed first tries, the deletion of a
//! webhook without a success for 3 days, and the check that the URL is
//! publicly reachable.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use reqwest::redirect::Policy;
use serde_json::{json, Value};
use tokio::runtime::Handle;

use super::webhooks::{Book, Webhook, WebhookDelivery};
use crate::config::SandboxConfig;
use crate::state::lock;

/// How a sandbox delivers events.
#[derive(Debug)]
pub(crate) struct Delivery {
    client: reqwest::Client,
    retry_delays: Vec<Duration>,
    /// Where deliveries run: the runtime the sandbox was started on, so that
    /// they outlive the request or call that caused them.
    runtime: Option<Handle>,
}

impl Delivery {
    pub fn new(config: &SandboxConfig) -> Self {
        let client = reqwest::Client::builder()
            .timeout(config.webhook_timeout)
            // "The chosen URL must not redirect": a redirect is a failed attempt.
            .redirect(Policy::none())
            .user_agent("Pipedrive-Webhooks (upstream-sandbox)")
            .build()
            .unwrap_or_default();
        Self {
            client,
            retry_delays: config.webhook_retry_delays.clone(),
            runtime: Handle::try_current().ok(),
        }
    }

    /// Delivers `payload` to `webhook` on a task of its own, retrying failures.
    pub fn spawn(
        self: &Arc<Self>,
        book: &Arc<Mutex<Book>>,
        epoch: u64,
        webhook: Webhook,
        payload: Value,
    ) {
        let runtime = self.runtime.clone().or_else(|| Handle::try_current().ok());
        // Only a state built outside any runtime gets here, and it was never
        // started: there is nothing to deliver on.
        let Some(runtime) = runtime else {
            return;
        };
        runtime.spawn(deliver(self.clone(), book.clone(), epoch, webhook, payload));
    }
}

async fn deliver(
    delivery: Arc<Delivery>,
    book: Arc<Mutex<Book>>,
    epoch: u64,
    webhook: Webhook,
    mut payload: Value,
) {
    let mut delays = delivery.retry_delays.iter();
    let mut attempt = 1;
    loop {
        // A deleted webhook, or one cleared by a reset, gets no more attempts.
        if !lock(&book).is_registered(webhook.id, epoch) {
            return;
        }
        payload["meta"]["attempt"] = json!(attempt);
        let sent_at = SystemTime::now();
        let outcome = send(&delivery.client, &webhook, &payload).await;
        let record = WebhookDelivery {
            seq: 0,
            webhook_id: webhook.id,
            url: webhook.subscription_url.clone(),
            event_id: payload["meta"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            action: payload["meta"]["action"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            entity_id: payload["meta"]["entity_id"]
                .as_str()
                .and_then(|id| id.parse().ok())
                .unwrap_or_default(),
            attempt,
            status: outcome.as_ref().ok().copied(),
            error: outcome.err(),
            sent_at,
            payload: payload.clone(),
        };
        let delivered = record.succeeded();
        lock(&book).record(epoch, record);
        if delivered {
            return;
        }
        let Some(delay) = delays.next() else {
            return;
        };
        tokio::time::sleep(*delay).await;
        attempt += 1;
    }
}

/// The status the receiver answered, or why it did not.
async fn send(client: &reqwest::Client, webhook: &Webhook, payload: &Value) -> Result<u16, String> {
    let mut request = client.post(&webhook.subscription_url).json(payload);
    if webhook.http_auth_user.is_some() || webhook.http_auth_password.is_some() {
        let user = webhook.http_auth_user.as_deref().unwrap_or_default();
        request = request.basic_auth(user, webhook.http_auth_password.as_deref());
    }
    match request.send().await {
        Ok(response) => Ok(response.status().as_u16()),
        Err(error) if error.is_timeout() => Err(format!("timeout: {}", chain(&error))),
        Err(error) => Err(chain(&error)),
    }
}

/// An error and its causes, `: `-separated (reqwest's own message leaves out
/// why a connection failed).
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
