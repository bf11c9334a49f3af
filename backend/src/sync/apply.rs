//! The apply stage: writes the diff's changes to Brevo — `added` and `updated` contacts in
//! batch imports as they are decided, removals in calls of 150 once the diff is complete —
//! and hands each change to the record stage when Brevo has done it. A dry run writes
//! nothing and hands every change over at once.

use std::sync::Arc;

use tokio::{sync::mpsc, task::JoinSet};
use tracing::Instrument;

use super::{
    diff::Write,
    record::{ChangeSender, Record},
    SyncError,
};
use crate::{
    config::SyncSettings,
    domain::{
        change::{Change, ChangeAction},
        mapping::Mapping,
    },
    upstream::brevo::{BrevoClient, ImportBatch, ProcessState, REMOVAL_BATCH},
};

/// Removal calls in flight: enough to keep Brevo's 10 requests/s busy at any latency.
const REMOVALS_IN_FLIGHT: usize = 4;

/// What the diff hands over.
pub enum Work {
    Writes(Vec<Write>),
    /// The members to remove; the diff's last message.
    Removals(Vec<String>),
}

/// Where and how changes are written; `list_id` is `None` only in a dry run of a filter
/// without a list.
pub struct Target {
    pub list_id: Option<i64>,
    pub mapping: Arc<Mapping>,
    pub dry_run: bool,
}

pub async fn apply_changes(
    brevo: &Arc<BrevoClient>,
    settings: &SyncSettings,
    target: &Target,
    mut work_rx: mpsc::Receiver<Work>,
    record: ChangeSender,
) -> Result<(), SyncError> {
    let list_id = match (target.dry_run, target.list_id) {
        (false, Some(list_id)) => list_id,
        _ => return record_only(work_rx, record).await,
    };
    let mut imports = Imports {
        brevo,
        settings,
        record: &record,
        waiters: JoinSet::new(),
    };
    let new_batch = || OpenBatch::new(ImportBatch::new(list_id, settings.import_max_bytes));
    let mut open = new_batch();
    // Small first imports get contacts into Brevo early; later ones grow to save requests.
    let mut flush_at = settings.first_import_contacts.max(1);
    while let Some(work) = work_rx.recv().await {
        match work {
            Work::Writes(writes) => {
                for write in writes {
                    if !open.try_push(&write, &target.mapping) {
                        let full = std::mem::replace(&mut open, new_batch());
                        imports.start(full, ImportPlace::Midway).await?;
                        assert!(
                            open.try_push(&write, &target.mapping),
                            "one contact fits an empty batch"
                        );
                    }
                }
                if open.batch.len() >= flush_at {
                    let full = std::mem::replace(&mut open, new_batch());
                    imports.start(full, ImportPlace::Midway).await?;
                    flush_at = flush_at.saturating_mul(2);
                }
            }
            Work::Removals(emails) => {
                let full = std::mem::replace(&mut open, new_batch());
                if !full.batch.is_empty() {
                    imports.start(full, ImportPlace::Last).await?;
                }
                remove_members(brevo, list_id, emails, &record).await?;
            }
        }
    }
    if !open.batch.is_empty() {
        imports.start(open, ImportPlace::Last).await?;
    }
    while let Some(finished) = imports.waiters.join_next().await {
        finished.expect("import waiters do not panic")?;
    }
    Ok(())
}

/// A dry run: every change is recorded as what a real sync would do now.
async fn record_only(
    mut work_rx: mpsc::Receiver<Work>,
    record: ChangeSender,
) -> Result<(), SyncError> {
    while let Some(work) = work_rx.recv().await {
        let changes = match work {
            Work::Writes(writes) => writes.into_iter().map(|w| w.change).collect(),
            Work::Removals(emails) => emails.into_iter().map(removed).collect(),
        };
        // The recorder is gone only when it failed; its error is the job's.
        let _ = record.send(Record::Done(changes)).await;
    }
    Ok(())
}

/// An import body and the changes it carries, recorded when its process completes.
struct OpenBatch {
    batch: ImportBatch,
    changes: Vec<Change>,
}

impl OpenBatch {
    fn new(batch: ImportBatch) -> Self {
        Self {
            batch,
            changes: Vec::new(),
        }
    }

