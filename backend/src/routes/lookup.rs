//! The resources a path names, or the 404 problem for each.

use crate::{
    app_state::AppState,
    db,
    domain::{
        filter::FilterId,
        filter_overview::FilterOverview,
        sync_job::{SyncJob, SyncJobId},
    },
    error::{ApiError, NotFound},
};

/// The filter, soft-deleted or not, with its newest job.
pub async fn find_filter(state: &AppState, id: i64) -> Result<FilterOverview, ApiError> {
    db::filters::get(&state.pool, FilterId(id))
        .await?
        .ok_or(ApiError::NotFound(NotFound::Filter(id)))
}

pub async fn find_job(state: &AppState, id: i64) -> Result<SyncJob, ApiError> {
    db::sync_jobs::get(&state.pool, SyncJobId(id))
        .await?
        .ok_or(ApiError::NotFound(NotFound::SyncJob(id)))
}
