//! Demo data: a plausible Pipedrive account and a fresh Brevo account.
//!
//! The generated filters draw on the same global persons (see
//! [`GeneratedPersons`]), so they overlap like real filters: every newsletter
//! subscriber and trade-show lead is also in "All contacts".

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

/// Corporate domains of the "Enterprise customers" persons.
const ENTERPRISE_DOMAINS: &[&str] = &[
    "acme-industries.example",
    "globex.example",
    "initech.example",
    "umbrella.example",
];

/// Seeds the demo filters and Brevo's default folder.
pub fn seed(pipedrive: &PipedriveState, brevo: &BrevoState) {
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
    // New Brevo accounts come with one folder.
    brevo.create_folder("Your first folder");
}

/// 80 persons with corporate addresses. Names come from the generator, but
/// ids start at 20,001 so they do not clash with the generated persons'.
fn enterprise_persons() -> Vec<Person> {
    (0..80u64)
        .map(|i| {
            let mut person = global_person(i * 97 + 5);
            person.id = 20_001 + i;
            let domain = ENTERPRISE_DOMAINS[i as usize % ENTERPRISE_DOMAINS.len()];
            let local = format!("{}.{}", person.first_name, person.last_name).to_lowercase();
            let ascii: String = local
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect();
            person.emails = vec![LabeledValue::new(
                &format!("{ascii}@{domain}"),
                true,
                "work",
            )];
            person
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
    use super::*;

    #[test]
    fn seeds_overlapping_filters() {
        let pipedrive = PipedriveState::default();
        let brevo = BrevoState::new("FIRSTNAME", "LASTNAME", std::time::Duration::ZERO);
        seed(&pipedrive, &brevo);
        let counts: Vec<u64> = pipedrive.filters().iter().map(|f| f.person_count).collect();
        assert_eq!(counts, vec![1_200, 250, 80, 10_000, 11]);
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
    }
}
