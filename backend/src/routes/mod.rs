//! HTTP handlers, thin by design: parse the request, call the domain or the database, shape
//! the response. DTOs live next to the handlers that use them.

pub mod auth;
pub mod filters;
pub mod health;
pub mod openapi;
pub mod spa;
pub mod sync_jobs;

use actix_web::{
    error::{JsonPayloadError, PathError, QueryPayloadError},
    web, HttpRequest, HttpResponse,
};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

/// Largest accepted JSON body; the API's inputs are tiny.
const JSON_LIMIT: usize = 16 * 1024;

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
        .service(filters::start_sync)
        .service(filters::list_filter_sync_jobs)
        .service(sync_jobs::list_sync_jobs)
        .service(sync_jobs::get_sync_job);
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

/// The `/api` scope's fallback: unknown routes get a problem document, not an empty 404.
pub async fn route_not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::RouteNotFound {
        method: req.method().to_string(),
        path: req.path().to_owned(),
    })
}
