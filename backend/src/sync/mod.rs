//! Sync jobs: the engine that mirrors a filter's persons into its Brevo list, its stages,
//! and the runner that owns the jobs' tasks. Nothing here knows about HTTP.

mod apply;
mod diff;
pub mod engine;
pub mod field_mapping;
mod job;
mod members;
mod read;
pub mod record;
pub mod runner;
pub mod scheduler;

pub use job::{SyncDeps, SyncError};
