//! Pipedrive: person filters (`GET /api/v1/filters`, v1 only), the persons of a filter
//! (`GET /api/v2/persons`, cursor-paged; v1 persons is out of support) and the person fields
//! (`fields`).

mod fields;
mod paging;
mod persons;
mod webhooks;

pub use persons::WantedFields;
pub use webhooks::{NewWebhook, Webhook};

use std::{sync::Arc, time::Duration};

use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

use paging::Paging;

use super::{
    client::{ApiClient, ApiSpec, UpstreamRequest},
    gate::RateGate,
    usage::UsageMeter,
    Api, UpstreamError,
};
use crate::config::RetryPolicy;
use crate::domain::{
    contact::Person,
    filter::{FilterId, RemoteFilter},
};

/// The v2 listings' maximum page size (persons, person fields).
const PAGE_SIZE: u32 = 500;

/// The most keys v2 persons' `custom_fields` parameter takes.
const MAX_CUSTOM_FIELD_KEYS: usize = 15;

pub(super) static SPEC: ApiSpec = ApiSpec {
    api: Api::Pipedrive,
    auth_header: "x-api-token",
    credential_variable: "PIPEDRIVE_API_TOKEN",
    base_url_variable: "PIPEDRIVE_BASE_URL",
    remaining_header: "x-ratelimit-remaining",
    reset_header: "x-ratelimit-reset",
    // The burst limit depends on the plan; the header says which, for a rolling 2-s window.
    limit_window: Some(("x-ratelimit-limit", Duration::from_secs(2))),
    hint,
    // Not in Pipedrive's documentation, but sent by some accounts: used when present.
    daily_remaining_header: Some("x-daily-ratelimit-token-remaining"),
};

// Operations' `x-token-cost` in Pipedrive's OpenAPI documents.
/// v1 `GET /filters`.
const FILTERS_TOKENS: u32 = 20;
/// v2 `GET /persons`.
pub const PERSONS_TOKENS: u32 = 10;
/// v2 `GET /personFields`.
pub const PERSON_FIELDS_TOKENS: u32 = 10;

pub struct PipedriveClient {
    client: ApiClient,
}

#[derive(Deserialize)]
struct FiltersResponse {
    // `data` is null rather than [] on some accounts without filters.
    data: Option<Vec<FilterItem>>,
}

#[derive(Deserialize)]
struct FilterItem {
    id: i64,
    name: String,
}

impl PipedriveClient {
    pub fn new(
        http: reqwest::Client,
        base_url: Url,
        token: Option<SecretString>,
        policy: RetryPolicy,
        usage: Arc<UsageMeter>,
    ) -> Self {
        // Pacing follows the x-ratelimit-* headers (see SPEC).
        let gates = vec![("", RateGate::new(None))];
        Self {
            client: ApiClient::new(http, &SPEC, base_url, token, policy, gates, usage),
        }
    }

    /// Every person filter of the company (the API has no paging for filters).
    pub async fn person_filters(&self) -> Result<Vec<RemoteFilter>, UpstreamError> {
        let request = UpstreamRequest::get("listing person filters", "api/v1/filters")
            .query("type", "people")
            .costing(FILTERS_TOKENS);
        let response: FiltersResponse = self.client.json(request).await?;
        Ok(response
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|item| RemoteFilter {
                id: FilterId(item.id),
                name: item.name,
            })
            .collect())
    }

    /// The persons of a filter, one page at a time, with the custom fields of
    /// `custom_keys` only (every custom field when there are none or more than Pipedrive
    /// takes): a page then carries the values a sync maps, not every one the company has.
    pub fn persons(&self, filter_id: FilterId, custom_keys: &[&str]) -> PersonPages<'_> {
        let narrowed = (1..=MAX_CUSTOM_FIELD_KEYS).contains(&custom_keys.len());
        PersonPages {
            client: &self.client,
            filter_id,
            custom_fields: narrowed.then(|| custom_keys.join(",")),
            cursor: None,
            finished: false,
        }
    }
}

/// A cursor over a filter's persons: each call to [`PersonPages::next_page`] fetches one page,
/// so memory holds one page at a time.
pub struct PersonPages<'a> {
    client: &'a ApiClient,
    filter_id: FilterId,
    custom_fields: Option<String>,
    cursor: Option<String>,
    finished: bool,
}

impl PersonPages<'_> {
    /// The next page, or `None` after the last one. Only its cursor is read here, so the
    /// page after it can be asked for at once; [`PersonPage::persons`] parses the rest.
    pub async fn next_page(&mut self) -> Result<Option<PersonPage>, UpstreamError> {
        if self.finished {
            return Ok(None);
        }
        let mut request = UpstreamRequest::get(OPERATION, "api/v2/persons")
            .costing(PERSONS_TOKENS)
            .query("filter_id", self.filter_id.0)
            .query("limit", PAGE_SIZE);
        if let Some(keys) = &self.custom_fields {
            request = request.query("custom_fields", keys);
        }
        if let Some(cursor) = &self.cursor {
            request = request.query("cursor", cursor);
        }
        let body = self.client.send(request).await?;
        self.cursor = paging::next_cursor(&body).map_err(invalid_response)?;
        self.finished = self.cursor.is_none();
        Ok(Some(PersonPage { body }))
    }
}

const OPERATION: &str = "reading the filter's persons";

/// One page of persons as received.
pub struct PersonPage {
    body: bytes::Bytes,
}

impl PersonPage {
    /// The page's persons with the `wanted` fields' values.
    pub fn persons(&self, wanted: &WantedFields) -> Result<Vec<Person>, UpstreamError> {
        persons::parse_persons(&self.body, wanted).map_err(invalid_response)
    }
}

fn invalid_response(error: serde_json::Error) -> UpstreamError {
    UpstreamError::InvalidResponse {
        api: Api::Pipedrive,
        operation: OPERATION,
        reason: error.to_string(),
    }
}

fn hint(status: u16) -> &'static str {
    match status {
        401 => "Check PIPEDRIVE_API_TOKEN: it is missing, wrong or was regenerated.",
        402 | 403 => "The token's user lacks access, or Pipedrive blocked it after too many requests; check the user's permissions and try again later.",
        404 => "Check PIPEDRIVE_BASE_URL (https://api.pipedrive.com or your company domain) and that the filter still exists.",
        429 => "Pipedrive's rate limit or daily budget is used up; try again later.",
        500..=599 => "Pipedrive is having trouble; try again in a few minutes.",
        _ => "Check PIPEDRIVE_BASE_URL and PIPEDRIVE_API_TOKEN.",
    }
}
