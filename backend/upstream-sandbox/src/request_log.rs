//! Every upstream request the sandbox received, for assertions and summaries.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::api::Api;
use crate::state::lock;

/// Oldest entries are dropped past this, so a long-running demo server stays
/// bounded; the per-API counters keep counting.
const MAX_ENTRIES: usize = 100_000;

/// One upstream request (control routes are not recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Position in the log: 0 for the first request since start or reset.
    pub seq: u64,
    pub api: Api,
    pub method: String,
    pub path: String,
    /// Raw query string, without `?`.
    pub query: String,
    /// Status sent; `None` while unanswered (e.g. under [`crate::Fault::Hang`]).
    pub status: Option<u16>,
    pub received_at: Instant,
    pub received_at_wall: SystemTime,
    /// When the answer's head was sent; `None` while unanswered.
    pub answered_at: Option<Instant>,
}

impl RecordedRequest {
    /// The arrival, in milliseconds since the Unix epoch, to line requests up with a
    /// client's own clock (the benchmarks' timelines).
    pub fn received_ms(&self) -> f64 {
        let since_epoch = self.received_at_wall.duration_since(UNIX_EPOCH);
        since_epoch.unwrap_or_default().as_secs_f64() * 1000.0
    }

    /// When the answer's head was sent, on the same clock as [`Self::received_ms`].
    pub fn answered_ms(&self) -> Option<f64> {
        let took = self.answered_at?.duration_since(self.received_at);
        Some(self.received_ms() + took.as_secs_f64() * 1000.0)
    }
}

/// Requests and 429 answers per API, never truncated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestCounts {
    pub requests: u64,
    pub rate_limited: u64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct RequestLog {
    inner: Arc<Mutex<Log>>,
}

#[derive(Debug, Default)]
struct Log {
    entries: VecDeque<RecordedRequest>,
    /// Sequence number of `entries[0]`.
    first_seq: u64,
    pipedrive: RequestCounts,
    brevo: RequestCounts,
}

impl Log {
    fn counts(&mut self, api: Api) -> &mut RequestCounts {
        match api {
            Api::Pipedrive => &mut self.pipedrive,
            Api::Brevo => &mut self.brevo,
        }
    }
}

impl RequestLog {
    /// Records an arriving request; returns its sequence number for [`Self::finish`].
    pub fn begin(&self, api: Api, method: &str, path: &str, query: &str) -> u64 {
        let mut log = lock(&self.inner);
        log.counts(api).requests += 1;
        if log.entries.len() == MAX_ENTRIES {
            log.entries.pop_front();
            log.first_seq += 1;
        }
        let seq = log.first_seq + log.entries.len() as u64;
        log.entries.push_back(RecordedRequest {
            seq,
            api,
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            status: None,
            received_at: Instant::now(),
            received_at_wall: SystemTime::now(),
            answered_at: None,
        });
        seq
    }

    /// Records the status a request was answered with.
    pub fn finish(&self, seq: u64, api: Api, status: u16) {
        let mut log = lock(&self.inner);
        if status == 429 {
            log.counts(api).rate_limited += 1;
        }
        let index = seq.checked_sub(log.first_seq);
        // An entry already dropped from the front has nothing left to update.
        if let Some(entry) = index.and_then(|index| log.entries.get_mut(index as usize)) {
            entry.status = Some(status);
            entry.answered_at = Some(Instant::now());
        }
    }

    pub fn entries(&self) -> Vec<RecordedRequest> {
        lock(&self.inner).entries.iter().cloned().collect()
    }

    /// Entries from `seq` on (of one API, if given), and the `seq` the next
    /// request will get: pass it back to read only what came after.
    pub fn since(&self, seq: u64, api: Option<Api>) -> (Vec<RecordedRequest>, u64) {
        let log = lock(&self.inner);
        let skip = seq.saturating_sub(log.first_seq) as usize;
        let entries = log.entries.iter().skip(skip);
        let entries = entries.filter(|entry| api.is_none_or(|api| entry.api == api));
        let next = log.first_seq + log.entries.len() as u64;
        (entries.cloned().collect(), next)
    }

    pub fn counts(&self, api: Api) -> RequestCounts {
        *lock(&self.inner).counts(api)
    }

    pub fn clear(&self) {
        *lock(&self.inner) = Log::default();
    }
}
