//! The service's Pipedrive webhook (`/v1/webhooks`): listed, added and deleted as the v1
//! spec has them (`getWebhooks` 10 tokens, `addWebhook` 10, `deleteWebhook` 6).

use bytes::Bytes;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::PipedriveClient;
use crate::upstream::{
    client::{Retry, UpstreamRequest},
    UpstreamError,
};

const LIST_TOKENS: u32 = 10;
const ADD_TOKENS: u32 = 10;
const DELETE_TOKENS: u32 = 6;

/// A registered webhook, as far as the service needs it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Webhook {
    pub id: i64,
    #[serde(default)]
    pub name: Option<String>,
    pub subscription_url: String,
}

#[derive(Deserialize)]
struct WebhooksResponse {
    data: Option<Vec<Webhook>>,
}

#[derive(Deserialize)]
struct WebhookResponse {
    data: Webhook,
}

/// The webhook to register: person events of every action, v2 payloads, basic auth.
pub struct NewWebhook<'a> {
    pub name: &'a str,
    pub subscription_url: &'a str,
    pub user: &'a str,
    pub password: &'a SecretString,
}

#[derive(Serialize)]
struct AddWebhookBody<'a> {
    subscription_url: &'a str,
    event_action: &'static str,
    event_object: &'static str,
    name: &'a str,
    version: &'static str,
    http_auth_user: &'a str,
    http_auth_password: &'a str,
}

impl PipedriveClient {
    pub async fn webhooks(&self) -> Result<Vec<Webhook>, UpstreamError> {
        let request =
            UpstreamRequest::get("listing webhooks", "api/v1/webhooks").costing(LIST_TOKENS);
        let response: WebhooksResponse = self.client.json(request).await?;
        Ok(response.data.unwrap_or_default())
    }

    pub async fn add_webhook(&self, webhook: &NewWebhook<'_>) -> Result<Webhook, UpstreamError> {
        let body = AddWebhookBody {
            subscription_url: webhook.subscription_url,
            event_action: "*",
            event_object: "person",
            name: webhook.name,
            version: "2.0",
            http_auth_user: webhook.user,
            http_auth_password: webhook.password.expose_secret(),
        };
        let body = Bytes::from(serde_json::to_vec(&body).expect("the body serialises"));
        // A repeated creation would register a second webhook.
        let request = UpstreamRequest::post(
            "registering the webhook",
            "api/v1/webhooks",
            body,
            Retry::OnlyIfNotProcessed,
        )
        .costing(ADD_TOKENS);
        let response: WebhookResponse = self.client.json(request).await?;
        Ok(response.data)
    }

    pub async fn delete_webhook(&self, id: i64) -> Result<(), UpstreamError> {
        let request = UpstreamRequest::delete(
            "deleting an earlier webhook",
            format!("api/v1/webhooks/{id}"),
        )
        .costing(DELETE_TOKENS);
        self.client.send(request).await?;
        Ok(())
    }
}
