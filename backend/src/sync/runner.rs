//! Owns the sync jobs' tasks: starts them, records how each ends, and on shutdown cancels
//! them so that none is left `processing`.

use std::{sync::Arc, time::Duration};

use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tracing::Instrument;

use super::{engine::run_sync_job, record::Progress, SyncDeps, SyncError};
use crate::{
    alerts::message::JobEnd,
    db::{self, DbError},
    domain::{
        filter::{Filter, FilterId},
        sync_job::{JobCounts, JobOptions, JobStatus, SyncJob, SyncJobId, Trigger},
        time::UnixTime,
    },
    telemetry::error_chain,
};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("no active filter with id {0}")]
    FilterNotFound(FilterId),
    #[error("filter {filter_id} already has job {job_id} running")]
    AlreadyRunning {
        filter_id: FilterId,
        job_id: SyncJobId,
    },
    #[error("the server is shutting down")]
    ShuttingDown,
    /// Jobs of the filter kept starting and ending between our checks.
    #[error("filter {0}'s jobs kept changing while this one started")]
    Contended(FilterId),
    #[error(transparent)]
    Db(#[from] DbError),
}

#[derive(Clone)]
pub struct JobRunner {
    deps: Arc<SyncDeps>,
    tracker: TaskTracker,
    shutdown: CancellationToken,
    /// The main runtime. Handlers run on actix's per-worker runtimes, which stop with the
    /// HTTP server: a job spawned there would vanish mid-flight instead of recording its end.
    runtime: tokio::runtime::Handle,
}

impl JobRunner {
    /// Must be called on the runtime that outlives the HTTP server (the one `main` runs on).
    pub fn new(deps: SyncDeps) -> Self {
        Self {
            deps: Arc::new(deps),
            tracker: TaskTracker::new(),
            shutdown: CancellationToken::new(),
            runtime: tokio::runtime::Handle::current(),
        }
    }

    /// Records a `processing` job and starts it in the background.
    pub async fn start(
        &self,
        filter_id: FilterId,
        options: JobOptions,
        trigger: Trigger,
    ) -> Result<SyncJob, StartError> {
        self.start_holding(filter_id, options, trigger, ()).await
    }

    /// [`Self::start`], keeping `hold` until the job has recorded its end (the scheduler's
    /// slot); dropped at once when the job does not start.
    pub async fn start_holding<H: Send + 'static>(
        &self,
        filter_id: FilterId,
        options: JobOptions,
        trigger: Trigger,
        hold: H,
    ) -> Result<SyncJob, StartError> {
        let pool = &self.deps.pool;
        // A second pass covers a running job that ended between the two statements below.
        for _ in 0..2 {
            if self.shutdown.is_cancelled() {
                return Err(StartError::ShuttingDown);
            }
            let started =
                db::sync_jobs::start(pool, filter_id, UnixTime::now(), options, trigger).await?;
            if let Some(job) = started {
                let filter = db::filters::get(pool, filter_id)
                    .await?
                    .ok_or(StartError::FilterNotFound(filter_id))?
                    .filter;
                self.spawn(job.clone(), filter, options, hold);
                return Ok(job);
            }
            match db::filters::get(pool, filter_id).await? {
                Some(overview) if overview.filter.deleted_at.is_none() => {}
                _ => return Err(StartError::FilterNotFound(filter_id)),
            }
            if let Some(job_id) = db::sync_jobs::running(pool, filter_id).await? {
                return Err(StartError::AlreadyRunning { filter_id, job_id });
            }
        }
        Err(StartError::Contended(filter_id))
    }

    fn spawn<H: Send + 'static>(&self, job: SyncJob, filter: Filter, options: JobOptions, hold: H) {
        let deps = self.deps.clone();
        let cancelled = self.shutdown.child_token();
        // Every log line of the job, the engine's and the upstream clients' included, carries
        // its job and filter ids. A root span: the request that started the job ends now.
        let span = tracing::info_span!(parent: None, "sync_job", job_id = %job.id, filter_id = %job.filter_id);
        span.follows_from(tracing::Span::current());
        self.tracker.spawn_on(async move {
            let started = std::time::Instant::now();
            crate::metrics::record_job_started();
            let progress = Arc::new(Progress::default());
            let run = tokio::time::timeout(deps.settings.job_timeout, run_sync_job(&deps, &job, &filter, options, &progress));
            let outcome = tokio::select! {
                finished = run => finished.unwrap_or(Err(SyncError::TimedOut(deps.settings.job_timeout))),
                () = cancelled.cancelled() => Err(SyncError::Cancelled),
            };
            let counts = progress.counts();
            let status = record_outcome(&deps, &job, outcome, &counts).await;
            crate::metrics::record_job_end(status, started.elapsed().as_secs_f64(), counts.fetched, counts.added);
            drop(hold);
        }.instrument(span), &self.runtime);
    }

    /// Cancels every running job and waits (up to `grace`) until each has recorded its end.
    pub async fn shutdown(&self, grace: Duration) {
        self.shutdown.cancel();
        self.tracker.close();
        if tokio::time::timeout(grace, self.tracker.wait())
            .await
            .is_err()
        {
            tracing::error!(
                "sync jobs did not stop in time; the next start marks them interrupted"
            );
        }
    }
}

/// Writes the job's end and returns the status it ended with.
async fn record_outcome(
    deps: &SyncDeps,
    job: &SyncJob,
    outcome: Result<(), SyncError>,
    counts: &JobCounts,
) -> JobStatus {
    let (status, message) = match &outcome {
        Ok(()) => (JobStatus::Completed, None),
        Err(err) => (JobStatus::Failed, Some(err.to_string())),
    };
    match &outcome {
        Ok(()) => {
            tracing::info!(job_id = %job.id, filter_id = %job.filter_id, ?counts, "sync job completed")
        }
        Err(err) => {
            tracing::warn!(job_id = %job.id, filter_id = %job.filter_id, error = %err, "sync job failed")
        }
    }
    let recorded = record_end(deps, job, status, message.as_deref(), counts).await;
    // A preview changes nothing, and a shutdown is not the sync failing.
    if recorded && !job.dry_run && !matches!(outcome, Err(SyncError::Cancelled)) {
        let end = match (&outcome, &message) {
            (Err(err), Some(message)) => JobEnd::Failed {
                message,
                brake: matches!(err, SyncError::RemovalBrake { .. }),
            },
            _ => JobEnd::Completed,
        };
        deps.alerts.job_ended(job, end, counts).await;
    }
    status
}

/// Writes the job's end; false when every attempt failed.
async fn record_end(
    deps: &SyncDeps,
    job: &SyncJob,
    status: JobStatus,
    message: Option<&str>,
    counts: &JobCounts,
) -> bool {
    // The row must not stay `processing`: retry a failing write briefly before giving up
    // (the next start-up would then mark the job interrupted).
    for attempt in 1..=5u32 {
        let result =
            db::sync_jobs::finish(&deps.pool, job.id, status, UnixTime::now(), counts, message)
                .await;
        match result {
            Ok(()) => return true,
            Err(err) => {
                tracing::error!(job_id = %job.id, attempt, error = %error_chain(&err), "could not record the job's end");
                tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
            }
        }
    }
    false
}
