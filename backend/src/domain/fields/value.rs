//! An attribute value as Brevo stores it: what an import writes, what a member listing
//! reads back, and the bytes the mirror's comparison hashes.

use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde_json::Value;
use time::Date;

use super::convert::{date_from_text, number_from_json};
use super::types::BrevoAttributeType;

#[derive(Debug, Clone, PartialEq)]
pub enum BrevoValue {
    Text(String),
    Number(f64),
    Date(Date),
    Boolean(bool),
    /// The `value` of one of a category attribute's enumeration entries.
    Category(i64),
    /// The chosen options of a multiple-choice attribute.
    Choices(Vec<String>),
}

impl BrevoValue {
    /// A member's attribute as a listing returns it, read as the attribute's type; `None`
    /// for null or a shape the type does not explain (the member then counts as differing).
    pub fn from_member_json(json: &Value, attribute_type: &BrevoAttributeType) -> Option<Self> {
        use BrevoAttributeType as A;
        match attribute_type {
            A::Date => {
                let text = json.as_str()?;
                // Accept a timestamp too, in case a listing adds a time to the date.
                let day = match text.get(10..) {
                    Some(time) if time.starts_with(['T', ' ']) => &text[..10],
                    _ => text,
                };
                date_from_text(day).ok().map(Self::Date)
            }
            A::Float => number_from_json(json).ok().map(Self::Number),
            A::Boolean => json.as_bool().map(Self::Boolean),
            A::Category { enumeration } => match json {
                // The value is expected; a label is read too, so either form compares equal.
                Value::String(label) => enumeration
                    .iter()
                    .find(|entry| &entry.label == label)
                    .map(|entry| entry.value)
                    .or_else(|| label.trim().parse().ok()),
                _ => json.as_i64(),
            }
            .map(Self::Category),
            A::MultipleChoice => json
                .as_array()?
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<_>>()
                .map(Self::Choices),
            A::Text | A::Id | A::Untyped | A::Other(_) => match json {
                Value::String(text) => Some(Self::Text(text.clone())),
                Value::Number(_) => number_from_json(json)
                    .ok()
                    .map(|n| Self::Text(number_text(n))),
                Value::Bool(flag) => Some(Self::Text(flag.to_string())),
                _ => None,
            },
        }
    }

    /// Bytes that are equal exactly when two values are the same to Brevo: `5` and `5.0`
    /// agree, choices compare as a set. Each value is tagged and length-prefixed, so the
    /// bytes of several attributes can be hashed one after another without ambiguity.
    pub fn digest_bytes(&self) -> Vec<u8> {
        let (tag, body) = match self {
            Self::Text(text) => (b't', text.clone()),
            Self::Number(number) => (b'n', number_text(*number)),
            Self::Date(date) => (b'd', date_text(*date)),
            Self::Boolean(flag) => (b'b', flag.to_string()),
            Self::Category(value) => (b'c', value.to_string()),
            Self::Choices(choices) => {
                let mut sorted = choices.clone();
                sorted.sort_unstable();
                sorted.dedup();
                (b'm', sorted.join("\u{1f}"))
            }
        };
        let mut bytes = Vec::with_capacity(5 + body.len());
        bytes.push(tag);
        bytes.extend_from_slice(&(body.len() as u32).to_be_bytes());
        bytes.extend_from_slice(body.as_bytes());
        bytes
    }
}

/// What an import's `jsonBody` takes: strings, numbers, booleans, and strings for dates.
impl Serialize for BrevoValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Text(text) => serializer.serialize_str(text),
            Self::Number(number) => serializer.serialize_f64(*number),
            Self::Date(date) => serializer.serialize_str(&date_text(*date)),
            Self::Boolean(flag) => serializer.serialize_bool(*flag),
            Self::Category(value) => serializer.serialize_i64(*value),
            Self::Choices(choices) => {
                let mut seq = serializer.serialize_seq(Some(choices.len()))?;
                for choice in choices {
                    seq.serialize_element(choice)?;
                }
                seq.end()
            }
        }
    }
}

