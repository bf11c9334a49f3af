//! The Brevo account's contacts: creating and updating them, and their
//! public snapshots (membership and blocklist flags: `membership.rs`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::account::{Account, Rejection};
use super::Contact;
use crate::clock;

#[derive(Debug)]
pub(crate) struct StoredContact {
    pub(super) email: String,
    /// (index into the account's attributes, value): a million contacts do not
    /// each carry their own copy of the attribute names.
    pub(super) attributes: Vec<(usize, Value)>,
    /// Sorted.
    pub(super) list_ids: Vec<u64>,
    pub(super) email_blacklisted: bool,
    pub(super) sms_blacklisted: bool,
    pub(super) created_at: i64,
    pub(super) modified_at: i64,
}

/// What to write into a contact.
#[derive(Debug, Clone, Default)]
pub(crate) struct ContactChange {
    pub attributes: BTreeMap<String, Value>,
    pub list_ids: Vec<u64>,
    /// Empty values erase the attribute (import's `emptyContactsAttributes`);
    /// otherwise they are ignored.
    pub erase_empty: bool,
    /// `None` leaves the flag as it is (new contacts start unblocked).
    pub email_blacklisted: Option<bool>,
    pub sms_blacklisted: Option<bool>,
    /// Values are text to read by each attribute's type (CSV cells), not
    /// JSON values that must already have the type.
    pub from_text: bool,
}

pub(crate) enum CreateOutcome {
    Created(u64),
    Updated,
    Duplicate,
}

/// Result of an add/remove call: emails that changed and emails that did not.
pub(crate) struct Membership {
    pub success: Vec<String>,
    pub failure: Vec<String>,
}

/// The key Brevo identifies a contact by: trimmed and lower-cased. `None` for
/// values that are not plausible addresses (they are skipped, as Brevo does).
pub(crate) fn normalize_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let plausible = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace);
    plausible.then_some(email)
}

impl StoredContact {
    /// Writes attribute values (by attribute index) at `now`; empty ones erase
    /// with `erase_empty` and are ignored otherwise.
    pub(super) fn set_attributes(
        &mut self,
        values: Vec<(usize, Value)>,
        erase_empty: bool,
        now: i64,
    ) {
        self.modified_at = now;
        for (index, value) in values {
            let empty = value.is_null() || value.as_str().is_some_and(str::is_empty);
            let existing = self.attributes.iter().position(|(i, _)| *i == index);
            match (empty, erase_empty, existing) {
                (false, _, Some(at)) => self.attributes[at].1 = value,
                (false, _, None) => self.attributes.push((index, value)),
                (true, true, Some(at)) => drop(self.attributes.swap_remove(at)),
                (true, _, _) => {}
            }
        }
    }

    /// Drops a deleted list from the contact's lists.
    pub(super) fn forget_list(&mut self, list_id: u64) {
        if let Ok(index) = self.list_ids.binary_search(&list_id) {
            self.list_ids.remove(index);
        }
    }
}

impl Account {
    pub fn member_emails(&self, list_id: u64) -> Option<Vec<String>> {
        let list = self.lists.get(&list_id)?;
        let ids = list.members.ids();
        let mut emails: Vec<String> = ids
            .iter()
            .map(|&id| self.contact(id).email.clone())
            .collect();
        emails.sort();
        Some(emails)
    }

    /// The contact behind an email, matched case-insensitively.
    pub fn contact_by_email(&self, email: &str) -> Option<Contact> {
        let id = self.contact_id(email)?;
        Some(self.snapshot(id))
    }

    pub fn contact_id(&self, email: &str) -> Option<u64> {
        self.ids_by_email.get(&normalize_email(email)?).copied()
    }

    pub fn all_contacts(&self) -> Vec<Contact> {
        (1..=self.contacts.len() as u64)
            .map(|id| self.snapshot(id))
            .collect()
    }

    pub fn contact_count(&self) -> usize {
        self.contacts.len()
    }

