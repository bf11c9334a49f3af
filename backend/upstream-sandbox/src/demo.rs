//! Demo data: a plausible Pipedrive account and an almost fresh Brevo account.
//!
//! The generated filters draw on the same global persons (see
//! [`GeneratedPersons`]), so they overlap like real filters: every newsletter
//! subscriber and trade-show lead is also in "All contacts". The webinar
//! filter changes every 30 seconds, so that a newcomer re-syncing it within a
//! minute sees removals, an update, a skip and a blocklisted member. Every
//! demo filter's persons carry custom fields (see [`crate::person_fields`]),
//! so there is a field such as "Segment" ready to map onto Brevo's `SEGMENT`.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::person_fields::{SEGMENT, SEGMENT_OPTIONS};
use crate::state::brevo::BrevoState;
use crate::state::generator::{global_person, GeneratedPersons};
use crate::state::person::{LabeledValue, Person};
use crate::state::pipedrive::PipedriveState;

/// Filter ids of the demo account.
pub const NEWSLETTER_EU_FILTER: u64 = 1;
pub const TRADE_SHOW_FILTER: u64 = 2;
pub const ENTERPRISE_FILTER: u64 = 3;
pub const ALL_CONTACTS_FILTER: u64 = 4;
pub const EDGE_CASES_FILTER: u64 = 5;
pub const WEBINAR_FILTER: u64 = 6;

/// How often the webinar filter's persons change.
pub const WEBINAR_PERIOD: Duration = Duration::from_secs(30);

/// The address of the webinar's always-present attendee who is blocklisted in
/// Brevo (the only contact of the seeded account).
pub const BLOCKLISTED_EMAIL: &str = "bruno.blocked@webinar.example";

/// Attendees of the moving window; with the three fixed persons, 40 in all.
const ROTATING_ATTENDEES: u64 = 37;

/// Corporate domains of the "Enterprise customers" persons.
const ENTERPRISE_DOMAINS: &[&str] = &[
    "acme-industries.example",
    "globex.example",
    "initech.example",
    "umbrella.example",
];

/// Seeds the demo filters, Brevo's default folder and one blocklisted
/// contact. The webinar filter counts its generations from `started`.
pub fn seed(pipedrive: &PipedriveState, brevo: &BrevoState, started: Instant) {
    let sampled = |count, first, step| GeneratedPersons { count, first, step };
    pipedrive.add_generated_filter_with(
        NEWSLETTER_EU_FILTER,
        "Newsletter subscribers — EU",
        sampled(1_200, 0, 8),
    );
    pipedrive.add_generated_filter_with(
        TRADE_SHOW_FILTER,
        "Trade show leads 2026",
        sampled(250, 3, 37),
    );
    pipedrive.add_filter_with_persons(
        ENTERPRISE_FILTER,
        "Enterprise customers",
        enterprise_persons(),
    );
    pipedrive.add_generated_filter(ALL_CONTACTS_FILTER, "All contacts", 10_000);
    pipedrive.add_filter_with_persons(
        EDGE_CASES_FILTER,
        "Edge cases (sandbox)",
        edge_case_persons(),
    );
    pipedrive.add_rotating_filter(
        WEBINAR_FILTER,
        "Webinar attendees (changes every 30 s)",
        started,
        WEBINAR_PERIOD,
        webinar_persons,
    );
    for filter in pipedrive.filters() {
        pipedrive.enable_custom_fields(filter.id);
    }
    // New Brevo accounts come with one folder.
    brevo.create_folder("Your first folder");
    // A contact who unsubscribed long ago; the account's first two attributes
    // are its first and last name.
    let (first, last) = brevo.with(|account| {
        let names = account.attributes();
        (names[0].name.clone(), names[1].name.clone())
    });
    brevo.add_contact(
        BLOCKLISTED_EMAIL,
        &[(&first, "Bruno"), (&last, "Blocked")],
        &[],
    );
    brevo.set_blocklisted(BLOCKLISTED_EMAIL, true);
}

