//! Which Brevo attributes a sync writes, and the value of each for a contact. One mapping
//! serves every filter: attributes belong to the contact, not to a list.

use super::contact::Contact;

/// The person's data an attribute is filled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonField {
    FirstName,
    LastName,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    attribute: String,
    field: PersonField,
}

/// The attributes in a fixed order: the diff compares members attribute by attribute in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    entries: Vec<Entry>,
}

impl Mapping {
    /// First and last name onto the account's attributes for them, where it has them.
    pub fn first_and_last_name(first: Option<String>, last: Option<String>) -> Self {
        let entries = [
            (first, PersonField::FirstName),
            (last, PersonField::LastName),
        ]
        .into_iter()
        .filter_map(|(attribute, field)| {
            Some(Entry {
                attribute: attribute?,
                field,
            })
        })
        .collect();
        Self { entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The attribute names, in the mapping's order.
    pub fn attributes(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|entry| entry.attribute.as_str())
    }

    /// Each attribute with the contact's value for it; `None` when the person has none (an
    /// import then leaves the attribute as it is: empty values never erase).
    pub fn values<'a>(
        &'a self,
        contact: &'a Contact,
    ) -> impl Iterator<Item = (&'a str, Option<&'a str>)> {
        self.entries.iter().map(move |entry| {
            let value = match entry.field {
                PersonField::FirstName => contact.first_name.as_deref(),
                PersonField::LastName => contact.last_name.as_deref(),
            };
            (entry.attribute.as_str(), value)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_attributes_are_left_out_and_values_follow_the_order() {
        let mapping = Mapping::first_and_last_name(None, Some("LNAME".into()));
        let contact = Contact {
            email: "a@example.com".into(),
            person_id: 1,
            first_name: Some("Ada".into()),
            last_name: None,
        };
        assert_eq!(mapping.attributes().collect::<Vec<_>>(), ["LNAME"]);
        assert_eq!(
            mapping.values(&contact).collect::<Vec<_>>(),
            [("LNAME", None)]
        );
    }
}
