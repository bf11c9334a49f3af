//! Which Brevo attributes a sync writes, and the value of each for a contact (DESIGN §8).
//! One mapping serves every filter: attributes belong to the contact, not to a list.

use serde_json::Value;

use super::fields::{
    convert, BrevoAttribute, BrevoAttributeType, BrevoValue, CheckedEntry, PersonField,
    PersonFieldType, PhoneRegion, Unconvertible,
};

/// Names tried, in order, for the first- and last-name attributes (they vary by account).
const FIRST_NAME_ATTRIBUTES: [&str; 4] = ["FIRSTNAME", "FNAME", "FIRST_NAME", "PRENOM"];
const LAST_NAME_ATTRIBUTES: [&str; 4] = ["LASTNAME", "LNAME", "LAST_NAME", "NOM"];

/// The entries in a fixed order: a contact's values and a member's hashes follow it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    entries: Vec<CheckedEntry>,
    region: Option<PhoneRegion>,
}

/// A contact's values for the mapping, in its order, and the values left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MappedValues {
    /// `None` where the person has no value (an import then leaves the attribute as it is:
    /// empty values never erase) or where it could not be converted.
    pub values: Vec<Option<BrevoValue>>,
    pub left_out: Vec<Unconvertible>,
}

impl Mapping {
    pub fn new(entries: Vec<CheckedEntry>, region: Option<PhoneRegion>) -> Self {
        Self { entries, region }
    }

    /// The mapping of an install that never saved one: first and last name onto the
    /// account's attributes for them, where it has them.
    pub fn first_and_last_name(attributes: &[BrevoAttribute], region: Option<PhoneRegion>) -> Self {
        let pick = |candidates: &[&str]| {
            candidates.iter().find_map(|candidate| {
                attributes
                    .iter()
                    .find(|a| a.name.eq_ignore_ascii_case(candidate))
            })
        };
        let fields = [
            ("first_name", "First name", &FIRST_NAME_ATTRIBUTES),
            ("last_name", "Last name", &LAST_NAME_ATTRIBUTES),
        ];
        let entries = fields
            .into_iter()
            .filter_map(|(key, name, candidates)| {
                let mut attribute = pick(candidates)?.clone();
                // The listing may leave out a type; names are text.
                if attribute.attribute_type == BrevoAttributeType::Untyped {
                    attribute.attribute_type = BrevoAttributeType::Text;
                }
                Some(CheckedEntry {
                    field: PersonField {
                        key: key.to_owned(),
                        name: name.to_owned(),
                        field_type: PersonFieldType::Varchar,
                        custom: false,
                        options: Vec::new(),
                    },
                    attribute,
                })
            })
            .collect();
        Self { entries, region }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[CheckedEntry] {
        &self.entries
    }

    /// The attributes, in the mapping's order.
    pub fn attributes(&self) -> impl Iterator<Item = &BrevoAttribute> {
        self.entries.iter().map(|entry| &entry.attribute)
    }

    /// The person fields, in the mapping's order.
    pub fn fields(&self) -> impl Iterator<Item = &PersonField> {
        self.entries.iter().map(|entry| &entry.field)
    }

    /// Each attribute's value from `person`, an object holding the mapped fields' raw values
    /// as a v2 person does (custom ones under `custom_fields`).
    pub fn values(&self, person: &Value) -> MappedValues {
        let mut mapped = MappedValues {
            values: Vec::with_capacity(self.entries.len()),
            left_out: Vec::new(),
        };
        for entry in &self.entries {
            let value = convert(person, &entry.field, &entry.attribute, self.region)
                .unwrap_or_else(|unconvertible| {
                    mapped.left_out.push(unconvertible);
                    None
                });
            mapped.values.push(value);
        }
        mapped
    }
}

/// Mappings and contacts for the sync's unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::domain::contact::Contact;

    pub fn attribute(name: &str, attribute_type: &str) -> BrevoAttribute {
        BrevoAttribute::from_listing(name, "normal", Some(attribute_type), Vec::new())
    }

    /// First and last name onto FIRSTNAME and LASTNAME, as most accounts have them.
    pub fn names() -> Mapping {
        let attributes = [
            attribute("FIRSTNAME", "text"),
            attribute("LASTNAME", "text"),
        ];
        Mapping::first_and_last_name(&attributes, None)
    }

    /// A contact of `names()` (a `None` last name: the person has none).
    pub fn named(email: &str, first: &str, last: Option<&str>) -> Contact {
        let text = |t: &str| Some(BrevoValue::Text(t.to_owned()));
        Contact {
            email: email.to_owned(),
            person_id: 1,
            mapped: MappedValues {
                values: vec![text(first), last.and_then(text)],
                left_out: Vec::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{testing::attribute, *};

    #[test]
    fn the_default_maps_the_names_the_account_has() {
        let untyped = BrevoAttribute::from_listing("lname", "normal", None, Vec::new());
        let attributes = [attribute("SMS", "text"), untyped];
        let mapping = Mapping::first_and_last_name(&attributes, None);
        let names: Vec<&str> = mapping.attributes().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["lname"]);
        let values = mapping.values(&json!({"first_name": "Ada", "last_name": "Lovelace"}));
        assert_eq!(values.values, [Some(BrevoValue::Text("Lovelace".into()))]);
        assert!(values.left_out.is_empty());
    }
}
