//! The custom-field values of persons in filters that carry them: a pure
//! function of the person's id, so every page is reproducible and a person has
//! the same values in every filter.
//!
//! Most values convert cleanly; a few are unconvertible on purpose, as real
//! data is: a phone field holding "call after 5pm", a segment or an interest
//! whose option was deleted, and mobile numbers without a country code.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::clock;
use crate::person_fields::{
    ADDRESS_COMPONENTS, CONTRACT_VALUE, CUSTOMER_CODE, INTERESTS, INTERESTS_DELETED_OPTION,
    INTERESTS_OPTIONS, MARKETING_NOTES, MOBILE, OFFICE_ADDRESS, RENEWAL_DATE, SCORE, SEGMENT,
    SEGMENT_DELETED_OPTION, SEGMENT_OPTIONS,
};
use crate::state::generator::splitmix64;
use crate::state::person::Person;

/// Mixed into the id so the values do not correlate with the person's name.
const SALT: u64 = 0x00c0_ffee_f1e1_d5ed;
/// 2026-01-01, in days since 1970-01-01: renewal dates fall in 2026 and 2027.
const RENEWALS_FROM: i64 = 20_454;

const NOTES: [&str; 4] = [
    "Met at the Berlin trade show.",
    "Prefers email over calls.\nAsk about the annual plan in Q3.",
    "Referred by an existing customer.",
    "Unsubscribed from the old newsletter; re-opted in 2025.",
];

/// (street number, route, locality, postal code, country)
const ADDRESSES: [(&str, &str, &str, &str, &str); 4] = [
    ("1", "Unter den Linden", "Berlin", "10117", "Germany"),
    ("8", "Rue de Rivoli", "Paris", "75004", "France"),
    ("42", "Calle de Alcalá", "Madrid", "28014", "Spain"),
    ("3a", "Mustamäe tee", "Tallinn", "10615", "Estonia"),
];

/// Gives the person every custom field's generated value, except where it has
/// a value of its own.
pub(super) fn add_custom_values(person: &mut Person) {
    let mut values = custom_values(person.id);
    values.append(&mut person.custom_fields);
    person.custom_fields = values;
}

/// Every custom field of the person with this id: its value, or `null`.
fn custom_values(person_id: u64) -> BTreeMap<String, Value> {
    let hash = splitmix64(person_id ^ SALT);
    let more = splitmix64(hash);
    let bits = |word: u64, shift: u32, width: u32| (word >> shift) & ((1 << width) - 1);
    let some_if = |present: bool, value: Value| if present { value } else { Value::Null };
    // Eight digits that do not start with 0.
    let digits = 10_000_000 + bits(more, 20, 32) % 90_000_000;

    let segment = match bits(hash, 8, 6) {
        0..=5 => Value::Null,
        6 => json!(SEGMENT_DELETED_OPTION),
        pick => json!(SEGMENT_OPTIONS[pick as usize % 3].0),
    };
    let chosen = bits(hash, 14, 5);
    let mut interests: Vec<u64> = INTERESTS_OPTIONS
        .iter()
        .enumerate()
        .filter(|&(bit, _)| chosen & (1 << bit) != 0)
        .map(|(_, &(id, _))| id)
        .collect();
    if !interests.is_empty() && bits(hash, 19, 5) == 0 {
        interests.push(INTERESTS_DELETED_OPTION);
    }
    let mobile = match bits(hash, 36, 5) {
        0..=9 => Value::Null,
        10 => json!("call after 5pm"),
        11..=18 => json!(format!("0151 {digits}")),
        19..=26 => json!(format!("+49 151 {digits}")),
        _ => {
            let pairs = digits.to_string();
            let (a, b, c, d) = (&pairs[0..2], &pairs[2..4], &pairs[4..6], &pairs[6..8]);
            json!(format!("+33 6 {a} {b} {c} {d}"))
        }
    };
    let score = bits(hash, 44, 10) % 1_000;
    let contract = json!({
        "value": 500 + bits(more, 2, 10) % 1_000 * 50,
        "currency": if bits(more, 12, 2) == 0 { "USD" } else { "EUR" },
    });
    let renewal = RENEWALS_FROM + bits(hash, 27, 9) as i64;
    let values = [
        (
            CUSTOMER_CODE,
            some_if(bits(hash, 0, 4) != 0, json!(format!("C-{person_id:07}"))),
        ),
        (
            MARKETING_NOTES,
            some_if(
                bits(hash, 4, 2) == 0,
                json!(NOTES[bits(hash, 6, 2) as usize]),
            ),
        ),
        (SEGMENT, segment),
        (INTERESTS, some_if(!interests.is_empty(), json!(interests))),
        (
            RENEWAL_DATE,
            some_if(bits(hash, 24, 3) != 0, json!(clock::iso_date(renewal))),
        ),
        (MOBILE, mobile),
        (
            SCORE,
            some_if(bits(hash, 41, 3) != 0, json!(score as f64 / 10.0)),
        ),
        (CONTRACT_VALUE, some_if(bits(more, 0, 2) != 0, contract)),
        (
            OFFICE_ADDRESS,
            some_if(bits(more, 14, 2) == 0, address(bits(more, 16, 2) as usize)),
        ),
    ];
    values
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
}

/// An address value in the v2 shape: `value` and every component (`null` when
/// the address has none).
fn address(index: usize) -> Value {
    let (number, route, locality, postal_code, country) = ADDRESSES[index];
    let value = format!("{route} {number}, {postal_code} {locality}");
    let mut object = Map::new();
    object.insert("value".to_owned(), json!(value));
    for (component, _) in ADDRESS_COMPONENTS {
        let text = match component {
            "street_number" => Some(number.to_owned()),
            "route" => Some(route.to_owned()),
            "locality" => Some(locality.to_owned()),
            "postal_code" => Some(postal_code.to_owned()),
            "country" => Some(country.to_owned()),
            "formatted_address" => Some(format!("{value}, {country}")),
            _ => None,
        };
        object.insert(component.to_owned(), json!(text));
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person_fields::account_fields;

    #[test]
    fn values_fit_their_types_and_include_unconvertible_ones() {
        let fields = account_fields();
        let persons: Vec<BTreeMap<String, Value>> = (1..=2_000).map(custom_values).collect();
        for values in &persons {
            assert_eq!(values.len(), 9);
            for field in fields.iter().filter(|f| f.custom) {
                let value = &values[&field.code];
                assert!(field.kind.accepts(value), "{} {value}", field.name);
            }
        }
        let count = |key: &str, wanted: &dyn Fn(&Value) -> bool| {
            persons.iter().filter(|values| wanted(&values[key])).count()
        };
        let after_five = count(MOBILE, &|v| v == "call after 5pm");
        let deleted_segment = count(SEGMENT, &|v| v == SEGMENT_DELETED_OPTION);
        let no_segment = count(SEGMENT, &Value::is_null);
        let national = count(MOBILE, &|v| v.as_str().is_some_and(|m| m.starts_with('0')));
        assert!((20..120).contains(&after_five), "{after_five}");
        assert!((10..80).contains(&deleted_segment), "{deleted_segment}");
        assert!((100..300).contains(&no_segment), "{no_segment}");
        assert!(national > 300, "{national}");
        assert_eq!(custom_values(42), custom_values(42));
        assert_ne!(custom_values(42), custom_values(43));
    }
}
