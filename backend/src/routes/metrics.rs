//! `GET /metrics` for Prometheus. Off unless `METRICS_TOKEN` is set; then the scraper sends
//! `Authorization: Bearer <METRICS_TOKEN>` (a scraper cannot sign in for a session cookie).
//! Outside `/api` and the OpenAPI document: it is for monitoring, not for API clients.

use actix_web::{http::header, web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use crate::{app_state::AppState, error::ApiError, metrics};

pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Some(token) = &state.metrics_token else {
        return Err(ApiError::route_off(&req));
    };
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    let expected = token.expose_secret().as_bytes();
    if !bool::from(presented.trim().as_bytes().ct_eq(expected)) {
        return Err(ApiError::Unauthorized);
    }
    Ok(HttpResponse::Ok()
        .content_type(metrics::CONTENT_TYPE)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(metrics::render()))
}
