//! Paged contact listings: `getContacts` and `getContactsFromList`.
//!
//! Both page in order of creation (contact id). A page costs O(limit + log n)
//! for one list or the whole account, O(contacts / 64) for several lists (one
//! pass over their bitmaps), and O(matching contacts) with a date filter,
//! which no index covers.

use super::account::{list_not_found, Account, Rejection};
use super::members::MemberSet;
use super::Contact;

/// Which contacts a listing returns and which page of them.
#[derive(Debug, Clone, Default)]
pub(crate) struct ContactQuery {
    /// Members of any of these lists; `None` for every contact.
    pub lists: Option<Vec<u64>>,
    pub offset: usize,
    pub limit: usize,
    /// Newest first, Brevo's default.
    pub desc: bool,
    /// Unix seconds; contacts modified at or after it. The sandbox keeps whole
    /// seconds, so it errs towards including a contact rather than missing it.
    pub modified_since: Option<i64>,
    /// Unix seconds; contacts created at or after it.
    pub created_since: Option<i64>,
}

impl Account {
    /// A page of contacts and the number of contacts the query matches.
    pub fn query_contacts(&self, query: &ContactQuery) -> Result<(Vec<Contact>, usize), Rejection> {
        let union;
        let members = match query.lists.as_deref() {
            None => None,
            Some([list_id]) => Some(&self.lists.get(list_id).ok_or_else(list_not_found)?.members),
            Some(list_ids) => {
                let sets = list_ids
                    .iter()
                    .map(|id| self.lists.get(id).map(|list| &list.members))
                    .collect::<Option<Vec<&MemberSet>>>()
                    .ok_or_else(list_not_found)?;
                union = MemberSet::union(sets);
                Some(&union)
            }
        };
        let (ids, count) = if query.modified_since.is_some() || query.created_since.is_some() {
            let candidates = match members {
                Some(members) => members.ids(),
                None => (1..=self.contacts.len() as u64).collect(),
            };
            let matching: Vec<u64> = candidates
                .into_iter()
                .filter(|&id| self.matches_dates(id, query))
                .collect();
            let count = matching.len();
            (window(matching, query), count)
        } else {
            match members {
                Some(members) => (
                    members.page(query.offset, query.limit, query.desc),
                    members.len(),
                ),
                None => {
                    let count = self.contacts.len();
                    (id_range_page(count, query), count)
                }
            }
        };
        Ok((ids.into_iter().map(|id| self.snapshot(id)).collect(), count))
    }

    fn matches_dates(&self, id: u64, query: &ContactQuery) -> bool {
        let contact = self.contact(id);
        query
            .modified_since
            .is_none_or(|since| contact.modified_at >= since)
            && query
                .created_since
                .is_none_or(|since| contact.created_at >= since)
    }
}

/// The page of ascending `ids` a query asks for.
fn window(ids: Vec<u64>, query: &ContactQuery) -> Vec<u64> {
    let take =
        |ids: &mut dyn Iterator<Item = u64>| ids.skip(query.offset).take(query.limit).collect();
    if query.desc {
        take(&mut ids.into_iter().rev())
    } else {
        take(&mut ids.into_iter())
    }
}

/// A page of every contact: ids are `1..=count`, so the page is arithmetic.
fn id_range_page(count: usize, query: &ContactQuery) -> Vec<u64> {
    let len = query.limit.min(count.saturating_sub(query.offset));
    let ranks = query.offset..query.offset + len;
    if query.desc {
        ranks.map(|rank| (count - rank) as u64).collect()
    } else {
        ranks.map(|rank| rank as u64 + 1).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::state::brevo::BrevoState;

    fn emails(page: &[Contact]) -> Vec<&str> {
        page.iter().map(|contact| contact.email.as_str()).collect()
    }

    #[test]
    fn pages_one_list_several_lists_and_the_account() {
        let brevo = BrevoState::new("FIRSTNAME", "LASTNAME", Duration::ZERO);
        let folder = brevo.create_folder("Sync");
        let (a, b) = (
            brevo.create_list("A", folder).unwrap(),
            brevo.create_list("B", folder).unwrap(),
        );
        brevo.add_contact("one@example.com", &[], &[a]);
        brevo.add_contact("two@example.com", &[], &[]);
        brevo.add_contact("three@example.com", &[], &[a, b]);
        brevo.add_contact("four@example.com", &[], &[b]);
        let query = |lists: Option<Vec<u64>>, offset, limit, desc| {
            let query = ContactQuery {
                lists,
                offset,
                limit,
                desc,
                ..ContactQuery::default()
            };
            brevo.with(|account| account.query_contacts(&query))
        };

        let (page, count) = query(Some(vec![a]), 0, 10, true).unwrap();
        assert_eq!(
            (emails(&page), count),
            (vec!["three@example.com", "one@example.com"], 2)
        );
        assert_eq!(page[0].list_ids, [a, b]);
        let (page, count) = query(Some(vec![b, a]), 1, 2, false).unwrap();
        assert_eq!(
            (emails(&page), count),
            (vec!["three@example.com", "four@example.com"], 3)
        );
        let (page, count) = query(None, 1, 2, true).unwrap();
        assert_eq!(
            (emails(&page), count),
            (vec!["three@example.com", "two@example.com"], 4)
        );
        assert!(query(None, 4, 2, false).unwrap().0.is_empty());
        assert_eq!(
            query(Some(vec![a, 99]), 0, 1, false).unwrap_err().status,
            404
        );

        let future = ContactQuery {
            modified_since: Some(i64::MAX),
            limit: 10,
            ..ContactQuery::default()
        };
        let (page, count) = brevo
            .with(|account| account.query_contacts(&future))
            .unwrap();
        assert_eq!((page.len(), count), (0, 0));
        let past = ContactQuery {
            modified_since: None,
            created_since: Some(0),
            limit: 1,
            offset: 3,
            ..future
        };
        let (page, count) = brevo.with(|account| account.query_contacts(&past)).unwrap();
        assert_eq!((emails(&page), count), (vec!["four@example.com"], 4));
    }
}
