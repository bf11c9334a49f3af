//! From a Pipedrive person to the contact we send to Brevo: which email, which values.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::mapping::{MappedValues, Mapping};

/// A Pipedrive person, reduced to what the sync needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub emails: Vec<PersonEmail>,
    /// The raw values of the mapped fields besides the names, keyed as a v2 person keys
    /// them (custom ones under `custom_fields`).
    pub fields: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonEmail {
    pub value: String,
    pub primary: bool,
}

/// A Brevo contact: a normalised email, the person it comes from, and its attributes'
/// values in the mapping's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub email: String,
    pub person_id: i64,
    pub mapped: MappedValues,
}

/// A normalised email address as a 128-bit digest: a sync holds every address of a filter
/// and of its list, and 16 bytes each keeps a million-person sync small. (Two addresses
/// would need to collide in 128 bits of SHA-256 to be confused.)
pub type EmailKey = [u8; 16];

pub fn email_key(email: &str) -> EmailKey {
    let digest = Sha256::digest(email.as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// The person's contact, or why they have none (no usable email), for the change log. The
/// names a mapping reads are the resolved ones (see [`names`]).
pub fn contact_from(person: Person, mapping: &Mapping) -> Result<Contact, String> {
    let Some(email) = choose_email(&person.emails) else {
        return Err(missing_contact_reason(&person));
    };
    let (first, last) = names(&person);
    let mut fields = person.fields;
    for (key, name) in [("first_name", first), ("last_name", last)] {
        fields.insert(key.to_owned(), name.map_or(Value::Null, Value::String));
    }
    Ok(Contact {
        email,
        person_id: person.id,
        mapped: mapping.values(&Value::Object(fields)),
    })
}

fn missing_contact_reason(person: &Person) -> String {
    match chosen_address(&person.emails) {
        None => "no email address in Pipedrive".to_owned(),
        Some(address) => format!("not a valid email address: {:?}", address.trim()),
    }
}

/// The primary email if it is non-empty, else the first non-empty one; trimmed and
/// lower-cased; `None` if that address is not valid.
pub fn choose_email(emails: &[PersonEmail]) -> Option<String> {
    let email = chosen_address(emails)?.trim().to_lowercase();
    is_valid_email(&email).then_some(email)
}

/// The address the person is synced by, as entered.
fn chosen_address(emails: &[PersonEmail]) -> Option<&str> {
    let non_empty = |e: &&PersonEmail| !e.value.trim().is_empty();
    let chosen = emails
        .iter()
        .filter(non_empty)
        .find(|e| e.primary)
        .or_else(|| emails.iter().find(non_empty))?;
    Some(&chosen.value)
}

/// A pragmatic check of what Brevo will accept: `local@domain.tld`, no spaces or control
/// characters, within the RFC 5321 length limits.
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let labels_ok = domain
        .split('.')
        .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
    email.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !local.contains('@')
        && domain.contains('.')
        && labels_ok
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>(),;:\"[]\\".contains(c))
}

/// First and last name: Pipedrive's own fields, else the full name split at its first space.
fn names(person: &Person) -> (Option<String>, Option<String>) {
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let (first, last) = (clean(&person.first_name), clean(&person.last_name));
    if first.is_some() || last.is_some() {
        return (first, last);
    }
    match clean(&person.name) {
        Some(full) => match full.split_once(char::is_whitespace) {
            Some((first, last)) => (Some(first.to_owned()), Some(last.trim().to_owned())),
            None => (Some(full), None),
        },
        None => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::fields::{BrevoAttribute, BrevoValue};

    fn email(value: &str, primary: bool) -> PersonEmail {
        PersonEmail {
            value: value.into(),
            primary,
        }
    }

    #[test]
    fn the_primary_email_wins_even_when_not_first() {
        let emails = [
            email("other@example.com", false),
            email("Main@Example.com", true),
        ];
        assert_eq!(choose_email(&emails).as_deref(), Some("main@example.com"));
    }

    #[test]
    fn without_a_usable_primary_the_first_non_empty_email_is_taken() {
        let emails = [
            email("  ", true),
            email("", false),
            email(" First@x.org ", false),
            email("b@x.org", false),
        ];
        assert_eq!(choose_email(&emails).as_deref(), Some("first@x.org"));
    }

    #[test]
    fn persons_without_a_valid_email_have_no_contact() {
        assert_eq!(choose_email(&[]), None);
        for invalid in [
            "not-an-email",
            "a@b",
            "@example.com",
            "a b@example.com",
            "a@example..com",
            "a@@example.com",
        ] {
            assert_eq!(choose_email(&[email(invalid, true)]), None, "{invalid}");
        }
    }

    #[test]
    fn names_come_from_the_fields_or_the_full_name() {
        let person = |name: Option<&str>, first: Option<&str>, last: Option<&str>| Person {
            id: 1,
            name: name.map(Into::into),
            first_name: first.map(Into::into),
            last_name: last.map(Into::into),
            emails: vec![email("x@example.com", true)],
            fields: Map::new(),
        };
        let attributes = ["FIRSTNAME", "LASTNAME"]
            .map(|name| BrevoAttribute::from_listing(name, "normal", Some("text"), Vec::new()));
        let mapping = Mapping::first_and_last_name(&attributes, None);
        let contact = |p: Person| {
            let text = |v: &Option<BrevoValue>| match v {
                Some(BrevoValue::Text(t)) => Some(t.clone()),
                _ => None,
            };
            let values = contact_from(p, &mapping).unwrap().mapped.values;
            (text(&values[0]), text(&values[1]))
        };
        assert_eq!(
            contact(person(Some("Zoë Ærø"), Some("Zoë"), Some("Ærø"))),
            (Some("Zoë".into()), Some("Ærø".into()))
        );
        assert_eq!(
            contact(person(Some("José María Pérez"), None, None)),
            (Some("José".into()), Some("María Pérez".into()))
        );
        assert_eq!(
            contact(person(Some("Cher"), Some(" "), None)),
            (Some("Cher".into()), None)
        );
        assert_eq!(contact(person(None, None, None)), (None, None));
    }

    #[test]
    fn email_keys_tell_addresses_apart() {
        assert_eq!(email_key("a@example.com"), email_key("a@example.com"));
        assert_ne!(email_key("a@example.com"), email_key("b@example.com"));
    }

    proptest! {
        #[test]
        fn a_chosen_email_is_always_normalised_and_valid(
            values in proptest::collection::vec((".{0,40}", any::<bool>()), 0..5)
        ) {
            let emails: Vec<PersonEmail> = values.into_iter().map(|(v, p)| email(&v, p)).collect();
            if let Some(chosen) = choose_email(&emails) {
                prop_assert_eq!(chosen.clone(), chosen.trim().to_lowercase());
                prop_assert!(is_valid_email(&chosen));
            }
        }
    }
}
