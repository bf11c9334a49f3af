//! The one HTTP error type. Every failure a handler or middleware reports ends up here and is
//! rendered once, as an RFC 9457 `application/problem+json` document with a stable `code`.

use actix_web::{
    error::{JsonPayloadError, PathError, QueryPayloadError},
    http::{header, StatusCode},
    HttpResponse, ResponseError,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    alerts::AlertError,
    db::DbError,
    domain::{fields::InvalidMapping, sync_job::SyncJobId},
    upstream::UpstreamError,
};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Sign in first: this endpoint needs a valid session.")]
    Unauthorized,
    #[error("Wrong password.")]
    InvalidCredentials,
    #[error("The webhook delivery's credentials are wrong or missing.")]
    WebhookUnauthorized,
    #[error("Too many failed sign-ins. Try again in {retry_after_secs} s.")]
    LoginThrottled { retry_after_secs: u64 },
    #[error("Cross-origin requests may not change anything.")]
    CrossOrigin,
    #[error("{0}")]
    NotFound(NotFound),
    #[error("No API route matches {method} {path}.")]
    RouteNotFound { method: String, path: String },
    #[error("{path} does not accept {method}; it accepts {}.", allow.join(", "))]
    MethodNotAllowed {
        method: String,
        path: String,
        allow: Vec<String>,
    },
    #[error("Filter {filter_id} already has a sync job running (job {job_id}).")]
    SyncAlreadyRunning { filter_id: i64, job_id: SyncJobId },
    #[error("Filter {0}'s jobs kept starting and ending while this sync started; try again.")]
    SyncStartContended(i64),
    #[error("The server is shutting down; try again when it is back.")]
    ShuttingDown,
    #[error("The request body must be JSON (Content-Type: application/json).")]
    UnsupportedMediaType,
    #[error("The request body is larger than {limit} bytes.")]
    PayloadTooLarge { limit: usize },
    #[error("The request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("The request body has the wrong shape: {0}")]
    InvalidBody(String),
    #[error("The field mapping is not valid: {0}.")]
    InvalidMapping(#[from] InvalidMapping),
    #[error("Invalid query parameters: {0}")]
    InvalidQuery(String),
    #[error("Invalid path parameter: {0}")]
    InvalidPath(String),
    #[error("{0}")]
    Upstream(#[from] UpstreamError),
    #[error("{0}")]
    Alert(#[from] AlertError),
    #[error("The database does not answer.")]
    DatabaseUnavailable(#[source] DbError),
    #[error("database error")]
    Db(#[from] DbError),
    #[error("unexpected error")]
    Internal(#[from] anyhow::Error),
}

/// Which resource a 404 is about; each has its own `code`.
#[derive(Debug, Clone, Copy)]
pub enum NotFound {
    Filter(i64),
    SyncJob(i64),
}

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Filter(id) => write!(f, "No filter with id {id}."),
            Self::SyncJob(id) => write!(f, "No sync job with id {id}."),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; `urn:problem:pipedrive-brevo-sync:{code}`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short, fixed summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, for a person to read.
    pub detail: String,
    /// A stable machine-readable code, e.g. `filter_not_found`.
    pub code: String,
    /// With `sync_already_running`: the job that is running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<i64>,
    /// With `invalid_mapping`: the position in `mappings` of the entry `detail` names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<usize>,
}

impl ApiError {
    /// The 404 of a route that is off (`/metrics` without `METRICS_TOKEN`, the webhook
    /// receiver without `PIPEDRIVE_WEBHOOKS`): as if it did not exist.
    pub fn route_off(req: &actix_web::HttpRequest) -> Self {
        Self::RouteNotFound {
            method: req.method().to_string(),
            path: req.path().to_owned(),
        }
    }

    /// The stable `code` and the `title` of each kind of problem, in one place.
    fn code_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::Unauthorized => ("unauthorized", "Not signed in"),
            Self::InvalidCredentials => ("invalid_credentials", "Wrong password"),
            Self::WebhookUnauthorized => ("webhook_unauthorized", "Webhook not authenticated"),
            Self::LoginThrottled { .. } => ("login_throttled", "Too many sign-in attempts"),
            Self::CrossOrigin => ("cross_origin_request", "Cross-origin request refused"),
            Self::NotFound(NotFound::Filter(_)) => ("filter_not_found", "Filter not found"),
            Self::NotFound(NotFound::SyncJob(_)) => ("sync_job_not_found", "Sync job not found"),
            Self::RouteNotFound { .. } => ("route_not_found", "No such API route"),
            Self::MethodNotAllowed { .. } => ("method_not_allowed", "Method not allowed"),
            Self::SyncAlreadyRunning { .. } => {
                ("sync_already_running", "A sync is already running")
            }
            Self::SyncStartContended(_) => ("sync_start_contended", "The sync could not start"),
            Self::ShuttingDown => ("shutting_down", "Shutting down"),
            Self::UnsupportedMediaType => ("unsupported_media_type", "Unsupported media type"),
            Self::PayloadTooLarge { .. } => ("payload_too_large", "Request body too large"),
            Self::MalformedJson(_) => ("malformed_json", "Malformed JSON"),
            Self::InvalidBody(_) => ("invalid_body", "Invalid request body"),
            Self::InvalidMapping(_) => ("invalid_mapping", "Invalid field mapping"),
            Self::InvalidQuery(_) => ("invalid_query", "Invalid query parameters"),
            Self::InvalidPath(_) => ("invalid_path", "Invalid path parameter"),
            Self::Upstream(UpstreamError::NotConfigured { .. }) => {
                ("upstream_not_configured", "Upstream API not configured")
            }
            Self::Upstream(_) => ("upstream_error", "Upstream API request failed"),
            Self::Alert(AlertError::NotConfigured) => {
                ("alerts_not_configured", "Alerts not configured")
            }
            Self::Alert(_) => ("alert_not_delivered", "The alert receiver did not take it"),
            Self::DatabaseUnavailable(_) => ("database_unavailable", "Database unavailable"),
            Self::Db(_) | Self::Internal(_) => ("internal_error", "Internal server error"),
        }
    }

    fn problem(&self) -> Problem {
        let (code, title) = self.code_and_title();
        let status = self.status_code();
        let detail = if matches!(self, Self::Db(_) | Self::Internal(_)) {
            // Internals stay in the log; upstream failures are explained (they name the
            // API, the status and what to check, and never hold a secret).
            "The server could not complete the request; the cause is in its log.".to_owned()
        } else {
            self.to_string()
        };
        Problem {
            problem_type: format!("urn:problem:pipedrive-brevo-sync:{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            job_id: match self {
                Self::SyncAlreadyRunning { job_id, .. } => Some(job_id.0),
                _ => None,
            },
            entry: match self {
                Self::InvalidMapping(invalid) => Some(invalid.index()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized | Self::InvalidCredentials | Self::WebhookUnauthorized => {
                StatusCode::UNAUTHORIZED
            }
            Self::LoginThrottled { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::CrossOrigin => StatusCode::FORBIDDEN,
            Self::NotFound(_) | Self::RouteNotFound { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::SyncAlreadyRunning { .. } | Self::SyncStartContended(_) => StatusCode::CONFLICT,
            Self::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MalformedJson(_) | Self::InvalidQuery(_) | Self::InvalidPath(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::InvalidBody(_) | Self::InvalidMapping(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Upstream(UpstreamError::NotConfigured { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Upstream(_) => StatusCode::BAD_GATEWAY,
            Self::Alert(AlertError::NotConfigured) => StatusCode::CONFLICT,
            Self::Alert(_) => StatusCode::BAD_GATEWAY,
            Self::DatabaseUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Db(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if self.status_code().is_server_error() {
            tracing::error!(error = %crate::telemetry::error_chain(self), "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        match self {
            Self::LoginThrottled { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            Self::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, allow.join(", ")));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<JsonPayloadError> for ApiError {
    fn from(err: JsonPayloadError) -> Self {
        match err {
            JsonPayloadError::ContentType => Self::UnsupportedMediaType,
            JsonPayloadError::Overflow { limit }
            | JsonPayloadError::OverflowKnownLength { limit, .. } => {
                Self::PayloadTooLarge { limit }
            }
            // Wrong types or missing fields: well-formed JSON of the wrong shape.
            JsonPayloadError::Deserialize(e) if e.is_data() => Self::InvalidBody(e.to_string()),
            JsonPayloadError::Deserialize(e) => Self::MalformedJson(e.to_string()),
            other => Self::MalformedJson(other.to_string()),
        }
    }
}

impl From<QueryPayloadError> for ApiError {
    fn from(err: QueryPayloadError) -> Self {
        match err {
            QueryPayloadError::Deserialize(e) => Self::InvalidQuery(e.to_string()),
            other => Self::InvalidQuery(other.to_string()),
        }
    }
}

impl From<PathError> for ApiError {
    fn from(err: PathError) -> Self {
        match err {
            PathError::Deserialize(e) => Self::InvalidPath(e.to_string()),
            other => Self::InvalidPath(other.to_string()),
        }
    }
}

impl From<crate::refresh::RefreshError> for ApiError {
    fn from(err: crate::refresh::RefreshError) -> Self {
        match err {
            crate::refresh::RefreshError::Upstream(e) => Self::Upstream(e),
            crate::refresh::RefreshError::Db(e) => Self::Db(e),
        }
    }
}

impl From<crate::sync::runner::StartError> for ApiError {
    fn from(err: crate::sync::runner::StartError) -> Self {
        use crate::sync::runner::StartError;
        match err {
            StartError::FilterNotFound(id) => Self::NotFound(NotFound::Filter(id.0)),
            StartError::AlreadyRunning { filter_id, job_id } => Self::SyncAlreadyRunning {
                filter_id: filter_id.0,
                job_id,
            },
            StartError::Contended(id) => Self::SyncStartContended(id.0),
            StartError::ShuttingDown => Self::ShuttingDown,
            StartError::Db(e) => Self::Db(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_do_not_leak_their_cause() {
        let problem = ApiError::Internal(anyhow::anyhow!("secret path /etc/x")).problem();
        assert_eq!(problem.status, 500);
        assert_eq!(problem.code, "internal_error");
        assert!(!problem.detail.contains("/etc/x"));
    }

    #[test]
    fn a_running_sync_names_its_job() {
        let problem = ApiError::SyncAlreadyRunning {
            filter_id: 7,
            job_id: SyncJobId(42),
        }
        .problem();
        assert_eq!((problem.status, problem.job_id), (409, Some(42)));
        assert!(problem.detail.contains("job 42"));
    }
}
