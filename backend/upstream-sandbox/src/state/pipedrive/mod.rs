//! Pipedrive side of the sandbox: person filters, their persons, the
//! account's person fields, the edits made to persons, and the webhooks told
//! about changes to persons.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod custom_values;
mod delivery;
mod edits;
mod events;
mod fields;
mod persons;
mod webhooks;

pub use edits::PersonEdit;
pub use fields::FieldError;
pub(crate) use webhooks::{webhook_json, NewWebhook};
pub use webhooks::{Webhook, WebhookDelivery, MAX_WEBHOOKS_PER_USER};

use custom_values::add_custom_values;
use delivery::Delivery;
use edits::AppliedEdit;
use events::{EventStyle, Touched};
use persons::Persons;
use webhooks::Webhooks;

use super::generator::GeneratedPersons;
use super::lock;
use super::person::Person;
use crate::clock;
use crate::config::SandboxConfig;
use crate::person_fields::{account_fields, PersonField};

/// The user every filter belongs to (the token owner).
const FILTER_OWNER_ID: u64 = 10_001;

/// Handle on the Pipedrive state; clones share it. Locks are taken in the
/// order filters, fields, edits, webhooks.
///
/// The operations that change persons ([`Self::add_filter_with_persons`],
/// [`Self::set_persons`], [`Self::delete_person`], [`Self::edit_person`],
/// [`Self::set_field_on_share`]) send `create`, `change` and `delete` events
/// to the registered v2 webhooks (see the `events` module); filter-level
/// operations (adding, shifting, renaming or removing filters, rotating
/// filters moving on) send none. A bare `PipedriveState::default()` keeps
/// webhooks but calls none: only a [`crate::Sandbox`]'s state delivers.
#[derive(Debug, Clone)]
pub struct PipedriveState {
    filters: Arc<Mutex<BTreeMap<u64, Filter>>>,
    /// Standard fields first, then custom ones; deleted custom fields are gone.
    fields: Arc<Mutex<Vec<PersonField>>>,
    /// By person id: applied wherever the person appears.
    edits: Arc<Mutex<HashMap<u64, AppliedEdit>>>,
    webhooks: Webhooks,
}

/// What [`PipedriveState::filters`] reports about one filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterSummary {
    pub id: u64,
    pub name: String,
    pub person_count: u64,
}

/// Why [`PipedriveState::shift_filter`] refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftError {
    UnknownFilter,
    /// Only generated filters have a window to move.
    NotGenerated,
    /// The window would leave the range of global persons.
    Overflow,
}

/// A filter as `GET /v1/filters` shows it.
#[derive(Debug, Clone)]
pub(crate) struct FilterRow {
    pub id: u64,
    pub name: String,
    pub user_id: u64,
    pub add_time: i64,
    pub update_time: i64,
}

#[derive(Debug)]
struct Filter {
    name: String,
    persons: Persons,
    /// Its persons carry generated custom-field values.
    custom_fields: bool,
    add_time: i64,
    update_time: i64,
}

impl Default for PipedriveState {
    fn default() -> Self {
        Self {
            filters: Arc::default(),
            fields: Arc::new(Mutex::new(account_fields())),
            edits: Arc::default(),
            webhooks: Webhooks::default(),
        }
    }
}

impl PipedriveState {
    /// A state whose webhooks are called as `config` says (retry delays,
    /// timeout), on the current tokio runtime.
    pub(crate) fn delivering(config: &SandboxConfig) -> Self {
        Self {
            webhooks: Webhooks::new(Delivery::new(config)),
            ..Self::default()
        }
    }

    /// Adds (or replaces) a people filter that matches nobody yet.
    pub fn add_filter(&self, id: u64, name: &str) {
        self.insert(id, name, Persons::Listed(Vec::new()));
    }

    /// Adds (or replaces) a people filter holding exactly these persons.
    /// Persons who did not exist before are created; those of a replaced
    /// hand-made filter who now exist nowhere are deleted.
    pub fn add_filter_with_persons(&self, id: u64, name: &str, persons: Vec<Person>) {
        let persons = Persons::listed(persons);
        let new_ids = persons.listed_ids();
        self.with_person_events(
            || self.replacing(id, &new_ids),
            EventStyle::default(),
            || self.insert(id, name, persons),
        );
    }

