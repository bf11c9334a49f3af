//! The sandbox's data: what each fake API currently holds.

pub mod brevo;
pub mod generator;
pub mod person;
pub mod pipedrive;

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks shared state, ignoring poisoning: a panicking test request must not
/// make every later request of the same sandbox fail.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
