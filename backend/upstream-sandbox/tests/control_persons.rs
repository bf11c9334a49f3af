//! The control routes that change persons and person fields, and the demo's
//! ready-to-map custom fields.

mod common;

use common::{status_json, Harness};
use reqwest::Method;
use serde_json::{json, Value};
use upstream_sandbox::demo::{ENTERPRISE_FILTER, NEWSLETTER_EU_FILTER};
use upstream_sandbox::person_fields::{SCORE, SEGMENT, SEGMENT_OPTIONS};
use upstream_sandbox::SandboxConfig;

async fn persons(harness: &Harness, filter_id: u64) -> Vec<Value> {
    let path = format!("/api/v2/persons?filter_id={filter_id}&limit=500");
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut request = harness.pipedrive(&path);
        if let Some(cursor) = &cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let (status, body) = status_json(request.send().await.unwrap()).await;
        assert_eq!(status, 200, "{body}");
        all.extend(body["data"].as_array().unwrap().iter().cloned());
        match body["additional_data"]["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return all,
        }
    }
}

async fn control(
    harness: &Harness,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let response = harness.control(method, path, body.as_ref()).await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn add_filter(harness: &Harness, filter: Value) {
    let (status, _) = control(harness, Method::POST, "/filters", Some(filter)).await;
    assert_eq!(status, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patched_person_changes_in_every_filter() {
    let harness = Harness::start(SandboxConfig::default()).await;
    add_filter(
        &harness,
        json!({"id": 1, "name": "Flagged", "count": 10, "custom_fields": true}),
    )
    .await;
    add_filter(&harness, json!({"id": 2, "name": "Plain", "count": 10})).await;
    let before = persons(&harness, 1).await[4].clone();
    let patch = json!({"first_name": "Grace", "emails": [{"value": "grace@example.com", "primary": true}],
        "custom_fields": {SEGMENT: 13, SCORE: null}});
    let (status, _) = control(&harness, Method::PATCH, "/persons/5", Some(patch)).await;
    assert_eq!(status, 204);

    for filter_id in [1, 2] {
        let person = persons(&harness, filter_id).await[4].clone();
        assert_eq!(person["id"], json!(5));
        let expected_name = format!("Grace {}", before["last_name"].as_str().unwrap());
        assert_eq!(
            (person["first_name"].clone(), person["name"].clone()),
            (json!("Grace"), json!(expected_name))
        );
        assert_eq!(
            person["emails"],
            json!([{"value": "grace@example.com", "primary": true, "label": "work"}])
        );
        assert_eq!(person["custom_fields"][SEGMENT], json!(13));
        assert_eq!(person["custom_fields"][SCORE], Value::Null);
        assert_eq!(person["custom_fields"].as_object().unwrap().len(), 9);
        assert!(person["update_time"].as_str().unwrap() > before["update_time"].as_str().unwrap());
    }
    assert_eq!(persons(&harness, 2).await[3]["custom_fields"], json!({}));

    for bad in [
        json!({"custom_fields": {"0000000000000000000000000000000000000000": 1}}),
        json!({"custom_fields": {SEGMENT: "Startup"}}),
        json!({"custom_fields": {"first_name": "Ada"}}),
        json!({"nickname": "Ada"}),
    ] {
        let (status, _) = control(&harness, Method::PATCH, "/persons/5", Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad}");
    }
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_field_changes_exactly_a_share_of_a_filter() {
    let harness = Harness::start(SandboxConfig::default()).await;
    add_filter(
        &harness,
        json!({"id": 1, "name": "Bench", "count": 1000, "custom_fields": true}),
    )
    .await;
    let body = json!({"key": SCORE, "value": 123.4, "share": 0.01});
    let (status, answer) =
        control(&harness, Method::POST, "/filters/1/set-field", Some(body)).await;
    assert_eq!(
        (status, answer),
        (200, json!({"id": 1, "key": SCORE, "persons": 10}))
    );
    let changed: Vec<u64> = persons(&harness, 1)
        .await
        .iter()
        .filter(|p| p["custom_fields"][SCORE] == json!(123.4))
        .map(|p| p["id"].as_u64().unwrap())
        .collect();
    assert_eq!(changed, (1..=10).map(|i| i * 100).collect::<Vec<u64>>());

    for (path, body, expected) in [
        (
            "/filters/1/set-field",
            json!({"key": SCORE, "value": 1, "share": 0}),
            400,
        ),
        (
            "/filters/1/set-field",
            json!({"key": SCORE, "value": 1, "share": 1.5}),
            400,
        ),
        (
            "/filters/1/set-field",
            json!({"key": SCORE, "value": "high", "share": 0.5}),
            400,
        ),
        (
            "/filters/1/set-field",
            json!({"key": "name", "value": "X", "share": 0.5}),
            400,
        ),
        (
            "/filters/9/set-field",
            json!({"key": SCORE, "value": 1, "share": 0.5}),
            404,
        ),
    ] {
        let (status, _) = control(&harness, Method::POST, path, Some(body.clone())).await;
        assert_eq!(status, expected, "{path} {body}");
    }
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_custom_field_leaves_fields_and_persons() {
    let harness = Harness::start(SandboxConfig::default()).await;
    add_filter(
        &harness,
        json!({"id": 1, "name": "Flagged", "count": 5, "custom_fields": true}),
    )
    .await;
    let path = format!("/person-fields/{SEGMENT}");
    assert_eq!(control(&harness, Method::DELETE, &path, None).await.0, 204);
    assert_eq!(control(&harness, Method::DELETE, &path, None).await.0, 404);
    assert_eq!(
        control(&harness, Method::DELETE, "/person-fields/first_name", None)
            .await
            .0,
        400
    );

    let (_, fields) = status_json(
        harness
            .pipedrive("/api/v2/personFields")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let codes: Vec<&Value> = fields["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["field_code"])
        .collect();
    assert_eq!(codes.len(), 16);
    assert!(!codes.contains(&&json!(SEGMENT)));
    for person in persons(&harness, 1).await {
        let values = person["custom_fields"].as_object().unwrap();
        assert!(
            values.len() == 8 && !values.contains_key(SEGMENT),
            "{person}"
        );
    }
    let patch = json!({"custom_fields": {SEGMENT: 11}});
    assert_eq!(
        control(&harness, Method::PATCH, "/persons/1", Some(patch))
            .await
            .0,
        400
    );

    harness.sandbox.reset();
    assert_eq!(harness.sandbox.pipedrive().person_fields().len(), 17);
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_a_segment_ready_to_map() {
    let harness = Harness::start(SandboxConfig {
        seed_demo: true,
        ..SandboxConfig::default()
    })
    .await;
    let newsletter = persons(&harness, NEWSLETTER_EU_FILTER).await;
    let segmented = newsletter
        .iter()
        .filter(|p| p["custom_fields"][SEGMENT].is_u64())
        .count();
    assert!(segmented > 1_000, "{segmented} of {}", newsletter.len());
    let enterprise = persons(&harness, ENTERPRISE_FILTER).await;
    let (enterprise_option, label) = SEGMENT_OPTIONS[0];
    assert!(enterprise
        .iter()
        .all(|p| p["custom_fields"][SEGMENT] == json!(enterprise_option)));

    let (_, attributes) = status_json(harness.brevo_get("/v3/contacts/attributes").await).await;
    let segment = attributes["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == json!("SEGMENT"));
    let labels: Vec<&Value> = segment.unwrap()["enumeration"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["label"])
        .collect();
    let pipedrive_labels: Vec<Value> = SEGMENT_OPTIONS
        .iter()
        .map(|(_, label)| json!(label))
        .collect();
    assert_eq!(labels, pipedrive_labels.iter().collect::<Vec<_>>());
    assert_eq!(label, "Enterprise");
    harness.stop().await;
}