    /// `POST /v3/contacts`: creates, updates (with `updateEnabled`) or refuses.
    /// `listIds` are added to the contact's lists; whether Brevo replaces them
    /// instead (reported in 2018) is not stated, so clients should not rely on it.
    pub fn create_contact(
        &mut self,
        raw_email: &str,
        change: ContactChange,
        update_enabled: bool,
    ) -> Result<CreateOutcome, Rejection> {
        let email = normalize_email(raw_email)
            .ok_or_else(|| Rejection::invalid("Invalid email address"))?;
        if let Some(unknown) = change.list_ids.iter().find(|id| !self.list_exists(**id)) {
            return Err(Rejection::invalid(format!("Invalid list id: {unknown}")));
        }
        match (self.ids_by_email.contains_key(&email), update_enabled) {
            (true, false) => Ok(CreateOutcome::Duplicate),
            (true, true) => {
                self.upsert_contact(&email, change);
                Ok(CreateOutcome::Updated)
            }
            (false, _) => Ok(CreateOutcome::Created(self.upsert_contact(&email, change))),
        }
    }

    /// Creates the contact or merges `change` into it; `email` must already be
    /// normalised. Unknown lists, attributes that are not settable and values
    /// an attribute does not take (see [`super::Attribute`]) are skipped.
    pub fn upsert_contact(&mut self, email: &str, change: ContactChange) -> u64 {
        let now = clock::unix_now();
        let id = match self.ids_by_email.get(email) {
            Some(&id) => id,
            None => self.insert_contact(email, now),
        };
        let from_text = change.from_text;
        let settable: Vec<(usize, Value)> = change
            .attributes
            .into_iter()
            .filter_map(|(name, value)| self.settable_value(&name, value, from_text))
            .collect();
        let contact = self.contact_mut(id);
        contact.set_attributes(settable, change.erase_empty, now);
        if let Some(flag) = change.sms_blacklisted {
            contact.sms_blacklisted = flag;
        }
        if let Some(flag) = change.email_blacklisted {
            self.set_email_blacklisted(id, flag);
        }
        for list_id in change.list_ids {
            self.join(list_id, id);
        }
        id
    }

    pub(super) fn contact(&self, id: u64) -> &StoredContact {
        &self.contacts[id as usize - 1]
    }

    pub(super) fn contact_mut(&mut self, id: u64) -> &mut StoredContact {
        &mut self.contacts[id as usize - 1]
    }

    /// The public view of a contact: O(attributes + lists of the contact).
    pub(super) fn snapshot(&self, id: u64) -> Contact {
        let stored = self.contact(id);
        let attributes = stored
            .attributes
            .iter()
            .filter(|(index, _)| !self.attributes[*index].deleted)
            .map(|(index, value)| (self.attributes[*index].name.clone(), value.clone()))
            .collect();
        Contact {
            id,
            email: stored.email.clone(),
            attributes,
            list_ids: stored.list_ids.clone(),
            email_blacklisted: stored.email_blacklisted,
            sms_blacklisted: stored.sms_blacklisted,
            created_at: stored.created_at,
            modified_at: stored.modified_at,
        }
    }

    pub(super) fn insert_contact(&mut self, email: &str, now: i64) -> u64 {
        self.contacts.push(StoredContact {
            email: email.to_owned(),
            attributes: Vec::new(),
            list_ids: Vec::new(),
            email_blacklisted: false,
            sms_blacklisted: false,
            created_at: now,
            modified_at: now,
        });
        let id = self.contacts.len() as u64;
        self.ids_by_email.insert(email.to_owned(), id);
        id
    }

    /// The index of the attribute `name` (matched case-insensitively) and the
    /// value it keeps, if imports and `createContact` may set it.
    fn settable_value(&self, name: &str, value: Value, from_text: bool) -> Option<(usize, Value)> {
        let index = self.attribute_index(name)?;
        let attribute = &self.attributes[index];
        if !attribute.settable() {
            return None;
        }
        Some((index, attribute.accept(value, from_text)?))
    }
}
