//! The diff: from the filter's persons and the list's members to one change per contact
//! (DESIGN.md §7). Both arrive page by page, in no common order; a person is decided as soon
//! as its address is found among the members read so far, or once every member is known.
//! Pure: no I/O, so every case is unit-tested.

use std::collections::HashMap;

use super::members::{Comparison, MemberTable, Slot};
use crate::{
    domain::{
        change::{Change, ChangeAction},
        contact::{contact_from, email_key, Contact, EmailKey, Person},
        mapping::Mapping,
    },
    upstream::brevo::ListMember,
};

pub const BLOCKLISTED_REASON: &str = "blocklisted in Brevo";
pub const DUPLICATE_REASON: &str = "the address is on another person of the filter";

/// A person of the filter, as the diff takes it: its contact, or the `skipped` change that
/// says why it has none.
pub type FilterPerson = Result<Contact, Change>;

/// The persons of a page with their contacts' mapped values: the costly part of the diff
/// (conversions, phone parsing), done off the runtime's threads with the page's parsing.
pub fn filter_persons(persons: Vec<Person>, mapping: &Mapping) -> Vec<FilterPerson> {
    persons
        .into_iter()
        .map(|person| {
            let id = person.id;
            contact_from(person, mapping).map_err(|reason| Change {
                action: ChangeAction::Skipped,
                email: None,
                person_id: Some(id),
                reason: Some(reason),
            })
        })
        .collect()
}

/// A contact to write to Brevo, with the change it makes.
#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    pub contact: Contact,
    pub change: Change,
}

/// What one step of the diff decided.
#[derive(Debug, Default)]
pub struct Decisions {
    /// `added` and `updated` contacts, to import.
    pub writes: Vec<Write>,
    /// `skipped` changes: nothing to write, recorded at once.
    pub skipped: Vec<Change>,
    /// Members equal to their person: nothing written, nothing recorded.
    pub unchanged: i64,
}

pub struct Diff {
    mapping: Mapping,
    members: MemberTable,
    /// Contacts not found among the members read so far.
    pending: HashMap<EmailKey, Contact>,
    members_complete: bool,
}

impl Diff {
    pub fn new(mapping: Mapping) -> Self {
        Self {
            members: MemberTable::new(&mapping),
            mapping,
            pending: HashMap::new(),
            members_complete: false,
        }
    }

    /// Members of the list at the job's start.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// A page of members (`total`: the list's size, to reserve for it at once).
    pub fn add_members(&mut self, page: Vec<ListMember>, total: usize, out: &mut Decisions) {
        self.members.reserve(total);
        for member in page {
            let Some(email) = member.email.map(|e| e.trim().to_lowercase()) else {
                continue;
            };
            let key = email_key(&email);
            let Some(number) = self.members.insert(
                &email,
                member.email_blacklisted,
                &member.attributes,
                &self.mapping,
            ) else {
                continue;
            };
            if let Some(contact) = self.pending.remove(&key) {
                self.decide_member(number, contact, out);
            }
        }
    }

    /// Every member is known: the contacts still pending are new to the list.
    pub fn members_complete(&mut self, out: &mut Decisions) {
        self.members_complete = true;
        for (key, contact) in std::mem::take(&mut self.pending) {
            self.members.mark_taken(key);
            out.writes.push(added(contact));
        }
    }

    pub fn add_persons(&mut self, persons: Vec<FilterPerson>, out: &mut Decisions) {
        for person in persons {
            let contact = match person {
                Ok(contact) => contact,
                Err(skipped) => {
                    out.skipped.push(skipped);
                    continue;
                }
            };
            let key = email_key(&contact.email);
            match self.members.slot(&key, &contact.email) {
                Slot::Member(number) if self.members.mark_seen(number) => {
                    self.decide_member(number, contact, out)
                }
                Slot::Member(_) | Slot::Taken => out.skipped.push(duplicate(contact)),
                Slot::Unknown if self.pending.contains_key(&key) => {
                    out.skipped.push(duplicate(contact))
                }
                Slot::Unknown if self.members_complete => {
                    self.members.mark_taken(key);
                    out.writes.push(added(contact));
                }
                Slot::Unknown => {
                    self.pending.insert(key, contact);
                }
            }
        }
    }

    /// Members the filter does not hold: call after the last page of both.
    pub fn leavers(&self) -> Vec<String> {
        self.members.unseen().map(str::to_owned).collect()
    }

