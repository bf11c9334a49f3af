//! Deterministic, never-materialised person populations.
//!
//! A generated filter stores three numbers instead of its persons: person `i`
//! of the filter is global person `first + i * step`, and global person `n` is
//! a pure function of `n`. A filter of a million persons therefore costs no
//! memory, every page is reproducible, and filters built over the same global
//! persons overlap the way real Pipedrive filters do.

use super::person::{LabeledValue, Person};

/// 2023-01-01 00:00:00 UTC: creation time of global person 0.
const EPOCH_2023: i64 = 1_672_531_200;

/// (display name, ASCII slug used in the email address).
const FIRST_NAMES: &[(&str, &str)] = &[
    ("Anna", "anna"),
    ("Lukas", "lukas"),
    ("Sofia", "sofia"),
    ("Mateo", "mateo"),
    ("Emma", "emma"),
    ("Noah", "noah"),
    ("Zoë", "zoe"),
    ("José", "jose"),
    ("Chloé", "chloe"),
    ("Jürgen", "jurgen"),
    ("Aoife", "aoife"),
    ("Björn", "bjorn"),
    ("Léa", "lea"),
    ("Marco", "marco"),
    ("Olivia", "olivia"),
    ("Ingrid", "ingrid"),
    ("Rafael", "rafael"),
    ("Hannah", "hannah"),
    ("Tomasz", "tomasz"),
    ("Elif", "elif"),
    ("Kenji", "kenji"),
    ("Amara", "amara"),
];

const LAST_NAMES: &[(&str, &str)] = &[
    ("Müller", "muller"),
    ("García", "garcia"),
    ("Rossi", "rossi"),
    ("Dubois", "dubois"),
    ("Kowalski", "kowalski"),
    ("Jansen", "jansen"),
    ("O'Brien", "obrien"),
    ("Silva", "silva"),
    ("Fischer", "fischer"),
    ("Lindqvist", "lindqvist"),
    ("Moreau", "moreau"),
    ("Yılmaz", "yilmaz"),
    ("Andersen", "andersen"),
    ("Costa", "costa"),
    ("Nowak", "nowak"),
    ("Bianchi", "bianchi"),
    ("Papadopoulos", "papadopoulos"),
];

/// A filter's population: person `i` is global person `first + i * step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratedPersons {
    pub count: u64,
    pub first: u64,
    pub step: u64,
}

impl GeneratedPersons {
    /// Global persons `0..count`.
    pub fn first(count: u64) -> Self {
        Self {
            count,
            first: 0,
            step: 1,
        }
    }

    /// Whether every person's global index, and id (index + 1), fits in a `u64`.
    pub fn fits(&self) -> bool {
        let span = self.count.saturating_sub(1).checked_mul(self.step);
        let last = span.and_then(|span| self.first.checked_add(span));
        last.is_some_and(|last| last < u64::MAX)
    }

    /// The id of person `index`, without generating the person.
    pub fn id(&self, index: u64) -> u64 {
        self.first + index * self.step + 1
    }

    /// The index of the person with this id, if the population holds them.
    pub fn index_of(&self, id: u64) -> Option<u64> {
        let offset = id.checked_sub(1)?.checked_sub(self.first)?;
        let index = offset / self.step.max(1);
        (offset % self.step.max(1) == 0 && index < self.count).then_some(index)
    }

    /// Person `index` of this population (`index < count`).
    pub fn person(&self, index: u64) -> Person {
        debug_assert!(index < self.count, "person {index} of {}", self.count);
        global_person(self.first + index * self.step)
    }
}

/// Global person `n`: id `n + 1`, email `first.last.<n>@example.com`. About 3 %
/// have no email and 5 % have a second one listed before the primary.
pub fn global_person(n: u64) -> Person {
    let hash = splitmix64(n);
    let (first_name, first_slug) = FIRST_NAMES[(hash % FIRST_NAMES.len() as u64) as usize];
    let (last_name, last_slug) = LAST_NAMES[(hash >> 8) as usize % LAST_NAMES.len()];
    let work = format!("{first_slug}.{last_slug}.{n}@example.com");
    let mut person = Person::new(n + 1, first_name, last_name);
    person.emails = match (hash >> 16) & 0xff {
        0..=7 => Vec::new(),
        8..=20 => vec![
            LabeledValue::new(&format!("{first_slug}{n}@example.org"), false, "home"),
            LabeledValue::new(&work, true, "work"),
        ],
        _ => vec![LabeledValue::new(&work, true, "work")],
    };
    if (hash >> 24) & 1 == 0 {
        person.phones = vec![LabeledValue::new(
            &format!("+49 30 {:07}", n % 10_000_000),
            true,
            "mobile",
        )];
    }
    person.owner_id = 10_001 + (hash >> 28) % 3;
    person.org_id = ((hash >> 32) & 3 != 0).then(|| 1 + (hash >> 34) % 40);
    person.add_time = EPOCH_2023 + (n as i64) * 1_800;
    person.update_time = person.add_time + ((hash >> 40) % (90 * 86_400)) as i64;
    if hash >> 60 == 0 {
        person.label_ids = vec![1];
    }
    person
}

/// A well-mixed 64-bit hash of `n` (SplitMix64 finaliser): cheap, stable and
/// good enough to pick names without a random-number dependency.
pub(crate) fn splitmix64(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_sparse() {
        let population = GeneratedPersons {
            count: 1_000_000,
            first: 5,
            step: 3,
        };
        assert_eq!(population.person(10), global_person(35));
        assert_eq!(population.person(999_999), population.person(999_999));
        assert_eq!(std::mem::size_of_val(&population), 24);
        let id = population.id(10);
        assert_eq!(population.index_of(id), Some(10));
        for absent in [0, 1, 5, id + 1, population.id(999_999) + 3] {
            assert_eq!(population.index_of(absent), None, "{absent}");
        }
    }

    #[test]
    fn distribution_is_realistic() {
        let persons: Vec<Person> = (0..10_000).map(global_person).collect();
        let without_email = persons.iter().filter(|p| p.emails.is_empty()).count();
        let primary_second = persons
            .iter()
            .filter(|p| p.emails.len() == 2 && p.emails[1].primary)
            .count();
        assert!((200..400).contains(&without_email), "{without_email}");
        assert!((350..650).contains(&primary_second), "{primary_second}");
        let person = &persons[42];
        assert_eq!(person.id, 43);
        let primary = person.emails.iter().find(|e| e.primary).unwrap();
        assert!(primary.value.ends_with(".42@example.com"), "{primary:?}");
    }
}
