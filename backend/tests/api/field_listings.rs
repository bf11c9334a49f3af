//! The upstream clients' listings of what a field mapping maps: Pipedrive's person fields
//! and Brevo's contact attributes, read from the sandbox as the real APIs serve them.

use pipedrive_brevo_sync::{
    config::{BrevoLimits, HttpClientSettings, RetryPolicy},
    domain::fields::{
        AttributeCategory, BrevoAttributeType, CategoryValue, OptionId, PersonFieldType,
    },
    upstream::{self, brevo::BrevoClient, pipedrive::PipedriveClient},
};
use upstream_sandbox::{person_fields, Sandbox, SandboxConfig};

#[tokio::test]
async fn person_fields_are_listed_with_their_types_options_and_whether_custom() {
    let config = SandboxConfig::default();
    let token = config.pipedrive_token.clone();
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = PipedriveClient::new(
        upstream::http_client(&HttpClientSettings::default()),
        url::Url::parse(&sandbox.base_url()).unwrap(),
        Some(token.into()),
        RetryPolicy::default(),
        Default::default(),
    );

    let fields = client.person_fields().await.unwrap();

    let field = |key: &str| {
        fields
            .iter()
            .find(|field| field.key == key)
            .unwrap_or_else(|| panic!("{key} not listed"))
    };
    let first_name = field("first_name");
    assert_eq!(
        (&first_name.field_type, first_name.custom),
        (&PersonFieldType::Varchar, false)
    );
    let code = field(person_fields::CUSTOMER_CODE);
    assert_eq!(
        (&code.field_type, code.custom, code.name.as_str()),
        (&PersonFieldType::Varchar, true, "Customer code")
    );
    let segment = field(person_fields::SEGMENT);
    assert_eq!(segment.field_type, PersonFieldType::Enum);
    let options: Vec<(OptionId, &str)> = segment
        .options
        .iter()
        .map(|option| (option.id.clone(), option.label.as_str()))
        .collect();
    let expected: Vec<(OptionId, &str)> = person_fields::SEGMENT_OPTIONS
        .iter()
        .map(|&(id, label)| (OptionId::Number(id as i64), label))
        .collect();
    assert_eq!(options, expected);
    let labels = field("label_ids");
    assert_eq!(
        (
            &labels.field_type,
            labels.options.len(),
            labels.options[0].label.as_str()
        ),
        (&PersonFieldType::Set, 4, "Customer")
    );
    let custom = fields.iter().filter(|field| field.custom).count();
    assert_eq!(
        custom, 9,
        "one custom field of each type the mapping converts"
    );
}

#[tokio::test]
async fn brevo_attributes_are_listed_with_their_categories_and_types() {
    let config = SandboxConfig::default();
    let key = config.brevo_key.clone();
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = BrevoClient::new(
        upstream::http_client(&HttpClientSettings::default()),
        url::Url::parse(&sandbox.base_url()).unwrap(),
        Some(key.into()),
        RetryPolicy::default(),
        &BrevoLimits::default(),
        Default::default(),
    );

    let attributes = client.attributes().await.unwrap();

    let attribute = |name: &str| {
        attributes
            .iter()
            .find(|attribute| attribute.name == name)
            .unwrap_or_else(|| panic!("{name} not listed"))
    };
    assert_eq!(attribute("SCORE").attribute_type, BrevoAttributeType::Float);
    assert_eq!(
        attribute("OPT_IN").attribute_type,
        BrevoAttributeType::Boolean
    );
    assert_eq!(
        attribute("RENEWAL_DATE").attribute_type,
        BrevoAttributeType::Date
    );
    let order_id = attribute("ORDER_ID");
    assert_eq!(
        (
            &order_id.category,
            &order_id.attribute_type,
            order_id.is_writable()
        ),
        (
            &AttributeCategory::Transactional,
            &BrevoAttributeType::Id,
            true
        )
    );
    // Listed as `category: "category", type: "text"`, as in the spec's example.
    let segment = attribute("SEGMENT");
    let BrevoAttributeType::Category { enumeration } = &segment.attribute_type else {
        panic!("SEGMENT is {:?}", segment.attribute_type);
    };
    assert_eq!(
        enumeration[0],
        CategoryValue {
            value: 1,
            label: "Enterprise".into()
        }
    );
    let attributes = client.attributes().await.unwrap();
    let names =
        pipedrive_brevo_sync::domain::mapping::Mapping::first_and_last_name(&attributes, None);
    let names: Vec<&str> = names.attributes().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["FIRSTNAME", "LASTNAME"]);
}

#[tokio::test]
async fn the_api_lists_both_sides_of_a_mapping_live() {
    let app = crate::helpers::spawn_app().await;
    app.sign_in().await;

    let response = app.get("/api/field-mapping/fields").await;

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    let segment = body["pipedrive"]
        .as_array()
        .unwrap()
        .iter()
        .find(|field| field["key"] == person_fields::SEGMENT)
        .unwrap();
    assert_eq!(
        segment,
        &serde_json::json!({"key": person_fields::SEGMENT, "name": "Segment", "type": "enum", "custom": true})
    );
    let order_id = body["brevo"]
        .as_array()
        .unwrap()
        .iter()
        .find(|attribute| attribute["name"] == "ORDER_ID")
        .unwrap();
    assert_eq!(
        order_id,
        &serde_json::json!({"name": "ORDER_ID", "type": "id", "writable": true})
    );
}

#[tokio::test]
async fn a_failing_api_makes_the_listing_a_502_naming_it() {
    let app = crate::helpers::spawn_app_with(|settings| settings.retry.max_attempts = 1).await;
    app.sign_in().await;
    app.sandbox.script_always(
        upstream_sandbox::Api::Brevo,
        "/v3/contacts/attributes",
        upstream_sandbox::Fault::Status {
            status: 500,
            headers: vec![],
            body: String::new(),
        },
    );

    let response = app.get("/api/field-mapping/fields").await;

    assert_eq!(response.status(), 502);
    let problem: serde_json::Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("Brevo"),
        "{problem}"
    );
}
