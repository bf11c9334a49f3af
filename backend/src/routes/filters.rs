use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::sync_jobs::{page_of_jobs, PageQuery, SyncJobOut, SyncJobPage};
use crate::{
    db,
    domain::filter::{Filter, FilterId},
    error::{ApiError, NotFound, Problem},
    refresh,
    startup::AppState,
};

#[derive(Serialize, ToSchema)]
pub struct FilterOut {
    /// Pipedrive's filter id.
    pub id: i64,
    pub name: String,
    /// The Brevo list this filter syncs into; null until the first sync creates it.
    pub brevo_list_id: Option<i64>,
    /// Set when the filter vanished from Pipedrive (soft delete).
    #[schema(format = DateTime)]
    pub deleted_at: Option<String>,
    /// The newest sync job, or null if the filter never ran.
    pub last_job: Option<SyncJobOut>,
}

impl From<Filter> for FilterOut {
    fn from(filter: Filter) -> Self {
        Self {
            id: filter.id.0,
            name: filter.name,
            brevo_list_id: filter.brevo_list_id,
            deleted_at: filter.deleted_at.map(|t| t.to_rfc3339()),
            last_job: filter.last_job.map(SyncJobOut::from),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RefreshOut {
    /// Filters new to the service.
    pub created: usize,
    /// Filters whose name changed in Pipedrive.
    pub renamed: usize,
    /// Previously deleted filters that are back in Pipedrive.
    pub restored: usize,
    /// Filters gone from Pipedrive, now soft-deleted.
    pub deleted: usize,
    pub unchanged: usize,
    /// The filters after the refresh (deleted ones excluded).
    pub filters: Vec<FilterOut>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListFiltersQuery {
    /// Include soft-deleted filters.
    pub include_deleted: Option<bool>,
}

/// List filters
///
/// The person filters known to the service, by name, each with its newest sync job.
#[utoipa::path(
    tag = "filters",
    operation_id = "filters.list",
    params(ListFiltersQuery),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The filters", body = Vec<FilterOut>),
        (status = 400, description = "Invalid query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/filters")]
pub async fn list_filters(
    request: HttpRequest,
    query: web::Query<ListFiltersQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let include_deleted = query.include_deleted.unwrap_or(false);
    let key = format!("filters include_deleted={include_deleted}");
    state
        .read_cache
        .json(&request, key, || async {
            let filters = db::filters::list(&state.pool, include_deleted).await?;
            Ok(filters.into_iter().map(FilterOut::from).collect::<Vec<_>>())
        })
        .await
}

/// Refresh filters from Pipedrive
///
/// Fetches the person filters from Pipedrive and reconciles them: new ones are added,
/// renamed ones updated, vanished ones soft-deleted and returning ones restored. If Pipedrive
/// fails, nothing changes.
#[utoipa::path(
    tag = "filters",
    operation_id = "filters.refresh",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Counts of each change, and the filters", body = RefreshOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "Pipedrive failed; nothing changed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "PIPEDRIVE_API_TOKEN is not set", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/filters/refresh")]
pub async fn refresh_filters(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let plan = refresh::refresh_filters(&state.pool, &state.pipedrive).await?;
    let filters = db::filters::list(&state.pool, false).await?;
    Ok(HttpResponse::Ok().json(RefreshOut {
        created: plan.created.len(),
        renamed: plan.renamed.len(),
        restored: plan.restored.len(),
        deleted: plan.deleted.len(),
        unchanged: plan.unchanged,
        filters: filters.into_iter().map(FilterOut::from).collect(),
    }))
}

/// Get a filter
#[utoipa::path(
    tag = "filters",
    operation_id = "filters.get",
    params(("id" = i64, Path, description = "Pipedrive filter id")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The filter (soft-deleted ones included)", body = FilterOut),
        (status = 400, description = "The id is not an integer", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such filter", body = Problem, content_type = "application/problem+json"),
    )
)]
// Digits only, so that `GET /filters/refresh` is not taken for a filter id: it is 405.
#[get("/filters/{id:-?[0-9]+}")]
pub async fn get_filter(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<web::Json<FilterOut>, ApiError> {
    Ok(web::Json(find_filter(&state, *id).await?.into()))
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
    security(("session_cookie" = [])),
    responses(
        (status = 202, description = "The job started", body = SyncJobOut,
            headers(("Location" = String, description = "The job: /api/sync-jobs/{job_id}"))),
        (status = 400, description = "The id is not an integer", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such filter, or it was deleted", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A job of this filter is running; `job_id` names it", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The server is shutting down", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/filters/{id}/sync")]
pub async fn start_sync(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let job = state.runner.start(FilterId(*id)).await?;
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
            let filter = find_filter(&state, *id).await?;
            page_of_jobs(&state, Some(filter.id), None, &page).await
        })
        .await
}

/// The filter, soft-deleted or not, or a 404 problem.
pub(super) async fn find_filter(state: &AppState, id: i64) -> Result<Filter, ApiError> {
    db::filters::get(&state.pool, FilterId(id))
        .await?
        .ok_or(ApiError::NotFound(NotFound::Filter(id)))
}
