//! One sync job, from the filter to its Brevo list:
//! 1. make sure the list exists (create it on the first sync, or again if deleted in Brevo);
//! 2. read the list's current members, while
//! 3. streaming the filter's persons from Pipedrive page by page, and
//! 4. pushing their contacts in batch imports as they arrive, then
//! 5. waiting for every import process to complete.
//!
//! Memory holds a few pages and the set of email addresses, whatever the filter's size.

use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
    time::Duration,
};

use sqlx::SqlitePool;
use tokio::{
    sync::{mpsc, oneshot},
    task::JoinSet,
};

use crate::{
    config::SyncSettings,
    db::{self, DbError},
    domain::{
        contact::{contact_from, Contact},
        filter::Filter,
        sync_job::SyncJob,
    },
    upstream::{
        brevo::{BrevoClient, ImportBatch, NameAttributes, ProcessState},
        pipedrive::PipedriveClient,
        UpstreamError,
    },
};

/// Pages buffered between the Pipedrive reader and the Brevo writer.
const PAGES_IN_FLIGHT: usize = 4;

pub struct SyncDeps {
    pub pool: SqlitePool,
    pub pipedrive: Arc<PipedriveClient>,
    pub brevo: Arc<BrevoClient>,
    pub settings: SyncSettings,
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
    TimedOut(Duration),
    #[error("Brevo import process {process_id} ended with status {status:?}; check Contacts → Import history in Brevo.")]
    ImportEnded { process_id: i64, status: String },
}

/// Runs the job to its end; returns the number of contacts added to the list. `added` counts
/// contacts as their import completes, so a failed job still reports what it achieved.
pub async fn run_sync_job(
    deps: &SyncDeps,
    job: &SyncJob,
    filter: &Filter,
    added: &Arc<AtomicI64>,
) -> Result<(), SyncError> {
    let list_id = ensure_list(deps, filter).await?;
    let attributes = deps.brevo.name_attributes().await?;

    let (members_tx, members_rx) = oneshot::channel();
    let read_members = async {
        let members = deps.brevo.list_members(list_id).await?;
        // The writer may already have failed and gone; then there is no one to tell.
        let _ = members_tx.send(members);
        Ok::<_, SyncError>(())
    };
    let (pages_tx, pages_rx) = mpsc::channel(PAGES_IN_FLIGHT);
    let writer = Writer {
        deps,
        list_id,
        attributes,
        added: added.clone(),
    };
    tokio::try_join!(
        read_members,
        read_persons(deps, job, filter, pages_tx),
        writer.run(pages_rx, members_rx),
    )?;
    Ok(())
}

/// The filter's Brevo list: the stored one if it still exists, else a new one (stored at once,
/// so a failure later in the job does not create a second list next time).
async fn ensure_list(deps: &SyncDeps, filter: &Filter) -> Result<i64, SyncError> {
    if let Some(list_id) = filter.brevo_list_id {
        if deps.brevo.list_exists(list_id).await? {
            return Ok(list_id);
        }
        tracing::warn!(filter_id = %filter.id, list_id, "the Brevo list was deleted; creating a new one");
    }
    let folder_id = match deps.settings.brevo_folder_id {
        Some(id) => id,
        None => {
            deps.brevo
                .find_or_create_folder(&deps.settings.brevo_folder_name)
                .await?
        }
    };
    let list_id = deps.brevo.create_list(&filter.name, folder_id).await?;
    db::filters::set_brevo_list_id(&deps.pool, filter.id, list_id).await?;
    Ok(list_id)
}

/// Reads the filter's persons page by page, records progress, and hands on each page's new
/// contacts (the first person with an email wins; later duplicates are dropped).
async fn read_persons(
    deps: &SyncDeps,
    job: &SyncJob,
    filter: &Filter,
    pages_tx: mpsc::Sender<Vec<Contact>>,
) -> Result<(), SyncError> {
    let mut pages = deps.pipedrive.persons(filter.id);
    let mut seen = HashSet::new();
    let mut fetched = 0i64;
    while let Some(page) = pages.next_page().await? {
        fetched += page.len() as i64;
        db::sync_jobs::set_fetched(&deps.pool, job.id, fetched).await?;
        let contacts: Vec<Contact> = page
            .iter()
            .filter_map(contact_from)
            .filter(|contact| seen.insert(contact.email.clone()))
            .collect();
        if pages_tx.send(contacts).await.is_err() {
            break; // The writer failed; its error is the job's.
        }
    }
    Ok(())
}

