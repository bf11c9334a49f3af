//! Bulk seeding of a list from a generated population, for benchmarks that
//! need a big list to start from.
//!
//! The persons are generated before the account is locked, so other requests
//! wait only for the inserts. A million persons take about two seconds in a
//! release build on two cores, half of it generating them.

use std::thread;

use serde_json::Value;

use super::account::Account;
use super::contacts::normalize_email;
use crate::clock;
use crate::state::generator::GeneratedPersons;

/// One contact to seed: normalised email, first and last name (empty: unset).
pub(super) struct SeedRow {
    email: String,
    first_name: String,
    last_name: String,
}

/// The contacts of a population, as the sync would send them; generated on
/// every core, since making the persons is half of a seeding's work.
pub(super) fn rows(population: GeneratedPersons) -> Vec<SeedRow> {
    let threads = thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let chunk = population.count.div_ceil(threads).max(1);
    let row = |index| {
        let person = population.person(index);
        let email = normalize_email(&person.chosen_email()?)?;
        Some(SeedRow {
            email,
            first_name: person.first_name.trim().to_owned(),
            last_name: person.last_name.trim().to_owned(),
        })
    };
    thread::scope(|scope| {
        let workers: Vec<_> = (0..population.count)
            .step_by(chunk as usize)
            .map(|start| {
                let end = population.count.min(start + chunk);
                scope.spawn(move || (start..end).filter_map(row).collect::<Vec<_>>())
            })
            .collect();
        let chunks = workers
            .into_iter()
            .map(|worker| worker.join().expect("generation does not panic"));
        chunks.flatten().collect()
    })
}

impl Account {
    /// Creates the list and puts the rows' contacts in it (creating or
    /// updating them). `None` if `folder_id` is unknown.
    pub(super) fn seed_list(
        &mut self,
        name: &str,
        folder_id: Option<u64>,
        rows: Vec<SeedRow>,
    ) -> Option<u64> {
        let folder_id = match folder_id {
            Some(id) => id,
            None => self.first_folder(),
        };
        let list_id = self.create_list(name, folder_id).ok()?;
        let now = clock::unix_now();
        self.contacts.reserve(rows.len());
        self.ids_by_email.reserve(rows.len());
        for row in rows {
            let id = match self.ids_by_email.get(&row.email) {
                Some(&id) => id,
                None => self.insert_contact(&row.email, now),
            };
            // BrevoState::new lists the first and last name attributes first.
            let values = vec![
                (0, Value::from(row.first_name)),
                (1, Value::from(row.last_name)),
            ];
            self.contact_mut(id).set_attributes(values, false, now);
            self.join(list_id, id);
        }
        Some(list_id)
    }
}
