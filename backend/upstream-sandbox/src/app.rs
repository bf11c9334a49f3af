//! Shared state of a running sandbox and the actix application built on it.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::error::InternalError;
use actix_web::{middleware, web, HttpRequest};

use crate::config::SandboxConfig;
use crate::faults::FaultBook;
use crate::rate_limit::RateLimiter;
use crate::request_log::RequestLog;
use crate::state::brevo::BrevoState;
use crate::state::lock;
use crate::state::pipedrive::PipedriveState;
use crate::{demo, pipeline, responses, routes};

/// Raw bodies up to this size reach the handlers, so that the import route
/// can answer Brevo's own 400 for bodies over its 10 MB limit rather than
/// actix answering 413.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Everything the handlers share; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub config: Arc<SandboxConfig>,
    pub pipedrive: PipedriveState,
    pub brevo: BrevoState,
    pub faults: FaultBook,
    pub limiter: RateLimiter,
    pub log: RequestLog,
    latency: Arc<Mutex<Duration>>,
}

impl AppState {
    pub fn new(config: SandboxConfig) -> Self {
        let brevo = BrevoState::new(
            &config.brevo_first_name_attribute,
            &config.brevo_last_name_attribute,
            config.import_delay,
        );
        let state = Self {
            pipedrive: PipedriveState::delivering(&config),
            brevo,
            faults: FaultBook::default(),
            limiter: RateLimiter::new(&config),
            log: RequestLog::default(),
            latency: Arc::new(Mutex::new(config.latency)),
            config: Arc::new(config),
        };
        state.seed();
        state
    }

    pub fn latency(&self) -> Duration {
        *lock(&self.latency)
    }

    pub fn set_latency(&self, latency: Duration) {
        *lock(&self.latency) = latency;
    }

    /// Back to the state right after start: data, faults, log, rate-limit
    /// windows and latency.
    pub fn reset(&self) {
        self.pipedrive.clear();
        self.brevo.clear();
        self.faults.clear();
        self.log.clear();
        self.limiter.clear();
        self.set_latency(self.config.latency);
        self.seed();
    }

    fn seed(&self) {
        if self.config.seed_demo {
            demo::seed(&self.pipedrive, &self.brevo, Instant::now());
        }
    }
}

/// Registers the upstream and control routes, the upstream pipeline and
/// extractor errors in each API's shape.
pub(crate) fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |app| {
        app.app_data(web::Data::new(state))
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .app_data(web::JsonConfig::default().error_handler(extractor_error))
            .app_data(web::QueryConfig::default().error_handler(extractor_error))
            .app_data(web::PathConfig::default().error_handler(extractor_error))
            .service(
                web::scope("")
                    .wrap(middleware::from_fn(pipeline::upstream))
                    .configure(routes::configure)
                    .default_service(web::to(|request: HttpRequest| async move {
                        responses::unknown_route(&request)
                    })),
            );
    }
}

/// A malformed body, query or path segment, answered in the API's error shape
/// instead of actix's plain-text default.
fn extractor_error<E: fmt::Display + fmt::Debug + 'static>(
    error: E,
    request: &HttpRequest,
) -> actix_web::Error {
    let response = responses::bad_request_for(request, &error.to_string());
    InternalError::from_response(error, response).into()
}
