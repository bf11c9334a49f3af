//! Brevo (API v3): folders, lists, list members, attributes, batch imports and their
//! processes. Only batch endpoints: never one request per contact.

use std::{sync::Arc, time::Duration};

use bytes::Bytes;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{
    client::{ApiClient, ApiSpec, Retry, UpstreamRequest},
    gate::RateGate,
    usage::UsageMeter,
    Api, UpstreamError,
};
use crate::config::{BrevoLimits, RetryPolicy};

mod attributes;
mod import;
mod members;

pub use import::ImportBatch;
pub use members::{ListMember, MembersPage, Removal, REMOVAL_BATCH};

static SPEC: ApiSpec = ApiSpec {
    api: Api::Brevo,
    auth_header: "api-key",
    credential_variable: "BREVO_API_KEY",
    base_url_variable: "BREVO_BASE_URL",
    remaining_header: "x-sib-ratelimit-remaining",
    reset_header: "x-sib-ratelimit-reset",
    // The headers do not say which window a limit is for: the documented ones are used.
    limit_window: None,
    hint,
    daily_remaining_header: None,
};

/// Brevo counts a request in its per-second window from when it arrives, a little after this
/// client sent it, and by a little more or less for each request: a window this much longer
/// than a second keeps that jitter from turning the tenth request of a second into a 429.
const SECOND_AS_BREVO_COUNTS_IT: Duration = Duration::from_millis(1025);

const FOLDER_PAGE_SIZE: usize = 50;

pub struct BrevoClient {
    client: ApiClient,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessState {
    Pending,
    Completed,
    /// A status outside the documented `queued | in_process | completed`.
    Other,
}

#[derive(Deserialize)]
struct Created {
    id: i64,
}

#[derive(Deserialize)]
struct Folders {
    folders: Option<Vec<Folder>>,
}

#[derive(Deserialize)]
struct Folder {
    id: i64,
    name: String,
}

/// A list as `GET /v3/contacts/lists/{id}` describes it.
#[derive(Debug, Clone, Deserialize)]
pub struct ListDetails {
    pub name: String,
}

#[derive(Serialize)]
struct ListName<'a> {
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewList<'a> {
    name: &'a str,
    folder_id: i64,
}

#[derive(Serialize)]
struct NewFolder<'a> {
    name: &'a str,
}

impl BrevoClient {
    pub fn new(
        http: reqwest::Client,
        base_url: Url,
        key: Option<SecretString>,
        policy: RetryPolicy,
        limits: &BrevoLimits,
        usage: Arc<UsageMeter>,
    ) -> Self {
        let gates = vec![
            (
                "/v3/contacts",
                RateGate::new(Some((
                    limits.contacts_per_second,
                    SECOND_AS_BREVO_COUNTS_IT,
                ))),
            ),
            (
                "",
                RateGate::new(Some((limits.others_per_hour, Duration::from_secs(3600)))),
            ),
        ];
        Self {
            client: ApiClient::new(http, &SPEC, base_url, key, policy, gates, usage),
        }
    }

    /// The id of the folder named `name`, created when missing.
    pub async fn find_or_create_folder(&self, name: &str) -> Result<i64, UpstreamError> {
        for offset in (0..).step_by(FOLDER_PAGE_SIZE) {
            let request = UpstreamRequest::get("listing contact folders", "v3/contacts/folders")
                .query("limit", FOLDER_PAGE_SIZE)
                .query("offset", offset);
            let page = self
                .client
                .json::<Folders>(request)
                .await?
                .folders
                .unwrap_or_default();
            if let Some(folder) = page.iter().find(|f| f.name == name) {
                return Ok(folder.id);
            }
            if page.len() < FOLDER_PAGE_SIZE {
                break;
            }
        }
        let body = to_body(&NewFolder { name });
        let request = UpstreamRequest::post(
            "creating a contact folder",
            "v3/contacts/folders",
            body,
            Retry::OnlyIfNotProcessed,
        );
        Ok(self.client.json::<Created>(request).await?.id)
    }

    pub async fn create_list(&self, name: &str, folder_id: i64) -> Result<i64, UpstreamError> {
        let body = to_body(&NewList { name, folder_id });
        let request = UpstreamRequest::post(
            "creating the contact list",
            "v3/contacts/lists",
            body,
            Retry::OnlyIfNotProcessed,
        );
        Ok(self.client.json::<Created>(request).await?.id)
    }

    /// The list, or `None` when it was deleted in Brevo since the last sync.
    pub async fn list(&self, list_id: i64) -> Result<Option<ListDetails>, UpstreamError> {
        let request = UpstreamRequest::get(
            "checking the contact list",
            format!("v3/contacts/lists/{list_id}"),
        );
        match self.client.json::<ListDetails>(request).await {
            Ok(list) => Ok(Some(list)),
            Err(UpstreamError::Status { status: 404, .. }) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Renames the list, keeping its id (and so its members and campaigns).
    pub async fn rename_list(&self, list_id: i64, name: &str) -> Result<(), UpstreamError> {
        let body = to_body(&ListName { name });
        let request = UpstreamRequest::put(
            "renaming the contact list",
            format!("v3/contacts/lists/{list_id}"),
            body,
        );
        self.client.send(request).await.map(drop)
    }
}

fn to_body(value: &impl Serialize) -> Bytes {
    Bytes::from(serde_json::to_vec(value).expect("request bodies always serialise"))
}

fn hint(status: u16) -> &'static str {
    match status {
        401 => "Check BREVO_API_KEY: it is missing, wrong or was deleted in Brevo (SMTP & API → API keys).",
        402 => "The Brevo account lacks credits or a plan for this operation.",
        403 => "The key is not allowed this operation, or Brevo blocks unknown IP addresses (Security → Authorised IPs).",
        404 => "The list or folder no longer exists in Brevo (check BREVO_FOLDER_ID if set); the next sync creates a new list.",
        429 => "Brevo's rate limit is used up; try again later.",
        500..=599 => "Brevo is having trouble; try again in a few minutes.",
        _ => "Check BREVO_BASE_URL and BREVO_API_KEY.",
    }
}
