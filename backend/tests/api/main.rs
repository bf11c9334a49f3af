//! The service's integration tests: one binary, the real application on port 0 with its own
//! SQLite file, the upstream sandbox in-process, and a cookie-keeping HTTP client.

mod alerts;
mod auth;
mod bad_input;
mod checklist_routes;
mod checklist_sessions;
mod checklist_upstream;
mod field_listings;
mod field_mapping;
mod filters;
mod health;
mod helpers;
mod mirror;
mod observability;
mod openapi;
mod properties;
mod scheduler;
mod schema;
mod sync;
mod sync_jobs;
mod usage;
mod webhooks;
