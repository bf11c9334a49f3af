//! Prometheus metrics: one process-wide registry, fed by the upstream request loop (every
//! response or transport error, Pipedrive's token cost), the job runner (every job's end), the
//! record stage (every change-log transaction), the scheduler and the alert sender — and
//! rendered by `GET /metrics` (enabled by `METRICS_TOKEN`).

use std::sync::{atomic::AtomicU64, LazyLock};

use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};
use reqwest::StatusCode;

use crate::domain::sync_job::JobStatus;

/// The `api` label values: the upstream clients pass theirs (see `upstream::Api::label`).
const UPSTREAM_APIS: [&str; 2] = ["pipedrive", "brevo"];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UpstreamLabels {
    api: &'static str,
    /// The HTTP status, or `error` when no answer came (connection, timeout).
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ApiLabel {
    api: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AlertLabels {
    event: &'static str,
    /// `sent`, or `dropped` after the last retry.
    outcome: &'static str,
}

struct Metrics {
    registry: Registry,
    upstream_requests: Family<UpstreamLabels, Counter>,
    upstream_rate_limited: Family<ApiLabel, Counter>,
    jobs_started: Counter,
    jobs_running: Gauge,
    jobs_finished: Family<StatusLabel, Counter>,
    job_duration: Family<StatusLabel, Histogram>,
    contacts_fetched: Counter,
    contacts_added: Counter,
    change_rows: Counter,
    change_write_seconds: Counter<f64, AtomicU64>,
    scheduled_jobs_started: Counter,
    scheduler_tick: Histogram,
    alerts: Family<AlertLabels, Counter>,
    pipedrive_tokens: Counter,
}

/// Job durations: from seconds (small filters) to the 6-hour job timeout.
const JOB_DURATION_BUCKETS: [f64; 10] = [
    0.5, 1.0, 2.5, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 21600.0,
];

/// Scheduler ticks: the due-filter query alone takes well under a millisecond.
const SCHEDULER_TICK_BUCKETS: [f64; 8] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1.0];

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("pbs");
    let upstream_requests = Family::<UpstreamLabels, Counter>::default();
    registry.register(
        "upstream_requests",
        "Upstream HTTP attempts by API and answer status (`error`: no answer)",
        upstream_requests.clone(),
    );
    let upstream_rate_limited = Family::<ApiLabel, Counter>::default();
    registry.register(
        "upstream_rate_limited",
        "Upstream answers with HTTP 429, by API",
        upstream_rate_limited.clone(),
    );
    let jobs_started = Counter::default();
    registry.register(
        "sync_jobs_started",
        "Sync jobs started by this process",
        jobs_started.clone(),
    );
    let jobs_running = Gauge::default();
    registry.register(
        "sync_jobs_running",
        "Sync jobs running now",
        jobs_running.clone(),
    );
    let jobs_finished = Family::<StatusLabel, Counter>::default();
    registry.register(
        "sync_jobs_finished",
        "Sync jobs ended by this process, by final status",
        jobs_finished.clone(),
    );
    let job_duration = Family::<StatusLabel, Histogram>::new_with_constructor(|| {
        Histogram::new(JOB_DURATION_BUCKETS)
    });
    registry.register(
        "sync_job_duration_seconds",
        "Wall-clock duration of sync jobs, by final status",
        job_duration.clone(),
    );
    let contacts_fetched = Counter::default();
    registry.register(
        "sync_contacts_fetched",
        "Persons fetched from Pipedrive by ended sync jobs",
        contacts_fetched.clone(),
    );
    let contacts_added = Counter::default();
    registry.register(
        "sync_contacts_added",
        "Contacts added to Brevo lists by ended sync jobs",
        contacts_added.clone(),
    );
    let change_rows = Counter::default();
    registry.register(
        "change_log_rows",
        "Change-log rows written by sync jobs",
        change_rows.clone(),
    );
    let change_write_seconds = Counter::<f64, AtomicU64>::default();
    registry.register(
        "change_log_write_seconds",
        "Time spent in change-log transactions (the rows and the job's progress), from the \
         write lock taken to the commit",
        change_write_seconds.clone(),
    );
    let scheduled_jobs_started = Counter::default();
    registry.register(
        "scheduled_jobs_started",
        "Sync jobs started by the scheduler (schedules and webhooks)",
        scheduled_jobs_started.clone(),
    );
    let scheduler_tick = Histogram::new(SCHEDULER_TICK_BUCKETS);
    registry.register(
        "scheduler_tick_seconds",
        "Time one scheduler tick took: reading the due filters and starting them",
        scheduler_tick.clone(),
    );
    let alerts = Family::<AlertLabels, Counter>::default();
    registry.register(
        "alerts",
        "Alerts to ALERT_WEBHOOK_URL, by event and outcome (sent, dropped)",
        alerts.clone(),
    );
    let pipedrive_tokens = Counter::default();
    registry.register(
        "pipedrive_tokens",
        "Pipedrive API tokens spent, at each call's documented cost",
        pipedrive_tokens.clone(),
    );
    // Series that exist from the start, at zero, so that rates and alerts work before the
    // first 429 or the first failed job.
    for api in UPSTREAM_APIS {
        let _ = upstream_rate_limited.get_or_create(&ApiLabel { api });
    }
    for status in [JobStatus::Completed, JobStatus::Failed] {
        let label = StatusLabel {
            status: status.as_str(),
        };
        let _ = jobs_finished.get_or_create(&label);
        let _ = job_duration.get_or_create(&label);
    }
    Metrics {
        registry,
        upstream_requests,
        upstream_rate_limited,
        jobs_started,
        jobs_running,
        jobs_finished,
        job_duration,
        contacts_fetched,
        contacts_added,
        change_rows,
        change_write_seconds,
        scheduled_jobs_started,
        scheduler_tick,
        alerts,
        pipedrive_tokens,
    }
});

