//! Person filters mirrored from Pipedrive, and how a fresh Pipedrive listing is reconciled
//! with the stored ones.

use std::{collections::HashMap, fmt, str::FromStr};

use super::time::UnixTime;

/// Pipedrive's filter id, which is also our primary key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FilterId(pub i64);

impl fmt::Display for FilterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub id: FilterId,
    pub name: String,
    pub brevo_list_id: Option<i64>,
    /// The list's name as the service last created or renamed it.
    pub brevo_list_name: Option<String>,
    pub deleted_at: Option<UnixTime>,
    pub mode: SyncMode,
    /// Minutes between scheduled syncs; `None`: manual only.
    pub schedule_minutes: Option<u32>,
    /// When the schedule next starts a sync.
    pub next_sync_at: Option<UnixTime>,
    /// Why the schedule waits past its interval, when it does.
    pub schedule_hold: Option<ScheduleHold>,
}

/// A scheduled sync held back (by the Pipedrive budget) until a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleHold {
    pub until: UnixTime,
    pub reason: String,
}

/// What a sync may do to the filter's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncMode {
    /// The list equals the filter: adds, updates and removes.
    Mirror,
    /// Adds and updates; nobody is removed.
    Additive,
}

impl SyncMode {
    pub const ALL: [SyncMode; 2] = [Self::Mirror, Self::Additive];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mirror => "mirror",
            Self::Additive => "additive",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown sync mode {0:?}: expected mirror or additive")]
pub struct UnknownSyncMode(pub String);

impl FromStr for SyncMode {
    type Err = UnknownSyncMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|mode| mode.as_str() == s)
            .ok_or_else(|| UnknownSyncMode(s.to_owned()))
    }
}

/// The longest schedule interval: a week.
pub const MAX_SCHEDULE_MINUTES: u32 = 7 * 24 * 60;

/// A person filter as Pipedrive lists it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFilter {
    pub id: FilterId,
    pub name: String,
}

/// What we hold for a filter before reconciling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFilter {
    pub id: FilterId,
    pub name: String,
    pub deleted: bool,
}

/// The changes that bring the stored filters in line with Pipedrive.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reconciliation {
    /// New to us.
    pub created: Vec<RemoteFilter>,
    /// Still present, under a new name.
    pub renamed: Vec<RemoteFilter>,
    /// Soft-deleted earlier and back in Pipedrive (possibly renamed meanwhile).
    pub restored: Vec<RemoteFilter>,
    /// Gone from Pipedrive: to soft-delete.
    pub deleted: Vec<FilterId>,
    pub unchanged: usize,
}

impl Reconciliation {
    /// Whether applying it changes nothing (every filter unchanged).
    pub fn is_noop(&self) -> bool {
        self.created.is_empty()
            && self.renamed.is_empty()
            && self.restored.is_empty()
            && self.deleted.is_empty()
    }
}

/// Compares Pipedrive's listing with what is stored. Pure, so every case is unit-tested.
/// A filter id listed twice by Pipedrive counts once (the last name wins).
pub fn reconcile(remote: &[RemoteFilter], stored: &[StoredFilter]) -> Reconciliation {
    let remote_by_id: HashMap<FilterId, &RemoteFilter> = remote.iter().map(|f| (f.id, f)).collect();
    let stored_by_id: HashMap<FilterId, &StoredFilter> = stored.iter().map(|f| (f.id, f)).collect();
    let mut plan = Reconciliation::default();

    let mut remote_ids: Vec<FilterId> = remote_by_id.keys().copied().collect();
    remote_ids.sort();
    for id in remote_ids {
        let current = remote_by_id[&id];
        match stored_by_id.get(&id) {
            None => plan.created.push(current.clone()),
            Some(known) if known.deleted => plan.restored.push(current.clone()),
            Some(known) if known.name != current.name => plan.renamed.push(current.clone()),
            Some(_) => plan.unchanged += 1,
        }
    }
    plan.deleted = stored
        .iter()
        .filter(|known| !known.deleted && !remote_by_id.contains_key(&known.id))
        .map(|known| known.id)
        .collect();
    plan.deleted.sort();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(id: i64, name: &str) -> RemoteFilter {
        RemoteFilter {
            id: FilterId(id),
            name: name.into(),
        }
    }

    fn stored(id: i64, name: &str, deleted: bool) -> StoredFilter {
        StoredFilter {
            id: FilterId(id),
            name: name.into(),
            deleted,
        }
    }

    #[test]
    fn only_a_plan_without_changes_is_a_no_op() {
        let same = reconcile(&[remote(1, "Same")], &[stored(1, "Same", false)]);
        let renamed = reconcile(&[remote(1, "New")], &[stored(1, "Same", false)]);
        let gone = reconcile(&[], &[stored(1, "Same", false)]);
        assert!(same.is_noop());
        assert!(!renamed.is_noop() && !gone.is_noop());
    }

    #[test]
    fn every_case_lands_in_its_own_bucket() {
        let plan = reconcile(
            &[
                remote(1, "Same"),
                remote(2, "New name"),
                remote(3, "Back"),
                remote(4, "Fresh"),
            ],
            &[
                stored(1, "Same", false),
                stored(2, "Old name", false),
                stored(3, "Back before", true),
                stored(5, "Vanished", false),
                stored(6, "Long gone", true),
            ],
        );
        assert_eq!(plan.created, vec![remote(4, "Fresh")]);
        assert_eq!(plan.renamed, vec![remote(2, "New name")]);
        assert_eq!(plan.restored, vec![remote(3, "Back")]);
        assert_eq!(plan.deleted, vec![FilterId(5)]);
        assert_eq!(plan.unchanged, 1);
    }

    #[test]
    fn an_empty_listing_soft_deletes_everything_still_active() {
        let plan = reconcile(&[], &[stored(1, "A", false), stored(2, "B", true)]);
        assert_eq!(plan.deleted, vec![FilterId(1)]);
        assert!(plan.created.is_empty() && plan.restored.is_empty());
    }

    #[test]
    fn a_filter_listed_twice_is_created_once() {
        let plan = reconcile(&[remote(7, "First"), remote(7, "Second")], &[]);
        assert_eq!(plan.created, vec![remote(7, "Second")]);
    }
}
