//! Pipedrive v2 paging, shared by `getPersons` and `getPersonFields`: `limit`
//! (1–500, default 100) and opaque cursors.

use actix_web::HttpResponse;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::responses::pipedrive_bad_request;

const DEFAULT_LIMIT: u64 = 100;
const MAX_LIMIT: u64 = 500;

/// The page size a `limit` parameter asks for, or the 400 for a bad one.
pub(super) fn limit(text: Option<&str>) -> Result<u64, Box<HttpResponse>> {
    match text.map(str::parse::<u64>) {
        None => Ok(DEFAULT_LIMIT),
        Some(Ok(limit @ 1..=MAX_LIMIT)) => Ok(limit),
        Some(_) => Err(Box::new(pipedrive_bad_request(&format!(
            "Parameter limit must be an integer between 1 and {MAX_LIMIT}"
        )))),
    }
}

/// Where the next page starts. Serialised to JSON and base64, like
/// Pipedrive's cursors; clients must treat it as opaque.
pub(super) trait Cursor: Serialize + DeserializeOwned {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("a cursor serialises"))
    }

    fn decode(text: &str) -> Option<Self> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).ok()?).ok()
    }
}
