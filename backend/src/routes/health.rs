use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{db, error::ApiError, startup::AppState};

#[derive(Serialize, ToSchema)]
pub struct HealthOut {
    /// `ok` when the service and its database answer.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Health check
///
/// Answers 200 when the service and its database answer. Needs no session.
#[utoipa::path(
    tag = "meta",
    operation_id = "meta.health",
    responses(
        (status = 200, description = "The service is up", body = HealthOut),
        (status = 503, description = "The database does not answer", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health")]
pub async fn health(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    db::ping(&state.pool)
        .await
        .map_err(ApiError::DatabaseUnavailable)?;
    Ok(HttpResponse::Ok().json(HealthOut { status: "ok" }))
}
