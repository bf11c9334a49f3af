//! The control API under `/__sandbox/`: the [`crate::Sandbox`] methods over
//! HTTP, for browser tests and benchmark scripts that run the binary. No
//! authentication; the sandbox is test infrastructure bound to localhost.

use std::time::Duration;

use actix_web::web::{self, Data, Json, Path};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::Api;
use crate::app::AppState;
use crate::faults::{Fault, Times};
use crate::state::brevo::ProcessStatus;

pub(crate) fn configure(app: &mut web::ServiceConfig) {
    app.service(
        web::scope("/__sandbox")
            .route("/state", web::get().to(state_summary))
            .route("/filters", web::post().to(add_filter))
            .route("/filters/{id}", web::delete().to(remove_filter))
            .route("/faults", web::post().to(add_fault))
            .route("/faults", web::delete().to(clear_faults))
            .route("/latency", web::post().to(set_latency))
            .route("/lists/{id}/members", web::get().to(list_members))
            .route("/imports", web::get().to(imports))
            .route("/reset", web::post().to(reset)),
    );
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
            "requests": pipedrive.requests,
            "rate_limited": pipedrive.rate_limited,
        },
        "brevo": {
            "folders": folders,
            "lists": lists,
            "contacts": state.brevo.contacts().len(),
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
struct NewFilter {
    id: u64,
    name: String,
    count: u64,
}

async fn add_filter(state: Data<AppState>, body: Json<NewFilter>) -> HttpResponse {
    state
        .pipedrive
        .add_generated_filter(body.id, &body.name, body.count);
    HttpResponse::Created().json(json!({ "id": body.id }))
}

async fn remove_filter(state: Data<AppState>, id: Path<u64>) -> HttpResponse {
    if state.pipedrive.remove_filter(*id) {
        HttpResponse::NoContent().finish()
    } else {
        HttpResponse::NotFound().json(json!({ "error": format!("no filter {id}") }))
    }
}

/// `{"api":"brevo","path_prefix":"/v3/contacts/import","fault":{"kind":"status","status":500},"times":2}`;
/// `"always":true` instead of `times` makes it persistent.
#[derive(Debug, Deserialize)]
struct NewFault {
    api: Api,
    path_prefix: String,
    fault: FaultSpec,
    times: Option<u32>,
    #[serde(default)]
    always: bool,
}

/// The wire form of [`Fault`].
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum FaultSpec {
    Status {
        status: u16,
        #[serde(default)]
        headers: Vec<(String, String)>,
        #[serde(default)]
        body: String,
    },
    TooManyRequests {
        retry_after: Option<String>,
        reset_secs: Option<u64>,
    },
    Delay {
        ms: u64,
    },
    Hang,
    Trickle,
    HtmlForbidden,
}

impl From<FaultSpec> for Fault {
    fn from(spec: FaultSpec) -> Self {
        match spec {
            FaultSpec::Status {
                status,
                headers,
                body,
            } => Self::Status {
                status,
                headers,
                body,
            },
            FaultSpec::TooManyRequests {
                retry_after,
                reset_secs,
            } => Self::TooManyRequests {
                retry_after,
                reset_secs,
            },
            FaultSpec::Delay { ms } => Self::Delay(Duration::from_millis(ms)),
            FaultSpec::Hang => Self::Hang,
            FaultSpec::Trickle => Self::Trickle,
            FaultSpec::HtmlForbidden => Self::HtmlForbidden,
        }
    }
}

async fn add_fault(state: Data<AppState>, body: Json<NewFault>) -> HttpResponse {
    let NewFault {
        api,
        path_prefix,
        fault,
        times,
        always,
    } = body.into_inner();
    let fault = Fault::from(fault);
    if always {
        state.faults.add(api, &path_prefix, fault, Times::Always);
    } else {
        for _ in 0..times.unwrap_or(1) {
            state
                .faults
                .add(api, &path_prefix, fault.clone(), Times::Once);
        }
    }
    HttpResponse::Created().json(json!({ "pending_faults": state.faults.pending() }))
}

async fn clear_faults(state: Data<AppState>) -> HttpResponse {
    state.faults.clear();
    HttpResponse::NoContent().finish()
}

#[derive(Debug, Deserialize)]
struct Latency {
    ms: u64,
}

async fn set_latency(state: Data<AppState>, body: Json<Latency>) -> HttpResponse {
    state.set_latency(Duration::from_millis(body.ms));
    HttpResponse::NoContent().finish()
}

async fn list_members(state: Data<AppState>, id: Path<u64>) -> HttpResponse {
    let exists = state.brevo.lists().iter().any(|list| list.id == *id);
    if !exists {
        return HttpResponse::NotFound().json(json!({ "error": format!("no list {id}") }));
    }
    HttpResponse::Ok().json(json!({ "emails": state.brevo.list_members(*id) }))
}

async fn imports(state: Data<AppState>) -> HttpResponse {
    let imports: Vec<Value> = state
        .brevo
        .imports()
        .into_iter()
        .map(|import| {
            json!({
                "processId": import.process_id,
                "contacts": import.contacts,
                "bodyBytes": import.body_bytes,
                "listIds": import.list_ids,
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({ "imports": imports }))
}

async fn reset(state: Data<AppState>) -> HttpResponse {
    state.reset();
    HttpResponse::NoContent().finish()
}
