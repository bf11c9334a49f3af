//! A running sandbox server and its in-process controls.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer};
use tokio::task::JoinHandle;

use crate::api::Api;
use crate::app::{self, AppState};
use crate::config::SandboxConfig;
use crate::faults::{Fault, Times};
use crate::request_log::{RecordedRequest, RequestCounts};
use crate::state::brevo::BrevoState;
use crate::state::pipedrive::PipedriveState;

/// Worker threads. The handlers only take short locks and all waiting is
/// async, so two workers serve benchmarks on the 2-core machines used here.
const WORKERS: usize = 2;

/// One HTTP server faking both APIs; dropping it without [`Sandbox::stop`]
/// leaves the server running until the runtime ends.
#[derive(Debug)]
pub struct Sandbox {
    address: SocketAddr,
    state: AppState,
    server: ServerHandle,
    task: JoinHandle<io::Result<()>>,
}

impl Sandbox {
    /// Binds, spawns the server on the current tokio runtime (a multi-thread
    /// `#[tokio::test]` runtime works) and returns once the port is bound.
    pub async fn start(config: SandboxConfig) -> io::Result<Sandbox> {
        let bind = config.bind;
        let state = AppState::new(config);
        let app_state = state.clone();
        let server =
            HttpServer::new(move || App::new().configure(app::configure(app_state.clone())))
                .workers(WORKERS)
                // Embedders own shutdown (tests call stop; the binary its signals).
                .disable_signals()
                // Hung and trickling requests must not hold up a stop.
                .shutdown_timeout(1)
                .bind(bind)?;
        let address = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        Ok(Sandbox {
            address,
            state,
            server: handle,
            task: tokio::spawn(server),
        })
    }

    /// `http://127.0.0.1:PORT`: the origin both APIs are served from. Point a
    /// Pipedrive client at it (it adds `/api/v2/...`, `/v1/...`) and a Brevo
    /// client at `{base_url}/v3`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    pub fn pipedrive(&self) -> PipedriveState {
        self.state.pipedrive.clone()
    }

    pub fn brevo(&self) -> BrevoState {
        self.state.brevo.clone()
    }

    /// Queues a one-shot fault for the next request of `api` whose path starts
    /// with `path_prefix`. Faults queue in order: scripting 500 twice makes
    /// the first two matching requests fail and the third succeed.
    pub fn script(&self, api: Api, path_prefix: &str, fault: Fault) {
        self.state.faults.add(api, path_prefix, fault, Times::Once);
    }

    /// Applies `fault` to every matching request until [`Sandbox::clear_faults`].
    /// Queued one-shot faults take precedence.
    pub fn script_always(&self, api: Api, path_prefix: &str, fault: Fault) {
        self.state
            .faults
            .add(api, path_prefix, fault, Times::Always);
    }

    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// Latency added to every upstream request from now on.
    pub fn set_latency(&self, latency: Duration) {
        self.state.set_latency(latency);
    }

    /// Every upstream request received, oldest first (the most recent 100,000).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.log.entries()
    }

    /// The requests from sequence number `seq` on (see
    /// [`RecordedRequest::seq`]) and the number the next request will get:
    /// take it before an action, then check what the action sent.
    pub fn requests_since(&self, seq: u64) -> (Vec<RecordedRequest>, u64) {
        self.state.log.since(seq, None)
    }

    /// Request and 429 totals of one API since start or the last reset.
    pub fn request_counts(&self, api: Api) -> RequestCounts {
        self.state.log.counts(api)
    }

    /// Back to the state right after start (data, faults, log, latency).
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Stops accepting and drops open connections, hung ones included.
    pub async fn stop(self) {
        self.server.stop(false).await;
        // The server task ends with the stop; how it ended is of no interest.
        let _ = self.task.await;
    }
}
