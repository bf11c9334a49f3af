//! One person's value of one field, converted for one Brevo attribute (DESIGN §8).

use serde_json::Value;
use time::{Date, Month};

use super::compat::{value_kind_for, ValueKind};
use super::phone::{international_to_e164, to_e164, PhoneRegion};
use super::types::{BrevoAttribute, BrevoAttributeType, CategoryValue, OptionId, PersonField};
use super::value::{date_text, number_text, BrevoValue};

/// A value that is there but cannot be written; the contact is synced without it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} left out: {reason}")]
pub struct Unconvertible {
    /// The Pipedrive field's name, as the dashboard shows it.
    pub field: String,
    pub reason: String,
}

/// The value of `field` in `person` (a v2 person object) for `attribute`; `Ok(None)` when
/// the person has no value, which an import leaves out so it never erases one in Brevo.
pub fn convert(
    person: &Value,
    field: &PersonField,
    attribute: &BrevoAttribute,
    region: Option<PhoneRegion>,
) -> Result<Option<BrevoValue>, Unconvertible> {
    let unconvertible = |reason: String| Unconvertible {
        field: field.name.clone(),
        reason,
    };
    let kind = value_kind_for(&field.field_type, attribute)
        .map_err(|incompatible| unconvertible(incompatible.to_string()))?;
    let Some(raw) = raw_value(person, field).filter(|raw| !is_empty(raw)) else {
        return Ok(None);
    };
    read(kind, raw, field, region)
        .and_then(|value| write(value, attribute))
        .map(Some)
        .map_err(unconvertible)
}

/// A value as Pipedrive means it, before it meets an attribute type.
enum PipedriveValue {
    Text(String),
    Labels(Vec<String>),
    Date(Date),
    Number(f64),
    Boolean(bool),
}

/// Where a v2 person holds a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldPlace<'a> {
    /// A key of the person object.
    Standard(&'a str),
    /// A key of the person's `custom_fields`.
    Custom(&'a str),
}

pub fn place_of(field: &PersonField) -> FieldPlace<'_> {
    if field.custom {
        return FieldPlace::Custom(&field.key);
    }
    // v2 persons renamed these two standard fields; personFields still lists the old codes.
    FieldPlace::Standard(match field.key.as_str() {
        "phone" => "phones",
        "email" => "emails",
        key => key,
    })
}

fn raw_value<'a>(person: &'a Value, field: &PersonField) -> Option<&'a Value> {
    match place_of(field) {
        FieldPlace::Custom(key) => person.get("custom_fields")?.get(key),
        FieldPlace::Standard(key) => person.get(key),
    }
}

