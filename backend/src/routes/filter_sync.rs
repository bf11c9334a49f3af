//! Starting a filter's sync, and its history of jobs.

use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    from_object,
    lookup::find_filter,
    sync_jobs::{page_of_jobs, PageQuery, SyncJobOut, SyncJobPage},
    JSON_LIMIT,
};
use crate::{
    app_state::AppState,
    domain::{
        filter::FilterId,
        sync_job::{JobOptions, Trigger},
    },
    error::{ApiError, Problem},
};

/// How to run the sync; an empty body means both false.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"dry_run": true}))]
pub struct StartSyncIn {
    /// Derive and record the changes without writing anything to Brevo (a preview).
    #[serde(default)]
    pub dry_run: bool,
    /// Remove the members that left the filter even past the removal brake.
    #[serde(default)]
    pub allow_mass_removal: bool,
}

/// Start a sync
///
/// Starts syncing the filter into its Brevo list in the background and answers at once with
/// the new job (`processing`); follow it at the `Location` given. A filter runs one job at a
/// time.
#[utoipa::path(
    tag = "filters",
    operation_id = "filters.start_sync",
    params(("id" = i64, Path, description = "Pipedrive filter id")),
    request_body(content = Option<StartSyncIn>, description = "Optional: a dry run, or removals past the brake"),
    security(("session_cookie" = [])),
    responses(
        (status = 202, description = "The job started", body = SyncJobOut,
            headers(("Location" = String, description = "The job: /api/sync-jobs/{job_id}"))),
        (status = 400, description = "The id is not an integer", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such filter, or it was deleted", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A job of this filter is running; `job_id` names it", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown field or a wrong type in the body", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The server is shutting down", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/filters/{id}/sync")]
pub async fn start_sync(
    id: web::Path<i64>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = parse_start(&body)?;
    let options = JobOptions {
        dry_run: body.dry_run,
        allow_mass_removal: body.allow_mass_removal,
    };
    let job = state
        .runner
        .start(FilterId(*id), options, Trigger::Manual)
        .await?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/sync-jobs/{}", job.id)))
        .json(SyncJobOut::from(job)))
}

/// A filter's sync jobs
///
/// Newest first, paginated with `limit` and `before`.
#[utoipa::path(
    tag = "filters",
    operation_id = "filters.list_sync_jobs",
    params(("id" = i64, Path, description = "Pipedrive filter id"), PageQuery),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "A page of jobs", body = SyncJobPage),
        (status = 400, description = "Invalid id or paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/filters/{id}/sync-jobs")]
pub async fn list_filter_sync_jobs(
    request: HttpRequest,
    id: web::Path<i64>,
    page: web::Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = format!("filter {id} jobs {page:?}");
    state
        .read_cache
        .json(&request, key, || async {
            let filter = find_filter(&state, *id).await?.filter;
            page_of_jobs(&state, Some(filter.id), None, &page).await
        })
        .await
}

/// The optional body: none (or only white space) means the defaults.
fn parse_start(body: &[u8]) -> Result<StartSyncIn, ApiError> {
    if body.len() > JSON_LIMIT {
        return Err(ApiError::PayloadTooLarge { limit: JSON_LIMIT });
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(StartSyncIn::default());
    }
    let object = serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            ApiError::InvalidBody(e.to_string())
        } else {
            ApiError::MalformedJson(e.to_string())
        }
    })?;
    from_object(object)
}
