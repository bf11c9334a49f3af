//! Dates, numbers, amounts, addresses and booleans.

use super::*;
use time::macros::date;

#[test]
fn dates_are_checked_and_written_as_dates_or_text() {
    let renewal = custom("date");
    let person = with_custom(json!("2024-02-29"));
    assert_eq!(
        converted(person.clone(), &renewal, "date"),
        BrevoValue::Date(date!(2024 - 02 - 29))
    );
    assert_eq!(converted(person, &renewal, "text"), text("2024-02-29"));
    for bad in [
        "2024-13-40",
        "2023-02-29",
        "2024-1-5",
        "01.02.2024",
        "+2024-01-01",
        "2024-01-01T00:00",
    ] {
        assert_eq!(
            reason(with_custom(json!(bad)), &renewal, "date"),
            format!("{bad:?} is not a date")
        );
    }
    assert_eq!(
        reason(with_custom(json!(20240101)), &renewal, "date"),
        "20240101 is not a date"
    );
}

#[test]
fn numbers_and_amounts_are_written_as_numbers_or_text() {
    let score = custom("double");
    assert_eq!(
        converted(with_custom(json!(2.5)), &score, "float"),
        BrevoValue::Number(2.5)
    );
    assert_eq!(
        converted(with_custom(json!("3")), &score, "float"),
        BrevoValue::Number(3.0)
    );
    assert_eq!(converted(with_custom(json!(5)), &score, "text"), text("5"));
    assert_eq!(
        converted(with_custom(json!(7)), &custom("int"), "float"),
        BrevoValue::Number(7.0)
    );
    let amount = with_custom(json!({"value": 1250.5, "currency": "EUR"}));
    assert_eq!(
        converted(amount, &custom("monetary"), "float"),
        BrevoValue::Number(1250.5)
    );
    assert_eq!(
        reason(with_custom(json!("abc")), &score, "float"),
        "\"abc\" is not a number"
    );
    assert_eq!(
        reason(with_custom(json!("NaN")), &score, "float"),
        "\"NaN\" is not a number"
    );
    assert_eq!(
        reason(with_custom(json!([1])), &score, "float"),
        "[1] is not a number"
    );
}

#[test]
fn an_address_gives_its_formatted_value() {
    let address = with_custom(json!({"value": "Unter den Linden 1, Berlin", "country": "Germany"}));
    assert_eq!(
        converted(address, &custom("address"), "text"),
        text("Unter den Linden 1, Berlin")
    );
}

#[test]
fn booleans_are_written_as_booleans_or_text() {
    let flag = custom("boolean");
    assert_eq!(
        converted(with_custom(json!(true)), &flag, "boolean"),
        BrevoValue::Boolean(true)
    );
    assert_eq!(
        converted(with_custom(json!(false)), &flag, "text"),
        text("false")
    );
    assert_eq!(
        reason(with_custom(json!("yes")), &flag, "boolean"),
        "\"yes\" is not true or false"
    );
}
