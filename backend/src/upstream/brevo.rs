//! Brevo (API v3): folders, lists, list members, attributes, batch imports and their
//! processes. Only batch endpoints: never one request per contact.

use std::time::Duration;

use bytes::Bytes;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{
    client::{ApiClient, ApiSpec, Retry, UpstreamRequest},
    gate::RateGate,
    retry::RetryPolicy,
    Api, UpstreamError,
};
use crate::domain::contact::{Contact, EmailSet};

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
};

/// Brevo's documented limits (General plan): 10 requests/s under `/v3/contacts`, and 100
/// requests/hour for every other endpoint, process polling included.
#[derive(Debug, Clone)]
pub struct BrevoLimits {
    pub contacts_per_second: usize,
    pub others_per_hour: usize,
}

impl Default for BrevoLimits {
    fn default() -> Self {
        Self {
            contacts_per_second: 10,
            others_per_hour: 100,
        }
    }
}

/// Names tried, in order, for the first- and last-name attributes (they vary by account).
const FIRST_NAME_ATTRIBUTES: [&str; 4] = ["FIRSTNAME", "FNAME", "FIRST_NAME", "PRENOM"];
const LAST_NAME_ATTRIBUTES: [&str; 4] = ["LASTNAME", "LNAME", "LAST_NAME", "NOM"];

const PAGE_SIZE: usize = 500;
const FOLDER_PAGE_SIZE: usize = 50;

pub struct BrevoClient {
    client: ApiClient,
}

/// The account's attribute names for first and last name, where it has them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameAttributes {
    pub first: Option<String>,
    pub last: Option<String>,
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

#[derive(Deserialize)]
struct Members {
    contacts: Option<Vec<Member>>,
}

#[derive(Deserialize)]
struct Member {
    email: Option<String>,
}

#[derive(Deserialize)]
struct Attributes {
    attributes: Option<Vec<Attribute>>,
}

