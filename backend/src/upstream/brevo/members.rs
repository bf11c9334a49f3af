//! A list's members with their state (`GET /v3/contacts?listIds=`), and removing members
//! (`POST /v3/contacts/lists/{id}/contacts/remove`). Both are in the `/v3/contacts` group.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{to_body, BrevoClient};
use crate::upstream::{
    client::{Retry, UpstreamRequest},
    UpstreamError,
};

/// `getContacts` pages hold up to 1,000 contacts, twice as many as the list's own listing.
pub const MEMBERS_PAGE_SIZE: usize = 1000;

/// Addresses per removal call (the endpoint takes 1–150).
pub const REMOVAL_BATCH: usize = 150;

/// One member of a list, as the mirror compares it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMember {
    pub email: Option<String>,
    #[serde(default)]
    pub email_blacklisted: bool,
    #[serde(default)]
    pub attributes: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
pub struct MembersPage {
    #[serde(default)]
    pub contacts: Vec<ListMember>,
    /// Members of the list in all.
    #[serde(default)]
    pub count: usize,
}

/// What a removal call did: addresses taken out of the list, and addresses Brevo reports as
/// "already out of the list and/or does not exist".
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Removal {
    pub removed: Vec<String>,
    pub absent: Vec<String>,
}

#[derive(Serialize)]
struct Emails<'a> {
    emails: &'a [String],
}

#[derive(Deserialize)]
struct Answer {
    contacts: Option<Outcome>,
    // The spec's path examples show the outcome without its `contacts` wrapper (B5).
    success: Option<Vec<String>>,
    failure: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Outcome {
    #[serde(default)]
    success: Vec<String>,
    #[serde(default)]
    failure: Vec<String>,
}

impl BrevoClient {
    /// Members `offset..offset + MEMBERS_PAGE_SIZE` of the list, oldest first, so that a page
    /// boundary does not move when contacts join during the read.
    pub async fn members_page(
        &self,
        list_id: i64,
        offset: usize,
    ) -> Result<MembersPage, UpstreamError> {
        let request = UpstreamRequest::get("reading the list's members", "v3/contacts")
            .query("listIds", list_id)
            .query("limit", MEMBERS_PAGE_SIZE)
            .query("offset", offset)
            .query("sort", "asc");
        self.client.json(request).await
    }

    /// Removes up to [`REMOVAL_BATCH`] addresses from the list; the contacts themselves stay.
    pub async fn remove_from_list(
        &self,
        list_id: i64,
        emails: &[String],
    ) -> Result<Removal, UpstreamError> {
        let request = UpstreamRequest::post(
            "removing contacts from the list",
            format!("v3/contacts/lists/{list_id}/contacts/remove"),
            to_body(&Emails { emails }),
            // Removing twice leaves the same list.
            Retry::Always,
        );
        match self.client.json::<Answer>(request).await {
            Ok(answer) => {
                let (success, failure) = match answer.contacts {
                    Some(outcome) => (outcome.success, outcome.failure),
                    None => (
                        answer.success.unwrap_or_default(),
                        answer.failure.unwrap_or_default(),
                    ),
                };
                Ok(Removal {
                    removed: success,
                    absent: failure,
                })
            }
            // When none of the addresses was in the list, Brevo answers 400 rather than a
            // 201 listing only failures (B2).
            Err(UpstreamError::Status {
                status: 400,
                message,
                ..
            }) if message.contains("does not exist") => Ok(Removal {
                removed: Vec::new(),
                absent: emails.to_vec(),
            }),
            Err(err) => Err(err),
        }
    }
}
