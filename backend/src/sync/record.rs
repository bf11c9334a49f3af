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
    metrics,
};

/// Rows buffered before they are written without waiting for the next second: bursts (a
/// brake holding every removal at once) are written in transactions of this many rows, so
/// none holds the write lock for long.
const TRANSACTION_ROWS: usize = 50_000;

/// How often a running job writes its counts and the rows buffered since, in one commit:
/// often enough for a live dashboard, and rarely enough that a fast sync does not turn every
/// page into a write (each commit also invalidates the dashboard's cached lists). The job's
/// end writes the rest and the exact counts.
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

/// Runs until every sender is dropped, then writes what is left. Changes count when they are
/// written (done ones) or confirmed (sent ones), so a job's counts never exceed its log.
pub async fn record_changes(
    pool: &SqlitePool,
    job_id: SyncJobId,
    progress: &Progress,
    mut changes_rx: mpsc::Receiver<Record>,
) -> Result<(), DbError> {
    let mut log = Log {
        pool,
        job_id,
        progress,
        buffer: Vec::new(),
        next_id: 1,
        written: JobCounts::default(),
    };
    let mut last_write = Instant::now() - PROGRESS_WRITE_INTERVAL;
    let mut ticks = tokio::time::interval(PROGRESS_WRITE_INTERVAL);
    loop {
        let received = tokio::select! {
            received = changes_rx.recv() => received,
            _ = ticks.tick() => Some(Record::Done(Vec::new())),
        };
        let Some(record) = received else { break };
        // Brevo works on an import for a while: its rows are written meanwhile, so that the
        // log of the job's last import is not left to write after it completed.
        let sent = matches!(record, Record::Sent(_));
        match record {
            Record::Done(changes) => log.buffer(changes, true),
            Record::Sent(changes) => log.buffer(changes, false),
            Record::Confirmed { added, updated } => {
                progress.added.fetch_add(added, Ordering::Relaxed);
                progress.updated.fetch_add(updated, Ordering::Relaxed);
            }
        }
        let due = sent || last_write.elapsed() >= PROGRESS_WRITE_INTERVAL;
        if due || log.buffer.len() >= TRANSACTION_ROWS {
            log.write(due).await?;
            last_write = Instant::now();
        }
    }
    log.write(true).await
}

/// A change waiting to be written, and whether it counts now.
struct Pending {
    change: Change,
    counts: bool,
}

/// The job's change log being written: the changes buffered, the next one's number, and the
/// counts last written.
struct Log<'a> {
    pool: &'a SqlitePool,
    job_id: SyncJobId,
    progress: &'a Progress,
    buffer: Vec<Pending>,
    next_id: i64,
    written: JobCounts,
}

impl Log<'_> {
    fn buffer(&mut self, changes: Vec<Change>, counts: bool) {
        self.buffer
            .extend(changes.into_iter().map(|change| Pending { change, counts }));
    }

    /// Writes full transactions of buffered rows, or with `all` every row (at least one
    /// commit, for the progress), each with the progress as it stands after it. Nothing when
    /// nothing changed: each commit makes the dashboard's cached lists render again.
    async fn write(&mut self, all: bool) -> Result<(), DbError> {
        if self.buffer.is_empty() && self.progress.counts() == self.written {
            return Ok(());
        }
        loop {
            let rest = self
                .buffer
                .split_off(self.buffer.len().min(TRANSACTION_ROWS));
            let rows = std::mem::replace(&mut self.buffer, rest);
            self.commit(rows).await?;
            if self.buffer.len() < TRANSACTION_ROWS && (!all || self.buffer.is_empty()) {
                return Ok(());
            }
        }
    }

    /// Appends the rows, numbered on from the last, counts those that count now, and writes
    /// the counts: one commit. The transaction runs as a task of its own, so that a job
    /// cancelled meanwhile (a shutdown) cannot leave it open, holding the write lock that the
    /// job's end must take.
    async fn commit(&mut self, rows: Vec<Pending>) -> Result<(), DbError> {
        for p in rows.iter().filter(|p| p.counts) {
            self.progress.count(p.change.action);
        }
        let counts = self.progress.counts();
        let (pool, job_id, first_id) = (self.pool.clone(), self.job_id, self.next_id);
        self.next_id += rows.len() as i64;
        tokio::spawn(async move {
            let mut tx = db::begin_write(&pool).await?;
            let started = Instant::now();
            let changes: Vec<&Change> = rows.iter().map(|p| &p.change).collect();
            db::changes::insert(&mut tx, job_id, first_id, &changes).await?;
            db::sync_jobs::set_progress(&mut tx, job_id, &counts).await?;
            tx.commit().await?;
            metrics::record_change_log_write(rows.len(), started.elapsed().as_secs_f64());
            Ok::<_, DbError>(())
        })
        .await
        .expect("writing the change log does not panic")?;
        self.written = counts;
        Ok(())
    }
}
