//! A filter as the dashboard lists it: with its newest job. A read model, joining the two
//! entities without making either depend on the other.

use super::{filter::Filter, sync_job::SyncJob};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterOverview {
    pub filter: Filter,
    /// The filter's newest sync job, if it ever ran.
    pub last_job: Option<SyncJob>,
}