/// The webinar filter in generation `generation` (whole 30-second periods
/// since the sandbox started): a window of 37 attendees that moves by two
/// each generation (two leave, two join), plus three persons always there:
/// Lucía, whose last name alternates between "Lopez" and "Lopez-Garcia" (an
/// update on every re-sync), Bruno, blocklisted in Brevo, and a walk-in
/// guest without an email (a skip).
pub fn webinar_persons(generation: u64) -> Vec<Person> {
    let first = 2 * generation;
    let mut persons: Vec<Person> = (first..first + ROTATING_ATTENDEES)
        .map(webinar_attendee)
        .collect();
    let last_name = if generation.is_multiple_of(2) {
        "Lopez"
    } else {
        "Lopez-Garcia"
    };
    let mut lucia =
        Person::new(6_100_001, "Lucía", last_name).with_email("lucia.lopez@webinar.example", true);
    lucia.update_time += generation as i64 * WEBINAR_PERIOD.as_secs() as i64;
    persons.push(lucia);
    persons.push(Person::new(6_100_002, "Bruno", "Blocked").with_email(BLOCKLISTED_EMAIL, true));
    persons.push(Person::new(6_100_003, "Walk-in", "Guest"));
    persons
}

/// Attendee `index` of the moving window: a generated name, an address of
/// its own and ids from 6,000,001, clear of the other filters' persons.
fn webinar_attendee(index: u64) -> Person {
    let mut person = global_person(index * 13 + 7);
    person.id = 6_000_001 + index;
    let email = format!("{}.{index}@webinar.example", ascii_local(&person));
    person.emails = vec![LabeledValue::new(&email, true, "work")];
    person
}

/// `first.last`, lower-cased, without the characters an address cannot have.
fn ascii_local(person: &Person) -> String {
    let local = format!("{}.{}", person.first_name, person.last_name).to_lowercase();
    local
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect()
}

/// 80 persons with corporate addresses, all in the "Enterprise" segment.
/// Names come from the generator, but ids start at 20,001 so they do not
/// clash with the generated persons'.
fn enterprise_persons() -> Vec<Person> {
    let (enterprise, _) = SEGMENT_OPTIONS[0];
    (0..80u64)
        .map(|i| {
            let mut person = global_person(i * 97 + 5);
            person.id = 20_001 + i;
            let domain = ENTERPRISE_DOMAINS[i as usize % ENTERPRISE_DOMAINS.len()];
            let email = format!("{}@{domain}", ascii_local(&person));
            person.emails = vec![LabeledValue::new(&email, true, "work")];
            person.with_custom_field(SEGMENT, json!(enterprise))
        })
        .collect()
}

