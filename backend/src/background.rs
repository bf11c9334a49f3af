//! The service's own periodic work, beside the jobs: the hourly maintenance, the filter
//! refresh (`FILTER_REFRESH_MINUTES`) and the usage flush. Each is one task, started and cancelled with the
//! server; a failure is logged and tried again at the next tick.

use std::{sync::Arc, time::Duration};

use sqlx::SqlitePool;
use tokio::time::{interval_at, Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use crate::{
    db, domain::time::UnixTime, refresh, telemetry::error_chain,
    upstream::pipedrive::PipedriveClient, usage::Usage,
};

/// How often expired sessions and old change-log rows are deleted.
const MAINTENANCE_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// How often the upstream calls counted in memory are added to `usage_days`.
const USAGE_FLUSH_INTERVAL: Duration = Duration::from_secs(5);

/// Change-log rows deleted per statement, so pruning never holds the write lock for long.
const PRUNE_BATCH: u32 = 10_000;

/// The hourly maintenance: expired sessions, and change-log rows past `CHANGE_LOG_DAYS`
/// (job rows stay forever).
pub async fn maintain(pool: SqlitePool, change_log_days: u32) {
    let mut ticks = tokio::time::interval(MAINTENANCE_INTERVAL);
    loop {
        ticks.tick().await;
        match db::sessions::purge_expired(&pool, UnixTime::now()).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "deleted expired sessions"),
            Err(err) => {
                tracing::warn!(error = %error_chain(&err), "could not purge expired sessions")
            }
        }
        if change_log_days > 0 {
            let cutoff = UnixTime(UnixTime::now().0 - i64::from(change_log_days) * 86_400);
            prune_change_log(&pool, cutoff).await;
        }
    }
}

async fn prune_change_log(pool: &SqlitePool, cutoff: UnixTime) {
    let mut pruned = 0;
    loop {
        match db::changes::prune(pool, cutoff, PRUNE_BATCH).await {
            Ok(0) => break,
            Ok(rows) => pruned += rows,
            Err(err) => {
                tracing::warn!(error = %error_chain(&err), "could not prune the change log");
                break;
            }
        }
    }
    if pruned > 0 {
        tracing::info!(pruned, "deleted change-log rows past CHANGE_LOG_DAYS");
    }
}

/// Refreshes the filters from Pipedrive `every` so often, first one interval after the start,
/// exactly as `POST /api/filters/refresh` does (a failed refresh changes nothing).
pub async fn refresh_filters(pool: SqlitePool, pipedrive: Arc<PipedriveClient>, every: Duration) {
    let mut ticks = interval_at(Instant::now() + every, every);
    // After a pause (a suspended machine) one refresh, not one per missed interval.
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match refresh::refresh_filters(&pool, &pipedrive).await {
            Ok(plan) if plan.is_noop() => {}
            Ok(plan) => tracing::info!(
                created = plan.created.len(),
                renamed = plan.renamed.len(),
                restored = plan.restored.len(),
                deleted = plan.deleted.len(),
                "refreshed the filters from Pipedrive"
            ),
            Err(err) => {
                tracing::warn!(error = %error_chain(&err), "could not refresh the filters from Pipedrive")
            }
        }
    }
}

/// Adds the counted upstream calls to `usage_days` every few seconds until `stop` (the
/// caller flushes once more after the jobs ended). Stopped between flushes, never aborted in
/// one: the calls a flush took from the meter would be lost with its write.
pub async fn flush_usage(usage: Usage, stop: CancellationToken) {
    let mut ticks = tokio::time::interval(USAGE_FLUSH_INTERVAL);
    loop {
        tokio::select! {
            _ = ticks.tick() => usage.flush().await,
            () = stop.cancelled() => return,
        }
    }
}
