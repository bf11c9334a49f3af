//! Asynchronous contact imports and their processes.
//!
//! An accepted import only records its payload. Its effects land all at once
//! when the process completes, `import_delay` later, so a client that does not
//! wait for `completed` sees the list unchanged, exactly as with Brevo.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::Value;

use super::account::{Account, Rejection};
use super::contacts::{normalize_email, ContactChange};
use super::{ImportRecord, ProcessInfo, ProcessStatus};

/// Brevo's process name for contact imports.
const IMPORT_PROCESS_NAME: &str = "IMPORTUSER";

/// One contact of an import.
#[derive(Debug, Clone)]
pub(crate) struct ImportRow {
    pub email: String,
    pub attributes: BTreeMap<String, Value>,
}

#[derive(Debug, Clone)]
pub(crate) enum ImportTarget {
    Lists(Vec<u64>),
    NewList { name: String, folder_id: u64 },
}

/// A validated `POST /v3/contacts/import` request.
#[derive(Debug, Clone)]
pub(crate) struct ImportRequest {
    pub rows: Vec<ImportRow>,
    pub target: ImportTarget,
    pub update_existing: bool,
    pub empty_attributes: bool,
    /// `emailBlacklist`: blocklist every imported contact for email.
    pub email_blacklist: bool,
    /// `smsBlacklist`: blocklist every imported contact for SMS.
    pub sms_blacklist: bool,
    /// The rows came from a `fileBody`: their values are text.
    pub from_text: bool,
    pub body_bytes: usize,
}

#[derive(Debug)]
pub(crate) struct Process {
    accepted_at: Instant,
    completes_at: Instant,
    /// The import still to apply; `None` once completed.
    pending: Option<ImportRequest>,
}

impl Process {
    fn status(&self, now: Instant) -> ProcessStatus {
        let halfway = self.accepted_at + (self.completes_at - self.accepted_at) / 2;
        match &self.pending {
            None => ProcessStatus::Completed,
            Some(_) if now >= halfway => ProcessStatus::InProcess,
            Some(_) => ProcessStatus::Queued,
        }
    }
}

impl Account {
    /// Queues an import and returns its process id.
    pub fn accept_import(
        &mut self,
        request: ImportRequest,
        now: Instant,
    ) -> Result<u64, Rejection> {
        match &request.target {
            ImportTarget::Lists(ids) => {
                if let Some(unknown) = ids.iter().find(|id| !self.list_exists(**id)) {
                    return Err(Rejection::invalid(format!("Invalid list id: {unknown}")));
                }
            }
            ImportTarget::NewList { folder_id, .. } if !self.folder_exists(*folder_id) => {
                return Err(Rejection::not_found("Folder ID not found"));
            }
            ImportTarget::NewList { .. } => {}
        }
        let process_id = self.next_process_id;
        self.next_process_id += 1;
        self.imports.push(ImportRecord {
            process_id,
            contacts: request.rows.len(),
            body_bytes: request.body_bytes,
            list_ids: match &request.target {
                ImportTarget::Lists(ids) => ids.clone(),
                ImportTarget::NewList { .. } => Vec::new(),
            },
            update_existing_contacts: request.update_existing,
            empty_contacts_attributes: request.empty_attributes,
            email_blacklist: request.email_blacklist,
            sms_blacklist: request.sms_blacklist,
            received_at: now,
        });
        let process = Process {
            accepted_at: now,
            completes_at: now + self.import_delay,
            pending: Some(request),
        };
        self.processes.insert(process_id, process);
        Ok(process_id)
    }

    /// Applies, in acceptance order, every import whose delay has elapsed.
    pub(super) fn settle(&mut self, now: Instant) {
        let due: Vec<ImportRequest> = self
            .processes
            .values_mut()
            .filter(|process| process.completes_at <= now)
            .filter_map(|process| process.pending.take())
            .collect();
        for request in due {
            self.apply(request);
        }
    }

