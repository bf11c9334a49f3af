//! Logging: human-readable by default, JSON lines with `LOG_FORMAT=json`; `RUST_LOG` filters.
//! Every line logged while a request is handled carries its `request_id` (the span of
//! `TracingLogger`), every line of a sync job its `job_id` and `filter_id` (the runner's span);
//! when a request or a job ends, its span is logged once (an access-log line with the status
//! and the time taken).

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
    HttpMessage,
};
use tracing_actix_web::RequestId;
use tracing_subscriber::{fmt, fmt::format::FmtSpan, EnvFilter};

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,actix_server=warn"));
    let builder = fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_span_events(FmtSpan::CLOSE);
    let json = std::env::var("LOG_FORMAT").is_ok_and(|format| format.eq_ignore_ascii_case("json"));
    // try_init: a second call (several tests in one process) is harmless.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Returns the request id that [`tracing_actix_web::TracingLogger`] gave the request (and
/// that every log line of the request carries as `request_id`) as `X-Request-Id`, so an
/// operator can find a response's log lines. Wrapped inside `TracingLogger`.
pub async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().copied();
    let mut response = next.call(req).await?;
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id.to_string()).ok()) {
        response.headers_mut().insert(X_REQUEST_ID, value);
    }
    Ok(response)
}

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The error and all its causes on one line, for the log.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
