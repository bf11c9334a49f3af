//! A v2 persons page read into [`Person`]s, keeping only what the sync uses: the id, the
//! names, the emails, and the raw values of the mapped fields. Everything else is skipped
//! while parsing, not built: a person of a busy account carries dozens of fields.

use std::{borrow::Cow, fmt};

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::domain::{
    contact::{Person, PersonEmail},
    fields::{place_of, FieldPlace, PersonField},
};

/// The keys of the mapped fields' values: standard ones of the person object, custom ones
/// of its `custom_fields`.
#[derive(Debug, Clone, Default)]
pub struct WantedFields {
    standard: Vec<String>,
    custom: Vec<String>,
}

/// Read into [`Person`]'s own fields whatever the mapping says.
const ALWAYS_READ: [&str; 4] = ["id", "name", "first_name", "last_name"];

impl WantedFields {
    pub fn of<'a>(fields: impl IntoIterator<Item = &'a PersonField>) -> Self {
        let mut wanted = Self::default();
        for field in fields {
            match place_of(field) {
                FieldPlace::Custom(key) => wanted.custom.push(key.to_owned()),
                FieldPlace::Standard(key) if !ALWAYS_READ.contains(&key) => {
                    wanted.standard.push(key.to_owned())
                }
                FieldPlace::Standard(_) => {}
            }
        }
        wanted
    }
}

/// Parses a page (`{"data": [...], ...}`) into its persons.
pub fn parse_persons(body: &[u8], wanted: &WantedFields) -> serde_json::Result<Vec<Person>> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let persons = PageSeed(wanted).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(persons)
}

struct PageSeed<'w>(&'w WantedFields);
struct PersonsSeed<'w>(&'w WantedFields);
struct PersonSeed<'w>(&'w WantedFields);
struct CustomFieldsSeed<'w>(&'w [String]);

/// An object key, borrowed from the body unless it holds escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }
            fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> DeserializeSeed<'de> for PageSeed<'_> {
    type Value = Vec<Person>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<Person>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PageSeed<'_> {
    type Value = Vec<Person>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a page of persons")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Person>, A::Error> {
        let mut persons = Vec::new();
        while let Some(Key(key)) = map.next_key()? {
            if key == "data" {
                persons = map.next_value_seed(PersonsSeed(self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(persons)
    }
}

impl<'de> DeserializeSeed<'de> for PersonsSeed<'_> {
    type Value = Vec<Person>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<Person>, D::Error> {
        // `data` is null on an empty page.
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for PersonsSeed<'_> {
    type Value = Vec<Person>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of persons or null")
    }
    fn visit_none<E>(self) -> Result<Vec<Person>, E> {
        Ok(Vec::new())
    }
    fn visit_unit<E>(self) -> Result<Vec<Person>, E> {
        Ok(Vec::new())
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<Person>, D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Person>, A::Error> {
        let mut persons = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(person) = seq.next_element_seed(PersonSeed(self.0))? {
            persons.push(person);
        }
        Ok(persons)
    }
}

impl<'de> DeserializeSeed<'de> for PersonSeed<'_> {
    type Value = Person;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Person, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PersonSeed<'_> {
    type Value = Person;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a person")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Person, A::Error> {
        let wanted = self.0;
        let mut person = Person::default();
        let mut id = None;
        while let Some(Key(key)) = map.next_key()? {
            match &*key {
                "id" => id = Some(map.next_value()?),
                "name" => person.name = map.next_value()?,
                "first_name" => person.first_name = map.next_value()?,
                "last_name" => person.last_name = map.next_value()?,
                "emails" => {
                    let emails: Value = map.next_value()?;
                    person.emails = person_emails(&emails);
                    if wanted.standard.iter().any(|k| k == "emails") {
                        person.fields.insert("emails".to_owned(), emails);
                    }
                }
                "custom_fields" if !wanted.custom.is_empty() => {
                    let values = map.next_value_seed(CustomFieldsSeed(&wanted.custom))?;
                    person
                        .fields
                        .insert("custom_fields".to_owned(), Value::Object(values));
                }
                other if wanted.standard.iter().any(|k| k == other) => {
                    let value = map.next_value()?;
                    person.fields.insert(other.to_owned(), value);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        person.id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        Ok(person)
    }
}

impl<'de> DeserializeSeed<'de> for CustomFieldsSeed<'_> {
    type Value = Map<String, Value>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for CustomFieldsSeed<'_> {
    type Value = Map<String, Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the custom fields' values or null")
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Map::new())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Map::new())
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = Map::new();
        while let Some(Key(key)) = map.next_key()? {
            if self.0.iter().any(|k| *k == key) {
                values.insert(key.into_owned(), map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(values)
    }
}

/// The `emails` entries with a text value (`[{"value": "a@x.org", "primary": true}]`).
fn person_emails(emails: &Value) -> Vec<PersonEmail> {
    let entries = emails.as_array().map(Vec::as_slice).unwrap_or_default();
    entries
        .iter()
        .filter_map(|entry| {
            Some(PersonEmail {
                value: entry.get("value")?.as_str()?.to_owned(),
                primary: entry.get("primary").and_then(Value::as_bool) == Some(true),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::fields::PersonFieldType;

    fn field(key: &str, custom: bool) -> PersonField {
        PersonField {
            key: key.into(),
            name: key.into(),
            field_type: PersonFieldType::Varchar,
            custom,
            options: Vec::new(),
        }
    }

    #[test]
    fn only_the_mapped_values_are_kept() {
        let segment = "a".repeat(40);
        let wanted = WantedFields::of(&[field("phone", false), field(&segment, true)]);
        let body = json!({
            "success": true,
            "data": [{
                "id": 7, "name": "Ada Lovelace", "first_name": "Ada", "last_name": null,
                "emails": [{"value": "a@x.org", "primary": true, "label": "work"}],
                "phones": [{"value": "030 1234", "primary": true}],
                "org_id": 3, "notes": "skipped",
                "custom_fields": {segment.clone(): 12, "b".repeat(40): "skipped"}
            }, {"id": 8, "emails": null, "custom_fields": null}],
            "additional_data": {"next_cursor": null}
        });
        let persons = parse_persons(body.to_string().as_bytes(), &wanted).unwrap();
        assert_eq!(persons.len(), 2);
        let ada = &persons[0];
        assert_eq!((ada.id, ada.first_name.as_deref()), (7, Some("Ada")));
        assert_eq!(
            ada.emails,
            [PersonEmail {
                value: "a@x.org".into(),
                primary: true
            }]
        );
        assert_eq!(
            Value::Object(ada.fields.clone()),
            json!({"phones": [{"value": "030 1234", "primary": true}],
                   "custom_fields": {segment: 12}})
        );
        assert_eq!((persons[1].id, persons[1].emails.len()), (8, 0));
    }

    #[test]
    fn a_person_without_an_id_or_a_broken_page_is_an_error() {
        let wanted = WantedFields::default();
        assert!(parse_persons(br#"{"data": [{"name": "x"}]}"#, &wanted).is_err());
        assert!(parse_persons(br#"{"data": [{"id": 1}"#, &wanted).is_err());
        assert_eq!(parse_persons(br#"{"data": null}"#, &wanted).unwrap(), []);
    }
}