/// One upstream attempt ended: with an answer's status, or without an answer (`None`).
pub fn record_upstream(api: &'static str, status: Option<StatusCode>) {
    let metrics = &*METRICS;
    let status_label = status.map_or_else(|| "error".to_owned(), |s| s.as_u16().to_string());
    metrics
        .upstream_requests
        .get_or_create(&UpstreamLabels {
            api,
            status: status_label,
        })
        .inc();
    if status == Some(StatusCode::TOO_MANY_REQUESTS) {
        metrics
            .upstream_rate_limited
            .get_or_create(&ApiLabel { api })
            .inc();
    }
}

/// A job's task started.
pub fn record_job_started() {
    METRICS.jobs_started.inc();
    METRICS.jobs_running.inc();
}

/// A job's task ended with `status`, after `seconds`, having fetched and added these counts.
pub fn record_job_end(status: JobStatus, seconds: f64, fetched: i64, added: i64) {
    let metrics = &*METRICS;
    let label = StatusLabel {
        status: status.as_str(),
    };
    metrics.jobs_running.dec();
    metrics.jobs_finished.get_or_create(&label).inc();
    metrics.job_duration.get_or_create(&label).observe(seconds);
    metrics
        .contacts_fetched
        .inc_by(u64::try_from(fetched).unwrap_or(0));
    metrics
        .contacts_added
        .inc_by(u64::try_from(added).unwrap_or(0));
}

/// The scheduler started a job.
pub fn record_scheduled_start() {
    METRICS.scheduled_jobs_started.inc();
}

/// A scheduler tick took `seconds`.
pub fn record_scheduler_tick(seconds: f64) {
    METRICS.scheduler_tick.observe(seconds);
}

/// An alert was delivered (`sent`) or given up on (`dropped`).
pub fn record_alert(event: &'static str, outcome: &'static str) {
    METRICS
        .alerts
        .get_or_create(&AlertLabels { event, outcome })
        .inc();
}

/// A Pipedrive call was answered, costing `tokens`.
pub fn record_pipedrive_tokens(tokens: u64) {
    METRICS.pipedrive_tokens.inc_by(tokens);
}

/// A change-log transaction committed `rows` rows in `seconds`.
pub fn record_change_log_write(rows: usize, seconds: f64) {
    let metrics = &*METRICS;
    metrics.change_rows.inc_by(rows as u64);
    metrics.change_write_seconds.inc_by(seconds);
}

/// The OpenMetrics text exposition (Prometheus scrapes it as is).
pub fn render() -> String {
    let mut out = String::new();
    encode(&mut out, &METRICS.registry).expect("writing to a String cannot fail");
    out
}

/// The content type of [`render`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_values_appear_in_the_exposition() {
        record_upstream("brevo", Some(StatusCode::TOO_MANY_REQUESTS));
        record_upstream("pipedrive", None);
        record_job_started();
        record_job_end(JobStatus::Completed, 1.5, 10, 4);
        record_change_log_write(10_000, 0.05);
        record_scheduled_start();
        record_scheduler_tick(0.0003);
        record_alert("sync_failed", "sent");
        record_pipedrive_tokens(20);
        let text = render();
        for expected in [
            r#"pbs_upstream_requests_total{api="brevo",status="429"}"#,
            r#"pbs_upstream_requests_total{api="pipedrive",status="error"}"#,
            r#"pbs_upstream_rate_limited_total{api="brevo"}"#,
            r#"pbs_sync_jobs_finished_total{status="completed"}"#,
            r#"pbs_sync_job_duration_seconds_bucket{le="2.5",status="completed"}"#,
            "pbs_sync_contacts_fetched_total",
            "pbs_sync_contacts_added_total",
            "pbs_sync_jobs_running",
            "pbs_change_log_rows_total",
            "pbs_change_log_write_seconds_total",
            "pbs_scheduled_jobs_started_total",
            r#"pbs_scheduler_tick_seconds_bucket{le="0.0005"}"#,
            r#"pbs_alerts_total{event="sync_failed",outcome="sent"}"#,
            "pbs_pipedrive_tokens_total",
            "# EOF",
        ] {
            assert!(text.contains(expected), "{expected} missing from\n{text}");
        }
    }
}
