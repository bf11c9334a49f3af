//! The fake Pipedrive's person fields and the custom-field values of persons.

mod common;

use common::{status_json, Harness};
use reqwest::Method;
use serde_json::{json, Value};
use upstream_sandbox::person_fields::{
    CONTRACT_VALUE, INTERESTS, MOBILE, OFFICE_ADDRESS, RENEWAL_DATE, SCORE, SEGMENT,
    SEGMENT_DELETED_OPTION,
};
use upstream_sandbox::SandboxConfig;

async fn get(harness: &Harness, path: &str) -> (u16, Value) {
    status_json(harness.pipedrive(path).send().await.unwrap()).await
}

/// Adds a generated filter over global persons `0..count`.
async fn add_filter(harness: &Harness, id: u64, count: u64, custom_fields: bool) {
    let body = json!({"id": id, "name": "F", "count": count, "custom_fields": custom_fields});
    let response = harness.control(Method::POST, "/filters", Some(&body)).await;
    assert_eq!(response.status(), 201);
}

async fn persons(harness: &Harness, query: &str) -> Vec<Value> {
    let (status, body) = get(harness, &format!("/api/v2/persons?{query}")).await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_person_fields_with_every_required_property() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let mut fields = Vec::new();
    let mut path = "/api/v2/personFields?limit=5".to_owned();
    loop {
        let (status, body) = get(&harness, &path).await;
        assert_eq!((status, body["success"].clone()), (200, json!(true)));
        fields.extend(body["data"].as_array().unwrap().iter().cloned());
        match body["additional_data"]["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v2/personFields?limit=5&cursor={cursor}"),
            None => break,
        }
    }
    let codes: Vec<&str> = fields
        .iter()
        .map(|f| f["field_code"].as_str().unwrap())
        .collect();
    assert_eq!(fields.len(), 17, "{codes:?}");
    assert_eq!(
        codes[..8],
        [
            "name",
            "first_name",
            "last_name",
            "email",
            "phone",
            "org_id",
            "owner_id",
            "label_ids"
        ]
    );
    for field in &fields {
        for required in [
            "field_name",
            "field_type",
            "is_custom_field",
            "is_optional_response_field",
        ] {
            assert!(!field[required].is_null(), "{required} in {field}");
        }
        let custom = field["is_custom_field"] == json!(true);
        assert_eq!(
            custom,
            field["field_code"].as_str().unwrap().len() == 40,
            "{field}"
        );
    }
    let field = |code: &str| {
        fields
            .iter()
            .find(|f| f["field_code"] == json!(code))
            .unwrap()
    };
    assert_eq!(
        (
            field(SEGMENT)["field_name"].clone(),
            field(SEGMENT)["field_type"].clone()
        ),
        (json!("Segment"), json!("enum"))
    );
    assert_eq!(
        field(SEGMENT)["options"],
        json!([{"id": 11, "label": "Enterprise"}, {"id": 12, "label": "SMB"}, {"id": 13, "label": "Startup"}])
    );
    assert_eq!(field(INTERESTS)["field_type"], json!("set"));
    assert_eq!(field("phone")["options"], Value::Null);
    let currency = format!("{CONTRACT_VALUE}_currency");
    assert_eq!(
        field(CONTRACT_VALUE)["subfields"][0]["field_code"],
        json!(currency)
    );
    assert_eq!(
        field(OFFICE_ADDRESS)["subfields"].as_array().unwrap().len(),
        10
    );
    assert_eq!(field(SCORE)["subfields"], Value::Null);

    let persons_cursor = "eyJmaWx0ZXJfaWQiOjIsIm9mZnNldCI6M30";
    for bad in [
        "limit=501",
        "limit=0",
        "cursor=garbage",
        &format!("cursor={persons_cursor}"),
    ] {
        let (status, body) = get(&harness, &format!("/api/v2/personFields?{bad}")).await;
        assert_eq!(
            (status, body["success"].clone()),
            (400, json!(false)),
            "{bad}"
        );
    }
    let (_, first_page) = get(&harness, "/api/v2/personFields").await;
    assert_eq!(first_page["data"].as_array().unwrap().len(), 17);
    assert_eq!(first_page["additional_data"]["next_cursor"], Value::Null);
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flagged_filters_serve_custom_values_in_the_v2_shape() {
    let harness = Harness::start(SandboxConfig::default()).await;
    add_filter(&harness, 1, 500, true).await;
    add_filter(&harness, 2, 500, false).await;
    let flagged = persons(&harness, "filter_id=1&limit=500").await;
    let plain = persons(&harness, "filter_id=2&limit=500").await;

    assert!(plain
        .iter()
        .all(|person| person["custom_fields"] == json!({})));
    for person in &flagged {
        let values = person["custom_fields"].as_object().unwrap();
        assert_eq!(values.len(), 9, "{person}");
        let shaped = |key: &str, check: fn(&Value) -> bool| {
            let value = &values[key];
            assert!(value.is_null() || check(value), "{key}: {value}");
        };
        shaped(SEGMENT, Value::is_u64);
        shaped(INTERESTS, |v| {
            v.as_array().unwrap().iter().all(Value::is_u64)
        });
        shaped(RENEWAL_DATE, |v| v.as_str().unwrap().len() == 10);
        shaped(SCORE, Value::is_f64);
        shaped(MOBILE, Value::is_string);
        shaped(CONTRACT_VALUE, |v| {
            v["value"].is_number() && v["currency"].is_string()
        });
        shaped(OFFICE_ADDRESS, |v| {
            v["value"].is_string() && v["locality"].is_string()
        });
    }
    let count = |key: &str, value: Value| {
        let matching = flagged.iter().filter(|p| p["custom_fields"][key] == value);
        matching.count()
    };
    assert!(count(MOBILE, json!("call after 5pm")) > 0);
    assert!(count(SEGMENT, json!(SEGMENT_DELETED_OPTION)) > 0);
    assert!(count(SEGMENT, Value::Null) > 0);

    // Values belong to the person: the same in another flagged filter.
    add_filter(&harness, 3, 10, true).await;
    let again = persons(&harness, "filter_id=3").await;
    assert_eq!(again[7]["custom_fields"], flagged[7]["custom_fields"]);
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_custom_fields_parameter_narrows_to_at_most_15_keys() {
    let harness = Harness::start(SandboxConfig::default()).await;
    add_filter(&harness, 1, 20, true).await;
    add_filter(&harness, 2, 20, false).await;
    let query = format!("filter_id=1&custom_fields={SEGMENT},{SCORE},not_a_field");
    for person in persons(&harness, &query).await {
        let keys: Vec<&String> = person["custom_fields"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys.len(), 2, "{person}");
        assert!(keys.contains(&&SEGMENT.to_owned()) && keys.contains(&&SCORE.to_owned()));
    }
    let plain = persons(&harness, &format!("filter_id=2&custom_fields={SEGMENT}")).await;
    assert!(plain
        .iter()
        .all(|person| person["custom_fields"] == json!({})));

    let sixteen = vec![SEGMENT; 16].join(",");
    let (status, body) = get(
        &harness,
        &format!("/api/v2/persons?filter_id=1&custom_fields={sixteen}"),
    )
    .await;
    assert_eq!((status, body["success"].clone()), (400, json!(false)));
    let fifteen = vec![SEGMENT; 15].join(",");
    assert_eq!(
        persons(&harness, &format!("filter_id=1&custom_fields={fifteen}"))
            .await
            .len(),
        20
    );
    harness.stop().await;
}
