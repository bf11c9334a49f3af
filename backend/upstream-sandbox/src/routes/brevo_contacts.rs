//! Brevo contacts: `createContact` (attributes are in `brevo_attributes.rs`,
//! listings in `brevo_contact_pages.rs`, imports in `brevo_import.rs`).

use std::collections::BTreeMap;

use actix_web::web::{self, Data, Json};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::AppState;
use crate::responses::{brevo_error, brevo_rejection};
use crate::state::brevo::{ContactChange, CreateOutcome};

pub(super) fn configure(app: &mut web::ServiceConfig) {
    app.route("/v3/contacts", web::post().to(create_contact));
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateContact {
    email: Option<String>,
    attributes: Option<BTreeMap<String, Value>>,
    list_ids: Option<Vec<u64>>,
    update_enabled: Option<bool>,
    email_blacklisted: Option<bool>,
    sms_blacklisted: Option<bool>,
}

async fn create_contact(state: Data<AppState>, body: Json<CreateContact>) -> HttpResponse {
    let body = body.into_inner();
    let Some(email) = body.email else {
        // ext_id and SMS identification are not modelled.
        return brevo_error(400, "missing_parameter", "email is missing");
    };
    // The flags apply on create and on update: `emailBlacklisted: false`
    // unblocks a contact (a Brevo staff reply), so a sync must never send it.
    let change = ContactChange {
        attributes: body.attributes.unwrap_or_default(),
        list_ids: body.list_ids.unwrap_or_default(),
        erase_empty: false,
        email_blacklisted: body.email_blacklisted,
        sms_blacklisted: body.sms_blacklisted,
        from_text: false,
    };
    let update_enabled = body.update_enabled.unwrap_or(false);
    match state
        .brevo
        .with(|account| account.create_contact(&email, change, update_enabled))
    {
        Ok(CreateOutcome::Created(id)) => HttpResponse::Created().json(json!({ "id": id })),
        Ok(CreateOutcome::Updated) => HttpResponse::NoContent().finish(),
        Ok(CreateOutcome::Duplicate) => HttpResponse::BadRequest().json(json!({
            "code": "duplicate_parameter",
            "message": "Unable to create contact, email is already associated with another Contact",
            "metadata": { "duplicate_identifiers": ["email"] },
        })),
        Err(rejection) => brevo_rejection(&rejection),
    }
}
