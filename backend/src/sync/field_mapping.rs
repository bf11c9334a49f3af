//! The field mapping a job writes with: the saved one, checked against what Pipedrive and
//! Brevo have now, or the first and last name of an install that never saved one.

use crate::{
    db::field_mapping::SavedMapping,
    domain::{
        contact::{contact_from, Contact},
        fields::{check_saved, DroppedEntry},
        filter::FilterId,
        mapping::Mapping,
    },
    upstream::{
        pipedrive::{PipedriveClient, WantedFields},
        UpstreamError,
    },
};

use super::{SyncDeps, SyncError};

/// A job's mapping, and the saved entries it goes on without (their field or attribute
/// was deleted, or a type changed, since they were saved).
pub struct JobMapping {
    pub mapping: Mapping,
    pub dropped: Vec<DroppedEntry>,
}

/// The saved mapping's `saved` entries, checked: asks both APIs once per job, never once
/// per person. A Pipedrive or Brevo failure fails the job here, before it writes anything.
pub async fn job_mapping(
    deps: &SyncDeps,
    saved: Option<&SavedMapping>,
) -> Result<JobMapping, SyncError> {
    let region = deps.settings.phone_region;
    let Some(saved) = saved else {
        let attributes = deps.brevo.attributes().await?;
        return Ok(JobMapping {
            mapping: Mapping::first_and_last_name(&attributes, region),
            dropped: Vec::new(),
        });
    };
    let (fields, attributes) =
        tokio::try_join!(deps.pipedrive.person_fields(), deps.brevo.attributes())?;
    let (kept, dropped) = check_saved(&saved.entries, &fields, &attributes);
    for entry in &dropped {
        tracing::warn!(problem = %entry.problem, "a saved field-mapping entry is left out of the sync");
    }
    Ok(JobMapping {
        mapping: Mapping::new(kept, region),
        dropped,
    })
}

/// The job's notice about the entries left out, for the operator; `None` when none was.
pub fn dropped_notice(dropped: &[DroppedEntry]) -> Option<String> {
    if dropped.is_empty() {
        return None;
    }
    let problems: Vec<String> = dropped.iter().map(|d| d.problem.to_string()).collect();
    Some(format!(
        "Synced without {} of the saved field mapping's entries ({}); fix the mapping on the Field mapping page.",
        dropped.len(),
        problems.join("; ")
    ))
}

/// What a sync would write for one person of the filter: the first on its first page who
/// has a usable email, with the mapped values. `None` when no person there has one.
pub async fn sample_contact(
    pipedrive: &PipedriveClient,
    filter_id: FilterId,
    mapping: &Mapping,
) -> Result<Option<Contact>, UpstreamError> {
    let custom: Vec<&str> = mapping
        .fields()
        .filter(|field| field.custom)
        .map(|field| field.key.as_str())
        .collect();
    let mut pages = pipedrive.persons(filter_id, &custom);
    let Some(page) = pages.next_page().await? else {
        return Ok(None);
    };
    let persons = page.persons(&WantedFields::of(mapping.fields()))?;
    Ok(persons
        .into_iter()
        .find_map(|person| contact_from(person, mapping).ok()))
}
