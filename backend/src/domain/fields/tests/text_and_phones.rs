//! Text, email and phone fields.

use super::*;

#[test]
fn text_fields_are_written_as_they_are() {
    let person = json!({"first_name": "Ada ", "name": "Ada Lovelace"});
    assert_eq!(
        converted(person.clone(), &field("first_name", "varchar"), "text"),
        text("Ada ")
    );
    assert_eq!(
        converted(person, &field("name", "varchar"), "text"),
        text("Ada Lovelace")
    );
    for field_type in ["varchar", "varchar_auto", "text", "time"] {
        let value = converted(with_custom(json!("10:30:00")), &custom(field_type), "text");
        assert_eq!(value, text("10:30:00"), "{field_type}");
    }
}

#[test]
fn an_email_field_gives_the_primary_address() {
    let person = json!({"emails": [
        {"value": "work@example.com", "primary": false},
        {"value": "home@example.com", "primary": true},
    ]});
    let value = converted(person, &field("email", "varchar"), "text");
    assert_eq!(value, text("home@example.com"));
}

#[test]
fn phones_become_e164_from_the_primary_else_the_first_number() {
    let phone = field("phone", "phone");
    let primary = json!({"phones": [
        {"value": "030 1111111", "primary": false, "label": "work"},
        {"value": "+1 201-555-0123", "primary": true, "label": "mobile"},
    ]});
    assert_eq!(converted(primary, &phone, "text"), text("+12015550123"));
    let no_primary = json!({"phones": [
        {"value": "", "primary": true},
        {"value": "030 1111111", "primary": false},
    ]});
    assert_eq!(converted(no_primary, &phone, "text"), text("+49301111111"));
    let custom_phone = with_custom(json!("0151 23456789"));
    assert_eq!(
        converted(custom_phone, &custom("phone"), "text"),
        text("+4915123456789")
    );
}

#[test]
fn a_phone_that_is_not_a_number_is_left_out_with_a_reason() {
    let error = convert_to(
        with_custom(json!("call after 5pm")),
        &custom("phone"),
        "text",
    );
    let error = error.unwrap_err();
    assert_eq!(error.field, format!("{CUSTOM} field"));
    assert_eq!(error.reason, "phone \"call after 5pm\" is not a number");
    assert_eq!(
        error.to_string(),
        format!("{CUSTOM} field left out: phone \"call after 5pm\" is not a number")
    );
}
