//! Pipedrive persons and person fields over HTTP: editing a person, setting
//! the persons of a hand-made filter, deleting a person, deleting a custom
//! field. Each change to persons is sent to the registered webhooks.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::web::{Data, Json, Path};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{bad_request, not_found};
use crate::app::AppState;
use crate::state::person::{display_name, LabeledValue, Person};
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

/// `{"name"?: "Hand-made", "persons": [{"id": 7, "first_name": "Ada", ...}]}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PersonList {
    name: Option<String>,
    persons: Vec<PersonIn>,
}

/// A hand-made person: `id` required; `name` defaults to "first last",
/// `owner_id` to 1.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonIn {
    id: u64,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    name: Option<String>,
    #[serde(default)]
    emails: Vec<LabeledIn>,
    #[serde(default)]
    phones: Vec<LabeledIn>,
    owner_id: Option<u64>,
    org_id: Option<u64>,
    #[serde(default)]
    label_ids: Vec<u64>,
    #[serde(default)]
    custom_fields: BTreeMap<String, Value>,
}

impl PersonIn {
    fn into_person(self) -> Person {
        let mut person = Person::new(self.id, &self.first_name, &self.last_name);
        person.name = self
            .name
            .unwrap_or_else(|| display_name(&self.first_name, &self.last_name));
        person.emails = self
            .emails
            .into_iter()
            .map(|v| v.into_value("work"))
            .collect();
        person.phones = self
            .phones
            .into_iter()
            .map(|v| v.into_value("mobile"))
            .collect();
        person.owner_id = self.owner_id.unwrap_or(person.owner_id);
        person.org_id = self.org_id;
        person.label_ids = self.label_ids;
        person.custom_fields = self.custom_fields;
        person
    }
}

/// Sets the persons of a filter (which becomes hand-made), or adds a
/// hand-made filter with them (named `name`, else "Filter {id}"). 200 or 201
/// `{"id","persons"}`; 400 for a repeated id or a bad custom value.
pub(super) async fn set_persons(
    state: Data<AppState>,
    id: Path<u64>,
    body: Json<PersonList>,
) -> HttpResponse {
    let PersonList { name, persons } = body.into_inner();
    let mut ids = BTreeSet::new();
    if let Some(person) = persons.iter().find(|person| !ids.insert(person.id)) {
        return bad_request(&format!("person {} is listed twice", person.id));
    }
    for person in &persons {
        if let Err(error) = state.pipedrive.check_custom_values(&person.custom_fields) {
            return field_error(&error);
        }
    }
    let persons: Vec<Person> = persons.into_iter().map(PersonIn::into_person).collect();
    let count = persons.len();
    let answer = json!({ "id": *id, "persons": count });
    if state.pipedrive.set_persons(*id, persons.clone()) {
        if let Some(name) = name {
            state.pipedrive.rename_filter(*id, &name);
        }
        HttpResponse::Ok().json(answer)
    } else {
        let name = name.unwrap_or_else(|| format!("Filter {id}"));
        state.pipedrive.add_filter_with_persons(*id, &name, persons);
        HttpResponse::Created().json(answer)
    }
}

/// Deletes a hand-made person from every hand-made filter (204); 404 if none holds them.
pub(super) async fn delete_person(state: Data<AppState>, id: Path<u64>) -> HttpResponse {
    if state.pipedrive.delete_person(*id) {
        HttpResponse::NoContent().finish()
    } else {
        not_found(&format!("no hand-made filter holds person {id}"))
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
