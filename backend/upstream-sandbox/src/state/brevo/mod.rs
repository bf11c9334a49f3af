//! Brevo side of the sandbox: one account with folders, lists, contacts and
//! import processes.

mod account;
mod attributes;
mod contacts;
mod imports;
mod listing;
mod members;
mod membership;
mod seeding;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

pub(crate) use account::{Account, ListUpdate, Rejection};
pub(crate) use attributes::{Attribute, AttributeSpec};
pub(crate) use contacts::{ContactChange, CreateOutcome, Membership};
pub(crate) use imports::{ImportRequest, ImportRow, ImportTarget};
pub(crate) use listing::ContactQuery;

use super::generator::GeneratedPersons;
use super::lock;

/// Handle on the Brevo account; clones share it.
///
/// Every access first completes the imports whose delay has elapsed, so state
/// is consistent whenever it is observed and no background task is needed.
#[derive(Debug, Clone)]
pub struct BrevoState {
    account: Arc<Mutex<Account>>,
    /// The attributes the account starts with, and gets back on a reset.
    default_attributes: Arc<[Attribute]>,
}

/// A contact, with the lists it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub id: u64,
    /// Lower-cased, as the account keys contacts.
    pub email: String,
    pub attributes: BTreeMap<String, Value>,
    /// Sorted.
    pub list_ids: Vec<u64>,
    /// Blocklisted for email campaigns (`emailBlacklisted`).
    pub email_blacklisted: bool,
    /// Blocklisted for SMS campaigns (`smsBlacklisted`).
    pub sms_blacklisted: bool,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub modified_at: i64,
}

impl Contact {
    /// A text or date attribute's value, if set (others: see `attributes`).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).and_then(Value::as_str)
    }
}

/// A folder's totals are the sums of its lists' `totalSubscribers` and
/// `totalBlacklisted` (see [`ListInfo`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderInfo {
    pub id: u64,
    pub name: String,
    /// Members of the folder's lists that are not blocklisted, counted once per list.
    pub total_subscribers: u64,
    /// Blocklisted members of the folder's lists, counted once per list.
    pub total_blacklisted: u64,
    /// Distinct contacts in the folder's lists, blocklisted or not.
    pub unique_subscribers: u64,
}

/// A list. The spec describes `totalSubscribers` as the "number of contacts"
/// and `uniqueSubscribers` as the "number of unique contacts"; in each of its
/// examples `uniqueSubscribers = totalSubscribers + totalBlacklisted`, so the
/// sandbox reports every member as unique, and the members that are not
/// blocklisted as subscribers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListInfo {
    pub id: u64,
    pub name: String,
    pub folder_id: u64,
    /// Every member (`uniqueSubscribers`).
    pub member_count: u64,
    /// Members blocklisted for email (`totalBlacklisted`).
    pub blocklisted_count: u64,
    /// Unix seconds.
    pub created_at: i64,
}

impl ListInfo {
    /// Members that are not blocklisted (`totalSubscribers`).
    pub fn subscriber_count(&self) -> u64 {
        self.member_count - self.blocklisted_count
    }
}

/// What the sandbox recorded about one accepted `POST /v3/contacts/import`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub process_id: u64,
    /// Rows in the request (`jsonBody` entries or `fileBody` lines).
    pub contacts: usize,
    /// Size of the raw request body.
    pub body_bytes: usize,
    /// Target lists; empty when the import asked for a `newList`.
    pub list_ids: Vec<u64>,
    pub update_existing_contacts: bool,
    pub empty_contacts_attributes: bool,
    /// The import asked to blocklist every imported contact for email
    /// (`emailBlacklist: true`): a sync must never send that.
    pub email_blacklist: bool,
    /// Likewise for SMS (`smsBlacklist: true`).
    pub sms_blacklist: bool,
    pub received_at: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessStatus {
    Queued,
    InProcess,
    Completed,
}

impl ProcessStatus {
    /// The value of `status` in `GET /v3/processes/{id}`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::InProcess => "in_process",
            Self::Completed => "completed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessInfo {
    pub id: u64,
    pub name: &'static str,
    pub status: ProcessStatus,
}

impl BrevoState {
    /// An account whose first/last name attributes carry these names (see
    /// [`attributes::defaults`] for the others).
    pub(crate) fn new(first_name: &str, last_name: &str, import_delay: Duration) -> Self {
        let attributes = attributes::defaults(first_name, last_name);
        let account = Account::new(attributes.clone(), import_delay);
        Self {
            account: Arc::new(Mutex::new(account)),
            default_attributes: attributes.into(),
        }
    }