/// `YYYY-MM-DD`.
pub(super) fn date_text(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The shortest text that reads back as the same number, `5` rather than `5.0`.
pub(super) fn number_text(number: f64) -> String {
    // -0 and 0 are one value to Brevo.
    let number = if number == 0.0 { 0.0 } else { number };
    number.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fields::types::CategoryValue;
    use serde_json::json;
    use time::macros::date;

    fn read(json: Value, attribute_type: &BrevoAttributeType) -> Option<BrevoValue> {
        BrevoValue::from_member_json(&json, attribute_type)
    }

    #[test]
    fn values_serialise_as_the_import_expects() {
        let values = vec![
            BrevoValue::Text("Ada".into()),
            BrevoValue::Number(2.5),
            BrevoValue::Date(date!(2024 - 02 - 29)),
            BrevoValue::Boolean(true),
            BrevoValue::Category(3),
            BrevoValue::Choices(vec!["a".into(), "b".into()]),
        ];
        assert_eq!(
            serde_json::to_value(values).unwrap(),
            json!(["Ada", 2.5, "2024-02-29", true, 3, ["a", "b"]])
        );
    }

    #[test]
    fn whole_numbers_digest_alike_however_they_are_written() {
        let written = BrevoValue::Number(5.0);
        let read_back = read(json!(5), &BrevoAttributeType::Float).unwrap();
        assert_eq!(written.digest_bytes(), read_back.digest_bytes());
        assert_eq!(
            BrevoValue::Number(-0.0).digest_bytes(),
            BrevoValue::Number(0.0).digest_bytes()
        );
        assert_ne!(
            BrevoValue::Number(5.0).digest_bytes(),
            BrevoValue::Text("5".into()).digest_bytes()
        );
    }

    #[test]
    fn written_values_digest_like_their_read_back_form() {
        let gold = BrevoAttributeType::Category {
            enumeration: vec![CategoryValue {
                value: 2,
                label: "Gold".into(),
            }],
        };
        let cases = [
            (BrevoValue::Text("Ada".into()), BrevoAttributeType::Text),
            (BrevoValue::Number(12.75), BrevoAttributeType::Float),
            (
                BrevoValue::Date(date!(2024 - 01 - 31)),
                BrevoAttributeType::Date,
            ),
            (BrevoValue::Boolean(false), BrevoAttributeType::Boolean),
            (BrevoValue::Category(2), gold),
            (
                BrevoValue::Choices(vec!["b".into(), "a".into()]),
                BrevoAttributeType::MultipleChoice,
            ),
        ];
        for (written, attribute_type) in cases {
            let json = serde_json::to_value(&written).unwrap();
            let read_back = read(json, &attribute_type).unwrap();
            assert_eq!(
                written.digest_bytes(),
                read_back.digest_bytes(),
                "{written:?}"
            );
        }
    }

    #[test]
    fn read_back_tolerates_the_other_plausible_forms() {
        let gold = BrevoAttributeType::Category {
            enumeration: vec![CategoryValue {
                value: 2,
                label: "Gold".into(),
            }],
        };
        assert_eq!(read(json!("Gold"), &gold), Some(BrevoValue::Category(2)));
        assert_eq!(read(json!("2"), &gold), Some(BrevoValue::Category(2)));
        assert_eq!(
            read(json!("2024-01-31T00:00:00Z"), &BrevoAttributeType::Date),
            Some(BrevoValue::Date(date!(2024 - 01 - 31)))
        );
        assert_eq!(
            read(json!("7"), &BrevoAttributeType::Float),
            Some(BrevoValue::Number(7.0))
        );
        assert_eq!(
            read(json!(4915112345678_i64), &BrevoAttributeType::Text),
            Some(BrevoValue::Text("4915112345678".into()))
        );
        assert_eq!(
            read(json!(["b", "a"]), &BrevoAttributeType::MultipleChoice)
                .unwrap()
                .digest_bytes(),
            BrevoValue::Choices(vec!["a".into(), "b".into()]).digest_bytes()
        );
    }

    #[test]
    fn null_and_unexplained_shapes_read_as_no_value() {
        assert_eq!(read(Value::Null, &BrevoAttributeType::Text), None);
        assert_eq!(read(json!("soon"), &BrevoAttributeType::Date), None);
        assert_eq!(read(json!({"a": 1}), &BrevoAttributeType::Text), None);
        assert_eq!(read(json!([1]), &BrevoAttributeType::MultipleChoice), None);
        assert_eq!(read(json!(20240131), &BrevoAttributeType::Date), None);
        assert_eq!(read(json!("true"), &BrevoAttributeType::Boolean), None);
    }
}
