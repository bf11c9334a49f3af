//! Which upstream API a request is addressed to.

use std::fmt;

use serde::Deserialize;

/// The two APIs the sandbox fakes on one port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    Pipedrive,
    Brevo,
}

impl Api {
    /// Routes by path prefix: `/v3/...` is Brevo; `/v1/...`, `/api/v1/...` and
    /// `/api/v2/...` are Pipedrive. Anything else is no upstream path.
    pub fn of_path(path: &str) -> Option<Self> {
        let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
        if under("/v3") {
            Some(Self::Brevo)
        } else if under("/v1") || under("/api/v1") || under("/api/v2") {
            Some(Self::Pipedrive)
        } else {
            None
        }
    }

    /// Lower-case name, as used by the control API (`"pipedrive"`, `"brevo"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pipedrive => "pipedrive",
            Self::Brevo => "brevo",
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}
