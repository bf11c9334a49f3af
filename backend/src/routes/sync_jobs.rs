use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::lookup::{find_filter, find_job};
use crate::{
    app_state::AppState,
    db::{self, sync_jobs::JobQuery},
    domain::{
        filter::FilterId,
        sync_job::{JobStatus, SyncJob, SyncJobId, Trigger},
    },
    error::{ApiError, Problem},
};

const DEFAULT_PAGE_SIZE: u32 = 50;
const MAX_PAGE_SIZE: u32 = 200;

#[derive(Serialize, ToSchema)]
pub struct SyncJobOut {
    pub id: i64,
    pub filter_id: i64,
    pub status: JobStatusOut,
    /// When the job started.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When it ended; null while processing.
    #[schema(format = DateTime)]
    pub completed_at: Option<String>,
    /// A preview: the changes were derived and recorded, nothing was written to Brevo.
    pub dry_run: bool,
    pub trigger: TriggerOut,
    /// Persons read from Pipedrive so far. Each is added, updated, unchanged or skipped.
    pub total_fetched: i64,
    /// Contacts that were not in the Brevo list before this job and were added to it.
    pub total_added: i64,
    /// Members whose mapped attributes differed and were imported again.
    pub total_updated: i64,
    /// Members that left the filter and were removed from the list.
    pub total_removed: i64,
    /// Persons without a valid address, second persons with an address already taken,
    /// members blocklisted in Brevo, and leavers already out of the list.
    pub total_skipped: i64,
    /// Removals the removal brake held back (the job then failed; see `error_message`).
    pub total_held: i64,
    /// Members already equal to their person: nothing written.
    pub total_unchanged: i64,
    /// Why the job failed: which API, which status, what to check.
    pub error_message: Option<String>,
    /// What to know about a job that went on despite it: the saved field-mapping entries
    /// it synced without (their Pipedrive field or Brevo attribute no longer exists).
    pub notice: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobStatusOut {
    Processing,
    Completed,
    Failed,
}

/// What started the job.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TriggerOut {
    Manual,
    Schedule,
    Webhook,
}

impl From<Trigger> for TriggerOut {
    fn from(trigger: Trigger) -> Self {
        match trigger {
            Trigger::Manual => Self::Manual,
            Trigger::Schedule => Self::Schedule,
            Trigger::Webhook => Self::Webhook,
        }
    }
}

impl From<JobStatus> for JobStatusOut {
    fn from(status: JobStatus) -> Self {
        match status {
            JobStatus::Processing => Self::Processing,
            JobStatus::Completed => Self::Completed,
            JobStatus::Failed => Self::Failed,
        }
    }
}

impl From<JobStatusOut> for JobStatus {
    fn from(status: JobStatusOut) -> Self {
        match status {
            JobStatusOut::Processing => Self::Processing,
            JobStatusOut::Completed => Self::Completed,
            JobStatusOut::Failed => Self::Failed,
        }
    }
}

impl From<SyncJob> for SyncJobOut {
    fn from(job: SyncJob) -> Self {
        Self {
            id: job.id.0,
            filter_id: job.filter_id.0,
            status: job.status.into(),
            created_at: job.created_at.to_rfc3339(),
            completed_at: job.completed_at.map(|t| t.to_rfc3339()),
            dry_run: job.dry_run,
            trigger: job.trigger.into(),
            total_fetched: job.counts.fetched,
            total_added: job.counts.added,
            total_updated: job.counts.updated,
            total_removed: job.counts.removed,
            total_skipped: job.counts.skipped,
            total_held: job.counts.held,
            total_unchanged: job.counts.unchanged,
            error_message: job.error_message,
            notice: job.notice,
        }
    }
}

/// A page of jobs, newest first.
#[derive(Serialize, ToSchema)]
pub struct SyncJobPage {
    pub items: Vec<SyncJobOut>,
    /// Pass as `before` to get the next (older) page; null on the last page.
    pub next_before: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Only jobs with an id below this one (the previous page's `next_before`).
    #[param(minimum = 1)]
    pub before: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListSyncJobsQuery {
    /// Only this filter's jobs.
    pub filter_id: Option<i64>,
    /// Only jobs in this state.
    #[param(inline)]
    pub status: Option<JobStatusOut>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Only jobs with an id below this one (the previous page's `next_before`).
    #[param(minimum = 1)]
    pub before: Option<i64>,
}

/// List sync jobs
///
/// All jobs, newest first, optionally of one filter or one status; paginated with `limit`
/// and `before`.
#[utoipa::path(
    tag = "sync-jobs",
    operation_id = "sync_jobs.list",
    params(ListSyncJobsQuery),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "A page of jobs", body = SyncJobPage),
        (status = 400, description = "Invalid filter, status or paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sync-jobs")]
pub async fn list_sync_jobs(
    request: HttpRequest,
    query: web::Query<ListSyncJobsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let key = format!("jobs {query:?}");
    state
        .read_cache
        .json(&request, key, || async {
            let filter_id = query.filter_id.map(FilterId);
            if let Some(id) = filter_id {
                find_filter(&state, id.0).await?;
            }
            let page = PageQuery {
                limit: query.limit,
                before: query.before,
            };
            let status = query.status.map(JobStatus::from);
            page_of_jobs(&state, filter_id, status, &page).await
        })
        .await
}

/// Get a sync job
#[utoipa::path(
    tag = "sync-jobs",
    operation_id = "sync_jobs.get",
    params(("id" = i64, Path, description = "Sync job id")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The job", body = SyncJobOut),
        (status = 400, description = "The id is not an integer", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sync-jobs/{id}")]
pub async fn get_sync_job(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<web::Json<SyncJobOut>, ApiError> {
    Ok(web::Json(find_job(&state, *id).await?.into()))
}

/// The page size asked for, checked: 1 to 200, 50 when not given.
pub fn page_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        return Err(ApiError::InvalidQuery(format!(
            "limit must be between 1 and {MAX_PAGE_SIZE}, got {limit}"
        )));
    }
    Ok(limit)
}

/// The `before` key asked for, checked: an id, 1 or more.
pub fn page_before(before: Option<i64>) -> Result<Option<i64>, ApiError> {
    match before {
        Some(before) if before < 1 => Err(ApiError::InvalidQuery(format!(
            "before must be an id (1 or more), got {before}"
        ))),
        before => Ok(before),
    }
}

/// One page of jobs; fetches one row more than asked to know whether another page follows.
pub async fn page_of_jobs(
    state: &AppState,
    filter_id: Option<FilterId>,
    status: Option<JobStatus>,
    page: &PageQuery,
) -> Result<SyncJobPage, ApiError> {
    let limit = page_limit(page.limit)?;
    let query = JobQuery {
        filter_id,
        status,
        before: page_before(page.before)?.map(SyncJobId),
        limit: limit + 1,
    };
    let mut jobs = db::sync_jobs::list(&state.pool, query).await?;
    let more = jobs.len() > limit as usize;
    jobs.truncate(limit as usize);
    let next_before = more.then(|| jobs.last().map(|job| job.id.0)).flatten();
    Ok(SyncJobPage {
        items: jobs.into_iter().map(SyncJobOut::from).collect(),
        next_before,
    })
}
