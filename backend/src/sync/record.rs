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

/// Rows per insert: large enough that a million-row log costs a hundred statements (each
/// commit also invalidates the dashboard's cached lists), small enough that one statement
/// holds the write lock for tens of milliseconds.
const BATCH_ROWS: usize = 10_000;

/// How often a running job writes its counts and the rows of a partial batch: often enough
/// for a live dashboard, and rarely enough that a fast sync does not turn every page into a
/// write. The job's end writes the rest and the exact counts.
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

/// What the other stages tell the record stage.
pub enum Record {
    /// Changes done (or, in a dry run, derived): logged and counted.
    Done(Vec<Change>),
    /// Changes sent to Brevo whose outcome is pending (an import's process): logged at once,
    /// so the log is written while Brevo works, and counted when confirmed.
    Sent(Vec<Change>),
    /// Brevo completed sent changes: this many `added` and `updated`.
    Confirmed { added: i64, updated: i64 },
}

/// Where the other stages send what happened; cloned by each.
pub type ChangeSender = mpsc::Sender<Record>;

/// A change waiting to be written, and whether it counts now.
struct Pending {
    change: Change,
    counts: bool,
}

/// Runs until every sender is dropped, then writes what is left. Changes count when they are
/// written (done ones) or confirmed (sent ones), so a job's counts never exceed its log.
pub async fn record_changes(
    pool: &SqlitePool,
    job_id: SyncJobId,
    progress: &Progress,
    mut changes_rx: mpsc::Receiver<Record>,
) -> Result<(), DbError> {
    let mut buffer: Vec<Pending> = Vec::new();
    let mut next_id = 1;
    let mut last_progress = Instant::now() - PROGRESS_WRITE_INTERVAL;
    let mut ticks = tokio::time::interval(PROGRESS_WRITE_INTERVAL);
    loop {
        let received = tokio::select! {
            received = changes_rx.recv() => received,
            _ = ticks.tick() => Some(Record::Done(Vec::new())),
        };
        let Some(record) = received else { break };
        match record {
            Record::Done(changes) => buffer.extend(changes.into_iter().map(|change| Pending {
                change,
                counts: true,
            })),
            Record::Sent(changes) => buffer.extend(changes.into_iter().map(|change| Pending {
                change,
                counts: false,
            })),
            Record::Confirmed { added, updated } => {
                progress.added.fetch_add(added, Ordering::Relaxed);
                progress.updated.fetch_add(updated, Ordering::Relaxed);
            }
        }
        // Full batches at once, a partial one with the progress, once a second.
        let due = last_progress.elapsed() >= PROGRESS_WRITE_INTERVAL;
        while buffer.len() >= BATCH_ROWS || (due && !buffer.is_empty()) {
            let rest = buffer.split_off(buffer.len().min(BATCH_ROWS));
            flush(pool, job_id, &mut next_id, progress, &buffer).await?;
            buffer = rest;
        }
        if due {
            db::sync_jobs::set_progress(pool, job_id, &progress.counts()).await?;
            last_progress = Instant::now();
        }
    }
    flush(pool, job_id, &mut next_id, progress, &buffer).await
}

/// Writes the changes, numbered from `next_id` on, and counts those that count now.
async fn flush(
    pool: &SqlitePool,
    job_id: SyncJobId,
    next_id: &mut i64,
    progress: &Progress,
    pending: &[Pending],
) -> Result<(), DbError> {
    db::changes::insert_batch(pool, job_id, *next_id, pending.iter().map(|p| &p.change)).await?;
    *next_id += pending.len() as i64;
    for p in pending.iter().filter(|p| p.counts) {
        progress.count(p.change.action);
    }
    Ok(())
}