    pub fn process(&self, process_id: u64, now: Instant) -> Option<ProcessInfo> {
        let process = self.processes.get(&process_id)?;
        Some(ProcessInfo {
            id: process_id,
            name: IMPORT_PROCESS_NAME,
            status: process.status(now),
        })
    }

    pub(super) fn process_infos(&self, now: Instant) -> Vec<ProcessInfo> {
        let ids = self.processes.keys();
        ids.filter_map(|&id| self.process(id, now)).collect()
    }

    fn apply(&mut self, request: ImportRequest) {
        let list_ids: Vec<u64> = match request.target {
            // A list deleted while the import was queued is skipped.
            ImportTarget::Lists(ids) => {
                ids.into_iter().filter(|id| self.list_exists(*id)).collect()
            }
            ImportTarget::NewList { name, folder_id } => {
                self.create_list(&name, folder_id).into_iter().collect()
            }
        };
        for row in request.rows {
            let Some(email) = normalize_email(&row.email) else {
                continue;
            };
            // Without updateExistingContacts an existing contact keeps its
            // attributes but still joins the lists (Brevo's docs only speak
            // of updating; membership is what the import is for). Blocklist
            // flags change only when the import asks to blocklist everyone:
            // whether an import unblocks a contact is not stated, and Brevo's
            // help says contacts are unblocked one by one.
            let exists = self.ids_by_email.contains_key(&email);
            let change = ContactChange {
                attributes: if exists && !request.update_existing {
                    BTreeMap::new()
                } else {
                    row.attributes
                },
                list_ids: list_ids.clone(),
                erase_empty: request.empty_attributes,
                email_blacklisted: request.email_blacklist.then_some(true),
                sms_blacklisted: request.sms_blacklist.then_some(true),
                from_text: request.from_text,
            };
            self.upsert_contact(&email, change);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::state::brevo::BrevoState;

    fn row(email: &str, first: &str) -> ImportRow {
        let attributes = BTreeMap::from([
            ("FIRSTNAME".to_owned(), json!(first)),
            ("UNKNOWN".to_owned(), json!("ignored")),
        ]);
        ImportRow {
            email: email.to_owned(),
            attributes,
        }
    }

    #[test]
    fn import_lands_only_when_complete() {
        let brevo = BrevoState::new("FIRSTNAME", "LASTNAME", Duration::from_secs(3600));
        let folder = brevo.create_folder("Sync");
        let list = brevo.create_list("Leads", folder).unwrap();
        let request = ImportRequest {
            rows: vec![
                row(" Ada@Example.com ", "Ada"),
                row("not-an-email", "X"),
                row("ada@example.com", "Ada L."),
            ],
            target: ImportTarget::Lists(vec![list]),
            update_existing: true,
            empty_attributes: false,
            email_blacklist: false,
            sms_blacklist: false,
            from_text: false,
            body_bytes: 123,
        };
        let start = Instant::now();
        let id = brevo
            .with(|account| account.accept_import(request, start))
            .unwrap();
        let status = |at| brevo.with(|account| account.process(id, at).unwrap().status);
        assert_eq!(status(start), ProcessStatus::Queued);
        assert_eq!(
            status(start + Duration::from_secs(1800)),
            ProcessStatus::InProcess
        );
        assert!(brevo.list_members(list).is_empty());

        brevo.with(|account| account.settle(start + Duration::from_secs(3600)));
        assert_eq!(status(start), ProcessStatus::Completed);
        assert_eq!(brevo.list_members(list), vec!["ada@example.com"]);
        let contact = brevo.contact("ADA@example.com").unwrap();
        assert_eq!(contact.attribute("FIRSTNAME"), Some("Ada L."));
        assert_eq!(contact.attribute("UNKNOWN"), None);
        assert_eq!(brevo.imports()[0].contacts, 3);
    }
}
