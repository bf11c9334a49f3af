//! Typed settings, read once at start-up from the environment (and a `.env` file).
//!
//! Variable names and defaults are those of DESIGN.md §2; tests build [`Settings`] in code.

use std::{path::PathBuf, time::Duration};

use secrecy::SecretString;
use url::Url;

use crate::domain::fields::PhoneRegion;

mod env;

/// Everything the service needs to run. Secrets are [`SecretString`]s, so `Debug` redacts them.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: the SQLite database; its file and folder are created when missing.
    pub database_url: String,
    /// `BIND_ADDR`: the listen address; port 0 picks a free port.
    pub bind_addr: String,
    /// `ADMIN_PASSWORD`: the operator's password; generated beside the database when unset.
    pub admin_password: Option<SecretString>,
    /// `SECURE_COOKIE`: mark the session cookie `Secure` (and name it `__Host-…`) when the
    /// service is reached over HTTPS, e.g. behind a TLS-terminating proxy.
    pub secure_cookie: bool,
    /// `STATIC_DIR`: the built dashboard, served at `/`.
    pub static_dir: PathBuf,
    /// `SANDBOX_MODE`: the upstream URLs point at the `upstream-sandbox` (set by
    /// `scripts/run.sh` when no credentials are given); reported by the health check so the
    /// dashboard can say it is not connected to real accounts.
    pub sandbox_mode: bool,
    /// `METRICS_TOKEN`: enables `GET /metrics`, which then needs `Authorization: Bearer …`.
    pub metrics_token: Option<SecretString>,
    pub pipedrive: PipedriveSettings,
    pub brevo: BrevoSettings,
    pub http: HttpClientSettings,
    pub retry: RetryPolicy,
    pub brevo_limits: BrevoLimits,
    pub sync: SyncSettings,
    /// `CHANGE_LOG_DAYS`: change-log rows of jobs older than this are pruned; 0 keeps them.
    pub change_log_days: u32,
    /// `FILTER_REFRESH_MINUTES`: how often the filters are refreshed from Pipedrive on their
    /// own; `None` (0): only on demand.
    pub filter_refresh: Option<Duration>,
    pub login_throttle: LoginThrottleSettings,
    pub automation: AutomationSettings,
}

/// What runs without an operator (DESIGN §9).
#[derive(Debug, Clone)]
pub struct AutomationSettings {
    /// `SCHEDULE_CONCURRENCY`: scheduled jobs running at once; 0 turns schedules off.
    pub schedule_concurrency: usize,
    /// `ALERT_WEBHOOK_URL`: where alerts are POSTed. A secret: Slack's and Teams' incoming
    /// webhook URLs carry their token.
    pub alert_webhook_url: Option<SecretUrl>,
    /// `PUBLIC_URL`: the dashboard's address as operators reach it, for links in alerts and
    /// the Pipedrive webhook's address.
    pub public_url: Option<Url>,
    /// `PIPEDRIVE_DAILY_TOKEN_BUDGET`: tokens per UTC day scheduled jobs may spend.
    pub pipedrive_daily_token_budget: Option<u64>,
    /// `PIPEDRIVE_WEBHOOKS`: register a Pipedrive person webhook at `PUBLIC_URL` (needs it).
    pub pipedrive_webhooks: bool,
    /// `WEBHOOK_DEBOUNCE_SECONDS`: how long after a person event the scheduled filters sync,
    /// so that a burst of events makes one sync.
    pub webhook_debounce: Duration,
    /// Each attempt to deliver an alert gets this long.
    pub alert_timeout: Duration,
    /// The pauses before an alert's retries; after the last, it is dropped with a log line.
    pub alert_retry_delays: Vec<Duration>,
}

impl Default for AutomationSettings {
    fn default() -> Self {
        Self {
            schedule_concurrency: 2,
            alert_webhook_url: None,
            public_url: None,
            pipedrive_daily_token_budget: None,
            pipedrive_webhooks: false,
            webhook_debounce: Duration::from_secs(60),
            alert_timeout: Duration::from_secs(10),
            // Three retries within about 20 s.
            alert_retry_delays: [1, 4, 15].map(Duration::from_secs).to_vec(),
        }
    }
}

/// A URL that is a credential: `Debug` shows its host only.
#[derive(Clone)]
pub struct SecretUrl(pub Url);

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SecretUrl({}://{}/…)",
            self.0.scheme(),
            self.0.host_str().unwrap_or("")
        )
    }
}

#[derive(Debug, Clone)]
pub struct PipedriveSettings {
    /// `PIPEDRIVE_API_TOKEN`, sent as the `x-api-token` header.
    pub api_token: Option<SecretString>,
    /// `PIPEDRIVE_BASE_URL`: an origin without path; the client appends `/api/v1/…`, `/api/v2/…`.
    pub base_url: Url,
}

#[derive(Debug, Clone)]
pub struct BrevoSettings {
    /// `BREVO_API_KEY`, sent as the `api-key` header.
    pub api_key: Option<SecretString>,
    /// `BREVO_BASE_URL`: an origin without path; the client appends `/v3/…`.
    pub base_url: Url,
}

/// Timeouts for every upstream request: reqwest has none by default.
#[derive(Debug, Clone)]
pub struct HttpClientSettings {
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of a response.
    pub read_timeout: Duration,
    /// Longest time for a whole request, body included.
    pub request_timeout: Duration,
}