fn is_empty(raw: &Value) -> bool {
    match unwrap_entry(raw) {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// A list of `{value, primary}` entries (`phones`, `emails`) gives the primary non-empty
/// value, else the first non-empty one; an object with a `value` (monetary, address) gives
/// that. Anything else is its own value.
fn unwrap_entry(raw: &Value) -> &Value {
    match raw {
        Value::Array(entries) if entries.iter().all(|entry| entry.get("value").is_some()) => {
            let primary = entries.iter().filter(|entry| entry["primary"] == true);
            primary
                .chain(entries)
                .find_map(non_blank_value)
                .unwrap_or(&Value::Null)
        }
        Value::Object(object) => object.get("value").unwrap_or(raw),
        _ => raw,
    }
}

fn non_blank_value(entry: &Value) -> Option<&Value> {
    let value = entry.get("value")?;
    let blank = value.is_null() || value.as_str().is_some_and(|text| text.trim().is_empty());
    (!blank).then_some(value)
}

fn read(
    kind: ValueKind,
    raw: &Value,
    field: &PersonField,
    region: Option<PhoneRegion>,
) -> Result<PipedriveValue, String> {
    let scalar = unwrap_entry(raw);
    Ok(match kind {
        ValueKind::Text => PipedriveValue::Text(text_from_json(scalar)?),
        ValueKind::Phone => {
            let number = text_from_json(scalar)?;
            PipedriveValue::Text(match region {
                Some(region) => to_e164(&number, region)?,
                None => international_to_e164(&number)?,
            })
        }
        ValueKind::Date => PipedriveValue::Date(match scalar {
            Value::String(text) => date_from_text(text)?,
            other => return Err(format!("{} is not a date", shown_json(other))),
        }),
        ValueKind::Number => PipedriveValue::Number(number_from_json(scalar)?),
        ValueKind::Boolean => match scalar {
            Value::Bool(flag) => PipedriveValue::Boolean(*flag),
            other => return Err(format!("{} is not true or false", shown_json(other))),
        },
        ValueKind::SingleOption => PipedriveValue::Labels(vec![option_label(raw, field)?]),
        ValueKind::MultipleOptions => PipedriveValue::Labels(option_labels(raw, field)?),
    })
}

fn write(value: PipedriveValue, attribute: &BrevoAttribute) -> Result<BrevoValue, String> {
    use BrevoAttributeType as A;
    use PipedriveValue as P;
    Ok(match (value, &attribute.attribute_type) {
        (P::Text(text), A::Text) => BrevoValue::Text(text),
        (P::Labels(labels), A::Text) => BrevoValue::Text(labels.join(", ")),
        (P::Date(date), A::Text) => BrevoValue::Text(date_text(date)),
        (P::Number(number), A::Text) => BrevoValue::Text(number_text(number)),
        (P::Boolean(flag), A::Text) => BrevoValue::Text(flag.to_string()),
        (P::Date(date), A::Date) => BrevoValue::Date(date),
        (P::Number(number), A::Float) => BrevoValue::Number(number),
        (P::Boolean(flag), A::Boolean) => BrevoValue::Boolean(flag),
        (P::Labels(labels), A::MultipleChoice) => BrevoValue::Choices(labels),
        (P::Text(text), A::Category { enumeration }) => {
            BrevoValue::Category(category_value(&text, enumeration, &attribute.name)?)
        }
        (P::Labels(labels), A::Category { enumeration }) if labels.len() == 1 => {
            BrevoValue::Category(category_value(&labels[0], enumeration, &attribute.name)?)
        }
        (_, other) => return Err(format!("cannot be written to a {other} attribute")),
    })
}

/// The enumeration entry whose label matches, ignoring case and surrounding spaces:
/// Pipedrive option labels and Brevo category labels are typed by different people.
fn category_value(
    label: &str,
    enumeration: &[CategoryValue],
    attribute: &str,
) -> Result<i64, String> {
    let wanted = label.trim().to_lowercase();
    enumeration
        .iter()
        .find(|entry| entry.label.trim().to_lowercase() == wanted)
        .map(|entry| entry.value)
        .ok_or_else(|| format!("{attribute} has no value labelled {}", shown(label)))
}

fn option_label(raw: &Value, field: &PersonField) -> Result<String, String> {
    // With `include_option_labels=true` an option comes as `{id, label}`.
    let id = raw.get("id").unwrap_or(raw);
    let option = field.options.iter().find(|o| option_matches(id, &o.id));
    option
        .map(|option| option.label.clone())
        .ok_or_else(|| format!("option {} no longer exists", shown_json(id)))
}

/// The chosen options' labels in the field's own option order, so the joined text does
/// not change when Pipedrive lists the same choices in another order.
fn option_labels(raw: &Value, field: &PersonField) -> Result<Vec<String>, String> {
    let chosen = match raw {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    let mut indices = Vec::with_capacity(chosen.len());
    for item in chosen {
        let id = item.get("id").unwrap_or(item);
        let index = field.options.iter().position(|o| option_matches(id, &o.id));
        indices.push(index.ok_or_else(|| format!("option {} no longer exists", shown_json(id)))?);
    }
    indices.sort_unstable();
    indices.dedup();
    Ok(indices
        .into_iter()
        .map(|i| field.options[i].label.clone())
        .collect())
}

fn option_matches(raw: &Value, id: &OptionId) -> bool {
    match (raw, id) {
        (Value::Number(number), OptionId::Number(id)) => number.as_i64() == Some(*id),
        (Value::String(text), OptionId::Number(id)) => text.trim().parse() == Ok(*id),
        (Value::String(text), OptionId::Code(code)) => text == code,
        _ => false,
    }
}

fn text_from_json(raw: &Value) -> Result<String, String> {
    match raw {
        Value::String(text) => Ok(text.clone()),
        Value::Number(_) => number_from_json(raw).map(number_text),
        Value::Bool(flag) => Ok(flag.to_string()),
        other => Err(format!("{} is not text", shown_json(other))),
    }
}

/// A JSON number, or a string holding a finite one.
pub(super) fn number_from_json(raw: &Value) -> Result<f64, String> {
    let number = match raw {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    number
        .filter(|number| number.is_finite())
        .ok_or_else(|| format!("{} is not a number", shown_json(raw)))
}

/// A real calendar date written exactly as `YYYY-MM-DD`.
pub(super) fn date_from_text(text: &str) -> Result<Date, String> {
    let not_a_date = || format!("{} is not a date", shown(text));
    let bytes = text.as_bytes();
    let digits_at = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    let well_formed = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && digits_at(0..4)
        && digits_at(5..7)
        && digits_at(8..10);
    if !well_formed {
        return Err(not_a_date());
    }
    // All ten bytes are ASCII here, so slicing by byte is slicing by character.
    let year: i32 = text[0..4].parse().map_err(|_| not_a_date())?;
    let month: u8 = text[5..7].parse().map_err(|_| not_a_date())?;
    let day: u8 = text[8..10].parse().map_err(|_| not_a_date())?;
    let month = Month::try_from(month).map_err(|_| not_a_date())?;
    Date::from_calendar_date(year, month, day).map_err(|_| not_a_date())
}

/// A quoted value for a reason, cut short: reasons end up in every affected change row.
pub(super) fn shown(text: &str) -> String {
    let (head, more) = cut_short(text);
    format!("{head:?}{more}")
}

fn shown_json(raw: &Value) -> String {
    match raw {
        Value::String(text) => shown(text),
        other => {
            let json = other.to_string();
            let (head, more) = cut_short(&json);
            format!("{head}{more}")
        }
    }
}

fn cut_short(text: &str) -> (&str, &str) {
    const MAX_CHARS: usize = 40;
    match text.char_indices().nth(MAX_CHARS) {
        Some((end, _)) => (&text[..end], "…"),
        None => (text, ""),
    }
}
