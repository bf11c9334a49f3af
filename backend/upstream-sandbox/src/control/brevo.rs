//! Brevo data over HTTP: list members, seeded lists, blocklist flags and imports.

use actix_web::web::{Data, Json, Path};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{not_found, PopulationSpec};
use crate::app::AppState;

pub(super) async fn list_members(state: Data<AppState>, id: Path<u64>) -> HttpResponse {
    let exists = state.brevo.lists().iter().any(|list| list.id == *id);
    if !exists {
        return not_found(&format!("no list {id}"));
    }
    HttpResponse::Ok().json(json!({ "emails": state.brevo.list_members(*id) }))
}

/// `{"name":"Bench","folder_id":1,"population":{"count":100000,"first":0,"step":1}}`;
/// `folder_id` is optional.
#[derive(Debug, Deserialize)]
pub(super) struct SeededList {
    name: String,
    folder_id: Option<u64>,
    population: PopulationSpec,
}

/// Creates a list holding the contacts of generated persons (see
/// [`crate::BrevoState::seed_list`]); 201 `{"id": listId}`.
pub(super) async fn seed_list(state: Data<AppState>, body: Json<SeededList>) -> HttpResponse {
    let population = match body.population.validate() {
        Ok(population) => population,
        Err(response) => return *response,
    };
    let SeededList {
        name, folder_id, ..
    } = body.into_inner();
    // Generating a million persons takes a while: off the async workers.
    let brevo = state.brevo.clone();
    let seeded =
        tokio::task::spawn_blocking(move || brevo.seed_list(&name, folder_id, population)).await;
    match seeded {
        Ok(Some(id)) => HttpResponse::Created().json(json!({ "id": id })),
        Ok(None) => not_found(&format!("no folder {}", folder_id.unwrap_or_default())),
        Err(error) => {
            HttpResponse::InternalServerError().json(json!({ "error": error.to_string() }))
        }
    }
}

/// `{"email":"ada@example.com","blocklisted":true}`.
#[derive(Debug, Deserialize)]
pub(super) struct Blocklist {
    email: String,
    blocklisted: bool,
}

pub(super) async fn set_blocklisted(state: Data<AppState>, body: Json<Blocklist>) -> HttpResponse {
    if state.brevo.set_blocklisted(&body.email, body.blocklisted) {
        HttpResponse::NoContent().finish()
    } else {
        not_found(&format!("no contact {}", body.email))
    }
}

pub(super) async fn imports(state: Data<AppState>) -> HttpResponse {
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
                "updateExistingContacts": import.update_existing_contacts,
                "emptyContactsAttributes": import.empty_contacts_attributes,
                "emailBlacklist": import.email_blacklist,
                "smsBlacklist": import.sms_blacklist,
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({ "imports": imports }))
}
