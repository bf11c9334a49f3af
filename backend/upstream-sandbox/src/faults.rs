//! Scripted misbehaviour: what the next matching upstream request(s) get
//! instead of (or on top of) the normal answer.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::api::Api;
use crate::state::lock;

/// One way an upstream can misbehave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with exactly this; `Content-Type` is JSON when `body` parses as
    /// JSON, else plain text, unless `headers` set it.
    Status {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// 429 with the API's body and rate-limit headers; `reset_secs` fills
    /// `x-ratelimit-reset` / `x-sib-ratelimit-reset`, `retry_after` the
    /// `Retry-After` header. `None` leaves a header out.
    TooManyRequests {
        retry_after: Option<String>,
        reset_secs: Option<u64>,
    },
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Accept the request and never answer.
    Hang,
    /// Answer normally, but send the body one byte per second after the headers.
    Trickle,
    /// 403 with a Cloudflare-style HTML page, as Pipedrive does to clients
    /// that keep calling after a 429.
    HtmlForbidden,
}

/// How many requests a scripted fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Times {
    Once,
    Always,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct FaultBook {
    scripted: Arc<Mutex<Vec<Scripted>>>,
}

#[derive(Debug)]
struct Scripted {
    api: Api,
    path_prefix: String,
    fault: Fault,
    times: Times,
}

impl FaultBook {
    pub fn add(&self, api: Api, path_prefix: &str, fault: Fault, times: Times) {
        lock(&self.scripted).push(Scripted {
            api,
            path_prefix: path_prefix.to_owned(),
            fault,
            times,
        });
    }

    /// The fault for a request, if any: the oldest matching one-shot fault
    /// (consumed), else the oldest matching persistent one. One-shots win so
    /// that e.g. a persistent delay can be combined with a single 500.
    pub fn take(&self, api: Api, path: &str) -> Option<Fault> {
        let mut scripted = lock(&self.scripted);
        let matches = |entry: &Scripted| entry.api == api && path.starts_with(&entry.path_prefix);
        if let Some(index) = scripted
            .iter()
            .position(|e| e.times == Times::Once && matches(e))
        {
            return Some(scripted.remove(index).fault);
        }
        scripted
            .iter()
            .find(|entry| matches(entry))
            .map(|entry| entry.fault.clone())
    }

    pub fn pending(&self) -> usize {
        lock(&self.scripted).len()
    }

    pub fn clear(&self) {
        lock(&self.scripted).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> Fault {
        Fault::Status {
            status: code,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    #[test]
    fn one_shots_are_consumed_in_order_before_persistent_faults() {
        let book = FaultBook::default();
        book.add(Api::Brevo, "/v3/contacts", Fault::Hang, Times::Always);
        book.add(Api::Brevo, "/v3/contacts/import", status(500), Times::Once);
        book.add(Api::Brevo, "/v3/contacts/import", status(502), Times::Once);

        assert_eq!(book.take(Api::Pipedrive, "/v3/contacts/import"), None);
        assert_eq!(
            book.take(Api::Brevo, "/v3/contacts/import"),
            Some(status(500))
        );
        assert_eq!(
            book.take(Api::Brevo, "/v3/contacts/import"),
            Some(status(502))
        );
        assert_eq!(
            book.take(Api::Brevo, "/v3/contacts/import"),
            Some(Fault::Hang)
        );
        assert_eq!(book.take(Api::Brevo, "/v3/processes/1"), None);
        assert_eq!(book.pending(), 1);
    }
}