/// Persons that exercise every email-selection rule a sync must get right.
/// Ids start at 5,000,001, clear of generated persons.
pub fn edge_case_persons() -> Vec<Person> {
    vec![
        Person::new(5_000_001, "Nora", "Noemail"),
        Person::new(5_000_002, "Paul", "Primarysecond")
            .with_email("paul.old@example.net", false)
            .with_email("paul.primary@example.com", true),
        Person::new(5_000_003, "Mia", "Mixedcase").with_email("  Mia.MixedCase@Example.COM ", true),
        Person::new(5_000_004, "Sam", "Shared").with_email("shared.inbox@example.com", true),
        Person::new(5_000_005, "Sasha", "Shared").with_email("Shared.Inbox@example.com", true),
        Person::new(5_000_006, "Zoë", "Ødegård").with_email("zoe.odegard@example.com", true),
        Person::new(5_000_007, "李", "小龙").with_email("li.xiaolong@example.com", true),
        Person::new(5_000_008, "Ivan", "Invalid").with_email("not-an-email", true),
        Person::new(5_000_009, "Emil", "Emptyprimary")
            .with_email("", true)
            .with_email("emil.fallback@example.com", false),
        Person::new(5_000_010, "Nina", "Noprimary")
            .with_email("nina.first@example.com", false)
            .with_email("nina.second@example.com", false),
        Person::new(5_000_011, "", "Mononym").with_email("mononym@example.com", true),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn seeded(started: Instant) -> (PipedriveState, BrevoState) {
        let pipedrive = PipedriveState::default();
        let brevo = BrevoState::new("FIRSTNAME", "LASTNAME", Duration::ZERO);
        seed(&pipedrive, &brevo, started);
        (pipedrive, brevo)
    }

    #[test]
    fn seeds_overlapping_filters() {
        let (pipedrive, brevo) = seeded(Instant::now());
        let counts: Vec<u64> = pipedrive.filters().iter().map(|f| f.person_count).collect();
        assert_eq!(counts, vec![1_200, 250, 80, 10_000, 11, 40]);
        let all_ids: Vec<u64> = pipedrive
            .persons(ALL_CONTACTS_FILTER)
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        let leads = pipedrive.persons(TRADE_SHOW_FILTER).unwrap();
        assert!(leads
            .iter()
            .all(|lead| all_ids.binary_search(&lead.id).is_ok()));
        assert_eq!(brevo.folders().len(), 1);
        assert!(brevo.lists().is_empty());
        let blocked = brevo.contact(BLOCKLISTED_EMAIL).unwrap();
        assert!(blocked.email_blacklisted && !blocked.sms_blacklisted);
        assert_eq!(blocked.attribute("LASTNAME"), Some("Blocked"));
        assert_eq!(brevo.contact_count(), 1);
        let enterprise = pipedrive.persons(ENTERPRISE_FILTER).unwrap();
        assert!(enterprise
            .iter()
            .all(|person| person.custom_fields[SEGMENT] == json!(SEGMENT_OPTIONS[0].0)));
    }

    #[test]
    fn webinar_window_moves_every_generation() {
        let emails = |generation| -> BTreeSet<String> {
            let persons = webinar_persons(generation);
            persons.iter().filter_map(Person::chosen_email).collect()
        };
        for generation in [0, 1, 7, 2_880] {
            let persons = webinar_persons(generation);
            assert_eq!(persons.len(), 40);
            let ids: BTreeSet<u64> = persons.iter().map(|p| p.id).collect();
            assert_eq!(ids.len(), 40, "ids are distinct");
            assert_eq!(persons.iter().filter(|p| p.emails.is_empty()).count(), 1);
            let (now, next) = (emails(generation), emails(generation + 1));
            assert_eq!(now.len(), 39, "the walk-in guest has no email");
            assert_eq!(now.difference(&next).count(), 2, "two leave");
            assert_eq!(next.difference(&now).count(), 2, "two join");
            assert!(now.contains(BLOCKLISTED_EMAIL) && next.contains(BLOCKLISTED_EMAIL));
            let lucia = |generation| {
                let persons = webinar_persons(generation);
                persons.into_iter().find(|p| p.id == 6_100_001).unwrap()
            };
            assert_ne!(lucia(generation).last_name, lucia(generation + 1).last_name);
            assert_eq!(lucia(generation).last_name, lucia(generation + 2).last_name);
        }
    }

    #[test]
    fn webinar_filter_follows_the_clock() {
        // Started 65 s ago: generation 2. Served persons also carry custom fields.
        let (pipedrive, _) = seeded(Instant::now() - Duration::from_secs(65));
        let identities = |mut persons: Vec<Person>| -> Vec<(u64, String, Vec<LabeledValue>)> {
            persons.sort_by_key(|person| person.id);
            persons
                .into_iter()
                .map(|p| (p.id, p.last_name, p.emails))
                .collect()
        };
        let expected = identities(webinar_persons(2));
        let served = pipedrive.persons(WEBINAR_FILTER).unwrap();
        assert!(served.iter().all(|person| person.custom_fields.len() == 9));
        assert_eq!(identities(served), expected);
        let (fresh, _) = seeded(Instant::now());
        assert_ne!(identities(fresh.persons(WEBINAR_FILTER).unwrap()), expected);
    }
}
