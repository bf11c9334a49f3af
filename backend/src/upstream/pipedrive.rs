//! Pipedrive: person filters (v1) — and, with the sync engine, persons of a filter (v2).

use secrecy::{ExposeSecret, SecretString};
use serde::{de::DeserializeOwned, Deserialize};
use url::Url;

use super::{error_message, transport_error, Api, UpstreamError};
use crate::domain::filter::{FilterId, RemoteFilter};

const TOKEN_VARIABLE: &str = "PIPEDRIVE_API_TOKEN";
const BASE_URL_VARIABLE: &str = "PIPEDRIVE_BASE_URL";

#[derive(Clone)]
pub struct PipedriveClient {
    http: reqwest::Client,
    base_url: Url,
    token: Option<SecretString>,
}

/// `GET /api/v1/filters` answer (only the fields we use).
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
    pub fn new(http: reqwest::Client, base_url: Url, token: Option<SecretString>) -> Self {
        Self {
            http,
            base_url,
            token,
        }
    }

    /// Every person filter of the company (`GET /api/v1/filters?type=people`; the API has no
    /// paging for filters).
    pub async fn person_filters(&self) -> Result<Vec<RemoteFilter>, UpstreamError> {
        let response: FiltersResponse = self
            .get(
                "listing person filters",
                "api/v1/filters",
                &[("type", "people")],
            )
            .await?;
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

    async fn get<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, UpstreamError> {
        let token = self.token.as_ref().ok_or(UpstreamError::NotConfigured {
            api: Api::Pipedrive,
            variable: TOKEN_VARIABLE,
        })?;
        let url = self
            .base_url
            .join(path)
            .map_err(|e| UpstreamError::InvalidResponse {
                api: Api::Pipedrive,
                operation,
                reason: format!("bad URL: {e}"),
            })?;
        let response = self
            .http
            .get(url)
            .query(query)
            .header("x-api-token", token.expose_secret())
            .send()
            .await
            .map_err(|e| transport_error(Api::Pipedrive, operation, BASE_URL_VARIABLE, e))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| transport_error(Api::Pipedrive, operation, BASE_URL_VARIABLE, e))?;
        if !status.is_success() {
            return Err(UpstreamError::Status {
                api: Api::Pipedrive,
                operation,
                status: status.as_u16(),
                message: error_message(status, &body),
                hint: hint(status).to_owned(),
            });
        }
        serde_json::from_str(&body).map_err(|e| UpstreamError::InvalidResponse {
            api: Api::Pipedrive,
            operation,
            reason: e.to_string(),
        })
    }
}

/// What the operator should check for a failing status.
fn hint(status: reqwest::StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "Check PIPEDRIVE_API_TOKEN: it is missing, wrong or was regenerated.",
        402 | 403 => "The token's user lacks access, or Pipedrive blocked it after too many requests; check the user's permissions.",
        404 => "Check PIPEDRIVE_BASE_URL: it must be https://api.pipedrive.com or your company domain.",
        429 => "Pipedrive's rate limit or daily budget is used up; try again later.",
        500..=599 => "Pipedrive is having trouble; try again in a few minutes.",
        _ => "Check PIPEDRIVE_BASE_URL and PIPEDRIVE_API_TOKEN.",
    }
}
