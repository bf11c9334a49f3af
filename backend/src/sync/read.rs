//! The read stage: the filter's persons page by page from Pipedrive and, once the mapping
//! and the list are ready (the list created on the first sync, renamed when the filter
//! was), the list's members. Each source ends with [`Page::End`].

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio_util::task::AbortOnDropHandle;

use super::{
    apply::Target,
    field_mapping::{dropped_notice, job_mapping},
    SyncDeps, SyncError,
};
use crate::{
    db::{self, field_mapping::SavedMapping},
    domain::{
        fields::is_custom_field_key,
        filter::Filter,
        sync_job::{JobOptions, SyncJobId},
    },
    upstream::{brevo::MembersPage, pipedrive::PersonPage},
};

/// A page of one of the two sources; `End` marks a source read to its last page, so that a
/// source that failed half-way is never taken for a complete one.
pub enum Page<T> {
    Next(T),
    End,
}

/// The filter's Brevo list, ready for the sync: the stored one if it still exists (renamed
/// when the filter was), else a new one. A dry run creates and renames nothing.
async fn prepare_list(
    deps: &SyncDeps,
    filter: &Filter,
    dry_run: bool,
) -> Result<Option<i64>, SyncError> {
    if let Some(list_id) = filter.brevo_list_id {
        match deps.brevo.list(list_id).await? {
            Some(_) if dry_run => return Ok(Some(list_id)),
            Some(list) => {
                if list.name != filter.name {
                    deps.brevo.rename_list(list_id, &filter.name).await?;
                }
                // Also learns the name of a list made before names were stored.
                if filter.brevo_list_name.as_deref() != Some(filter.name.as_str()) {
                    db::filters::set_brevo_list(&deps.pool, filter.id, list_id, &filter.name)
                        .await?;
                }
                return Ok(Some(list_id));
            }
            None => {
                tracing::warn!(filter_id = %filter.id, list_id, "the Brevo list was deleted; creating a new one")
            }
        }
    }
    if dry_run {
        return Ok(None);
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
    // Stored at once, so a failure later in the job does not create a second list next time.
    db::filters::set_brevo_list(&deps.pool, filter.id, list_id, &filter.name).await?;
    Ok(Some(list_id))
}

/// Prepares the mapping and the list, hands them to the later stages, then reads the list's
/// members. Runs alongside the first Pipedrive pages, off the critical path.
pub async fn read_members(
    deps: &SyncDeps,
    job_id: SyncJobId,
    filter: &Filter,
    options: JobOptions,
    saved_mapping: Option<&SavedMapping>,
    target_tx: oneshot::Sender<Target>,
    members_tx: mpsc::Sender<Page<MembersPage>>,
) -> Result<(), SyncError> {
    // One after the other, the mapping first: a bad key or token then fails the job before
    // it writes anything (the list is created or renamed next).
    let mapping = job_mapping(deps, saved_mapping).await?;
    if let Some(notice) = dropped_notice(&mapping.dropped) {
        db::sync_jobs::set_notice(&deps.pool, job_id, &notice).await?;
    }
    let list_id = prepare_list(deps, filter, options.dry_run).await?;
    let target = Target {
        list_id,
        mapping: Arc::new(mapping.mapping),
        dry_run: options.dry_run,
    };
    if target_tx.send(target).is_err() {
        return Ok(()); // A later stage failed; its error is the job's.
    }
    if let Some(list_id) = list_id {
        let mut offset = 0;
        loop {
            let page = deps.brevo.members_page(list_id, offset).await?;
            let (read, count) = (page.contacts.len(), page.count);
            offset += read;
            if members_tx.send(Page::Next(page)).await.is_err() {
                return Ok(());
            }
            if read == 0 || offset >= count {
                break;
            }
        }
    }
    let _ = members_tx.send(Page::End).await;
    Ok(())
}

/// Reads the filter's persons page by page. It only fetches and reads each page's cursor:
/// everything else happens in the next stages, so the next page is requested at once. It
/// runs as a task of its own: the job's other stages are polled together in one task, and
/// their work between two awaits (a page's diff, an import body) kept a page that had
/// arrived waiting for the request after it. Dropping the returned future (another stage
/// failed) stops the reading.
pub async fn read_persons(
    deps: &SyncDeps,
    filter: &Filter,
    saved_mapping: Option<&SavedMapping>,
    persons_tx: mpsc::Sender<Page<PersonPage>>,
) -> Result<(), SyncError> {
    let entries = saved_mapping.map_or(&[][..], |saved| &saved.entries[..]);
    let custom: Vec<String> = entries
        .iter()
        .map(|entry| entry.pipedrive_field.clone())
        .filter(|key| is_custom_field_key(key))
        .collect();
    let (pipedrive, filter_id) = (deps.pipedrive.clone(), filter.id);
    let reader = AbortOnDropHandle::new(tokio::spawn(async move {
        let custom: Vec<&str> = custom.iter().map(String::as_str).collect();
        let mut pages = pipedrive.persons(filter_id, &custom);
        while let Some(page) = pages.next_page().await? {
            if persons_tx.send(Page::Next(page)).await.is_err() {
                return Ok(()); // A later stage failed; its error is the job's.
            }
        }
        let _ = persons_tx.send(Page::End).await;
        Ok(())
    }));
    reader
        .await
        .unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()))
}
