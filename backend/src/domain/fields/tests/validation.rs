//! A mapping is refused at its first bad entry, named by position; a saved one is trimmed of
//! the entries that no longer hold.

use super::*;

fn entry(field: &str, attribute: &str) -> MappingEntry {
    MappingEntry {
        pipedrive_field: field.into(),
        brevo_attribute: attribute.into(),
    }
}

fn fields() -> Vec<PersonField> {
    vec![
        field("first_name", "varchar"),
        field("phone", "phone"),
        custom("set"),
        field("owner_id", "user"),
    ]
}

fn attributes() -> Vec<BrevoAttribute> {
    vec![
        BrevoAttribute::from_listing("FIRSTNAME", "normal", Some("text"), vec![]),
        BrevoAttribute::from_listing("SMS", "normal", Some("text"), vec![]),
        BrevoAttribute::from_listing("SCORE", "normal", Some("float"), vec![]),
        BrevoAttribute::from_listing("RANK", "calculated", Some("float"), vec![]),
    ]
}

fn problem(entries: &[MappingEntry]) -> String {
    check(entries, &fields(), &attributes())
        .unwrap_err()
        .to_string()
}

#[test]
fn a_valid_mapping_keeps_its_order_and_brevos_spelling_of_names() {
    let checked = check(
        &[entry("phone", "sms"), entry("first_name", "FIRSTNAME")],
        &fields(),
        &attributes(),
    )
    .unwrap();
    let pairs: Vec<(&str, &str)> = checked
        .iter()
        .map(|c| (c.field.key.as_str(), c.attribute.name.as_str()))
        .collect();
    assert_eq!(pairs, [("phone", "SMS"), ("first_name", "FIRSTNAME")]);
}

#[test]
fn each_problem_names_its_entry() {
    assert_eq!(
        problem(&[entry("first_name", "FIRSTNAME"), entry("nickname", "SMS")]),
        "mappings[1]: Pipedrive has no person field `nickname`"
    );
    assert_eq!(
        problem(&[entry("first_name", "PRENOM")]),
        "mappings[0]: Brevo has no contact attribute `PRENOM`"
    );
    assert_eq!(
        problem(&[entry("first_name", "SMS"), entry("phone", "sms")]),
        "mappings[1] and mappings[0] both write the Brevo attribute `SMS`"
    );
    assert_eq!(
        problem(&[entry(CUSTOM, "SCORE")]),
        format!("mappings[0] ({CUSTOM} field → SCORE): a Pipedrive set field cannot fill a Brevo float attribute")
    );
    assert!(problem(&[entry("owner_id", "SMS")]).contains("user field cannot fill"));
    assert!(problem(&[entry("first_name", "RANK")]).contains("cannot be written"));
}

#[test]
fn an_empty_mapping_is_valid() {
    assert_eq!(check(&[], &fields(), &attributes()).unwrap(), vec![]);
}

#[test]
fn a_saved_mapping_goes_on_without_entries_that_no_longer_hold() {
    let saved = [
        entry("first_name", "FIRSTNAME"),
        entry("phone", "SMS"),
        entry(CUSTOM, "INTERESTS"),
        entry("phone", "FIRSTNAME"),
    ];
    // Since it was saved, the phone field was deleted in Pipedrive and INTERESTS in Brevo.
    let fields: Vec<PersonField> = fields().into_iter().filter(|f| f.key != "phone").collect();

    let (kept, dropped) = check_saved(&saved, &fields, &attributes());

    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].attribute.name, "FIRSTNAME");
    let problems: Vec<String> = dropped.iter().map(|d| d.problem.to_string()).collect();
    assert_eq!(
        problems,
        [
            "mappings[1]: Pipedrive has no person field `phone`",
            "mappings[2]: Brevo has no contact attribute `INTERESTS`",
            "mappings[3]: Pipedrive has no person field `phone`",
        ]
    );
    assert_eq!(dropped[0].entry, saved[1]);
}

#[test]
fn a_saved_duplicate_written_around_the_api_keeps_the_first_entry() {
    let saved = [
        entry("first_name", "SMS"),
        entry("nickname", "SCORE"),
        entry("phone", "sms"),
    ];

    let (kept, dropped) = check_saved(&saved, &fields(), &attributes());

    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].field.key, "first_name");
    assert_eq!(
        dropped[1].problem.to_string(),
        "mappings[2] and mappings[0] both write the Brevo attribute `SMS`"
    );
}
