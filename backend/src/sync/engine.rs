//! One sync job, from the filter to its Brevo list, in four stages joined by bounded
//! channels (DESIGN.md §7):
//! 1. **read**: the filter's persons and the list's members, page by page (`read.rs`);
//! 2. **diff**: one change per contact (`diff.rs`);
//! 3. **apply**: imports as changes are decided, removals after the last page (`apply.rs`);
//! 4. **record**: the counts and the change log (`record.rs`).
//!
//! Memory holds a few pages, the members' table and the contacts not yet matched with it.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::{
    apply::{apply_changes, Target, Work},
    diff::{filter_persons, Decisions, Diff},
    read::{read_members, read_persons, Page},
    record::{record_changes, ChangeSender, Progress, Record},
    SyncDeps, SyncError,
};
use crate::{
    db,
    domain::{
        change::{Change, ChangeAction},
        filter::{Filter, SyncMode},
        mapping::Mapping,
        sync_job::{JobOptions, SyncJob},
    },
    upstream::{
        brevo::MembersPage,
        pipedrive::{PersonPage, WantedFields},
    },
};

/// Pages buffered between the stages: enough to keep reading while the list is prepared.
const PAGES_IN_FLIGHT: usize = 8;

/// Runs the job to its end. `progress` counts changes as they are recorded, so a failed
/// job still reports what it achieved.
pub async fn run_sync_job(
    deps: &SyncDeps,
    job: &SyncJob,
    filter: &Filter,
    options: JobOptions,
    progress: &Arc<Progress>,
) -> Result<(), SyncError> {
    // Read first: the persons' requests ask for the mapped custom fields only.
    let saved_mapping = db::field_mapping::get(&deps.pool).await?;
    let (target_tx, target_rx) = oneshot::channel();
    let (persons_tx, persons_rx) = mpsc::channel(PAGES_IN_FLIGHT);
    let (members_tx, members_rx) = mpsc::channel(PAGES_IN_FLIGHT);
    let (work_tx, work_rx) = mpsc::channel(PAGES_IN_FLIGHT);
    let (changes_tx, changes_rx) = mpsc::channel(4 * PAGES_IN_FLIGHT);
    let diff_changes = changes_tx.clone();
    let apply = async {
        let Ok(target) = target_rx.await else {
            return Ok(None); // Preparing failed: try_join! reports that error.
        };
        let diff = diff_contacts(
            deps,
            filter,
            options,
            &target,
            persons_rx,
            members_rx,
            work_tx,
            diff_changes,
            progress,
        );
        let apply = apply_changes(&deps.brevo, &deps.settings, &target, work_rx, changes_tx);
        let (outcome, ()) = tokio::try_join!(diff, apply)?;
        Ok::<_, SyncError>(outcome)
    };
    let (_, _, brake, ()) = tokio::try_join!(
        read_members(
            deps,
            job.id,
            filter,
            options,
            saved_mapping.as_ref(),
            target_tx,
            members_tx
        ),
        read_persons(deps, filter, saved_mapping.as_ref(), persons_tx),
        apply,
        async {
            record_changes(&deps.pool, job.id, progress, changes_rx)
                .await
                .map_err(SyncError::from)
        },
    )?;
    match brake {
        Some(brake) => Err(brake),
        None => Ok(()),
    }
}

/// Derives the changes as pages of either source arrive; after the last page of both, the
/// removals (or, past the brake, the held ones). Returns the brake's error when it held.
#[allow(clippy::too_many_arguments)]
async fn diff_contacts(
    deps: &SyncDeps,
    filter: &Filter,
    options: JobOptions,
    target: &Target,
    mut persons_rx: mpsc::Receiver<Page<PersonPage>>,
    mut members_rx: mpsc::Receiver<Page<MembersPage>>,
    work_tx: mpsc::Sender<Work>,
    changes_tx: ChangeSender,
    progress: &Progress,
) -> Result<Option<SyncError>, SyncError> {
    let mut diff = Diff::new(Mapping::clone(&target.mapping));
    let wanted = Arc::new(WantedFields::of(target.mapping.fields()));
    let (mut persons_done, mut members_done) = (false, false);
    while !(persons_done && members_done) {
        let mut out = Decisions::default();
        tokio::select! {
            page = members_rx.recv(), if !members_done => match page {
                Some(Page::Next(page)) => diff.add_members(page.contacts, page.count, &mut out),
                Some(Page::End) => {
                    members_done = true;
                    diff.members_complete(&mut out);
                }
                None => return Ok(None), // The reader failed; its error is the job's.
            },
            page = persons_rx.recv(), if !persons_done => match page {
                Some(Page::Next(page)) => {
                    // Parsed here, off the chain of requests (the reader needed only the
                    // cursor), and off the runtime's threads, so that they answer the next
                    // page the moment it arrives.
                    let (wanted, mapping) = (wanted.clone(), target.mapping.clone());
                    let persons = tokio::task::spawn_blocking(move || {
                        page.persons(&wanted).map(|persons| filter_persons(persons, &mapping))
                    })
                    .await
                    .expect("parsing a page does not panic")?;
                    progress.add_fetched(persons.len());
                    diff.add_persons(persons, &mut out);
                }
                Some(Page::End) => persons_done = true,
                None => return Ok(None),
            },
        }
        progress.add_unchanged(out.unchanged);
        if !out.skipped.is_empty() && changes_tx.send(Record::Done(out.skipped)).await.is_err() {
            return Ok(None);
        }
        if !out.writes.is_empty() && work_tx.send(Work::Writes(out.writes)).await.is_err() {
            return Ok(None);
        }
    }
    if filter.mode == SyncMode::Additive {
        return Ok(None);
    }
    let leavers = diff.leavers();
    let members = diff.member_count();
    let settings = &deps.settings;
    let brake = !options.dry_run
        && !options.allow_mass_removal
        && leavers.len() > settings.removal_brake_min
        && leavers.len() * 100 > members * settings.removal_brake_percent as usize;
    if !brake {
        let _ = work_tx.send(Work::Removals(leavers)).await;
        return Ok(None);
    }
    let held = leavers.len();
    let reason = format!("removal brake: {held} of {members} members would leave the list");
    let changes = leavers
        .into_iter()
        .map(|email| Change {
            action: ChangeAction::Held,
            email: Some(email),
            person_id: None,
            reason: Some(reason.clone()),
        })
        .collect();
    let _ = changes_tx.send(Record::Done(changes)).await;
    Ok(Some(SyncError::RemovalBrake {
        held,
        members,
        min: settings.removal_brake_min,
        percent: settings.removal_brake_percent,
    }))
}