    /// Runs `operation` on the account after completing due imports.
    pub(crate) fn with<R>(&self, operation: impl FnOnce(&mut Account) -> R) -> R {
        let mut account = lock(&self.account);
        account.settle(Instant::now());
        operation(&mut account)
    }

    /// Emails of a list's members, sorted; empty if the list is unknown.
    pub fn list_members(&self, list_id: u64) -> Vec<String> {
        self.with(|account| account.member_emails(list_id).unwrap_or_default())
    }

    pub fn contact(&self, email: &str) -> Option<Contact> {
        self.with(|account| account.contact_by_email(email))
    }

    /// Every contact, by id. This materialises them: see [`Self::contact_count`].
    pub fn contacts(&self) -> Vec<Contact> {
        self.with(|account| account.all_contacts())
    }

    pub fn contact_count(&self) -> usize {
        self.with(|account| account.contact_count())
    }

    /// Blocklists a contact for email, or unblocks it, as a user could in the
    /// Brevo UI (or as the contact did by unsubscribing). False if the
    /// contact is unknown.
    pub fn set_blocklisted(&self, email: &str, blocklisted: bool) -> bool {
        self.with(|account| {
            let id = account.contact_id(email);
            id.map(|id| account.set_email_blacklisted(id, blocklisted))
                .is_some()
        })
    }

    /// Creates or updates a contact directly (e.g. a member that Pipedrive no
    /// longer has). Values are read by the attribute's type, as CSV cells
    /// are (`"42.5"` for a float); unknown list ids are skipped. Returns the
    /// contact id.
    pub fn add_contact(&self, email: &str, attributes: &[(&str, &str)], list_ids: &[u64]) -> u64 {
        let change = ContactChange {
            attributes: attributes
                .iter()
                .map(|&(name, value)| (name.to_owned(), Value::from(value)))
                .collect(),
            list_ids: list_ids.to_vec(),
            from_text: true,
            ..ContactChange::default()
        };
        self.with(|account| account.upsert_contact(&email.to_lowercase(), change))
    }

    /// Creates a list holding the contacts of `population`'s persons, as a
    /// completed import of them would, without the import: benchmarks start
    /// from a big list in a second. Each person's email is the one the sync
    /// picks (see [`crate::Person::chosen_email`]), with the first and last
    /// name attributes set; persons without a usable email are skipped. The
    /// list goes into `folder_id`, or the first folder (created if there is
    /// none). `None` if `folder_id` is unknown.
    pub fn seed_list(
        &self,
        name: &str,
        folder_id: Option<u64>,
        population: GeneratedPersons,
    ) -> Option<u64> {
        let rows = seeding::rows(population);
        self.with(|account| account.seed_list(name, folder_id, rows))
    }

    pub fn lists(&self) -> Vec<ListInfo> {
        self.with(|account| account.lists_page(0, usize::MAX, false).0)
    }

    pub fn folders(&self) -> Vec<FolderInfo> {
        self.with(|account| account.folder_infos())
    }

    pub fn create_folder(&self, name: &str) -> u64 {
        self.with(|account| account.create_folder(name))
    }

    /// `None` if the folder does not exist.
    pub fn create_list(&self, name: &str, folder_id: u64) -> Option<u64> {
        self.with(|account| account.create_list(name, folder_id).ok())
    }

    /// Renames a list, as a user could in the Brevo UI. False if unknown.
    pub fn rename_list(&self, list_id: u64, name: &str) -> bool {
        let update = ListUpdate::Name(name.to_owned());
        self.with(|account| account.update_list(list_id, update).is_ok())
    }

    /// Deletes a list, as a user could in the Brevo UI. False if unknown.
    pub fn delete_list(&self, list_id: u64) -> bool {
        self.with(|account| account.delete_list(list_id).is_ok())
    }

    /// Every accepted import, oldest first.
    pub fn imports(&self) -> Vec<ImportRecord> {
        self.with(|account| account.imports.clone())
    }

    pub fn processes(&self) -> Vec<ProcessInfo> {
        self.with(|account| account.process_infos(Instant::now()))
    }

    /// Empties the account and restores the attributes it started with (the
    /// import delay is kept).
    pub fn clear(&self) {
        let mut account = lock(&self.account);
        *account = Account::new(self.default_attributes.to_vec(), account.import_delay);
    }
}