    fn decide_member(&mut self, number: u32, contact: Contact, out: &mut Decisions) {
        self.members.mark_seen(number);
        let reason = match self.members.compare(number, &contact, &self.mapping) {
            Comparison::Unchanged => {
                out.unchanged += 1;
                return;
            }
            Comparison::Blocklisted => {
                out.skipped.push(skipped(&contact, BLOCKLISTED_REASON));
                return;
            }
            Comparison::Changed(attributes) => format!("changed: {}", attributes.join(", ")),
        };
        let reason = [reason].into_iter().chain(left_out(&contact)).collect();
        let change = Change {
            action: ChangeAction::Updated,
            email: Some(contact.email.clone()),
            person_id: Some(contact.person_id),
            reason: Some(join_reasons(reason)),
        };
        out.writes.push(Write { contact, change });
    }
}

fn added(contact: Contact) -> Write {
    let left_out: Vec<String> = left_out(&contact).collect();
    let change = Change {
        action: ChangeAction::Added,
        email: Some(contact.email.clone()),
        person_id: Some(contact.person_id),
        reason: (!left_out.is_empty()).then(|| join_reasons(left_out)),
    };
    Write { contact, change }
}

/// The values the contact is written without, each as "Phone left out: …".
fn left_out(contact: &Contact) -> impl Iterator<Item = String> + '_ {
    contact.mapped.left_out.iter().map(ToString::to_string)
}

fn join_reasons(reasons: Vec<String>) -> String {
    reasons.join("; ")
}

fn skipped(contact: &Contact, reason: &str) -> Change {
    Change {
        action: ChangeAction::Skipped,
        email: Some(contact.email.clone()),
        person_id: Some(contact.person_id),
        reason: Some(reason.to_owned()),
    }
}

fn duplicate(contact: Contact) -> Change {
    skipped(&contact, DUPLICATE_REASON)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::{contact::PersonEmail, mapping::testing::names};

    fn person(id: i64, email: &str, last: &str) -> Person {
        Person {
            id,
            first_name: Some("Ada".into()),
            last_name: Some(last.into()),
            emails: vec![PersonEmail {
                value: email.into(),
                primary: true,
            }],
            ..Person::default()
        }
    }

    fn member(email: &str, last: &str, blocklisted: bool) -> ListMember {
        serde_json::from_value(json!({
            "email": email, "emailBlacklisted": blocklisted,
            "attributes": {"FIRSTNAME": "Ada", "LASTNAME": last}
        }))
        .unwrap()
    }

    fn actions(out: &Decisions) -> Vec<(ChangeAction, Option<String>)> {
        out.writes
            .iter()
            .map(|w| &w.change)
            .chain(&out.skipped)
            .map(|c| (c.action, c.email.clone()))
            .collect()
    }

    fn diff() -> Diff {
        Diff::new(names())
    }

    #[test]
    fn every_row_of_the_table_whatever_arrives_first() {
        for members_first in [true, false] {
            let mut diff = diff();
            let mut out = Decisions::default();
            let members = vec![
                member("same@x.org", "Lovelace", false),
                member("renamed@x.org", "Old", false),
                member("blocked@x.org", "Lovelace", true),
                member("leaver@x.org", "Lovelace", false),
                member("blocked-leaver@x.org", "Lovelace", true),
            ];
            let persons = [
                person(1, "Same@X.org", "Lovelace"),
                person(2, "renamed@x.org", "New"),
                person(3, "blocked@x.org", "Lovelace"),
                person(4, "new@x.org", "Lovelace"),
                person(5, "new@x.org", "Twin"),
                person(6, "not-an-email", "Lovelace"),
                person(7, "same@x.org", "Twin"),
            ];
            if members_first {
                diff.add_members(members, 5, &mut out);
                diff.members_complete(&mut out);
                diff.add_persons(filter_persons(persons.to_vec(), &names()), &mut out);
            } else {
                diff.add_persons(filter_persons(persons.to_vec(), &names()), &mut out);
                diff.add_members(members, 5, &mut out);
                diff.members_complete(&mut out);
            }
            let mut got = actions(&out);
            got.sort_by_key(|(a, e)| (a.as_str(), e.clone()));
            let email = |e: &str| Some(e.to_owned());
            assert_eq!(
                got,
                vec![
                    (ChangeAction::Added, email("new@x.org")),
                    (ChangeAction::Skipped, None),
                    (ChangeAction::Skipped, email("blocked@x.org")),
                    (ChangeAction::Skipped, email("new@x.org")),
                    (ChangeAction::Skipped, email("same@x.org")),
                    (ChangeAction::Updated, email("renamed@x.org")),
                ],
                "members first: {members_first}"
            );
            assert_eq!(out.unchanged, 1);
            assert_eq!(diff.leavers(), ["leaver@x.org", "blocked-leaver@x.org"]);
            let updated = out
                .writes
                .iter()
                .find(|w| w.change.action == ChangeAction::Updated);
            assert_eq!(
                updated.unwrap().change.reason.as_deref(),
                Some("changed: LASTNAME")
            );
        }
    }
}
