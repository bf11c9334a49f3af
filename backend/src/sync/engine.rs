//! One sync job, from the filter to its Brevo list:
//! 1. make sure the list exists (create it on the first sync, or again if deleted in Brevo);
//! 2. read the list's current members, while
//! 3. streaming the filter's persons from Pipedrive page by page, and
//! 4. pushing their contacts in batch imports as they arrive, then
//! 5. waiting for every import process to complete.
//!
//! Memory holds a few pages and the set of email addresses, whatever the filter's size.

use std::{
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use sqlx::SqlitePool;
use tokio::{
    sync::{mpsc, oneshot},
    task::JoinSet,
};
use tracing::Instrument;

use crate::{
    config::SyncSettings,
    db::{self, DbError},
    domain::{
        contact::{contact_from, Contact, EmailSet, Person},
        filter::Filter,
        sync_job::SyncJob,
    },
    upstream::{
        brevo::{BrevoClient, ImportBatch, NameAttributes, ProcessState},
        pipedrive::PipedriveClient,
        UpstreamError,
    },
};

/// Pages buffered between the stages (reading, selecting, writing): enough to keep reading
/// while the list is prepared.
const PAGES_IN_FLIGHT: usize = 8;

/// How often a running job writes its fetched count: often enough for a live dashboard, and
/// rarely enough that a fast sync does not turn every page into a write (each write also
/// invalidates the dashboard's cached lists). The job's end writes the exact count.
const PROGRESS_WRITE_INTERVAL: Duration = Duration::from_secs(1);

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

/// Where a job's contacts go, known once the list is ready.
struct Target {
    list_id: i64,
    attributes: NameAttributes,
    /// Who was in the list before this job.
    members: EmailSet,
}

/// What a running job has achieved so far, readable while and after it runs.
#[derive(Debug, Default)]
pub struct Progress {
    /// Persons read from Pipedrive.
    pub fetched: AtomicI64,
    /// Contacts new to the list whose import has completed.
    pub added: AtomicI64,
}

/// Runs the job to its end. `progress` counts contacts as their import completes, so a failed
/// job still reports what it achieved. Preparing the list runs alongside the first Pipedrive
/// pages, so it costs no time on the critical path (the chain of person pages).
pub async fn run_sync_job(
    deps: &SyncDeps,
    job: &SyncJob,
    filter: &Filter,
    progress: &Arc<Progress>,
) -> Result<(), SyncError> {
    let (target_tx, target_rx) = oneshot::channel();
    let prepare = async {
        let list_id = ensure_list(deps, filter).await?;
        let (attributes, members) = tokio::try_join!(
            deps.brevo.name_attributes(),
            deps.brevo.list_members(list_id)
        )?;
        // The writer may already have failed and gone; then there is no one to tell.
        let _ = target_tx.send(Target {
            list_id,
            attributes,
            members,
        });
        Ok::<_, SyncError>(())
    };
    let (pages_tx, pages_rx) = mpsc::channel(PAGES_IN_FLIGHT);
    let (contacts_tx, contacts_rx) = mpsc::channel(PAGES_IN_FLIGHT);
    tokio::try_join!(
        prepare,
        read_persons(deps, filter, pages_tx),
        select_contacts(deps, job, progress, pages_rx, contacts_tx),
        write_contacts(deps, contacts_rx, target_rx, progress.clone()),
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

/// Reads the filter's persons page by page. It only fetches: everything else happens in the
/// next stages, so the next page is requested as soon as one arrives.
async fn read_persons(
    deps: &SyncDeps,
    filter: &Filter,
    pages_tx: mpsc::Sender<Vec<Person>>,
) -> Result<(), SyncError> {
    let mut pages = deps.pipedrive.persons(filter.id);
    while let Some(page) = pages.next_page().await? {
        if pages_tx.send(page).await.is_err() {
            break; // A later stage failed; its error is the job's.
        }
    }
    Ok(())
}

/// Records progress and turns each page into its new contacts: persons without a valid email
/// are skipped, and an address seen before in this job is not sent again.
async fn select_contacts(
    deps: &SyncDeps,
    job: &SyncJob,
    progress: &Progress,
    mut pages_rx: mpsc::Receiver<Vec<Person>>,
    contacts_tx: mpsc::Sender<Vec<Contact>>,
) -> Result<(), SyncError> {
    let mut seen = EmailSet::default();
    let mut last_write: Option<Instant> = None;
    while let Some(page) = pages_rx.recv().await {
        let fetched = progress
            .fetched
            .fetch_add(page.len() as i64, Ordering::Relaxed)
            + page.len() as i64;
        if last_write.is_none_or(|at| at.elapsed() >= PROGRESS_WRITE_INTERVAL) {
            db::sync_jobs::set_fetched(&deps.pool, job.id, fetched).await?;
            last_write = Some(Instant::now());
        }
        let contacts: Vec<Contact> = page
            .iter()
            .filter_map(contact_from)
            .filter(|contact| seen.insert(&contact.email))
            .collect();
        if contacts_tx.send(contacts).await.is_err() {
            break;
        }
    }
    Ok(())
}

/// Batches contacts into imports as pages arrive, then waits for every import to complete.
async fn write_contacts(
    deps: &SyncDeps,
    mut pages_rx: mpsc::Receiver<Vec<Contact>>,
    target_rx: oneshot::Receiver<Target>,
    progress: Arc<Progress>,
) -> Result<(), SyncError> {
    // Imports wait for the members list, so that none of this job's can land before we know
    // who was in the list already. A dropped sender means preparing failed: try_join!
    // reports that error, so this one is never seen.
    let Ok(target) = target_rx.await else {
        return Ok(());
    };
    let settings = &deps.settings;
    let new_batch = || ImportBatch::new(target.list_id, settings.import_max_bytes);
    let mut imports = JoinSet::new();
    let mut open = OpenBatch {
        batch: new_batch(),
        new_contacts: 0,
    };
    // Small first imports get contacts into Brevo early; later ones grow to save requests.
    let mut flush_at = settings.first_import_contacts.max(1);

    while let Some(contacts) = pages_rx.recv().await {
        for contact in contacts {
            if !open.batch.try_push(&contact, &target.attributes) {
                let (full, new_contacts) = open.take(new_batch());
                start_import(deps, full, new_contacts, &progress, &mut imports).await?;
                assert!(
                    open.batch.try_push(&contact, &target.attributes),
                    "one contact fits an empty batch"
                );
            }
            open.new_contacts += i64::from(!target.members.contains(&contact.email));
        }
        if open.batch.len() >= flush_at {
            let (full, new_contacts) = open.take(new_batch());
            start_import(deps, full, new_contacts, &progress, &mut imports).await?;
            flush_at = flush_at.saturating_mul(2);
        }
    }
    if !open.batch.is_empty() {
        start_import(deps, open.batch, open.new_contacts, &progress, &mut imports).await?;
    }
    while let Some(finished) = imports.join_next().await {
        finished.expect("import waiters do not panic")?;
    }
    Ok(())
}

/// The batch being filled, and how many of its contacts are new to the list.
struct OpenBatch {
    batch: ImportBatch,
    new_contacts: i64,
}

impl OpenBatch {
    /// Hands over the filled batch and its count, starting `empty` in its place.
    fn take(&mut self, empty: ImportBatch) -> (ImportBatch, i64) {
        (
            std::mem::replace(&mut self.batch, empty),
            std::mem::take(&mut self.new_contacts),
        )
    }
}

/// Sends one import and leaves a task waiting for its process; when that completes, the
/// batch's contacts that were new to the list count as added.
async fn start_import(
    deps: &SyncDeps,
    batch: ImportBatch,
    new_contacts: i64,
    progress: &Arc<Progress>,
    imports: &mut JoinSet<Result<(), SyncError>>,
) -> Result<(), SyncError> {
    let process_id = deps.brevo.import(batch).await?;
    let brevo = deps.brevo.clone();
    let settings = deps.settings.clone();
    let progress = progress.clone();
    // In the job's span, so the waiter's log lines name the job too.
    imports.spawn(
        async move {
            wait_for_import(&brevo, process_id, &settings).await?;
            progress.added.fetch_add(new_contacts, Ordering::Relaxed);
            Ok(())
        }
        .in_current_span(),
    );
    Ok(())
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
