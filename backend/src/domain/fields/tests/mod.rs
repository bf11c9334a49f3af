//! Every conversion of DESIGN §8, every way a value can fail to convert, and properties of
//! the phone and date conversions over generated input.

mod edges;
mod options;
mod properties;
mod scalars;
mod text_and_phones;
mod validation;

use serde_json::{json, Value};

use super::*;

fn field(key: &str, field_type: &str) -> PersonField {
    PersonField {
        key: key.into(),
        name: format!("{key} field"),
        field_type: PersonFieldType::from_code(field_type),
        custom: key.len() == 40,
        options: ["Gold", "Silver", "Bronze"]
            .iter()
            .zip(1..)
            .map(|(label, id)| FieldOption {
                id: OptionId::Number(id),
                label: (*label).into(),
            })
            .collect(),
    }
}

/// A custom field's 40-character key.
const CUSTOM: &str = "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2";

fn custom(field_type: &str) -> PersonField {
    field(CUSTOM, field_type)
}

fn attribute(attribute_type: &str) -> BrevoAttribute {
    let enumeration = [(1, "gold"), (2, "Silver ")]
        .into_iter()
        .map(|(value, label)| CategoryValue {
            value,
            label: label.into(),
        })
        .collect();
    BrevoAttribute::from_listing("TIER", "normal", Some(attribute_type), enumeration)
}

fn with_custom(value: Value) -> Value {
    json!({"id": 1, "custom_fields": {CUSTOM: value}})
}

fn convert_to(
    person: Value,
    field: &PersonField,
    attribute_type: &str,
) -> Result<Option<BrevoValue>, Unconvertible> {
    convert(
        &person,
        field,
        &attribute(attribute_type),
        Some("DE".parse().unwrap()),
    )
}

fn converted(person: Value, field: &PersonField, attribute_type: &str) -> BrevoValue {
    convert_to(person, field, attribute_type).unwrap().unwrap()
}

fn reason(person: Value, field: &PersonField, attribute_type: &str) -> String {
    convert_to(person, field, attribute_type)
        .unwrap_err()
        .reason
}

fn text(value: &str) -> BrevoValue {
    BrevoValue::Text(value.into())
}
