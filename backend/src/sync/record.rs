//! The record stage: counts every change and appends it to the job's change log in batches,
//! and writes the job's progress at most once a second. The one place that counts, so the
//! counts and the log agree.

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::Duration,
};

use sqlx::SqlitePool;
use tokio::{sync::mpsc, time::Instant};

use crate::{
    db::{self, DbError},
    domain::{
        change::{Change, ChangeAction},
        sync_job::{JobCounts, SyncJobId},
    },
};

/// Rows per insert: large enough that a million-row log costs a few hundred statements,
/// small enough that one statement holds the write lock for milliseconds.
const BATCH_ROWS: usize = 2_000;

/// How often a running job writes its counts: often enough for a live dashboard, and
/// rarely enough that a fast sync does not turn every page into a write (each write also
/// invalidates the dashboard's cached lists). The job's end writes the exact counts.
const PROGRESS_WRITE_INTERVAL: Duration = Duration::from_secs(1);

/// What a running job has achieved so far, readable while and after it runs.
#[derive(Debug, Default)]
pub struct Progress {
    fetched: AtomicI64,
    unchanged: AtomicI64,
    added: AtomicI64,
    updated: AtomicI64,
    removed: AtomicI64,
    skipped: AtomicI64,
    held: AtomicI64,
}

impl Progress {
    pub fn add_fetched(&self, persons: usize) {
        self.fetched.fetch_add(persons as i64, Ordering::Relaxed);
    }

    pub fn add_unchanged(&self, members: i64) {
        self.unchanged.fetch_add(members, Ordering::Relaxed);
    }

    fn count(&self, action: ChangeAction) {
        let counter = match action {
            ChangeAction::Added => &self.added,
            ChangeAction::Updated => &self.updated,
            ChangeAction::Removed => &self.removed,
            ChangeAction::Skipped => &self.skipped,
            ChangeAction::Held => &self.held,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn counts(&self) -> JobCounts {
        let load = |counter: &AtomicI64| counter.load(Ordering::Relaxed);
        JobCounts {
            fetched: load(&self.fetched),
            added: load(&self.added),
            updated: load(&self.updated),
            removed: load(&self.removed),
            skipped: load(&self.skipped),
            held: load(&self.held),
            unchanged: load(&self.unchanged),
        }
    }
}

/// Where the other stages send what happened; cloned by each.
pub type ChangeSender = mpsc::Sender<Vec<Change>>;

/// Runs until every sender is dropped, then writes what is left. Changes count when they are
/// written, so a job's counts never exceed its log.
pub async fn record_changes(
    pool: &SqlitePool,
    job_id: SyncJobId,
    progress: &Progress,
    mut changes_rx: mpsc::Receiver<Vec<Change>>,
) -> Result<(), DbError> {
    let mut buffer: Vec<Change> = Vec::with_capacity(BATCH_ROWS);
    let mut last_progress = Instant::now() - PROGRESS_WRITE_INTERVAL;
    let mut ticks = tokio::time::interval(PROGRESS_WRITE_INTERVAL);
    loop {
        let received = tokio::select! {
            received = changes_rx.recv() => received,
            _ = ticks.tick() => Some(Vec::new()),
        };
        let Some(changes) = received else { break };
        buffer.extend(changes);
        // Write full batches at once, and a partial one when the stream pauses.
        let idle = changes_rx.is_empty();
        while buffer.len() >= BATCH_ROWS || (idle && !buffer.is_empty()) {
            let rest = buffer.split_off(buffer.len().min(BATCH_ROWS));
            flush(pool, job_id, progress, &buffer).await?;
            buffer = rest;
        }
        if last_progress.elapsed() >= PROGRESS_WRITE_INTERVAL {
            db::sync_jobs::set_progress(pool, job_id, &progress.counts()).await?;
            last_progress = Instant::now();
        }
    }
    flush(pool, job_id, progress, &buffer).await
}

async fn flush(
    pool: &SqlitePool,
    job_id: SyncJobId,
    progress: &Progress,
    changes: &[Change],
) -> Result<(), DbError> {
    db::changes::insert_batch(pool, job_id, changes).await?;
    for change in changes {
        progress.count(change.action);
    }
    Ok(())
}
