//! What every handler can reach: the shared services, built once at start-up.

use std::sync::Arc;

use sqlx::SqlitePool;

use crate::{
    alerts::Alerts,
    auth::{password::AdminPassword, throttle::LoginThrottle},
    db::change_reader::ChangeReader,
    domain::fields::PhoneRegion,
    read_cache::ReadCache,
    sync::runner::JobRunner,
    upstream::{brevo::BrevoClient, pipedrive::PipedriveClient},
    usage::Usage,
    webhooks::Inbox,
};

/// What every handler can reach.
pub struct AppState {
    pub pool: SqlitePool,
    pub pipedrive: Arc<PipedriveClient>,
    pub brevo: Arc<BrevoClient>,
    pub runner: JobRunner,
    pub password: AdminPassword,
    pub throttle: LoginThrottle,
    /// The dashboard's lists (filters, jobs).
    pub read_cache: ReadCache,
    /// Pages of change logs: kept apart, so that paging through a log does not push the
    /// lists out.
    pub change_pages: ReadCache,
    pub change_reader: ChangeReader,
    /// Rendered once: the document never changes while the process runs.
    pub openapi_json: String,
    /// `SANDBOX_MODE`, reported by the health check.
    pub sandbox_mode: bool,
    /// `DEFAULT_PHONE_REGION`, for a mapping's preview.
    pub phone_region: Option<PhoneRegion>,
    /// `METRICS_TOKEN`: `GET /metrics` is served only when it is set.
    pub metrics_token: Option<secrecy::SecretString>,
    pub alerts: Alerts,
    pub usage: Usage,
    /// With `PIPEDRIVE_WEBHOOKS`: checks and takes the webhook's deliveries.
    pub webhooks: Option<Inbox>,
}