    /// Adds (or replaces) a filter of `count` generated persons (global persons
    /// `0..count`, see [`GeneratedPersons`]); costs no memory per person.
    pub fn add_generated_filter(&self, id: u64, name: &str, count: u64) {
        self.add_generated_filter_with(id, name, GeneratedPersons::first(count));
    }

    /// Adds (or replaces) a filter over any generated population, e.g. every
    /// 8th global person, so that filters overlap.
    pub fn add_generated_filter_with(&self, id: u64, name: &str, population: GeneratedPersons) {
        self.insert(id, name, Persons::Generated(population));
    }

    /// Adds (or replaces) a filter whose persons change every `period`:
    /// `persons(g)` in generation `g` (whole periods since `started`, so a
    /// test can start it in the past instead of waiting). See
    /// [`crate::demo::webinar_persons`].
    pub fn add_rotating_filter(
        &self,
        id: u64,
        name: &str,
        started: Instant,
        period: Duration,
        persons: fn(u64) -> Vec<Person>,
    ) {
        let persons = Persons::Rotating {
            started,
            period,
            persons,
        };
        self.insert(id, name, persons);
    }

    /// Moves a generated filter's window by `persons`: its first `persons`
    /// persons leave it and as many new ones join (`first += persons * step`).
    /// Returns the new population.
    pub fn shift_filter(&self, id: u64, persons: u64) -> Result<GeneratedPersons, ShiftError> {
        let mut filters = lock(&self.filters);
        let filter = filters.get_mut(&id).ok_or(ShiftError::UnknownFilter)?;
        let Persons::Generated(population) = &mut filter.persons else {
            return Err(ShiftError::NotGenerated);
        };
        let shifted = persons
            .checked_mul(population.step)
            .and_then(|shift| population.first.checked_add(shift))
            .map(|first| GeneratedPersons {
                first,
                ..*population
            })
            .filter(GeneratedPersons::fits)
            .ok_or(ShiftError::Overflow)?;
        *population = shifted;
        filter.update_time = clock::unix_now();
        Ok(shifted)
    }

    /// Renames a filter, as a user editing it in Pipedrive would. False if unknown.
    pub fn rename_filter(&self, id: u64, name: &str) -> bool {
        self.update(id, |filter| name.clone_into(&mut filter.name))
    }

    /// Replaces the persons a filter matches. False if unknown. Sends
    /// `create` for persons who did not exist before, `delete` for those who
    /// now exist nowhere, `change` for changed ones and for those who joined
    /// or left the filter but exist elsewhere too.
    pub fn set_persons(&self, id: u64, persons: Vec<Person>) -> bool {
        let persons = Persons::listed(persons);
        let new_ids = persons.listed_ids();
        self.with_person_events(
            || self.replacing(id, &new_ids),
            EventStyle::default(),
            || self.update(id, |filter| filter.persons = persons),
        )
    }

    /// Deletes a hand-made person from every hand-made filter, with their
    /// edits: a `delete` event, or a `change` if a generated or clock-driven
    /// filter still matches them. False if no hand-made filter holds them.
    pub fn delete_person(&self, person_id: u64) -> bool {
        let ids = || Touched {
            ids: BTreeSet::from([person_id]),
            moved: BTreeSet::from([person_id]),
        };
        self.with_person_events(ids, EventStyle::default(), || {
            let now = clock::unix_now();
            let mut removed = false;
            for filter in lock(&self.filters).values_mut() {
                let Persons::Listed(persons) = &mut filter.persons else {
                    continue;
                };
                let count = persons.len();
                persons.retain(|person| person.id != person_id);
                if persons.len() < count {
                    removed = true;
                    filter.update_time = now;
                }
            }
            if removed {
                lock(&self.edits).remove(&person_id);
            }
            removed
        })
    }

    /// Deletes a filter. False if unknown.
    pub fn remove_filter(&self, id: u64) -> bool {
        lock(&self.filters).remove(&id).is_some()
    }

