//! Pipedrive → Brevo Sync: mirrors Pipedrive person filters into Brevo contact lists.

/// Alerts to ALERT_WEBHOOK_URL when a filter's state changes.
pub mod alerts;
/// What the handlers share.
pub mod app_state;
/// Sign-in, sessions, throttling and the cross-origin guard.
pub mod auth;
/// The periodic work beside the jobs: maintenance, the filter refresh.
pub mod background;
/// The `backup` subcommand.
pub mod backup;
/// Typed settings from the environment.
pub mod config;
/// All SQL.
pub mod db;
/// The vocabulary, free of HTTP and SQL.
pub mod domain;
/// The HTTP error type and its problem+json rendering.
pub mod error;
/// Prometheus metrics.
pub mod metrics;
/// The OpenAPI document.
pub mod openapi;
/// Rendered list bodies, reused until the database changes.
pub mod read_cache;
/// Filter refresh from Pipedrive.
pub mod refresh;
/// HTTP handlers.
pub mod routes;
/// Application assembly.
pub mod startup;
/// The sync engine, the runner of its jobs and the scheduler.
pub mod sync;
/// Logging set-up.
pub mod telemetry;
/// Pipedrive and Brevo clients.
pub mod upstream;
/// Upstream usage per day and the Pipedrive budget.
pub mod usage;
/// The Pipedrive webhook: registration and deliveries.
pub mod webhooks;
