//! Alerts to `ALERT_WEBHOOK_URL` (DESIGN §9): one per change of a filter's state, decided by
//! the state's atomic update in the database (so a restart does not alert again), then
//! queued for the delivery task, so that alerting never delays or fails a job.

mod deliver;
pub mod message;

use sqlx::SqlitePool;
use tokio::sync::mpsc;

pub use deliver::{AlertError, Delivery};
use message::{Alert, AlertJob, JobEnd, Links};

use crate::{
    config::AutomationSettings,
    db,
    domain::{
        sync_job::{JobCounts, SyncJob},
        time::UnixTime,
    },
    telemetry::error_chain,
};

/// Alerts waiting for delivery; past this, new ones are dropped with a log line (a receiver
/// that hangs for hours must not grow the queue without bound).
const QUEUE: usize = 1_000;

/// The service's alerting: cheap to clone, given to the runner, the scheduler and handlers.
#[derive(Clone)]
pub struct Alerts {
    pool: SqlitePool,
    links: Links,
    /// `None` without `ALERT_WEBHOOK_URL`: states are still kept, nothing is sent.
    queue: Option<mpsc::Sender<Alert>>,
    delivery: Option<Delivery>,
}

impl Alerts {
    /// The handle, and the queue's receiving end for [`Delivery::run`].
    pub fn new(
        pool: SqlitePool,
        settings: &AutomationSettings,
    ) -> (Self, Option<mpsc::Receiver<Alert>>) {
        let links = Links(
            settings
                .public_url
                .as_ref()
                .map(|url| url.as_str().trim_end_matches('/').to_owned()),
        );
        let delivery = settings.alert_webhook_url.clone().map(|url| {
            Delivery::new(
                url,
                settings.alert_timeout,
                settings.alert_retry_delays.clone(),
            )
        });
        let (queue, receiver) = match delivery {
            Some(_) => {
                let (tx, rx) = mpsc::channel(QUEUE);
                (Some(tx), Some(rx))
            }
            None => (None, None),
        };
        let alerts = Self {
            pool,
            links,
            queue,
            delivery,
        };
        (alerts, receiver)
    }

    /// Whether alerts are sent, and to which host (the URL itself is a secret).
    pub fn receiver_host(&self) -> Option<String> {
        self.delivery.as_ref().map(Delivery::host)
    }

    /// The delivery task's work, when alerts are configured.
    pub fn delivery(&self) -> Option<Delivery> {
        self.delivery.clone()
    }

    /// A sync (not a preview, not cancelled by a shutdown) ended: alerts when the filter's
    /// state changed. Never fails: a database error is logged and the alert skipped.
    pub async fn job_ended(&self, job: &SyncJob, end: JobEnd<'_>, counts: &JobCounts) {
        let changed = match end {
            JobEnd::Completed => db::alerts::mark_recovered(&self.pool, job.filter_id).await,
            JobEnd::Failed { .. } => db::alerts::mark_failing(&self.pool, job.filter_id).await,
        };
        match changed {
            Ok(Some(filter)) => {
                let job = AlertJob::new(job, end, counts, UnixTime::now());
                self.enqueue(Alert::job(&filter, job, end, &self.links));
            }
            Ok(None) => {}
            Err(err) => {
                tracing::warn!(error = %error_chain(&err), "could not record the filter's alert state")
            }
        }
    }

    /// Alerts for every healthy scheduled filter that became stale by `now`.
    pub async fn check_stale(&self, now: UnixTime) {
        match db::alerts::mark_stale(&self.pool, now).await {
            Ok(stale) => {
                for filter in stale {
                    tracing::warn!(filter_id = %filter.id, "a scheduled filter has had no completed sync for three intervals");
                    self.enqueue(Alert::stale(&filter, &self.links));
                }
            }
            Err(err) => {
                tracing::warn!(error = %error_chain(&err), "could not check for stale schedules")
            }
        }
    }

    /// `POST /api/alerts/test`: one attempt, answered with the receiver's reply.
    pub async fn send_test(&self) -> Result<(), AlertError> {
        let delivery = self.delivery.as_ref().ok_or(AlertError::NotConfigured)?;
        let alert = Alert::test(&self.links);
        let outcome = delivery.send(&alert).await;
        crate::metrics::record_alert(
            alert.event.as_str(),
            if outcome.is_ok() { "sent" } else { "dropped" },
        );
        outcome
    }

    fn enqueue(&self, alert: Alert) {
        let Some(queue) = &self.queue else { return };
        if let Err(err) = queue.try_send(alert) {
            let alert = match err {
                mpsc::error::TrySendError::Full(alert)
                | mpsc::error::TrySendError::Closed(alert) => alert,
            };
            tracing::warn!(
                event = alert.event.as_str(),
                "dropped an alert: the delivery queue is full"
            );
            crate::metrics::record_alert(alert.event.as_str(), "dropped");
        }
    }
}