#[derive(Deserialize)]
struct Attribute {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImportAccepted {
    process_id: i64,
}

#[derive(Deserialize)]
struct Process {
    status: String,
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
    ) -> Self {
        let gates = vec![
            (
                "/v3/contacts",
                RateGate::new(Some((limits.contacts_per_second, Duration::from_secs(1)))),
            ),
            (
                "",
                RateGate::new(Some((limits.others_per_hour, Duration::from_secs(3600)))),
            ),
        ];
        Self {
            client: ApiClient::new(http, &SPEC, base_url, key, policy, gates),
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

    /// Whether the list exists (it may have been deleted in Brevo since the last sync).
    pub async fn list_exists(&self, list_id: i64) -> Result<bool, UpstreamError> {
        let request = UpstreamRequest::get(
            "checking the contact list",
            format!("v3/contacts/lists/{list_id}"),
        );
        match self.client.send(request).await {
            Ok(_) => Ok(true),
            Err(UpstreamError::Status { status: 404, .. }) => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// The list's current members, by normalised (trimmed, lower-cased) email.
    pub async fn list_members(&self, list_id: i64) -> Result<EmailSet, UpstreamError> {
        let mut emails = EmailSet::default();
        for offset in (0..).step_by(PAGE_SIZE) {
            let request = UpstreamRequest::get(
                "reading the list's members",
                format!("v3/contacts/lists/{list_id}/contacts"),
            )
            .query("limit", PAGE_SIZE)
            .query("offset", offset);
            let page = self
                .client
                .json::<Members>(request)
                .await?
                .contacts
                .unwrap_or_default();
            let full = page.len() == PAGE_SIZE;
            for email in page.into_iter().filter_map(|m| m.email) {
                emails.insert(&email.trim().to_lowercase());
            }
            if !full {
                break;
            }
        }
        Ok(emails)
    }

    pub async fn name_attributes(&self) -> Result<NameAttributes, UpstreamError> {
        let request = UpstreamRequest::get("reading contact attributes", "v3/contacts/attributes");
        let names: Vec<String> = self
            .client
            .json::<Attributes>(request)
            .await?
            .attributes
            .unwrap_or_default()
            .into_iter()
            .map(|a| a.name)
            .collect();
        let pick = |candidates: &[&str]| {
            candidates
                .iter()
                .find(|c| names.iter().any(|n| n.eq_ignore_ascii_case(c)))
                .map(|c| (*c).to_owned())
        };
        Ok(NameAttributes {
            first: pick(&FIRST_NAME_ATTRIBUTES),
            last: pick(&LAST_NAME_ATTRIBUTES),
        })
    }

    /// Starts an import; returns its process id. The contacts land when the process completes.
    pub async fn import(&self, batch: ImportBatch) -> Result<i64, UpstreamError> {
        // An upsert: sending it twice is harmless, so every failure may be retried.
        let request = UpstreamRequest::post(
            "importing contacts",
            "v3/contacts/import",
            batch.into_body(),
            Retry::Always,
        );
        Ok(self
            .client
            .json::<ImportAccepted>(request)
            .await?
            .process_id)
    }

    pub async fn process_state(
        &self,
        process_id: i64,
    ) -> Result<(ProcessState, String), UpstreamError> {
        let request =
            UpstreamRequest::get("checking an import", format!("v3/processes/{process_id}"));
        let status = self.client.json::<Process>(request).await?.status;
        let state = match status.as_str() {
            "queued" | "in_process" => ProcessState::Pending,
            "completed" => ProcessState::Completed,
            _ => ProcessState::Other,
        };
        Ok((state, status))
    }
}

/// One `POST /v3/contacts/import` body, built contact by contact so its size is known
/// exactly and stays under the limit.
pub struct ImportBatch {
    body: Vec<u8>,
    contacts: usize,
    max_bytes: usize,
}

const BATCH_SUFFIX: &[u8] = b"]}";

impl ImportBatch {
    pub fn new(list_id: i64, max_bytes: usize) -> Self {
        let prefix = format!(
            r#"{{"listIds":[{list_id}],"updateExistingContacts":true,"emptyContactsAttributes":false,"jsonBody":["#
        );
        Self {
            body: prefix.into_bytes(),
            contacts: 0,
            max_bytes,
        }
    }

    /// Adds the contact unless that would take the body over its limit.
    pub fn try_push(&mut self, contact: &Contact, attributes: &NameAttributes) -> bool {
        let item = contact_json(contact, attributes);
        let separator = usize::from(self.contacts > 0);
        if self.contacts > 0
            && self.body.len() + separator + item.len() + BATCH_SUFFIX.len() > self.max_bytes
        {
            return false;
        }
        if separator == 1 {
            self.body.push(b',');
        }
        self.body.extend_from_slice(&item);
        self.contacts += 1;
        true
    }

    pub fn len(&self) -> usize {
        self.contacts
    }

    pub fn is_empty(&self) -> bool {
        self.contacts == 0
    }

    pub fn into_body(mut self) -> Bytes {
        self.body.extend_from_slice(BATCH_SUFFIX);
        Bytes::from(self.body)
    }
}

fn contact_json(contact: &Contact, attributes: &NameAttributes) -> Vec<u8> {
    let mut attrs = serde_json::Map::new();
    let pairs = [
        (&attributes.first, &contact.first_name),
        (&attributes.last, &contact.last_name),
    ];
    for (name, value) in pairs {
        if let (Some(name), Some(value)) = (name, value) {
            attrs.insert(name.clone(), value.clone().into());
        }
    }
    let item = serde_json::json!({ "email": contact.email, "attributes": attrs });
    serde_json::to_vec(&item).expect("a JSON value always serialises")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(n: usize) -> Contact {
        Contact {
            email: format!("person{n}@example.com"),
            first_name: Some("Zoë".into()),
            last_name: None,
        }
    }

    #[test]
    fn an_import_body_is_valid_json_with_the_accounts_attribute_names() {
        let attributes = NameAttributes {
            first: Some("FNAME".into()),
            last: Some("LNAME".into()),
        };
        let mut batch = ImportBatch::new(7, 1_000_000);
        assert!(batch.try_push(&contact(1), &attributes));
        assert!(batch.try_push(&contact(2), &attributes));

        let body: serde_json::Value = serde_json::from_slice(&batch.into_body()).unwrap();

        assert_eq!(
            body,
            serde_json::json!({
                "listIds": [7], "updateExistingContacts": true, "emptyContactsAttributes": false,
                "jsonBody": [
                    {"email": "person1@example.com", "attributes": {"FNAME": "Zoë"}},
                    {"email": "person2@example.com", "attributes": {"FNAME": "Zoë"}},
                ]
            })
        );
    }

    #[test]
    fn a_batch_never_grows_past_its_byte_limit() {
        let attributes = NameAttributes::default();
        let mut batch = ImportBatch::new(1, 2_000);
        let mut pushed = 0;
        while batch.try_push(&contact(pushed), &attributes) {
            pushed += 1;
        }
        assert!(pushed > 10);
        assert_eq!(batch.len(), pushed);
        assert!(batch.into_body().len() <= 2_000);
    }
}
