//! A stateful fake of the Pipedrive and Brevo APIs, served by one HTTP server
//! on one port, for the sync service's tests, benchmarks and demos.
//!
//! Shapes, status codes and limits follow the official specs and the facts in
//! `shared/upstream/README.md`; behaviour the specs leave open is documented
//! where it is chosen. See `README.md` beside this crate for the routes and
//! the `/__sandbox/` control API of the standalone binary.
//!
//! Pipedrive webhooks registered with `POST /v1/webhooks` are sent v2 person
//! events (`create`, `change`, `delete`) when persons change through
//! [`PipedriveState`] or the control API, with Basic auth, a timeout and
//! Pipedrive's retries ([`SandboxConfig::webhook_retry_delays`]); every attempt
//! is in [`PipedriveState::webhook_deliveries`].
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! use upstream_sandbox::{Api, Fault, Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! sandbox.pipedrive().add_generated_filter(1, "Newsletter", 1_200);
//! sandbox.script(Api::Brevo, "/v3/contacts/import", Fault::Hang);
//! // ... run the client against sandbox.base_url() ...
//! assert!(sandbox.brevo().lists().is_empty());
//! sandbox.stop().await;
//! # Ok(())
//! # }
//! ```

mod api;
mod app;
mod clock;
mod config;
mod control;
pub mod demo;
mod faults;
pub mod person_fields;
mod pipeline;
mod rate_limit;
mod request_log;
mod responses;
mod routes;
mod sandbox;
mod state;

pub use api::Api;
pub use config::SandboxConfig;
pub use faults::Fault;
pub use request_log::{RecordedRequest, RequestCounts};
pub use routes::IMPORT_BODY_LIMIT_BYTES;
pub use sandbox::Sandbox;
pub use state::brevo::{
    BrevoState, Contact, FolderInfo, ImportRecord, ListInfo, ProcessInfo, ProcessStatus,
};
pub use state::generator::GeneratedPersons;
pub use state::person::{LabeledValue, Person};
pub use state::pipedrive::{
    FieldError, FilterSummary, PersonEdit, PipedriveState, ShiftError, Webhook, WebhookDelivery,
    MAX_WEBHOOKS_PER_USER,
};
