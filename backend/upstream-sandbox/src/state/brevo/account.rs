//! The Brevo account: its folders and lists (contacts are in `contacts.rs`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use super::contacts::StoredContact;
use super::imports::Process;
use super::{Attribute, FolderInfo, ImportRecord, ListInfo};
use crate::clock;

#[derive(Debug)]
pub(crate) struct Account {
    pub(super) attributes: Vec<Attribute>,
    pub(super) import_delay: Duration,
    pub(super) processes: BTreeMap<u64, Process>,
    pub(super) imports: Vec<ImportRecord>,
    pub(super) next_process_id: u64,
    pub(super) lists: BTreeMap<u64, List>,
    pub(super) contacts: BTreeMap<u64, StoredContact>,
    pub(super) ids_by_email: HashMap<String, u64>,
    pub(super) next_contact_id: u64,
    folders: BTreeMap<u64, String>,
    next_folder_id: u64,
    next_list_id: u64,
}

#[derive(Debug)]
pub(crate) struct List {
    name: String,
    folder_id: u64,
    created_at: i64,
    /// Contact ids; the list is the only record of membership.
    pub(super) members: BTreeSet<u64>,
}

/// An error the API answers with an `errorModel` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl Rejection {
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, "invalid_parameter", message)
    }

    pub fn missing(message: impl Into<String>) -> Self {
        Self::new(400, "missing_parameter", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "document_not_found", message)
    }

    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            status,
            code,
            message,
        }
    }
}

impl Account {
    pub fn new(attributes: Vec<Attribute>, import_delay: Duration) -> Self {
        Self {
            attributes,
            import_delay,
            processes: BTreeMap::new(),
            imports: Vec::new(),
            next_process_id: 1,
            folders: BTreeMap::new(),
            lists: BTreeMap::new(),
            contacts: BTreeMap::new(),
            ids_by_email: HashMap::new(),
            next_folder_id: 1,
            // Lists start at 2 so that a client swapping folderId and listId
            // does not succeed by accident on a fresh account.
            next_list_id: 2,
            next_contact_id: 1,
        }
    }

    pub fn attributes(&self) -> &[Attribute] {
        &self.attributes
    }

    pub fn create_folder(&mut self, name: &str) -> u64 {
        let id = self.next_folder_id;
        self.next_folder_id += 1;
        self.folders.insert(id, name.to_owned());
        id
    }

    pub fn folder_exists(&self, folder_id: u64) -> bool {
        self.folders.contains_key(&folder_id)
    }

    pub fn folder_infos(&self) -> Vec<FolderInfo> {
        self.folders
            .keys()
            .map(|&id| self.folder_info(id))
            .collect()
    }

    pub fn folders_page(
        &self,
        offset: usize,
        limit: usize,
        desc: bool,
    ) -> (Vec<FolderInfo>, usize) {
        let ids = page(self.folders.keys().copied(), offset, limit, desc);
        let infos = ids.into_iter().map(|id| self.folder_info(id)).collect();
        (infos, self.folders.len())
    }

    pub fn create_list(&mut self, name: &str, folder_id: u64) -> Result<u64, Rejection> {
        if !self.folder_exists(folder_id) {
            return Err(Rejection::not_found("Folder ID not found"));
        }
        let id = self.next_list_id;
        self.next_list_id += 1;
        let list = List {
            name: name.to_owned(),
            folder_id,
            created_at: clock::unix_now(),
            members: BTreeSet::new(),
        };
        self.lists.insert(id, list);
        Ok(id)
    }

    pub fn list_exists(&self, list_id: u64) -> bool {
        self.lists.contains_key(&list_id)
    }

    pub fn list_info(&self, list_id: u64) -> Result<ListInfo, Rejection> {
        let list = self.list(list_id)?;
        Ok(ListInfo {
            id: list_id,
            name: list.name.clone(),
            folder_id: list.folder_id,
            member_count: list.members.len() as u64,
            created_at: list.created_at,
        })
    }

    pub fn lists_page(&self, offset: usize, limit: usize, desc: bool) -> (Vec<ListInfo>, usize) {
        let ids = page(self.lists.keys().copied(), offset, limit, desc);
        let infos = ids
            .into_iter()
            .filter_map(|id| self.list_info(id).ok())
            .collect();
        (infos, self.lists.len())
    }

    pub fn delete_list(&mut self, list_id: u64) -> Result<(), Rejection> {
        self.lists
            .remove(&list_id)
            .map(drop)
            .ok_or_else(list_not_found)
    }

    fn list(&self, list_id: u64) -> Result<&List, Rejection> {
        self.lists.get(&list_id).ok_or_else(list_not_found)
    }

    fn folder_info(&self, folder_id: u64) -> FolderInfo {
        let members = self
            .lists
            .values()
            .filter(|list| list.folder_id == folder_id)
            .map(|list| &list.members);
        let total_subscribers = members.clone().map(|m| m.len() as u64).sum();
        let unique_subscribers = members.flatten().collect::<BTreeSet<_>>().len() as u64;
        FolderInfo {
            id: folder_id,
            name: self.folders[&folder_id].clone(),
            total_subscribers,
            unique_subscribers,
        }
    }
}

pub(super) fn list_not_found() -> Rejection {
    Rejection::not_found("List ID not found")
}

/// Items `offset..offset + limit` in ascending or descending order.
pub(super) fn page<T>(
    items: impl DoubleEndedIterator<Item = T>,
    offset: usize,
    limit: usize,
    desc: bool,
) -> Vec<T> {
    if desc {
        items.rev().skip(offset).take(limit).collect()
    } else {
        items.skip(offset).take(limit).collect()
    }
}
