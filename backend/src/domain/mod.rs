//! The service's vocabulary, free of HTTP and SQL.

pub mod change;
pub mod contact;
pub mod fields;
pub mod filter;
pub mod filter_overview;
pub mod mapping;
pub mod sync_job;
pub mod time;
