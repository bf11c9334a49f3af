//! The control API under `/__sandbox/`: the [`crate::Sandbox`] methods over
//! HTTP, for browser tests and benchmark scripts that run the binary. No
//! authentication; the sandbox is test infrastructure bound to localhost.

mod brevo;
mod faults;
mod persons;
mod pipedrive;
mod webhooks;

use std::time::Duration;

use actix_web::web::{self, Data, Json, Query};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::Api;
use crate::app::AppState;
use crate::state::brevo::ProcessStatus;
use crate::state::generator::GeneratedPersons;

pub(crate) fn configure(app: &mut web::ServiceConfig) {
    app.service(
        web::scope("/__sandbox")
            .route("/state", web::get().to(state_summary))
            .route("/filters", web::post().to(pipedrive::add_filter))
            .route("/filters/{id}", web::delete().to(pipedrive::remove_filter))
            .route(
                "/filters/{id}/shift",
                web::post().to(pipedrive::shift_filter),
            )
            .route(
                "/filters/{id}/set-field",
                web::post().to(pipedrive::set_field),
            )
            .route("/filters/{id}/persons", web::put().to(persons::set_persons))
            .route("/persons/{id}", web::patch().to(persons::edit_person))
            .route("/persons/{id}", web::delete().to(persons::delete_person))
            .route("/webhooks", web::get().to(webhooks::webhooks))
            .route(
                "/person-fields/{key}",
                web::delete().to(persons::delete_person_field),
            )
            .route("/faults", web::post().to(faults::add_fault))
            .route("/faults", web::delete().to(faults::clear_faults))
            .route("/latency", web::post().to(set_latency))
            .route("/lists", web::post().to(brevo::seed_list))
            .route("/lists/{id}/members", web::get().to(brevo::list_members))
            .route(
                "/contacts/blocklist",
                web::post().to(brevo::set_blocklisted),
            )
            .route("/imports", web::get().to(brevo::imports))
            .route("/requests", web::get().to(requests))
            .route("/reset", web::post().to(reset)),
    );
}

/// A control-API error: `{"error": message}`.
fn error(status: actix_web::http::StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "error": message }))
}

fn not_found(message: &str) -> HttpResponse {
    error(actix_web::http::StatusCode::NOT_FOUND, message)
}

fn bad_request(message: &str) -> HttpResponse {
    error(actix_web::http::StatusCode::BAD_REQUEST, message)
}

/// A generated population on the wire: `{"count":100000,"first":0,"step":1}`,
/// global persons `first + i * step` for `i` in `0..count`; `first` and
/// `step` are optional.
#[derive(Debug, Deserialize)]
struct PopulationSpec {
    count: u64,
    #[serde(default)]
    first: u64,
    #[serde(default = "PopulationSpec::default_step")]
    step: u64,
}

impl PopulationSpec {
    fn default_step() -> u64 {
        1
    }

    /// The population, or the 400 for a step of 0 or ids past `u64::MAX`.
    fn validate(&self) -> Result<GeneratedPersons, Box<HttpResponse>> {
        let population = GeneratedPersons {
            count: self.count,
            first: self.first,
            step: self.step,
        };
        if population.step == 0 || !population.fits() {
            let message = "step must be at least 1 and the persons' ids must fit in 64 bits";
            return Err(Box::new(bad_request(message)));
        }
        Ok(population)
    }
}

async fn state_summary(state: Data<AppState>) -> HttpResponse {
    let filters: Vec<Value> = state
        .pipedrive
        .filters()
        .into_iter()
        .map(|filter| json!({ "id": filter.id, "name": filter.name, "persons": filter.person_count }))
        .collect();
    let lists: Vec<Value> = state
        .brevo
        .lists()
        .into_iter()
        .map(|list| json!({ "id": list.id, "name": list.name, "folderId": list.folder_id, "members": list.member_count }))
        .collect();
    let folders: Vec<Value> = state
        .brevo
        .folders()
        .into_iter()
        .map(|folder| json!({ "id": folder.id, "name": folder.name }))
        .collect();
    let processes = state.brevo.processes();
    let with_status = |status| processes.iter().filter(|p| p.status == status).count();
    let (pipedrive, brevo) = (
        state.log.counts(Api::Pipedrive),
        state.log.counts(Api::Brevo),
    );
    HttpResponse::Ok().json(json!({
        "pipedrive": {
            "filters": filters,
            "webhooks": state.pipedrive.webhooks().len(),
            "webhook_deliveries": state.pipedrive.webhook_deliveries_since(0).1,
            "requests": pipedrive.requests,
            "rate_limited": pipedrive.rate_limited,
        },
        "brevo": {
            "folders": folders,
            "lists": lists,
            "contacts": state.brevo.contact_count(),
            "imports": state.brevo.imports().len(),
            "processes": {
                "queued": with_status(ProcessStatus::Queued),
                "in_process": with_status(ProcessStatus::InProcess),
                "completed": with_status(ProcessStatus::Completed),
            },
            "requests": brevo.requests,
            "rate_limited": brevo.rate_limited,
        },
        "latency_ms": state.latency().as_millis() as u64,
        "enforce_rate_limits": state.config.enforce_rate_limits,
        "pending_faults": state.faults.pending(),
    }))
}

#[derive(Debug, Deserialize)]
struct Latency {
    ms: u64,
}

async fn set_latency(state: Data<AppState>, body: Json<Latency>) -> HttpResponse {
    state.set_latency(Duration::from_millis(body.ms));
    HttpResponse::NoContent().finish()
}

/// `?api=brevo&since=SEQ`, both optional.
#[derive(Debug, Deserialize)]
struct RequestsQuery {
    api: Option<Api>,
    #[serde(default)]
    since: u64,
}

/// The request log from `since` on (at most the log's 100,000 most recent
/// entries) and `next`, the `since` that reads only later requests. `status`
/// is null while a request is unanswered.
async fn requests(state: Data<AppState>, query: Query<RequestsQuery>) -> HttpResponse {
    let (entries, next) = state.log.since(query.since, query.api);
    let requests: Vec<Value> = entries
        .into_iter()
        .map(|entry| {
            json!({
                "seq": entry.seq,
                "api": entry.api.as_str(),
                "method": entry.method,
                "path": entry.path,
                "query": entry.query,
                "status": entry.status,
                "received_ms": entry.received_ms(),
                "answered_ms": entry.answered_ms(),
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({ "requests": requests, "next": next }))
}

async fn reset(state: Data<AppState>) -> HttpResponse {
    state.reset();
    HttpResponse::NoContent().finish()
}
