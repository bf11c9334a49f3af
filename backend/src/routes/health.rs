use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{app_state::AppState, db, error::ApiError};

#[derive(Serialize, ToSchema)]
pub struct HealthOut {
    /// `ok` when the service and its database answer.
    #[schema(example = "ok")]
    pub status: &'static str,
    pub mode: RunMode,
}

/// What the service is connected to.
#[derive(Serialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum RunMode {
    /// The real Pipedrive and Brevo APIs (or whatever the base URLs name).
    Live,
    /// The bundled `upstream-sandbox` with demo data (`SANDBOX_MODE=true`): nothing reaches
    /// real accounts.
    Sandbox,
}

/// Health check
///
/// Answers 200 when the service and its database answer, with the mode: `sandbox` when it
/// runs against the bundled upstream sandbox rather than real accounts. Needs no session.
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
    let mode = if state.sandbox_mode {
        RunMode::Sandbox
    } else {
        RunMode::Live
    };
    Ok(HttpResponse::Ok().json(HealthOut { status: "ok", mode }))
}
