//! Sign-in: the operator's password, sessions persisted in SQLite, login throttling and the
//! cross-origin guard.

pub mod origin;
pub mod password;
pub mod secrets;
pub mod session;
pub mod session_store;
pub mod throttle;

/// The single operator's `user.id`.
pub const OPERATOR_USER_ID: &str = "admin";
