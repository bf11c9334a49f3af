//! Start-up configuration of a sandbox.

use std::net::SocketAddr;
use std::time::Duration;

/// Everything a [`crate::Sandbox`] needs to start. Every field is public so a
/// test can override just what it cares about:
///
/// ```
/// let config = upstream_sandbox::SandboxConfig {
///     enforce_rate_limits: true,
///     ..Default::default()
/// };
/// # let _ = config;
/// ```
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free port (see [`crate::Sandbox::port`]).
    pub bind: SocketAddr,
    /// Value the `x-api-token` header must carry on Pipedrive routes.
    pub pipedrive_token: String,
    /// Value the `api-key` header must carry on Brevo routes.
    pub brevo_key: String,
    /// Time from an upstream request's arrival to its answer, the sandbox's own work included
    /// (control routes excluded): a fixed round trip, as a real server's latency.
    pub latency: Duration,
    /// When false the rate-limit headers are still computed and sent, but no
    /// request is ever refused with 429.
    pub enforce_rate_limits: bool,
    /// Pipedrive burst limit: requests per rolling 2-second window (Growth plan
    /// with an API token: 40).
    pub pipedrive_requests_per_2s: u32,
    /// Brevo limit for every path under `/v3/contacts` (general tier: 10 RPS).
    pub brevo_contacts_requests_per_second: u32,
    /// Brevo limit for every other path, e.g. `/v3/processes` (general tier: 100 RPH).
    pub brevo_other_requests_per_hour: u32,
    /// How long an accepted import takes to complete. The process reports
    /// `queued` for the first half and `in_process` for the second half.
    pub import_delay: Duration,
    /// Name of the Brevo attribute holding the first name (accounts differ:
    /// FIRSTNAME, FNAME, FIRST_NAME...).
    pub brevo_first_name_attribute: String,
    /// Name of the Brevo attribute holding the last name.
    pub brevo_last_name_attribute: String,
    /// Seed the demo filters, the default Brevo folder and a blocklisted
    /// contact (see [`crate::demo`]).
    pub seed_demo: bool,
    /// Pauses before the retries of a failed webhook delivery, each counted
    /// from the previous attempt's failure. Pipedrive retries 3 times: after
    /// 3, 30 and 150 seconds; tests shorten them to milliseconds.
    pub webhook_retry_delays: Vec<Duration>,
    /// How long a webhook receiver may take to answer before the attempt
    /// counts as failed (Pipedrive: 10 s).
    pub webhook_timeout: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            pipedrive_token: "sandbox-pipedrive-token".to_owned(),
            brevo_key: "sandbox-brevo-key".to_owned(),
            latency: Duration::ZERO,
            enforce_rate_limits: false,
            pipedrive_requests_per_2s: 40,
            brevo_contacts_requests_per_second: 10,
            brevo_other_requests_per_hour: 100,
            import_delay: Duration::from_millis(200),
            brevo_first_name_attribute: "FIRSTNAME".to_owned(),
            brevo_last_name_attribute: "LASTNAME".to_owned(),
            seed_demo: false,
            webhook_retry_delays: [3, 30, 150].map(Duration::from_secs).to_vec(),
            webhook_timeout: Duration::from_secs(10),
        }
    }
}
