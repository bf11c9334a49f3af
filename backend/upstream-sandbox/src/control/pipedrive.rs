//! Pipedrive data over HTTP: generated filters, their removal, their shift and
//! a custom value set on a share of their persons.

use actix_web::web::{Data, Json, Path};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

use super::persons::field_error;
use super::{bad_request, not_found, PopulationSpec};
use crate::app::AppState;
use crate::state::pipedrive::ShiftError;

/// `{"id":42,"name":"Bench","count":100000,"first":0,"step":1,"custom_fields":true}`;
/// with `custom_fields` its persons carry custom-field values.
#[derive(Debug, Deserialize)]
pub(super) struct NewFilter {
    id: u64,
    name: String,
    #[serde(flatten)]
    population: PopulationSpec,
    #[serde(default)]
    custom_fields: bool,
}

pub(super) async fn add_filter(state: Data<AppState>, body: Json<NewFilter>) -> HttpResponse {
    let population = match body.population.validate() {
        Ok(population) => population,
        Err(response) => return *response,
    };
    state
        .pipedrive
        .add_generated_filter_with(body.id, &body.name, population);
    if body.custom_fields {
        state.pipedrive.enable_custom_fields(body.id);
    }
    HttpResponse::Created().json(json!({ "id": body.id }))
}

pub(super) async fn remove_filter(state: Data<AppState>, id: Path<u64>) -> HttpResponse {
    if state.pipedrive.remove_filter(*id) {
        HttpResponse::NoContent().finish()
    } else {
        not_found(&format!("no filter {id}"))
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct Shift {
    persons: u64,
}

/// `{"persons":N}`: the filter's first N persons leave it and N new ones join.
/// Answers the new window.
pub(super) async fn shift_filter(
    state: Data<AppState>,
    id: Path<u64>,
    body: Json<Shift>,
) -> HttpResponse {
    match state.pipedrive.shift_filter(*id, body.persons) {
        Ok(population) => HttpResponse::Ok().json(json!({
            "id": *id,
            "count": population.count,
            "first": population.first,
            "step": population.step,
        })),
        Err(ShiftError::UnknownFilter) => not_found(&format!("no filter {id}")),
        Err(ShiftError::NotGenerated) => bad_request(&format!(
            "filter {id} is hand-made; only generated filters shift"
        )),
        Err(ShiftError::Overflow) => {
            bad_request("the shifted persons' ids would not fit in 64 bits")
        }
    }
}

/// `{"key":"<custom field key>","value":12,"share":0.01}`.
#[derive(Debug, Deserialize)]
pub(super) struct SetField {
    key: String,
    value: Value,
    share: f64,
}

/// Sets a custom field on `share` of the filter's persons, evenly spread;
/// 200 `{"id","key","persons"}` with the number of persons changed.
pub(super) async fn set_field(
    state: Data<AppState>,
    id: Path<u64>,
    body: Json<SetField>,
) -> HttpResponse {
    let SetField { key, value, share } = body.into_inner();
    match state.pipedrive.set_field_on_share(*id, &key, value, share) {
        Ok(persons) => {
            HttpResponse::Ok().json(json!({ "id": *id, "key": key, "persons": persons }))
        }
        Err(error) => field_error(&error),
    }
}
