//! What a change to persons looks like to v2 webhooks.
//!
//! A person exists while some filter matches them (hand-made, generated or
//! clock-driven); an edited id that no filter matches is the generated global
//! person with that id. An operation that changes persons renders the persons
//! it touches before and after, in the v2 `getPersons` shape, and publishes:
//!
//! - `create` for a person who did not exist before (`previous: null`),
//! - `delete` for one who no longer exists (`data: null`, `previous`: the last state),
//! - `change` for one whose fields changed (`previous`: the earlier values of
//!   the changed fields only, `custom_fields` narrowed the same way;
//!   `update_time` is not compared), or who joined or left a hand-made filter
//!   while existing before and after (`previous: {}`: in Pipedrive some field
//!   would have changed to make them match, the sandbox has no such field).
//!
//! Nothing is rendered while no webhook listens to person events.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::custom_values::add_custom_values;
use super::webhooks::PersonEvent;
use super::PipedriveState;
use crate::state::generator::global_person;
use crate::state::lock;
use crate::state::person::{v2_json, Person};

/// The persons an operation touches, and those of them whose membership of
/// a hand-made filter it changes.
pub(super) struct Touched {
    pub ids: BTreeSet<u64>,
    pub moved: BTreeSet<u64>,
}

impl Touched {
    pub fn fields_of(ids: impl IntoIterator<Item = u64>) -> Self {
        Self {
            ids: ids.into_iter().collect(),
            moved: BTreeSet::new(),
        }
    }
}

/// How an operation's events are rendered and flagged.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct EventStyle {
    /// Render an id no filter matches as the generated global person.
    pub or_global: bool,
    /// `meta.is_bulk_edit`.
    pub bulk: bool,
}

impl PipedriveState {
    /// Runs `change` and publishes what it did to the persons `touched`
    /// names (computed only when a webhook listens).
    pub(super) fn with_person_events<R>(
        &self,
        touched: impl FnOnce() -> Touched,
        style: EventStyle,
        change: impl FnOnce() -> R,
    ) -> R {
        if !self.webhooks.listening() {
            return change();
        }
        let touched = touched();
        let before = self.render_persons(&touched.ids, style.or_global);
        let result = change();
        let after = self.render_persons(&touched.ids, style.or_global);
        self.publish_changes(before, after, &touched.moved, style.bulk);
        result
    }

    /// The hand-made persons a filter holds now and will hold after `new_ids`
    /// replace them.
    pub(super) fn replacing(&self, filter_id: u64, new_ids: &[u64]) -> Touched {
        let old: BTreeSet<u64> = lock(&self.filters)
            .get(&filter_id)
            .map(|filter| filter.persons.listed_ids())
            .unwrap_or_default()
            .into_iter()
            .collect();
        let new: BTreeSet<u64> = new_ids.iter().copied().collect();
        Touched {
            ids: old.union(&new).copied().collect(),
            moved: old.symmetric_difference(&new).copied().collect(),
        }
    }

    /// Each existing person among `ids` as a v2 webhook carries them: from
    /// the first filter (by id) that matches them, with generated custom
    /// values if any matching filter carries them, and with their edits.
    fn render_persons(&self, ids: &BTreeSet<u64>, or_global: bool) -> BTreeMap<u64, Value> {
        let mut persons: Vec<Person> = Vec::with_capacity(ids.len());
        {
            let filters = lock(&self.filters);
            for &id in ids {
                let mut found = None;
                let mut custom = false;
                for filter in filters.values() {
                    if let Some(person) = filter.persons.find(id) {
                        custom |= filter.custom_fields;
                        found.get_or_insert(person);
                    }
                }
                let global = || (or_global && id > 0).then(|| global_person(id - 1));
                if let Some(mut person) = found.or_else(global) {
                    if custom {
                        add_custom_values(&mut person);
                    }
                    persons.push(person);
                }
            }
        }
        self.apply_edits(&mut persons);
        let keys = self.custom_field_keys();
        persons.iter().map(|p| (p.id, v2_json(p, &keys))).collect()
    }

    fn publish_changes(
        &self,
        before: BTreeMap<u64, Value>,
        mut after: BTreeMap<u64, Value>,
        moved: &BTreeSet<u64>,
        bulk: bool,
    ) {
        let ids: BTreeSet<u64> = before.keys().chain(after.keys()).copied().collect();
        let mut events = Vec::new();
        for person_id in ids {
            let (action, data, previous) = match (before.get(&person_id), after.remove(&person_id))
            {
                (None, Some(data)) => ("create", data, Value::Null),
                (Some(last), None) => ("delete", Value::Null, last.clone()),
                (Some(old), Some(data)) => {
                    let previous = previous_values(old, &data, true);
                    if previous.is_empty() && !moved.contains(&person_id) {
                        continue;
                    }
                    ("change", data, Value::Object(previous))
                }
                (None, None) => continue,
            };
            events.push(PersonEvent {
                action,
                person_id,
                data,
                previous,
                bulk,
            });
        }
        if !events.is_empty() {
            self.webhooks.publish(events);
        }
    }
}

/// The earlier values of the keys whose values differ (a key missing on one
/// side counts as `null`); at the top level `update_time` is left out and
/// `custom_fields` is narrowed to the changed fields.
fn previous_values(before: &Value, after: &Value, top_level: bool) -> Map<String, Value> {
    let empty = Map::new();
    let old = before.as_object().unwrap_or(&empty);
    let new = after.as_object().unwrap_or(&empty);
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut previous = Map::new();
    for key in keys {
        let (old_value, new_value) = (
            old.get(key).unwrap_or(&Value::Null),
            new.get(key).unwrap_or(&Value::Null),
        );
        if old_value == new_value || (top_level && key == "update_time") {
            continue;
        }
        let value = if top_level && key == "custom_fields" {
            Value::Object(previous_values(old_value, new_value, false))
        } else {
            old_value.clone()
        };
        previous.insert(key.clone(), value);
    }
    previous
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn previous_holds_the_earlier_values_of_changed_fields_only() {
        let before = json!({"id": 1, "first_name": "Ada", "update_time": "a",
            "custom_fields": {}});
        let after = json!({"id": 1, "first_name": "Grace", "update_time": "b",
            "custom_fields": {"k1": 12, "k2": null}});
        assert_eq!(
            Value::Object(previous_values(&before, &after, true)),
            json!({"first_name": "Ada", "custom_fields": {"k1": null}})
        );
        assert!(previous_values(&before, &before, true).is_empty());
    }
}