    /// Every filter, by id.
    pub fn filters(&self) -> Vec<FilterSummary> {
        lock(&self.filters)
            .iter()
            .map(|(&id, filter)| FilterSummary {
                id,
                name: filter.name.clone(),
                person_count: filter.persons.len(),
            })
            .collect()
    }

    /// Number of persons a filter matches; `None` if the filter is unknown.
    pub fn person_count(&self, filter_id: u64) -> Option<u64> {
        lock(&self.filters).get(&filter_id).map(|f| f.persons.len())
    }

    /// Every person of a filter, in paging order. This materialises them:
    /// meant for small filters in test assertions.
    pub fn persons(&self, filter_id: u64) -> Option<Vec<Person>> {
        self.page(filter_id, 0, u64::MAX)
            .map(|(persons, _)| persons)
    }

    /// Removes every filter, edit, webhook and delivery record (pending
    /// retries stop), and restores the deleted person fields.
    pub fn clear(&self) {
        lock(&self.filters).clear();
        *lock(&self.fields) = account_fields();
        lock(&self.edits).clear();
        self.clear_webhooks();
    }

    pub(crate) fn filter_rows(&self) -> Vec<FilterRow> {
        lock(&self.filters)
            .iter()
            .map(|(&id, filter)| FilterRow {
                id,
                name: filter.name.clone(),
                user_id: FILTER_OWNER_ID,
                add_time: filter.add_time,
                update_time: filter.update_time,
            })
            .collect()
    }

    /// Persons `offset..offset + limit` of a filter, with their custom-field
    /// values and edits, and the filter's size.
    pub(crate) fn page(
        &self,
        filter_id: u64,
        offset: u64,
        limit: u64,
    ) -> Option<(Vec<Person>, u64)> {
        let filters = lock(&self.filters);
        let filter = filters.get(&filter_id)?;
        let mut page = filter.persons.page(offset, limit);
        if filter.custom_fields {
            page.iter_mut().for_each(add_custom_values);
        }
        self.apply_edits(&mut page);
        Some((page, filter.persons.len()))
    }

    fn insert(&self, id: u64, name: &str, persons: Persons) {
        let now = clock::unix_now();
        let filter = Filter {
            name: name.to_owned(),
            persons,
            custom_fields: false,
            add_time: now,
            update_time: now,
        };
        lock(&self.filters).insert(id, filter);
    }

    fn update(&self, id: u64, change: impl FnOnce(&mut Filter)) -> bool {
        let mut filters = lock(&self.filters);
        let Some(filter) = filters.get_mut(&id) else {
            return false;
        };
        change(filter);
        filter.update_time = clock::unix_now();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_listed_and_generated_filters() {
        let state = PipedriveState::default();
        let persons = vec![Person::new(9, "B", "b"), Person::new(3, "A", "a")];
        state.add_filter_with_persons(1, "Small", persons);
        state.add_generated_filter(2, "Huge", 1_000_000);

        let (page, total) = state.page(1, 0, 500).unwrap();
        assert_eq!(
            (page.iter().map(|p| p.id).collect::<Vec<_>>(), total),
            (vec![3, 9], 2)
        );
        assert!(state.page(1, 5, 500).unwrap().0.is_empty());

        let (page, total) = state.page(2, 999_990, 500).unwrap();
        assert_eq!((page.len(), total), (10, 1_000_000));
        assert_eq!(page.last().unwrap().id, 1_000_000);
        assert!(state.page(3, 0, 1).is_none());
    }

    #[test]
    fn edits_filters() {
        let state = PipedriveState::default();
        state.add_filter(1, "Old");
        assert!(state.rename_filter(1, "New"));
        assert!(state.set_persons(1, vec![Person::new(1, "A", "B")]));
        assert_eq!(
            state.filters(),
            vec![FilterSummary {
                id: 1,
                name: "New".into(),
                person_count: 1
            }]
        );
        assert!(state.remove_filter(1));
        assert!(!state.rename_filter(1, "Gone"));
        assert_eq!(state.person_count(1), None);
    }
}
