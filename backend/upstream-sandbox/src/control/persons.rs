//! Pipedrive persons and person fields over HTTP: editing a person, deleting
//! a custom field.

use std::collections::BTreeMap;

use actix_web::web::{Data, Json, Path};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::Value;

use super::{bad_request, not_found};
use crate::app::AppState;
use crate::state::person::LabeledValue;
use crate::state::pipedrive::{FieldError, PersonEdit};

/// `{"first_name":"Ada","emails":[{"value":"ada@example.com","primary":true}],
/// "custom_fields":{"<key>":12}}`: every key optional, unknown keys refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PersonPatch {
    name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    emails: Option<Vec<LabeledIn>>,
    phones: Option<Vec<LabeledIn>>,
    #[serde(default)]
    custom_fields: BTreeMap<String, Value>,
}

/// An entry of `emails` or `phones`; `label` defaults to `work` for emails
/// and `mobile` for phones.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabeledIn {
    value: String,
    #[serde(default)]
    primary: bool,
    label: Option<String>,
}

impl LabeledIn {
    fn into_value(self, default_label: &str) -> LabeledValue {
        let label = self.label.as_deref().unwrap_or(default_label);
        LabeledValue::new(&self.value, self.primary, label)
    }
}

/// Changes a person wherever they appear (204); 400 for an unknown custom
/// field or a value of the wrong shape.
pub(super) async fn edit_person(
    state: Data<AppState>,
    id: Path<u64>,
    body: Json<PersonPatch>,
) -> HttpResponse {
    let patch = body.into_inner();
    let labeled = |values: Option<Vec<LabeledIn>>, label: &str| {
        values.map(|values| values.into_iter().map(|v| v.into_value(label)).collect())
    };
    let edit = PersonEdit {
        name: patch.name,
        first_name: patch.first_name,
        last_name: patch.last_name,
        emails: labeled(patch.emails, "work"),
        phones: labeled(patch.phones, "mobile"),
        custom_fields: patch.custom_fields,
    };
    match state.pipedrive.edit_person(*id, edit) {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(error) => field_error(&error),
    }
}

/// Deletes a custom field (204); 404 for an unknown one, 400 for a standard one.
pub(super) async fn delete_person_field(state: Data<AppState>, key: Path<String>) -> HttpResponse {
    match state.pipedrive.delete_person_field(&key) {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(FieldError::UnknownField(key)) => not_found(&format!("no custom field {key}")),
        Err(error) => field_error(&error),
    }
}

/// The control API's answer to a refused change of fields or values.
pub(super) fn field_error(error: &FieldError) -> HttpResponse {
    match error {
        FieldError::UnknownFilter => not_found("no filter with this id"),
        FieldError::UnknownField(key) => bad_request(&format!("no custom field {key}")),
        FieldError::StandardField(key) => bad_request(&format!(
            "{key} is a standard field; only custom fields can be deleted"
        )),
        FieldError::WrongType(key) => bad_request(&format!(
            "the value does not have the shape of custom field {key}'s type"
        )),
        FieldError::BadShare => bad_request("share must be more than 0 and at most 1"),
    }
}
