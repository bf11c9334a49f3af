//! Pipedrive webhooks (DESIGN §9, optional: `PUBLIC_URL` and `PIPEDRIVE_WEBHOOKS=true`): one
//! v2 person webhook registered with basic auth (a generated secret kept beside the
//! database), received at `POST /api/webhooks/pipedrive`, which makes every scheduled filter
//! due at the end of `WEBHOOK_DEBOUNCE_SECONDS`. A v2 event carries no filter membership (v1's
//! `matches_filters` is gone), so any scheduled filter may be affected.

use std::{path::Path, sync::Arc, time::Duration};

use base64::{engine::general_purpose::STANDARD, Engine};
use secrecy::{ExposeSecret, SecretString};
use sqlx::SqlitePool;
use subtle::ConstantTimeEq;
use tokio::sync::mpsc;
use url::Url;

use crate::{
    auth::secrets::{self, SecretFileError},
    db,
    domain::time::UnixTime,
    telemetry::error_chain,
    upstream::pipedrive::{NewWebhook, PipedriveClient},
};

/// Where Pipedrive delivers, under `PUBLIC_URL`.
pub const PATH: &str = "/api/webhooks/pipedrive";
/// The basic-auth user name Pipedrive sends.
pub const USER: &str = "pipedrive";
/// How the service's webhook is named in Pipedrive, and known again after a restart.
const NAME: &str = "Pipedrive → Brevo Sync";
const SECRET_FILE: &str = "webhook-secret";
/// Pauses between registration attempts while Pipedrive cannot be reached.
const REGISTER_RETRY: Duration = Duration::from_secs(60);

/// The webhook password: kept beside the database, or for this process only without one.
pub fn secret(folder: Option<&Path>) -> Result<SecretString, SecretFileError> {
    let generate = || secrets::random_token(32);
    let Some(folder) = folder else {
        return Ok(SecretString::from(generate()));
    };
    let (secret, _) = secrets::read_or_create(&folder.join(SECRET_FILE), generate)?;
    Ok(SecretString::from(secret))
}

/// What the receiving handler needs: the credentials to check and where to say an event
/// came. Cheap to clone.
#[derive(Clone)]
pub struct Inbox {
    expected_authorization: Arc<SecretString>,
    events: mpsc::Sender<()>,
}

impl Inbox {
    /// The inbox and the receiving end for [`mark_due`].
    pub fn new(secret: &SecretString) -> (Self, mpsc::Receiver<()>) {
        let credentials = STANDARD.encode(format!("{USER}:{}", secret.expose_secret()));
        // One slot: events that come while one waits add nothing to it.
        let (events, receiver) = mpsc::channel(1);
        let inbox = Self {
            expected_authorization: Arc::new(SecretString::from(format!("Basic {credentials}"))),
            events,
        };
        (inbox, receiver)
    }

    /// Whether the `Authorization` header is ours, compared in constant time.
    pub fn is_authorized(&self, authorization: Option<&[u8]>) -> bool {
        let expected = self.expected_authorization.expose_secret().as_bytes();
        authorization.is_some_and(|presented| bool::from(presented.ct_eq(expected)))
    }

    /// A person event came; never waits.
    pub fn received(&self) {
        let _ = self.events.try_send(());
    }
}

/// Marks the scheduled filters due at each event's debounce end; runs until the inbox closes.
pub async fn mark_due(pool: SqlitePool, mut events: mpsc::Receiver<()>, debounce: Duration) {
    while events.recv().await.is_some() {
        let at = UnixTime::not_before(debounce);
        match db::schedule::mark_webhook_due(&pool, at).await {
            Ok(0) => {}
            Ok(filters) => tracing::info!(
                filters,
                "a Pipedrive person changed: scheduled filters sync after the debounce"
            ),
            Err(err) => {
                tracing::warn!(error = %error_chain(&err), "could not mark the filters a webhook affects")
            }
        }
    }
}

/// Registers the webhook at `public_url`, after deleting the ones this service registered
/// before (by name); retried every minute while Pipedrive cannot be reached.
pub async fn register(pipedrive: Arc<PipedriveClient>, public_url: Url, secret: SecretString) {
    let subscription_url = format!("{}{PATH}", public_url.as_str().trim_end_matches('/'));
    loop {
        match register_once(&pipedrive, &subscription_url, &secret).await {
            Ok(id) => {
                tracing::info!(webhook_id = id, url = %subscription_url, "registered the Pipedrive webhook");
                return;
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not register the Pipedrive webhook; trying again in a minute");
                tokio::time::sleep(REGISTER_RETRY).await;
            }
        }
    }
}

async fn register_once(
    pipedrive: &PipedriveClient,
    subscription_url: &str,
    secret: &SecretString,
) -> Result<i64, crate::upstream::UpstreamError> {
    for earlier in pipedrive.webhooks().await? {
        if earlier.name.as_deref() == Some(NAME) {
            // One that is gone already is what was wanted.
            if let Err(err) = pipedrive.delete_webhook(earlier.id).await {
                tracing::warn!(webhook_id = earlier.id, error = %err, "could not delete an earlier webhook");
            }
        }
    }
    let webhook = pipedrive
        .add_webhook(&NewWebhook {
            name: NAME,
            subscription_url,
            user: USER,
            password: secret,
        })
        .await?;
    Ok(webhook.id)
}
