//! The Pipedrive person, as the sandbox stores it.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::clock;

/// 2024-01-15 09:30:00 UTC: creation time of hand-made persons, so their
/// timestamps are stable across runs.
const HANDMADE_ADD_TIME: i64 = 1_705_311_000;

/// A Pipedrive person. Only the fields the v2 `getPersons` response carries
/// are modelled; formatting happens in the route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: u64,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    /// In the order Pipedrive returns them; the primary one need not be first.
    pub emails: Vec<LabeledValue>,
    pub phones: Vec<LabeledValue>,
    pub owner_id: u64,
    pub org_id: Option<u64>,
    /// Unix seconds.
    pub add_time: i64,
    /// Unix seconds.
    pub update_time: i64,
    pub label_ids: Vec<u64>,
    /// Custom-field values by field key, in the v2 shape (`null`: no value).
    /// Served as `custom_fields`; a person without any is served `{}`.
    pub custom_fields: BTreeMap<String, Value>,
}

/// One entry of `emails` or `phones`: `{value, primary, label}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabeledValue {
    pub value: String,
    pub primary: bool,
    pub label: String,
}

impl Person {
    /// A person without emails or phones; `name` is "first last" (trimmed,
    /// so an empty part leaves no stray space).
    pub fn new(id: u64, first_name: &str, last_name: &str) -> Self {
        Self {
            id,
            name: display_name(first_name, last_name),
            first_name: first_name.to_owned(),
            last_name: last_name.to_owned(),
            emails: Vec::new(),
            phones: Vec::new(),
            owner_id: 1,
            org_id: None,
            add_time: HANDMADE_ADD_TIME,
            update_time: HANDMADE_ADD_TIME,
            label_ids: Vec::new(),
            custom_fields: BTreeMap::new(),
        }
    }

    /// Appends an email labelled `work`. The value is kept verbatim (edge-case
    /// tests need whitespace, mixed case, empty or invalid values).
    pub fn with_email(mut self, value: &str, primary: bool) -> Self {
        self.emails.push(LabeledValue::new(value, primary, "work"));
        self
    }

    /// The address a sync sends to Brevo: the primary email if it is not
    /// blank, else the first one that is not; trimmed and lower-cased. Whether
    /// it is a valid address is left to the caller.
    pub fn chosen_email(&self) -> Option<String> {
        let usable = |email: &&LabeledValue| !email.value.trim().is_empty();
        let chosen = self
            .emails
            .iter()
            .filter(usable)
            .find(|email| email.primary)
            .or_else(|| self.emails.iter().find(usable))?;
        Some(chosen.value.trim().to_lowercase())
    }

    /// Sets a custom-field value (see [`crate::person_fields`] for the keys).
    pub fn with_custom_field(mut self, key: &str, value: Value) -> Self {
        self.custom_fields.insert(key.to_owned(), value);
        self
    }

    /// Appends a phone number labelled `mobile`.
    pub fn with_phone(mut self, value: &str, primary: bool) -> Self {
        self.phones
            .push(LabeledValue::new(value, primary, "mobile"));
        self
    }
}

/// "first last", trimmed, so an empty part leaves no stray space.
pub(crate) fn display_name(first_name: &str, last_name: &str) -> String {
    format!("{first_name} {last_name}").trim().to_owned()
}

/// A person in the v2 `getPersons` shape (also the `data` of v2 webhooks),
/// with the custom fields `keys` (each value or `null`), or `{}` when the
/// person has no custom values at all.
pub(crate) fn v2_json(person: &Person, keys: &[String]) -> Value {
    let labeled = |values: &[LabeledValue]| -> Vec<Value> {
        let item =
            |v: &LabeledValue| json!({ "value": v.value, "primary": v.primary, "label": v.label });
        values.iter().map(item).collect()
    };
    json!({
        "id": person.id,
        "name": person.name,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "owner_id": person.owner_id,
        "org_id": person.org_id,
        "add_time": clock::rfc3339(person.add_time),
        "update_time": clock::rfc3339(person.update_time),
        "emails": labeled(&person.emails),
        "phones": labeled(&person.phones),
        "is_deleted": false,
        "visible_to": 3,
        "label_ids": person.label_ids,
        "picture_id": null,
        "custom_fields": custom_fields_json(person, keys),
    })
}

fn custom_fields_json(person: &Person, keys: &[String]) -> Value {
    if person.custom_fields.is_empty() {
        return Value::Object(Map::new());
    }
    let value = |key: &String| person.custom_fields.get(key).cloned();
    let values = keys
        .iter()
        .map(|key| (key.clone(), value(key).unwrap_or(Value::Null)));
    Value::Object(values.collect())
}

impl LabeledValue {
    pub fn new(value: &str, primary: bool, label: &str) -> Self {
        Self {
            value: value.to_owned(),
            primary,
            label: label.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::demo::edge_case_persons;

    #[test]
    fn chooses_the_email_a_sync_sends() {
        let chosen: Vec<Option<String>> = edge_case_persons()
            .iter()
            .map(|p| p.chosen_email())
            .collect();
        let expected = [
            None,
            Some("paul.primary@example.com"),
            Some("mia.mixedcase@example.com"),
            Some("shared.inbox@example.com"),
            Some("shared.inbox@example.com"),
            Some("zoe.odegard@example.com"),
            Some("li.xiaolong@example.com"),
            Some("not-an-email"),
            Some("emil.fallback@example.com"),
            Some("nina.first@example.com"),
            Some("mononym@example.com"),
        ];
        let expected: Vec<Option<String>> = expected.iter().map(|e| e.map(str::to_owned)).collect();
        assert_eq!(chosen, expected);
    }
}
