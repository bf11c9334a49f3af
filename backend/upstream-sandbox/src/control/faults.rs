//! Scripted faults over HTTP: `POST /__sandbox/faults` and `DELETE /__sandbox/faults`.

use std::time::Duration;

use actix_web::web::{Data, Json};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::json;

use crate::api::Api;
use crate::app::AppState;
use crate::faults::{Fault, Times};

/// `{"api":"brevo","path_prefix":"/v3/contacts/import","fault":{"kind":"status","status":500},"times":2}`;
/// `"always":true` instead of `times` makes it persistent.
#[derive(Debug, Deserialize)]
pub(super) struct NewFault {
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

pub(super) async fn add_fault(state: Data<AppState>, body: Json<NewFault>) -> HttpResponse {
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

pub(super) async fn clear_faults(state: Data<AppState>) -> HttpResponse {
    state.faults.clear();
    HttpResponse::NoContent().finish()
}
