//! The Brevo account's contacts and list membership.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::account::{list_not_found, page, Account, Rejection};
use super::Contact;
use crate::clock;

#[derive(Debug)]
pub(crate) struct StoredContact {
    email: String,
    attributes: BTreeMap<String, Value>,
    created_at: i64,
    modified_at: i64,
}

/// What to write into a contact.
#[derive(Debug, Clone, Default)]
pub(crate) struct ContactChange {
    pub attributes: BTreeMap<String, Value>,
    pub list_ids: Vec<u64>,
    /// Empty values erase the attribute (import's `emptyContactsAttributes`);
    /// otherwise they are ignored.
    pub erase_empty: bool,
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

impl Account {
    pub fn member_emails(&self, list_id: u64) -> Option<Vec<String>> {
        let list = self.lists.get(&list_id)?;
        let mut emails: Vec<String> = list
            .members
            .iter()
            .map(|id| self.contacts[id].email.clone())
            .collect();
        emails.sort();
        Some(emails)
    }

    /// A list's members in creation order (or reversed), for offset paging.
    pub fn list_contacts(
        &self,
        list_id: u64,
        offset: usize,
        limit: usize,
        desc: bool,
    ) -> Result<(Vec<Contact>, usize), Rejection> {
        let list = self.lists.get(&list_id).ok_or_else(list_not_found)?;
        let ids = page(list.members.iter().copied(), offset, limit, desc);
        let contacts = ids.into_iter().map(|id| self.snapshot(id)).collect();
        Ok((contacts, list.members.len()))
    }

    /// The contact behind an email, matched case-insensitively.
    pub fn contact_by_email(&self, email: &str) -> Option<Contact> {
        let id = self.ids_by_email.get(&normalize_email(email)?)?;
        Some(self.snapshot(*id))
    }

    pub fn all_contacts(&self) -> Vec<Contact> {
        self.contacts.keys().map(|&id| self.snapshot(id)).collect()
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
    /// normalised. Unknown lists and non-settable attributes are skipped.
    pub fn upsert_contact(&mut self, email: &str, change: ContactChange) -> u64 {
        let now = clock::unix_now();
        let id = match self.ids_by_email.get(email) {
            Some(&id) => id,
            None => {
                let id = self.next_contact_id;
                self.next_contact_id += 1;
                self.ids_by_email.insert(email.to_owned(), id);
                let contact = StoredContact {
                    email: email.to_owned(),
                    attributes: BTreeMap::new(),
                    created_at: now,
                    modified_at: now,
                };
                self.contacts.insert(id, contact);
                id
            }
        };
        let settable: BTreeSet<&str> = self
            .attributes
            .iter()
            .filter(|attribute| attribute.category == "normal")
            .map(|attribute| attribute.name.as_str())
            .collect();
        let contact = self.contacts.get_mut(&id).expect("indexed contact exists");
        for (name, value) in change.attributes {
            let name = name.to_uppercase();
            if !settable.contains(name.as_str()) {
                continue;
            }
            let empty = value.is_null() || value.as_str().is_some_and(str::is_empty);
            match (empty, change.erase_empty) {
                (false, _) => drop(contact.attributes.insert(name, value)),
                (true, true) => drop(contact.attributes.remove(&name)),
                (true, false) => {}
            }
        }
        contact.modified_at = now;
        for list_id in change.list_ids {
            if let Some(list) = self.lists.get_mut(&list_id) {
                list.members.insert(id);
            }
        }
        id
    }

    /// Adds existing contacts to a list; missing contacts and current members fail.
    pub fn add_members(
        &mut self,
        list_id: u64,
        emails: &[String],
    ) -> Result<Membership, Rejection> {
        self.change_members(list_id, emails, |members, id| members.insert(id))
    }

    /// Removes contacts from a list; non-members fail.
    pub fn remove_members(
        &mut self,
        list_id: u64,
        emails: &[String],
    ) -> Result<Membership, Rejection> {
        self.change_members(list_id, emails, |members, id| members.remove(&id))
    }

    fn change_members(
        &mut self,
        list_id: u64,
        emails: &[String],
        change: impl Fn(&mut BTreeSet<u64>, u64) -> bool,
    ) -> Result<Membership, Rejection> {
        let list = self.lists.get_mut(&list_id).ok_or_else(list_not_found)?;
        let mut result = Membership {
            success: Vec::new(),
            failure: Vec::new(),
        };
        for email in emails {
            let key = normalize_email(email);
            match key.as_ref().and_then(|key| self.ids_by_email.get(key)) {
                Some(&id) if change(&mut list.members, id) => {
                    result.success.push(key.unwrap_or_default())
                }
                _ => result.failure.push(email.clone()),
            }
        }
        Ok(result)
    }

    fn snapshot(&self, id: u64) -> Contact {
        let stored = &self.contacts[&id];
        Contact {
            id,
            email: stored.email.clone(),
            attributes: stored.attributes.clone(),
            list_ids: self
                .lists
                .iter()
                .filter(|(_, list)| list.members.contains(&id))
                .map(|(&list_id, _)| list_id)
                .collect(),
            created_at: stored.created_at,
            modified_at: stored.modified_at,
        }
    }
}
