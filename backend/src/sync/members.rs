//! The list's members as the diff needs them: who is in the list, whether Brevo blocklists
//! them, and a 32-bit hash of each mapped attribute's current value.
//!
//! Memory is what bounds a million-member sync: a member costs its number (4 bytes) in a
//! hash index that finds it by its address, the address in one string arena (removals need
//! it back; the index compares against it, so it holds no key of its own), one byte of
//! flags and four bytes per mapped attribute. The filter's contacts outside the list are a
//! set of 16-byte keys beside it.

use std::{
    collections::HashSet,
    hash::{DefaultHasher, Hash, Hasher},
};

use hashbrown::HashTable;

use serde_json::Value;

use crate::domain::{
    contact::{email_key, Contact, EmailKey},
    fields::BrevoValue,
    mapping::Mapping,
};

/// An attribute the member has no value for.
const ABSENT: u32 = 0;

const BLOCKLISTED: u8 = 1;
const SEEN: u8 = 2;

/// What the index knows about an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Member(u32),
    /// A contact of this job outside the list, already decided.
    Taken,
    Unknown,
}

/// How a filter contact compares with its member.
#[derive(Debug, PartialEq, Eq)]
pub enum Comparison<'a> {
    Blocklisted,
    Unchanged,
    /// The attributes whose values differ.
    Changed(Vec<&'a str>),
}

#[derive(Debug, Default)]
pub struct MemberTable {
    /// Member numbers, hashed by their address's key.
    index: HashTable<u32>,
    /// Filter contacts decided outside the list.
    taken: HashSet<EmailKey>,
    emails: String,
    /// Member `i`'s address is `emails[ends[i - 1]..ends[i]]`.
    ends: Vec<u32>,
    flags: Vec<u8>,
    /// `width` hashes per member, in the mapping's order.
    hashes: Vec<u32>,
    width: usize,
}

impl MemberTable {
    pub fn new(mapping: &Mapping) -> Self {
        Self {
            width: mapping.len(),
            ..Self::default()
        }
    }

    /// Makes room for `members` members (the list's count, known from its first page).
    pub fn reserve(&mut self, members: usize) {
        let (emails, ends) = (&self.emails, &self.ends);
        self.index
            .reserve(members.saturating_sub(self.index.len()), |&m| {
                key_hash(&email_key(arena_email(emails, ends, m)))
            });
        self.ends.reserve(members);
        self.flags.reserve(members);
        self.hashes.reserve(members * self.width);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Where `email` (normalised, with its `key`) stands.
    pub fn slot(&self, key: &EmailKey, email: &str) -> Slot {
        if let Some(&member) = self.find(key, email) {
            Slot::Member(member)
        } else if self.taken.contains(key) {
            Slot::Taken
        } else {
            Slot::Unknown
        }
    }

    fn find(&self, key: &EmailKey, email: &str) -> Option<&u32> {
        self.index.find(key_hash(key), |&m| self.email(m) == email)
    }

    /// Adds a member (its address already normalised); `None` when the address is known
    /// already (as a member or as a contact decided outside the list).
    pub fn insert(
        &mut self,
        email: &str,
        blocklisted: bool,
        attributes: &serde_json::Map<String, Value>,
        mapping: &Mapping,
    ) -> Option<u32> {
        let member = u32::try_from(self.ends.len()).expect("fewer than 4 billion members");
        let key = email_key(email);
        if self.find(&key, email).is_some() || self.taken.contains(&key) {
            return None;
        }
        let (emails, ends) = (&self.emails, &self.ends);
        self.index.insert_unique(key_hash(&key), member, |&m| {
            key_hash(&email_key(arena_email(emails, ends, m)))
        });
        self.emails.push_str(email);
        self.ends
            .push(u32::try_from(self.emails.len()).expect("member addresses fit 4 GB"));
        self.flags.push(if blocklisted { BLOCKLISTED } else { 0 });
        self.hashes.extend(mapping.attributes().map(|attribute| {
            attributes
                .get(&attribute.name)
                .and_then(|json| BrevoValue::from_member_json(json, &attribute.attribute_type))
                .map_or(ABSENT, |value| value_hash(&value))
        }));
        Some(member)
    }

    /// Records that the filter holds this member; `false` if it was seen before.
    pub fn mark_seen(&mut self, member: u32) -> bool {
        let flags = &mut self.flags[member as usize];
        let first = *flags & SEEN == 0;
        *flags |= SEEN;
        first
    }

    /// Records a filter contact decided outside the list, so a second one is a duplicate.
    pub fn mark_taken(&mut self, key: EmailKey) {
        self.taken.insert(key);
    }

    pub fn compare<'a>(
        &self,
        member: u32,
        contact: &'a Contact,
        mapping: &'a Mapping,
    ) -> Comparison<'a> {
        let member = member as usize;
        if self.flags[member] & BLOCKLISTED != 0 {
            return Comparison::Blocklisted;
        }
        let current = &self.hashes[member * self.width..(member + 1) * self.width];
        // An attribute the person has no value for is not compared: the import would leave
        // it as it is (`emptyContactsAttributes` is false).
        let changed: Vec<&str> = mapping
            .attributes()
            .zip(&contact.mapped.values)
            .zip(current)
            .filter_map(|((attribute, value), hash)| {
                let value = value.as_ref()?;
                (value_hash(value) != *hash).then_some(attribute.name.as_str())
            })
            .collect();
        if changed.is_empty() {
            Comparison::Unchanged
        } else {
            Comparison::Changed(changed)
        }
    }

    pub fn email(&self, member: u32) -> &str {
        arena_email(&self.emails, &self.ends, member)
    }

    /// The members the filter did not hold.
    pub fn unseen(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len() as u32)
            .filter(|&m| self.flags[m as usize] & SEEN == 0)
            .map(|m| self.email(m))
    }
}

