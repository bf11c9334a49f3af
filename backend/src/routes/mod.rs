//! HTTP handlers, thin by design: parse the request, call the domain or the database, shape
//! the response. DTOs live next to the handlers that use them.

pub mod alerts;
pub mod auth;
mod change_page;
pub mod changes;
pub mod field_mapping;
pub mod field_mapping_preview;
pub mod filter_sync;
pub mod filters;
pub mod health;
mod lookup;
pub mod metrics;
pub mod openapi;
pub mod spa;
pub mod sync_jobs;
pub mod usage;
pub mod webhooks;

use std::sync::LazyLock;

use actix_web::{
    error::{JsonPayloadError, PathError, QueryPayloadError},
    web, HttpRequest, HttpResponse,
};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

/// Largest accepted JSON body; the API's inputs are tiny.
pub(crate) const JSON_LIMIT: usize = 16 * 1024;

/// Registers every API handler (paths relative to `/api`), collecting them into the spec.
pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(health::health)
        .service(openapi::openapi_json)
        .service(auth::login)
        .service(auth::logout)
        .service(auth::me)
        .service(filters::list_filters)
        .service(filters::refresh_filters)
        .service(filters::get_filter)
        .service(filters::update_filter)
        .service(filter_sync::start_sync)
        .service(filter_sync::list_filter_sync_jobs)
        .service(sync_jobs::list_sync_jobs)
        .service(sync_jobs::get_sync_job)
        .service(changes::list_changes)
        .service(changes::changes_csv)
        .service(field_mapping::list_mappable_fields)
        .service(field_mapping::get_field_mapping)
        .service(field_mapping::put_field_mapping)
        .service(field_mapping_preview::preview_field_mapping)
        .service(alerts::get_alerts)
        .service(alerts::send_test_alert)
        .service(usage::get_usage)
        .service(webhooks::receive_pipedrive);
}

/// A JSON object as `T`. serde would also build a struct from an array of its fields in
/// their order; the API's bodies are objects, and anything else is refused.
pub(crate) fn from_object<T: serde::de::DeserializeOwned>(
    object: serde_json::Map<String, serde_json::Value>,
) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::Object(object))
        .map_err(|e| ApiError::InvalidBody(e.to_string()))
}

/// An integer field that also takes a whole number written as a float (`7.0`): JSON
/// Schema calls that an integer too, so generated clients may send it.
pub(crate) fn whole_number<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<i64, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    number
        .as_i64()
        .or_else(|| {
            let float = number.as_f64()?;
            // The range check keeps the cast exact.
            (float.fract() == 0.0 && float.abs() < 9.0e15).then_some(float as i64)
        })
        .ok_or_else(|| serde::de::Error::custom(format!("expected an integer, got {number}")))
}

/// Extractor settings that turn every malformed input into a problem document.
pub fn extractor_configs(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(JSON_LIMIT)
            .error_handler(|err: JsonPayloadError, _| ApiError::from(err).into()),
    )
    .app_data(
        web::QueryConfig::default()
            .error_handler(|err: QueryPayloadError, _| ApiError::from(err).into()),
    )
    .app_data(
        web::PathConfig::default().error_handler(|err: PathError, _| ApiError::from(err).into()),
    );
}

/// The `/api` scope's fallback: unknown routes get a problem document, not an empty 404; a
/// known path asked with a method it does not take gets 405 with `Allow` (RFC 9110 §15.5.6).
pub async fn route_not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let allow = allowed_methods(&path);
    // A listed method that still reached the fallback failed a segment's pattern (an id
    // that is not a number): the path names nothing.
    if allow.is_empty() || allow.contains(&method) {
        Err(ApiError::RouteNotFound { method, path })
    } else {
        Err(ApiError::MethodNotAllowed {
            method,
            path,
            allow,
        })
    }
}

/// Each path template of the spec, split into segments, with its methods.
static ROUTES: LazyLock<Vec<(Vec<String>, Vec<String>)>> = LazyLock::new(|| {
    crate::openapi::document()
        .paths
        .paths
        .iter()
        .map(|(template, item)| {
            let segments = template.split('/').map(str::to_owned).collect();
            let methods = serde_json::to_value(item)
                .ok()
                .and_then(|item| item.as_object().cloned())
                .into_iter()
                .flatten()
                .map(|(key, _)| key.to_ascii_uppercase())
                .filter(|key| {
                    [
                        "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE",
                    ]
                    .contains(&key.as_str())
                })
                .collect();
            (segments, methods)
        })
        .collect()
});

/// The methods the spec gives `path`: those of the matching template with the fewest
/// `{param}` segments (a literal segment wins, as `/filters/refresh` over `/filters/{id}`).
fn allowed_methods(path: &str) -> Vec<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let params = |template: &[String]| -> Option<usize> {
        if template.len() != segments.len() {
            return None;
        }
        let mut params = 0;
        for (t, s) in template.iter().zip(&segments) {
            if t.starts_with('{') && t.ends_with('}') && !s.is_empty() {
                params += 1;
            } else if t != s {
                return None;
            }
        }
        Some(params)
    };
    ROUTES
        .iter()
        .filter_map(|(template, methods)| params(template).map(|n| (n, methods)))
        .min_by_key(|(n, _)| *n)
        .map(|(_, methods)| methods.clone())
        .unwrap_or_default()
}
