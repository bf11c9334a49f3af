//! The service's vocabulary, free of HTTP and SQL.

pub mod contact;
pub mod filter;
pub mod sync_job;
pub mod time;
