//! Starts the filters whose schedule (or a Pipedrive webhook's debounce) is due (DESIGN §9):
//! once a second it reads the due filters through one indexed query and starts each through
//! the runner's atomic start, at most `SCHEDULE_CONCURRENCY` scheduled jobs at once (a slot
//! given back starts the next due filter without waiting for the next tick). An overdue filter is simply due, so
//! after a restart it runs once, not once per missed interval.

use std::{future::Future, sync::Arc, time::Duration};

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use super::runner::{JobRunner, StartError};
use crate::{
    alerts::Alerts,
    db::{self, DbError, SqlitePool},
    domain::{
        filter::FilterId,
        sync_job::{JobOptions, SyncJob, Trigger},
        time::UnixTime,
    },
    telemetry::error_chain,
    usage::Usage,
};

/// How often the due filters are read: a schedule starts at most this late.
pub const TICK: Duration = Duration::from_secs(1);

/// A scheduled job's place among the `SCHEDULE_CONCURRENCY`, held until the job ends. Giving
/// it back wakes the scheduler: a job that ends within a tick frees its place for the next
/// due filter at once, not at the next tick.
pub struct Slot {
    _permit: OwnedSemaphorePermit,
    freed: Arc<Notify>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.freed.notify_one();
    }
}

/// What the scheduler starts jobs with: the [`JobRunner`] in the service. The `slot` is held
/// until the job ends, which is how the scheduler counts its running jobs.
pub trait StartJob: Send + Sync + 'static {
    fn start_scheduled(
        &self,
        filter_id: FilterId,
        trigger: Trigger,
        slot: Slot,
    ) -> impl Future<Output = Result<SyncJob, StartError>> + Send;
}

impl StartJob for JobRunner {
    async fn start_scheduled(
        &self,
        filter_id: FilterId,
        trigger: Trigger,
        slot: Slot,
    ) -> Result<SyncJob, StartError> {
        self.start_holding(filter_id, JobOptions::default(), trigger, slot)
            .await
    }
}

pub struct Scheduler<S> {
    pool: SqlitePool,
    starter: S,
    /// Told each tick, for the stale schedules.
    alerts: Alerts,
    /// Today's Pipedrive budget, which a scheduled sync must fit in.
    usage: Usage,
    /// One permit per scheduled job allowed to run.
    slots: Arc<Semaphore>,
    /// Told when a slot is given back.
    freed: Arc<Notify>,
}

/// What one tick did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tick {
    pub started: Vec<SyncJob>,
    /// Due, but held back by the budget.
    pub held: Vec<FilterId>,
}

impl<S: StartJob> Scheduler<S> {
    pub fn new(
        pool: SqlitePool,
        starter: S,
        concurrency: usize,
        alerts: Alerts,
        usage: Usage,
    ) -> Self {
        Self {
            pool,
            starter,
            alerts,
            usage,
            slots: Arc::new(Semaphore::new(concurrency)),
            freed: Arc::new(Notify::new()),
        }
    }

    /// Ticks until `shutdown` is cancelled. A tick is never cut short: a job it starts is
    /// handed to the runner, whose shutdown then ends it, rather than left half-started.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(TICK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                () = self.freed.notified() => {}
                () = shutdown.cancelled() => return,
            }
            let began = std::time::Instant::now();
            if let Err(err) = self.tick(UnixTime::now()).await {
                tracing::warn!(error = %error_chain(&err), "the scheduler could not read the due filters");
            }
            crate::metrics::record_scheduler_tick(began.elapsed().as_secs_f64());
        }
    }

    /// Starts the filters due at `now`, as many as there are free slots, holds those that
    /// would pass today's Pipedrive budget until tomorrow, and alerts for the schedules that
    /// became stale.
    pub async fn tick(&self, now: UnixTime) -> Result<Tick, DbError> {
        self.alerts.check_stale(now).await;
        let mut tick = Tick::default();
        let free = self.slots.available_permits();
        if free == 0 {
            return Ok(tick);
        }
        let due =
            db::schedule::due(&self.pool, now, u32::try_from(free).unwrap_or(u32::MAX)).await?;
        for filter in due {
            let filter_id = filter.id;
            if let Err(over) = self.usage.admits(filter.last_fetched, now).await? {
                tracing::info!(%filter_id, until = %over.until.to_rfc3339(), "held a scheduled sync: today's Pipedrive budget");
                db::schedule::hold(&self.pool, filter_id, over.until, &over.reason).await?;
                tick.held.push(filter_id);
                continue;
            }
            let trigger = if filter.by_webhook {
                Trigger::Webhook
            } else {
                Trigger::Schedule
            };
            let Ok(permit) = self.slots.clone().try_acquire_owned() else {
                break;
            };
            let slot = Slot {
                _permit: permit,
                freed: self.freed.clone(),
            };
            match self.starter.start_scheduled(filter_id, trigger, slot).await {
                Ok(job) => {
                    tracing::info!(job_id = %job.id, %filter_id, "started a scheduled sync");
                    crate::metrics::record_scheduled_start();
                    tick.started.push(job);
                }
                // Started by someone else, or deleted, since the query: nothing is due.
                Err(
                    err @ (StartError::AlreadyRunning { .. }
                    | StartError::FilterNotFound(_)
                    | StartError::Contended(_)),
                ) => tracing::debug!(error = %err, "a due filter did not start"),
                Err(StartError::ShuttingDown) => break,
                Err(StartError::Db(err)) => return Err(err),
            }
        }
        Ok(tick)
    }
}
