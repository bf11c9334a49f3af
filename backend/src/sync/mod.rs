//! Sync jobs: the engine that copies a filter's persons into its Brevo list, and the runner
//! that owns the jobs' tasks. Nothing here knows about HTTP.

pub mod engine;
pub mod runner;
