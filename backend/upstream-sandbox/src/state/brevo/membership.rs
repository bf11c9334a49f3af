//! List membership and the email blocklist flag, the two things a list's
//! counts depend on.
//!
//! Membership is recorded twice, in the list's [`MemberSet`] (for paging) and
//! in the contact's sorted `list_ids` (for snapshots); only [`Account::join`]
//! and [`Account::leave`] change it, so the two always agree, and they keep
//! each list's count of blocklisted members current. Every change costs
//! O(log n) or less, so bulk changes stay linear in what they change.
//!
//! [`MemberSet`]: super::members::MemberSet

use super::account::{list_not_found, Account, Rejection};
use super::contacts::{normalize_email, Membership};
use crate::clock;

impl Account {
    /// Sets a contact's email blocklist flag, keeping its lists' counts. True if it changed.
    pub fn set_email_blacklisted(&mut self, id: u64, blocklisted: bool) -> bool {
        let contact = &mut self.contacts[id as usize - 1];
        if contact.email_blacklisted == blocklisted {
            return false;
        }
        contact.email_blacklisted = blocklisted;
        contact.modified_at = clock::unix_now();
        for list_id in &contact.list_ids {
            let list = self
                .lists
                .get_mut(list_id)
                .expect("a contact's lists exist");
            if blocklisted {
                list.blocklisted += 1;
            } else {
                list.blocklisted -= 1;
            }
        }
        true
    }

    /// Adds existing contacts to a list; missing contacts and current members fail.
    pub fn add_members(
        &mut self,
        list_id: u64,
        emails: &[String],
    ) -> Result<Membership, Rejection> {
        self.change_members(list_id, emails, Self::join)
    }

    /// Removes contacts from a list; non-members fail.
    pub fn remove_members(
        &mut self,
        list_id: u64,
        emails: &[String],
    ) -> Result<Membership, Rejection> {
        self.change_members(list_id, emails, Self::leave)
    }

    /// Puts a contact in a list (unknown lists are skipped). True if it joined.
    pub(super) fn join(&mut self, list_id: u64, id: u64) -> bool {
        let Some(list) = self.lists.get_mut(&list_id) else {
            return false;
        };
        if !list.members.insert(id) {
            return false;
        }
        let contact = &mut self.contacts[id as usize - 1];
        list.blocklisted += u64::from(contact.email_blacklisted);
        let index = contact.list_ids.binary_search(&list_id).unwrap_err();
        contact.list_ids.insert(index, list_id);
        true
    }

    /// Takes a contact out of a list. True if it was a member.
    fn leave(&mut self, list_id: u64, id: u64) -> bool {
        let Some(list) = self.lists.get_mut(&list_id) else {
            return false;
        };
        if !list.members.remove(id) {
            return false;
        }
        let contact = &mut self.contacts[id as usize - 1];
        list.blocklisted -= u64::from(contact.email_blacklisted);
        contact.forget_list(list_id);
        true
    }

    fn change_members(
        &mut self,
        list_id: u64,
        emails: &[String],
        change: fn(&mut Self, u64, u64) -> bool,
    ) -> Result<Membership, Rejection> {
        if !self.list_exists(list_id) {
            return Err(list_not_found());
        }
        let mut result = Membership {
            success: Vec::new(),
            failure: Vec::new(),
        };
        for email in emails {
            let key = normalize_email(email);
            let id = key
                .as_ref()
                .and_then(|key| self.ids_by_email.get(key).copied());
            match (key, id) {
                (Some(key), Some(id)) if change(self, list_id, id) => result.success.push(key),
                _ => result.failure.push(email.clone()),
            }
        }
        Ok(result)
    }
}
