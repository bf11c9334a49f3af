//! What a sync job runs with, and why one fails: shared by the engine and its stages.

use std::sync::Arc;

use sqlx::SqlitePool;

use crate::{
    alerts::Alerts,
    config::SyncSettings,
    db::DbError,
    upstream::{brevo::BrevoClient, pipedrive::PipedriveClient, UpstreamError},
};

/// The database, both upstream clients and the settings every job of the service uses.
pub struct SyncDeps {
    pub pool: SqlitePool,
    pub pipedrive: Arc<PipedriveClient>,
    pub brevo: Arc<BrevoClient>,
    pub settings: SyncSettings,
    pub alerts: Alerts,
}

/// Why a job failed, worded for the operator who reads it in the dashboard.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    #[error(
        "The service's database failed during the sync ({0}); check the disk and the server log."
    )]
    Db(#[from] DbError),
    #[error("cancelled: the server shut down before the job finished")]
    Cancelled,
    #[error("timed out: the job ran longer than {} minutes; check the upstream APIs' status and try again", .0.as_secs() / 60)]
    TimedOut(std::time::Duration),
    #[error("Brevo import process {process_id} ended with status {status:?}; check Contacts → Import history in Brevo.")]
    ImportEnded { process_id: i64, status: String },
    #[error("removal brake: {held} of the list's {members} members would be removed (more than {min} and more than {percent} %), so none was; additions and updates were applied. Check the filter in Pipedrive; if the removals are right, sync again with allow_mass_removal (the dashboard's Confirm removals).")]
    RemovalBrake {
        held: usize,
        members: usize,
        min: usize,
        percent: u32,
    },
}
