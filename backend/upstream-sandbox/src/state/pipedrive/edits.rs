//! Changes made to persons after they were generated or listed, as users
//! editing them in Pipedrive would make them. An edit belongs to the person
//! id, so it shows in every filter the person is in.

use std::collections::BTreeMap;

use serde_json::Value;

use super::events::{EventStyle, Touched};
use super::{FieldError, PipedriveState};
use crate::clock;
use crate::state::lock;
use crate::state::person::{display_name, LabeledValue, Person};

/// What to change in a person; `None` and absent keys leave a value as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonEdit {
    /// Without it, a changed first or last name makes the name "first last".
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub emails: Option<Vec<LabeledValue>>,
    pub phones: Option<Vec<LabeledValue>>,
    /// By custom-field key; `null` clears the field.
    pub custom_fields: BTreeMap<String, Value>,
}

/// Every edit of one person merged, and when the last one was made.
#[derive(Debug, Default)]
pub(super) struct AppliedEdit {
    edit: PersonEdit,
    /// Unix seconds: the person's `update_time` from then on.
    update_time: i64,
}

impl AppliedEdit {
    fn merge(&mut self, edit: PersonEdit, now: i64) {
        let renamed = edit.first_name.is_some() || edit.last_name.is_some();
        if edit.name.is_some() || renamed {
            self.edit.name = edit.name;
        }
        let merged = &mut self.edit;
        merged.first_name = edit.first_name.or(merged.first_name.take());
        merged.last_name = edit.last_name.or(merged.last_name.take());
        merged.emails = edit.emails.or(merged.emails.take());
        merged.phones = edit.phones.or(merged.phones.take());
        merged.custom_fields.extend(edit.custom_fields);
        self.update_time = now;
    }

    fn apply(&self, person: &mut Person) {
        let edit = &self.edit;
        if let Some(first_name) = &edit.first_name {
            first_name.clone_into(&mut person.first_name);
        }
        if let Some(last_name) = &edit.last_name {
            last_name.clone_into(&mut person.last_name);
        }
        match &edit.name {
            Some(name) => name.clone_into(&mut person.name),
            None if edit.first_name.is_some() || edit.last_name.is_some() => {
                person.name = display_name(&person.first_name, &person.last_name);
            }
            None => {}
        }
        if let Some(emails) = &edit.emails {
            emails.clone_into(&mut person.emails);
        }
        if let Some(phones) = &edit.phones {
            phones.clone_into(&mut person.phones);
        }
        let values = edit.custom_fields.iter();
        person
            .custom_fields
            .extend(values.map(|(key, value)| (key.clone(), value.clone())));
        person.update_time = person.update_time.max(self.update_time);
    }
}

impl PipedriveState {
    /// Changes a person wherever they appear, now and in later pages, and
    /// sets their `update_time` to now. Custom values must be of an existing
    /// custom field and in its type's shape. Any id is accepted: a generated
    /// person exists before a filter matches them. Sends a `change` event
    /// when a value changed.
    pub fn edit_person(&self, person_id: u64, edit: PersonEdit) -> Result<(), FieldError> {
        self.check_custom_values(&edit.custom_fields)?;
        let style = EventStyle {
            or_global: true,
            bulk: false,
        };
        self.with_person_events(
            || Touched::fields_of([person_id]),
            style,
            || {
                let now = clock::unix_now();
                let mut edits = lock(&self.edits);
                edits.entry(person_id).or_default().merge(edit, now);
            },
        );
        Ok(())
    }

    /// Sets one custom field to `value` on `share` (more than 0, at most 1) of
    /// a filter's current persons, spread evenly over it: exactly
    /// ⌊persons × share⌋ of them (shares are rounded to millionths), who then
    /// keep the value wherever they appear. Returns how many persons changed.
    /// Costs memory per changed person. Sends a `change` event (a bulk edit)
    /// for each person whose value changed.
    pub fn set_field_on_share(
        &self,
        filter_id: u64,
        key: &str,
        value: Value,
        share: f64,
    ) -> Result<u64, FieldError> {
        if !(share > 0.0 && share <= 1.0) {
            return Err(FieldError::BadShare);
        }
        let values = BTreeMap::from([(key.to_owned(), value)]);
        self.check_custom_values(&values)?;
        let per_million = (share * 1e6).round() as u128;
        // Person i is chosen when i + 1 persons contain one more chosen one than i do.
        let chosen = |i: u64| {
            let i = u128::from(i);
            (i + 1) * per_million / 1_000_000 > i * per_million / 1_000_000
        };
        let ids = {
            let filters = lock(&self.filters);
            let filter = filters.get(&filter_id).ok_or(FieldError::UnknownFilter)?;
            filter.persons.ids_where(chosen)
        };
        let style = EventStyle {
            or_global: false,
            bulk: true,
        };
        self.with_person_events(
            || Touched::fields_of(ids.iter().copied()),
            style,
            || {
                let now = clock::unix_now();
                let mut edits = lock(&self.edits);
                for &id in &ids {
                    let edit = PersonEdit {
                        custom_fields: values.clone(),
                        ..PersonEdit::default()
                    };
                    edits.entry(id).or_default().merge(edit, now);
                }
            },
        );
        Ok(ids.len() as u64)
    }

    /// Applies the edits of the page's persons.
    pub(super) fn apply_edits(&self, page: &mut [Person]) {
        let edits = lock(&self.edits);
        if edits.is_empty() {
            return;
        }
        for person in page {
            if let Some(edit) = edits.get(&person.id) {
                edit.apply(person);
            }
        }
    }
}