/// How sync jobs batch, poll and give up.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// `BREVO_FOLDER_ID`: folder for new lists; when unset, the folder named
    /// `brevo_folder_name` is used (created if missing).
    pub brevo_folder_id: Option<i64>,
    pub brevo_folder_name: String,
    /// Import bodies stay under this size (Brevo takes 10 MB and recommends 8 MB).
    pub import_max_bytes: usize,
    /// Contacts in the first import of a job; each later one may hold twice as many.
    pub first_import_contacts: usize,
    /// First and longest pause between polls of an import process.
    pub process_poll_initial: Duration,
    pub process_poll_max: Duration,
    /// The first pause before polling the job's last import, which alone keeps the job from
    /// ending; later pauses double from it as for the others.
    pub last_import_first_poll: Duration,
    /// A job still running after this long fails.
    pub job_timeout: Duration,
    /// On shutdown, how long running jobs get to record that they were cancelled.
    pub shutdown_grace: Duration,
    /// `REMOVAL_BRAKE_MIN` and `REMOVAL_BRAKE_PERCENT`: a mirror sync that would remove more
    /// than this many members *and* more than this share of the list removes none.
    pub removal_brake_min: usize,
    pub removal_brake_percent: u32,
    /// `DEFAULT_PHONE_REGION`: the country of phone numbers written without a country code;
    /// unset, only numbers with one reach Brevo.
    pub phone_region: Option<PhoneRegion>,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            brevo_folder_id: None,
            brevo_folder_name: "Pipedrive".into(),
            import_max_bytes: 7_500_000,
            first_import_contacts: 5_000,
            process_poll_initial: Duration::from_millis(500),
            process_poll_max: Duration::from_secs(30),
            last_import_first_poll: Duration::from_millis(250),
            job_timeout: Duration::from_secs(6 * 3600),
            shutdown_grace: Duration::from_secs(10),
            removal_brake_min: 20,
            removal_brake_percent: 10,
            phone_region: None,
        }
    }
}

/// How persistent every upstream call is.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// The first backoff step; each further one doubles, up to `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest rate-limit pause the client accepts; a server asking for more makes the
    /// request fail at once with "rate limited until …" instead of sleeping for hours.
    pub max_rate_limit_wait: Duration,
    /// How long one request may go on failing — its attempts and the pauses between them,
    /// not the rate-limit pauses — before it fails: a hung upstream ends a job within this,
    /// not after every attempt's read timeout (8 × 30 s). An attempt gets at most what is
    /// left of it.
    pub give_up_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_rate_limit_wait: Duration::from_secs(120),
            give_up_after: Duration::from_secs(120),
        }
    }
}

/// Brevo's documented limits (General plan): 10 requests/s under `/v3/contacts`, and 100
/// requests/hour for every other endpoint, process polling included.
#[derive(Debug, Clone)]
pub struct BrevoLimits {
    pub contacts_per_second: usize,
    pub others_per_hour: usize,
}

impl Default for BrevoLimits {
    fn default() -> Self {
        Self {
            contacts_per_second: 10,
            others_per_hour: 100,
        }
    }
}

/// Failed sign-ins allowed within `window`, per client address and in total.
#[derive(Debug, Clone)]
pub struct LoginThrottleSettings {
    pub max_failures_per_client: usize,
    pub max_failures_total: usize,
    pub window: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var} is not valid: {reason}")]
    Invalid { var: &'static str, reason: String },
}

impl Default for HttpClientSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(120),
        }
    }
}

impl Default for LoginThrottleSettings {
    fn default() -> Self {
        Self {
            max_failures_per_client: 10,
            max_failures_total: 50,
            window: Duration::from_secs(15 * 60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_debug_output_redacts_secrets() {
        let settings = Settings {
            database_url: "sqlite::memory:".into(),
            bind_addr: "127.0.0.1:0".into(),
            admin_password: Some("hunter2-password".to_string().into()),
            secure_cookie: false,
            static_dir: "frontend/dist".into(),
            sandbox_mode: false,
            metrics_token: Some("metrics-bearer-token".to_string().into()),
            pipedrive: PipedriveSettings {
                api_token: Some("pd-token-value".to_string().into()),
                base_url: Url::parse("https://api.pipedrive.com").unwrap(),
            },
            brevo: BrevoSettings {
                api_key: Some("xkeysib-secret".to_string().into()),
                base_url: Url::parse("https://api.brevo.com").unwrap(),
            },
            http: HttpClientSettings::default(),
            retry: RetryPolicy::default(),
            brevo_limits: BrevoLimits::default(),
            sync: SyncSettings::default(),
            change_log_days: 90,
            filter_refresh: Some(Duration::from_secs(3600)),
            login_throttle: LoginThrottleSettings::default(),
            automation: AutomationSettings {
                alert_webhook_url: Some(SecretUrl(
                    Url::parse("https://hooks.slack.com/services/T0/B0/slack-secret-path").unwrap(),
                )),
                ..AutomationSettings::default()
            },
        };
        let debug = format!("{settings:?}");
        for secret in [
            "hunter2-password",
            "pd-token-value",
            "xkeysib-secret",
            "metrics-bearer-token",
            "slack-secret-path",
        ] {
            assert!(!debug.contains(secret), "{secret} leaked into {debug}");
        }
    }
}