/// Batches contacts into imports and waits for them.
struct Writer<'a> {
    deps: &'a SyncDeps,
    list_id: i64,
    attributes: NameAttributes,
    added: Arc<AtomicI64>,
}

impl Writer<'_> {
    async fn run(
        self,
        mut pages_rx: mpsc::Receiver<Vec<Contact>>,
        members_rx: oneshot::Receiver<HashSet<String>>,
    ) -> Result<(), SyncError> {
        let settings = &self.deps.settings;
        let mut members = MembersOnce::Pending(members_rx);
        let mut imports = JoinSet::new();
        let mut batch = ImportBatch::new(self.list_id, settings.import_max_bytes);
        let mut batch_emails: Vec<String> = Vec::new();
        // Small first imports get contacts into Brevo early; later ones grow to save requests.
        let mut flush_at = settings.first_import_contacts.max(1);

        while let Some(contacts) = pages_rx.recv().await {
            for contact in contacts {
                if !batch.try_push(&contact, &self.attributes) {
                    let full = std::mem::replace(
                        &mut batch,
                        ImportBatch::new(self.list_id, settings.import_max_bytes),
                    );
                    self.flush(full, &mut batch_emails, &mut members, &mut imports)
                        .await?;
                    assert!(
                        batch.try_push(&contact, &self.attributes),
                        "one contact fits an empty batch"
                    );
                }
                batch_emails.push(contact.email);
            }
            if batch.len() >= flush_at {
                let full = std::mem::replace(
                    &mut batch,
                    ImportBatch::new(self.list_id, settings.import_max_bytes),
                );
                self.flush(full, &mut batch_emails, &mut members, &mut imports)
                    .await?;
                flush_at = flush_at.saturating_mul(2);
            }
        }
        if !batch.is_empty() {
            self.flush(batch, &mut batch_emails, &mut members, &mut imports)
                .await?;
        }
        while let Some(finished) = imports.join_next().await {
            finished.expect("import waiters do not panic")?;
        }
        Ok(())
    }

    /// Sends one import. Imports wait for the members list, so that no import of this job
    /// can land before we know who was in the list already.
    async fn flush(
        &self,
        batch: ImportBatch,
        batch_emails: &mut Vec<String>,
        members: &mut MembersOnce,
        imports: &mut JoinSet<Result<(), SyncError>>,
    ) -> Result<(), SyncError> {
        let members = members.get().await?;
        let new_contacts = batch_emails
            .drain(..)
            .filter(|email| !members.contains(email))
            .count() as i64;
        let process_id = self.deps.brevo.import(batch).await?;
        let brevo = self.deps.brevo.clone();
        let settings = self.deps.settings.clone();
        let added = self.added.clone();
        imports.spawn(async move {
            wait_for_import(&brevo, process_id, &settings).await?;
            added.fetch_add(new_contacts, Ordering::Relaxed);
            Ok(())
        });
        Ok(())
    }
}

/// The list's members, received once from the reader and kept.
enum MembersOnce {
    Pending(oneshot::Receiver<HashSet<String>>),
    Ready(HashSet<String>),
}

impl MembersOnce {
    async fn get(&mut self) -> Result<&HashSet<String>, SyncError> {
        if let Self::Pending(rx) = self {
            // A dropped sender means the reader failed: try_join! reports its error.
            let members = rx.await.map_err(|_| SyncError::Cancelled)?;
            *self = Self::Ready(members);
        }
        match self {
            Self::Ready(members) => Ok(members),
            Self::Pending(_) => unreachable!("just received"),
        }
    }
}

/// Polls the import's process, sparingly (Brevo allows 100 such requests per hour), until it
/// completes.
async fn wait_for_import(
    brevo: &BrevoClient,
    process_id: i64,
    settings: &SyncSettings,
) -> Result<(), SyncError> {
    let mut delay = settings.process_poll_initial;
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
