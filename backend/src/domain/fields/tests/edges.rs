//! No value, odd shapes, and agreement with `convertible`.

use super::*;

#[test]
fn shapes_that_are_not_text_are_left_out_and_long_values_are_cut_short() {
    let note = custom("varchar");
    assert_eq!(
        reason(with_custom(json!({"a": 1})), &note, "text"),
        "{\"a\":1} is not text"
    );
    let long = "x".repeat(100);
    let cut = reason(with_custom(json!(long)), &note, "category");
    assert_eq!(
        cut,
        format!("TIER has no value labelled \"{}\"…", "x".repeat(40))
    );
}

#[test]
fn absent_null_and_empty_values_are_no_value() {
    let cases = [
        (json!({}), custom("varchar")),
        (json!({"custom_fields": {}}), custom("varchar")),
        (with_custom(Value::Null), custom("enum")),
        (with_custom(json!("  ")), custom("varchar")),
        (with_custom(json!([])), custom("set")),
        (
            with_custom(json!({"value": null, "currency": "EUR"})),
            custom("monetary"),
        ),
        (json!({"phones": []}), field("phone", "phone")),
        (
            json!({"phones": [{"value": "", "primary": true}]}),
            field("phone", "phone"),
        ),
        (json!({"first_name": null}), field("first_name", "varchar")),
    ];
    for (person, field) in cases {
        assert_eq!(
            convert_to(person.clone(), &field, "text"),
            Ok(None),
            "{person}"
        );
    }
}

#[test]
fn an_incompatible_pair_is_refused_before_the_value_is_read() {
    let error = convert_to(json!({}), &custom("varchar"), "float").unwrap_err();
    assert_eq!(
        error.reason,
        "a Pipedrive varchar field cannot fill a Brevo float attribute"
    );
}

/// `convertible` is the one place that decides; `convert` must agree with it for a
/// well-formed value of every field type and every attribute type.
#[test]
fn convert_succeeds_exactly_for_the_pairs_convertible_allows() {
    let samples = [
        ("varchar", json!("Gold")),
        ("text", json!("Gold")),
        ("time", json!("Gold")),
        ("address", json!({"value": "Gold"})),
        ("phone", json!("030 1234567")),
        ("enum", json!(1)),
        ("set", json!([1, 2])),
        ("date", json!("2024-01-01")),
        ("int", json!(3)),
        ("double", json!(2.5)),
        ("monetary", json!({"value": 9, "currency": "EUR"})),
        ("boolean", json!(true)),
        ("user", json!(5)),
        ("org", json!(7)),
        ("daterange", json!({"from": "2024-01-01"})),
        ("hologram", json!("x")),
    ];
    let types = [
        "text",
        "date",
        "float",
        "boolean",
        "id",
        "category",
        "multiple-choice",
        "rgb",
    ];
    for (field_type, value) in samples {
        for attribute_type in types {
            let field = custom(field_type);
            let allowed = convertible(&field.field_type, &attribute(attribute_type)).is_ok();
            let result = convert_to(with_custom(value.clone()), &field, attribute_type);
            assert_eq!(
                result.is_ok(),
                allowed,
                "{field_type} → {attribute_type}: {result:?}"
            );
            if allowed {
                assert!(result.unwrap().is_some(), "{field_type} → {attribute_type}");
            }
        }
    }
}
