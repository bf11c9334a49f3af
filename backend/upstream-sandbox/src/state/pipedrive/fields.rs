//! The account's person fields, and which filters' persons carry custom values.

use std::collections::BTreeMap;

use serde_json::Value;

use super::PipedriveState;
use crate::person_fields::PersonField;
use crate::state::lock;

/// Why a change to person fields or values was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    UnknownFilter,
    /// No custom field has this key (any more).
    UnknownField(String),
    /// Standard fields cannot be deleted.
    StandardField(String),
    /// The value does not have the shape Pipedrive gives this field's type
    /// (see [`crate::person_fields::FieldType::accepts`]).
    WrongType(String),
    /// A share must be more than 0 and at most 1.
    BadShare,
}

impl PipedriveState {
    /// The account's person fields: standard fields, then custom ones.
    pub fn person_fields(&self) -> Vec<PersonField> {
        lock(&self.fields).clone()
    }

    /// Keys of the custom fields that exist now.
    pub(crate) fn custom_field_keys(&self) -> Vec<String> {
        let fields = lock(&self.fields);
        let custom = fields.iter().filter(|field| field.custom);
        custom.map(|field| field.code.clone()).collect()
    }

    /// Makes a filter's persons carry custom-field values: generated from each
    /// person's id (see [`crate::person_fields`]), overridden by a hand-made
    /// person's own. Without it a person is served `custom_fields: {}` unless
    /// it has values of its own or edited ones. False if the filter is unknown.
    pub fn enable_custom_fields(&self, filter_id: u64) -> bool {
        let mut filters = lock(&self.filters);
        let filter = filters.get_mut(&filter_id);
        filter.map(|filter| filter.custom_fields = true).is_some()
    }

    /// Deletes a custom field, as an admin could in Pipedrive: it leaves
    /// `personFields` and every person's `custom_fields`.
    pub fn delete_person_field(&self, key: &str) -> Result<(), FieldError> {
        let mut fields = lock(&self.fields);
        let index = fields.iter().position(|field| field.code == key);
        let index = index.ok_or_else(|| FieldError::UnknownField(key.to_owned()))?;
        if !fields[index].custom {
            return Err(FieldError::StandardField(key.to_owned()));
        }
        fields.remove(index);
        Ok(())
    }

    /// Checks that every key is a custom field and every value fits its type.
    pub(crate) fn check_custom_values(
        &self,
        values: &BTreeMap<String, Value>,
    ) -> Result<(), FieldError> {
        let fields = lock(&self.fields);
        for (key, value) in values {
            let field = fields
                .iter()
                .find(|field| field.custom && field.code == *key);
            let field = field.ok_or_else(|| FieldError::UnknownField(key.clone()))?;
            if !field.kind.accepts(value) {
                return Err(FieldError::WrongType(key.clone()));
            }
        }
        Ok(())
    }
}
