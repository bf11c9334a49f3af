//! A sync job: one run of a filter → Brevo list sync, recorded with its outcome.

use std::{fmt, str::FromStr};

use super::{filter::FilterId, time::UnixTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SyncJobId(pub i64);

impl fmt::Display for SyncJobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The `sync_jobs.status` values (a CHECK constraint holds the database to the same set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobStatus {
    Processing,
    Completed,
    Failed,
}

impl JobStatus {
    pub const ALL: [JobStatus; 3] = [Self::Processing, Self::Completed, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Processing => "processing",
            Self::Completed => "completed",
            Self::Failed => "failed",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown job status {0:?}: expected processing, completed or failed")]
pub struct UnknownJobStatus(pub String);

impl FromStr for JobStatus {
    type Err = UnknownJobStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownJobStatus(s.to_owned()))
    }
}

/// What started a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    Manual,
    Schedule,
    Webhook,
}

impl Trigger {
    pub const ALL: [Trigger; 3] = [Self::Manual, Self::Schedule, Self::Webhook];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Schedule => "schedule",
            Self::Webhook => "webhook",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown trigger {0:?}: expected manual, schedule or webhook")]
pub struct UnknownTrigger(pub String);

impl FromStr for Trigger {
    type Err = UnknownTrigger;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|trigger| trigger.as_str() == s)
            .ok_or_else(|| UnknownTrigger(s.to_owned()))
    }
}

/// How a job is to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JobOptions {
    /// Derive and record the changes, write nothing to Brevo.
    pub dry_run: bool,
    /// Remove members even past the removal brake.
    pub allow_mass_removal: bool,
}

/// What a job did, per kind of change. `fetched` persons are each `added`, `updated`,
/// `unchanged` or `skipped`; `removed`, `held` and the skipped members that left the filter
/// are list members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JobCounts {
    pub fetched: i64,
    pub added: i64,
    pub updated: i64,
    pub removed: i64,
    pub skipped: i64,
    pub held: i64,
    pub unchanged: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncJob {
    pub id: SyncJobId,
    pub filter_id: FilterId,
    pub status: JobStatus,
    pub created_at: UnixTime,
    pub completed_at: Option<UnixTime>,
    pub dry_run: bool,
    pub trigger: Trigger,
    pub counts: JobCounts,
    pub error_message: Option<String>,
    /// What the operator should know about a job that went on despite it (the saved
    /// field-mapping entries it synced without).
    pub notice: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in JobStatus::ALL {
            assert_eq!(status.as_str().parse::<JobStatus>().unwrap(), status);
        }
        assert!("running".parse::<JobStatus>().is_err());
    }
}
