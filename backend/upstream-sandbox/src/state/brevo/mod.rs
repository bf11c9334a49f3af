//! Brevo side of the sandbox: one account with folders, lists, contacts and
//! import processes.

mod account;
mod contacts;
mod imports;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

pub(crate) use account::{Account, Rejection};
pub(crate) use contacts::{ContactChange, CreateOutcome, Membership};
pub(crate) use imports::{ImportRequest, ImportRow, ImportTarget};

use super::lock;

/// Handle on the Brevo account; clones share it.
///
/// Every access first completes the imports whose delay has elapsed, so state
/// is consistent whenever it is observed and no background task is needed.
#[derive(Debug, Clone)]
pub struct BrevoState {
    account: Arc<Mutex<Account>>,
}

/// A contact attribute of the account, as `GET /v3/contacts/attributes` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub name: String,
    /// `normal`, `transactional`, `category`, `calculated` or `global`.
    pub category: &'static str,
    /// `text`, `date`, `float`, `id` or `boolean`.
    pub kind: &'static str,
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
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub modified_at: i64,
}

impl Contact {
    /// A text attribute's value, if set.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).and_then(Value::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderInfo {
    pub id: u64,
    pub name: String,
    /// Members of the folder's lists, counted once per list.
    pub total_subscribers: u64,
    /// Distinct contacts in the folder's lists.
    pub unique_subscribers: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListInfo {
    pub id: u64,
    pub name: String,
    pub folder_id: u64,
    pub member_count: u64,
    /// Unix seconds.
    pub created_at: i64,
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
    /// An empty account whose first/last name attributes carry these names.
    pub(crate) fn new(first_name: &str, last_name: &str, import_delay: Duration) -> Self {
        let attributes = vec![
            Attribute::text(first_name),
            Attribute::text(last_name),
            Attribute::text("SMS"),
            Attribute::text("COMPANY"),
            Attribute {
                name: "OPT_IN".to_owned(),
                category: "normal",
                kind: "boolean",
            },
            // Not settable by imports: clients must not pick attributes blindly.
            Attribute {
                name: "ORDER_ID".to_owned(),
                category: "transactional",
                kind: "id",
            },
        ];
        let account = Account::new(attributes, import_delay);
        Self {
            account: Arc::new(Mutex::new(account)),
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

    /// Every contact, by id.
    pub fn contacts(&self) -> Vec<Contact> {
        self.with(|account| account.all_contacts())
    }

    /// Creates or updates a contact directly (e.g. a member that Pipedrive no
    /// longer has). Unknown list ids are skipped. Returns the contact id.
    pub fn add_contact(&self, email: &str, attributes: &[(&str, &str)], list_ids: &[u64]) -> u64 {
        let change = ContactChange {
            attributes: attributes
                .iter()
                .map(|&(name, value)| (name.to_owned(), Value::from(value)))
                .collect(),
            list_ids: list_ids.to_vec(),
            erase_empty: false,
        };
        self.with(|account| account.upsert_contact(&email.to_lowercase(), change))
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

    /// Empties the account (attributes and import delay are kept).
    pub fn clear(&self) {
        let mut account = lock(&self.account);
        *account = Account::new(account.attributes.clone(), account.import_delay);
    }
}

impl Attribute {
    fn text(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            category: "normal",
            kind: "text",
        }
    }
}