    fn try_push(&mut self, write: &Write, mapping: &Mapping) -> bool {
        let fits = self.batch.try_push(&write.contact, mapping);
        if fits {
            self.changes.push(write.change.clone());
        }
        fits
    }
}

/// Whether an import is the job's last: nothing but its processing is left to wait for then.
#[derive(Clone, Copy)]
enum ImportPlace {
    Midway,
    Last,
}

/// The job's imports: sent one by one, each then waited for by a task of its own.
struct Imports<'a> {
    brevo: &'a Arc<BrevoClient>,
    settings: &'a SyncSettings,
    record: &'a ChangeSender,
    waiters: JoinSet<Result<(), SyncError>>,
}

impl Imports<'_> {
    /// Sends one import and leaves a task waiting for its process.
    async fn start(&mut self, open: OpenBatch, place: ImportPlace) -> Result<(), SyncError> {
        let process_id = self.brevo.import(open.batch).await?;
        let count = |action| open.changes.iter().filter(|c| c.action == action).count() as i64;
        let (added, updated) = (count(ChangeAction::Added), count(ChangeAction::Updated));
        // Logged while Brevo processes the import, counted when it completed.
        let _ = self.record.send(Record::Sent(open.changes)).await;
        let (brevo, settings) = (self.brevo.clone(), self.settings.clone());
        let record = self.record.clone();
        // In the job's span, so the waiter's log lines name the job too.
        self.waiters.spawn(
            async move {
                wait_for_import(&brevo, process_id, place, &settings).await?;
                let _ = record.send(Record::Confirmed { added, updated }).await;
                Ok(())
            }
            .in_current_span(),
        );
        Ok(())
    }
}

/// Polls the import's process, sparingly (Brevo allows 100 such requests per hour), until it
/// completes. The last import is polled sooner at first: the job's end waits for it alone,
/// and that costs at most one poll more per job.
async fn wait_for_import(
    brevo: &BrevoClient,
    process_id: i64,
    place: ImportPlace,
    settings: &SyncSettings,
) -> Result<(), SyncError> {
    let mut delay = match place {
        ImportPlace::Midway => settings.process_poll_initial,
        ImportPlace::Last => settings.last_import_first_poll,
    };
    loop {
        tokio::time::sleep(delay).await;
        match brevo.process_state(process_id).await? {
            (ProcessState::Completed, _) => return Ok(()),
            (ProcessState::Pending, _) => delay = (delay * 2).min(settings.process_poll_max),
            (ProcessState::Other, status) => {
                return Err(SyncError::ImportEnded { process_id, status })
            }
        }
    }
}

/// Removes the members in calls of [`REMOVAL_BATCH`], a few at a time (the client paces
/// them within the `/v3/contacts` limit, shared with the imports).
async fn remove_members(
    brevo: &Arc<BrevoClient>,
    list_id: i64,
    emails: Vec<String>,
    record: &ChangeSender,
) -> Result<(), SyncError> {
    let mut calls = JoinSet::new();
    for chunk in emails.chunks(REMOVAL_BATCH) {
        if calls.len() >= REMOVALS_IN_FLIGHT {
            finish_removal(calls.join_next().await, record).await?;
        }
        let (brevo, chunk) = (brevo.clone(), chunk.to_vec());
        calls.spawn(async move { brevo.remove_from_list(list_id, &chunk).await }.in_current_span());
    }
    while let Some(done) = calls.join_next().await {
        finish_removal(Some(done), record).await?;
    }
    Ok(())
}

async fn finish_removal(
    done: Option<
        Result<
            Result<crate::upstream::brevo::Removal, crate::upstream::UpstreamError>,
            tokio::task::JoinError,
        >,
    >,
    record: &ChangeSender,
) -> Result<(), SyncError> {
    let Some(done) = done else { return Ok(()) };
    let removal = done.expect("removal calls do not panic")?;
    let absent = removal.absent.into_iter().map(|email| Change {
        action: ChangeAction::Skipped,
        email: Some(email),
        person_id: None,
        reason: Some("already out of the list in Brevo".to_owned()),
    });
    let changes = removal
        .removed
        .into_iter()
        .map(removed)
        .chain(absent)
        .collect();
    let _ = record.send(Record::Done(changes)).await;
    Ok(())
}

fn removed(email: String) -> Change {
    Change {
        action: ChangeAction::Removed,
        email: Some(email),
        person_id: None,
        reason: None,
    }
}
