//! Who a filter matches: hand-made, generated or clock-driven persons.

use std::time::{Duration, Instant};

use crate::state::generator::GeneratedPersons;
use crate::state::person::Person;

#[derive(Debug)]
pub(super) enum Persons {
    /// Hand-made persons, sorted by id (the order `getPersons` pages in).
    Listed(Vec<Person>),
    Generated(GeneratedPersons),
    /// Persons that change with the wall clock: `persons(generation)`, where
    /// the generation is the number of whole periods since `started`.
    Rotating {
        started: Instant,
        period: Duration,
        persons: fn(u64) -> Vec<Person>,
    },
}

impl Persons {
    pub fn listed(mut persons: Vec<Person>) -> Self {
        persons.sort_by_key(|person| person.id);
        Self::Listed(persons)
    }

    pub fn len(&self) -> u64 {
        match self {
            Self::Listed(persons) => persons.len() as u64,
            Self::Generated(population) => population.count,
            Self::Rotating { .. } => self.current().len() as u64,
        }
    }

    pub fn page(&self, offset: u64, limit: u64) -> Vec<Person> {
        let end = self.len().min(offset.saturating_add(limit));
        let slice = |persons: &[Person]| persons[offset.min(end) as usize..end as usize].to_vec();
        match self {
            Self::Listed(persons) => slice(persons),
            Self::Generated(population) => (offset..end).map(|i| population.person(i)).collect(),
            Self::Rotating { .. } => slice(&self.current()),
        }
    }

    /// The person with this id, if the filter matches them now.
    pub fn find(&self, id: u64) -> Option<Person> {
        match self {
            Self::Listed(persons) => persons
                .binary_search_by_key(&id, |person| person.id)
                .ok()
                .map(|index| persons[index].clone()),
            Self::Generated(population) => population.index_of(id).map(|i| population.person(i)),
            Self::Rotating { .. } => self.current().into_iter().find(|person| person.id == id),
        }
    }

    /// Ids of a hand-made filter's persons (none for other kinds).
    pub fn listed_ids(&self) -> Vec<u64> {
        match self {
            Self::Listed(persons) => persons.iter().map(|person| person.id).collect(),
            _ => Vec::new(),
        }
    }

    /// Ids of the persons whose index `chosen` picks, in paging order.
    pub fn ids_where(&self, chosen: impl Fn(u64) -> bool) -> Vec<u64> {
        let listed = |persons: &[Person]| {
            let indexed = persons.iter().zip(0..);
            let picked = indexed.filter(|&(_, index)| chosen(index));
            picked.map(|(person, _)| person.id).collect()
        };
        match self {
            Self::Listed(persons) => listed(persons),
            Self::Generated(population) => (0..population.count)
                .filter(|&index| chosen(index))
                .map(|index| population.id(index))
                .collect(),
            Self::Rotating { .. } => listed(&self.current()),
        }
    }

    /// The persons of a rotating filter now, by id (empty for other kinds).
    fn current(&self) -> Vec<Person> {
        let Self::Rotating {
            started,
            period,
            persons,
        } = self
        else {
            return Vec::new();
        };
        let generation = (started.elapsed().as_millis() / period.as_millis().max(1)) as u64;
        let mut persons = persons(generation);
        persons.sort_by_key(|person| person.id);
        persons
    }
}
