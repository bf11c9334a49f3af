//! The Brevo account: its folders and lists (contacts are in `contacts.rs`).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use super::attributes::Attribute;
use super::contacts::StoredContact;
use super::imports::Process;
use super::members::MemberSet;
use super::{FolderInfo, ImportRecord, ListInfo};
use crate::clock;

#[derive(Debug)]
pub(crate) struct Account {
    pub(super) attributes: Vec<Attribute>,
    pub(super) import_delay: Duration,
    pub(super) processes: BTreeMap<u64, Process>,
    pub(super) imports: Vec<ImportRecord>,
    pub(super) next_process_id: u64,
    pub(super) lists: BTreeMap<u64, List>,
    /// Contact `id` is at index `id - 1`: ids are dense and contacts are never
    /// deleted, so a lookup is an index and "every contact by id" a slice.
    pub(super) contacts: Vec<StoredContact>,
    pub(super) ids_by_email: HashMap<String, u64>,
    folders: BTreeMap<u64, String>,
    next_folder_id: u64,
    next_list_id: u64,
}

#[derive(Debug)]
pub(crate) struct List {
    name: String,
    folder_id: u64,
    created_at: i64,
    /// Contact ids. Each contact also records its lists (for cheap
    /// snapshots); `membership.rs` changes both together.
    pub(super) members: MemberSet,
    /// Members whose email is blocklisted, kept current by every change of
    /// membership or flag so `totalBlacklisted` costs nothing to report.
    pub(super) blocklisted: u64,
}

/// What `PUT /v3/contacts/lists/{id}` changes: "either of the two parameters
/// (name, folderId) can be updated at a time".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ListUpdate {
    Name(String),
    Folder(u64),
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
            contacts: Vec::new(),
            ids_by_email: HashMap::new(),
            next_folder_id: 1,
            // Lists start at 2 so that a client swapping folderId and listId
            // does not succeed by accident on a fresh account.
            next_list_id: 2,
        }
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

    /// The folder with the lowest id, created as Brevo's default one if there is none.
    pub fn first_folder(&mut self) -> u64 {
        match self.folders.keys().next() {
            Some(&id) => id,
            None => self.create_folder("Your first folder"),
        }
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
            members: MemberSet::default(),
            blocklisted: 0,
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
            blocklisted_count: list.blocklisted,
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

    /// Renames a list or moves it to another folder.
    pub fn update_list(&mut self, list_id: u64, update: ListUpdate) -> Result<(), Rejection> {
        if let ListUpdate::Folder(folder_id) = update {
            // Checked before the list is borrowed; an unknown list still answers 404 first.
            if self.list_exists(list_id) && !self.folder_exists(folder_id) {
                return Err(Rejection::invalid(format!(
                    "Folder ID not found: {folder_id}"
                )));
            }
        }
        let list = self.lists.get_mut(&list_id).ok_or_else(list_not_found)?;
        match update {
            ListUpdate::Name(name) => list.name = name,
            ListUpdate::Folder(folder_id) => list.folder_id = folder_id,
        }
        Ok(())
    }

    /// Deletes a list; its contacts stay, without it among their lists.
    pub fn delete_list(&mut self, list_id: u64) -> Result<(), Rejection> {
        let list = self.lists.remove(&list_id).ok_or_else(list_not_found)?;
        for id in list.members.ids() {
            self.contact_mut(id).forget_list(list_id);
        }
        Ok(())
    }

    fn list(&self, list_id: u64) -> Result<&List, Rejection> {
        self.lists.get(&list_id).ok_or_else(list_not_found)
    }

    /// The folder's totals are the sums of its lists' (see [`ListInfo`]);
    /// `unique_subscribers` counts each contact once, in one pass over bitmaps.
    fn folder_info(&self, folder_id: u64) -> FolderInfo {
        let lists: Vec<&List> = self
            .lists
            .values()
            .filter(|list| list.folder_id == folder_id)
            .collect();
        let total_blacklisted = lists.iter().map(|list| list.blocklisted).sum();
        let members: u64 = lists.iter().map(|list| list.members.len() as u64).sum();
        let unique_subscribers = match lists.as_slice() {
            [] => 0,
            [list] => list.members.len(),
            _ => MemberSet::union(lists.iter().map(|list| &list.members)).len(),
        } as u64;
        FolderInfo {
            id: folder_id,
            name: self.folders[&folder_id].clone(),
            total_subscribers: members - total_blacklisted,
            total_blacklisted,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::brevo::BrevoState;

    #[test]
    fn folder_counts_and_list_changes_keep_contacts_consistent() {
        let brevo = BrevoState::new("FIRSTNAME", "LASTNAME", Duration::ZERO);
        let folder = brevo.create_folder("Sync");
        let a = brevo.create_list("A", folder).unwrap();
        let b = brevo.create_list("B", folder).unwrap();
        brevo.add_contact("x@example.com", &[], &[a, b]);
        brevo.add_contact("y@example.com", &[], &[a]);
        brevo.add_contact("z@example.com", &[], &[b]);
        assert!(brevo.set_blocklisted("X@example.com", true));
        let expected = FolderInfo {
            id: folder,
            name: "Sync".into(),
            total_subscribers: 2,
            total_blacklisted: 2,
            unique_subscribers: 3,
        };
        assert_eq!(brevo.folders(), [expected]);

        let other = brevo.create_folder("Other");
        let moved = brevo.with(|account| account.update_list(a, ListUpdate::Folder(other)));
        assert_eq!(moved, Ok(()));
        let unknown = brevo.with(|account| account.update_list(a, ListUpdate::Folder(99)));
        assert_eq!(unknown.unwrap_err().status, 400);
        let missing = brevo.with(|account| account.update_list(99, ListUpdate::Folder(99)));
        assert_eq!(missing.unwrap_err().status, 404);
        assert_eq!(brevo.folders()[0].unique_subscribers, 2);

        // Deleting a list takes it off its members; later flag changes skip it.
        assert!(brevo.delete_list(b));
        assert_eq!(brevo.contact("x@example.com").unwrap().list_ids, [a]);
        assert!(brevo.set_blocklisted("x@example.com", false));
        let list = &brevo.lists()[0];
        assert_eq!((list.member_count, list.blocklisted_count), (2, 0));
        assert_eq!(brevo.folders()[0].total_subscribers, 0);
    }
}
