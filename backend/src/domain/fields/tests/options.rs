//! Single and multiple options, and category attributes.

use super::*;

#[test]
fn a_single_option_gives_its_label_or_the_matching_category() {
    let tier = custom("enum");
    assert_eq!(
        converted(with_custom(json!(2)), &tier, "text"),
        text("Silver")
    );
    // `include_option_labels=true` sends `{id, label}` instead of the id.
    let labelled = with_custom(json!({"id": 1, "label": "Gold"}));
    assert_eq!(converted(labelled, &tier, "text"), text("Gold"));
    // Labels match ignoring case and surrounding spaces ("gold", "Silver ").
    assert_eq!(
        converted(with_custom(json!(1)), &tier, "category"),
        BrevoValue::Category(1)
    );
    assert_eq!(
        converted(with_custom(json!(2)), &tier, "category"),
        BrevoValue::Category(2)
    );
    let choices = converted(with_custom(json!(3)), &tier, "multiple-choice");
    assert_eq!(choices, BrevoValue::Choices(vec!["Bronze".into()]));
}

#[test]
fn standard_option_fields_match_string_ids() {
    let mut status = field("marketing_status", "enum");
    status.options = vec![FieldOption {
        id: OptionId::Code("subscribed".into()),
        label: "Subscribed".into(),
    }];
    let person = json!({"marketing_status": "subscribed"});
    assert_eq!(converted(person, &status, "text"), text("Subscribed"));
}

#[test]
fn an_option_that_no_longer_exists_is_left_out() {
    assert_eq!(
        reason(with_custom(json!(17)), &custom("enum"), "text"),
        "option 17 no longer exists"
    );
    assert_eq!(
        reason(with_custom(json!([1, 17])), &custom("set"), "text"),
        "option 17 no longer exists"
    );
}

#[test]
fn a_category_without_a_matching_label_is_left_out() {
    let tier = custom("enum");
    assert_eq!(
        reason(with_custom(json!(3)), &tier, "category"),
        "TIER has no value labelled \"Bronze\""
    );
    let written = custom("varchar");
    let value = converted(with_custom(json!(" GOLD")), &written, "category");
    assert_eq!(value, BrevoValue::Category(1));
    let missing = reason(with_custom(json!("Platinum")), &written, "category");
    assert_eq!(missing, "TIER has no value labelled \"Platinum\"");
}

#[test]
fn multiple_options_are_joined_in_the_fields_own_order() {
    let interests = custom("set");
    let person = with_custom(json!([3, 1, 3]));
    assert_eq!(
        converted(person.clone(), &interests, "text"),
        text("Gold, Bronze")
    );
    let choices = converted(person, &interests, "multiple-choice");
    assert_eq!(
        choices,
        BrevoValue::Choices(vec!["Gold".into(), "Bronze".into()])
    );
    let labelled = with_custom(json!([{"id": 2, "label": "Silver"}]));
    assert_eq!(converted(labelled, &interests, "text"), text("Silver"));
}