/// Member `member`'s address in the arena: `emails[ends[member - 1]..ends[member]]`.
fn arena_email<'a>(emails: &'a str, ends: &[u32], member: u32) -> &'a str {
    let member = member as usize;
    let start = member.checked_sub(1).map_or(0, |i| ends[i] as usize);
    &emails[start..ends[member] as usize]
}

/// The index's hash of an address: its key is already a uniform hash.
fn key_hash(key: &EmailKey) -> u64 {
    u64::from_le_bytes(key[..8].try_into().expect("a key has 16 bytes"))
}

/// A value's hash, never [`ABSENT`]: of the bytes that are equal exactly when Brevo holds
/// the same value, so a member read back compares equal to what was written.
fn value_hash(value: &BrevoValue) -> u32 {
    let mut hasher = DefaultHasher::new();
    value.digest_bytes().hash(&mut hasher);
    (hasher.finish() as u32).max(1)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::mapping::testing::{attribute, named, names};

    fn contact(first: &str, last: Option<&str>) -> Contact {
        named("a@example.com", first, last)
    }

    #[test]
    fn members_compare_attribute_by_attribute() {
        let mapping = names();
        let mut table = MemberTable::new(&mapping);
        let attributes = json!({"FIRSTNAME": "Ada", "LASTNAME": "Lovelace"});
        let member = table
            .insert(
                "a@example.com",
                false,
                attributes.as_object().unwrap(),
                &mapping,
            )
            .unwrap();
        let blocked = table
            .insert("b@example.com", true, &Default::default(), &mapping)
            .unwrap();
        assert_eq!(
            table.insert("a@example.com", false, &Default::default(), &mapping),
            None
        );

        let same = contact("Ada", Some("Lovelace"));
        let renamed = contact("Ada", Some("Byron"));
        let no_last = contact("Ada", None);
        assert_eq!(
            table.compare(member, &same, &mapping),
            Comparison::Unchanged
        );
        assert_eq!(
            table.compare(member, &renamed, &mapping),
            Comparison::Changed(vec!["LASTNAME"])
        );
        assert_eq!(
            table.compare(member, &no_last, &mapping),
            Comparison::Unchanged
        );
        assert_eq!(
            table.compare(blocked, &same, &mapping),
            Comparison::Blocklisted
        );

        assert!(table.mark_seen(member));
        assert!(!table.mark_seen(member));
        assert_eq!(table.unseen().collect::<Vec<_>>(), ["b@example.com"]);
        assert_eq!(table.email(member), "a@example.com");
        let slot = |table: &MemberTable, email: &str| table.slot(&email_key(email), email);
        assert_eq!(slot(&table, "b@example.com"), Slot::Member(blocked));
        table.mark_taken(email_key("c@example.com"));
        assert_eq!(slot(&table, "c@example.com"), Slot::Taken);
        assert_eq!(slot(&table, "d@example.com"), Slot::Unknown);
        assert_eq!(
            table.insert("c@example.com", false, &Default::default(), &mapping),
            None,
            "a contact decided outside the list is not a member"
        );
        for n in 0..5_000 {
            let email = format!("m{n}@example.com");
            let member = table.insert(&email, false, &Default::default(), &mapping);
            assert_eq!(slot(&table, &email), Slot::Member(member.unwrap()));
        }
        assert_eq!(
            slot(&table, "a@example.com"),
            Slot::Member(0),
            "found after growing"
        );
    }

    #[test]
    fn typed_members_compare_by_value_not_by_spelling() {
        let fields = [
            ("SCORE", "float", json!(5), BrevoValue::Number(5.0)),
            (
                "RENEWAL",
                "date",
                json!("2027-03-01"),
                BrevoValue::Date(time::macros::date!(2027 - 03 - 01)),
            ),
            ("VIP", "boolean", json!(true), BrevoValue::Boolean(true)),
        ];
        for (name, attribute_type, listed, written) in fields {
            let entry = crate::domain::fields::CheckedEntry {
                field: crate::domain::fields::PersonField {
                    key: "x".into(),
                    name: "x".into(),
                    field_type: crate::domain::fields::PersonFieldType::Double,
                    custom: false,
                    options: Vec::new(),
                },
                attribute: attribute(name, attribute_type),
            };
            let mapping = Mapping::new(vec![entry], None);
            let mut table = MemberTable::new(&mapping);
            let attributes = json!({ name: listed });
            let member = table
                .insert(
                    "a@example.com",
                    false,
                    attributes.as_object().unwrap(),
                    &mapping,
                )
                .unwrap();
            let mut contact = contact("unused", None);
            contact.mapped.values = vec![Some(written)];
            assert_eq!(
                table.compare(member, &contact, &mapping),
                Comparison::Unchanged,
                "{name}"
            );
            contact.mapped.values = vec![Some(BrevoValue::Text("other".into()))];
            assert_eq!(
                table.compare(member, &contact, &mapping),
                Comparison::Changed(vec![name]),
                "{name}"
            );
        }
    }
}
