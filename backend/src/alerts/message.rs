//! The alert document of DESIGN §9: `{"text","event","filter":{"id","name"},"job"}`. `text`
//! is one line, which is what Slack, Mattermost and Teams incoming webhooks show.

use serde::Serialize;

use crate::{
    db::alerts::AlertedFilter,
    domain::{
        sync_job::{JobCounts, SyncJob},
        time::UnixTime,
    },
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertEvent {
    SyncFailed,
    RemovalBrake,
    SyncRecovered,
    ScheduleStale,
    Test,
}

impl AlertEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SyncFailed => "sync_failed",
            Self::RemovalBrake => "removal_brake",
            Self::SyncRecovered => "sync_recovered",
            Self::ScheduleStale => "schedule_stale",
            Self::Test => "test",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub text: String,
    pub event: AlertEvent,
    pub filter: Option<AlertFilter>,
    pub job: Option<AlertJob>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlertFilter {
    pub id: i64,
    pub name: String,
    /// The filter's page in the dashboard, with `PUBLIC_URL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The job an alert is about, as it ended.
#[derive(Debug, Clone, Serialize)]
pub struct AlertJob {
    pub id: i64,
    pub status: &'static str,
    pub trigger: &'static str,
    pub created_at: String,
    pub completed_at: String,
    pub error_message: Option<String>,
    pub total_added: i64,
    pub total_updated: i64,
    pub total_removed: i64,
    pub total_held: i64,
}

/// How a job ended, for its alert.
#[derive(Debug, Clone, Copy)]
pub enum JobEnd<'a> {
    Completed,
    Failed { message: &'a str, brake: bool },
}

impl AlertJob {
    pub fn new(job: &SyncJob, end: JobEnd<'_>, counts: &JobCounts, at: UnixTime) -> Self {
        let (status, error_message) = match end {
            JobEnd::Completed => ("completed", None),
            JobEnd::Failed { message, .. } => ("failed", Some(message.to_owned())),
        };
        Self {
            id: job.id.0,
            status,
            trigger: job.trigger.as_str(),
            created_at: job.created_at.to_rfc3339(),
            completed_at: at.to_rfc3339(),
            error_message,
            total_added: counts.added,
            total_updated: counts.updated,
            total_removed: counts.removed,
            total_held: counts.held,
        }
    }
}

/// Where links in alerts point: `PUBLIC_URL`, without a trailing slash.
#[derive(Debug, Clone, Default)]
pub struct Links(pub Option<String>);

impl Links {
    fn filter(&self, id: i64) -> Option<String> {
        self.0.as_ref().map(|base| format!("{base}/filters/{id}"))
    }

    fn suffix(&self, id: i64) -> String {
        self.filter(id)
            .map(|url| format!(" {url}"))
            .unwrap_or_default()
    }
}

impl Alert {
    /// A job's end that changed the filter's state.
    pub fn job(filter: &AlertedFilter, job: AlertJob, end: JobEnd<'_>, links: &Links) -> Self {
        let name = &filter.name;
        let (event, text) = match end {
            JobEnd::Failed { brake: true, .. } => (
                AlertEvent::RemovalBrake,
                format!(
                    "Sync of “{name}” held back {} removals (removal brake): check the filter, then confirm the removals in the dashboard.",
                    job.total_held
                ),
            ),
            JobEnd::Failed { message, .. } => (
                AlertEvent::SyncFailed,
                format!("Sync of “{name}” failed: {}", one_line(message)),
            ),
            JobEnd::Completed => (
                AlertEvent::SyncRecovered,
                format!(
                    "Sync of “{name}” completed again: +{} added, ~{} updated, −{} removed.",
                    job.total_added, job.total_updated, job.total_removed
                ),
            ),
        };
        Self {
            text: one_line(&(text + &links.suffix(filter.id.0))),
            event,
            filter: Some(Self::filter(filter, links)),
            job: Some(job),
        }
    }

    /// A scheduled filter without a completed sync for three intervals.
    pub fn stale(filter: &AlertedFilter, links: &Links) -> Self {
        let every = filter
            .schedule_minutes
            .map_or_else(String::new, |m| format!(" (scheduled every {m} min)"));
        let last = filter
            .last_completed_at
            .map_or_else(|| "never".to_owned(), UnixTime::to_rfc3339);
        Self {
            text: one_line(&format!(
                "“{}” has had no completed sync for three intervals{every}; last completed: {last}.{}",
                filter.name,
                links.suffix(filter.id.0)
            )),
            event: AlertEvent::ScheduleStale,
            filter: Some(Self::filter(filter, links)),
            job: None,
        }
    }

    pub fn test(links: &Links) -> Self {
        let from = links
            .0
            .as_deref()
            .map(|url| format!(" at {url}"))
            .unwrap_or_default();
        Self {
            text: format!(
                "Test alert from Pipedrive → Brevo Sync{from}: alerts reach this channel."
            ),
            event: AlertEvent::Test,
            filter: None,
            job: None,
        }
    }

    fn filter(filter: &AlertedFilter, links: &Links) -> AlertFilter {
        AlertFilter {
            id: filter.id.0,
            name: filter.name.clone(),
            url: links.filter(filter.id.0),
        }
    }
}

/// Filter names and upstream messages may hold line breaks; a chat shows one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
