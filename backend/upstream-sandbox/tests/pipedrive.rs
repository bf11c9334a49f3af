//! The fake Pipedrive API over HTTP.

mod common;

use common::{header, status_json, Harness};
use serde_json::{json, Value};
use upstream_sandbox::{Person, SandboxConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejects_missing_or_wrong_tokens_with_the_documented_body() {
    let harness = Harness::start(SandboxConfig::default()).await;
    for token in [None, Some("wrong")] {
        let mut request = harness
            .client
            .get(harness.url("/api/v1/filters?type=people"));
        if let Some(token) = token {
            request = request.header("x-api-token", token);
        }
        let response = request.send().await.unwrap();
        assert!(header(&response, "x-ratelimit-limit").is_some());
        let (status, body) = status_json(response).await;
        assert_eq!(status, 401);
        assert_eq!(
            body,
            json!({"success": false, "error": "unauthorized access", "errorCode": 401})
        );
    }
    // The legacy query parameter is not accepted: the token belongs in the header.
    let url = harness.url("/v1/filters?type=people&api_token=sandbox-pipedrive-token");
    assert_eq!(harness.client.get(url).send().await.unwrap().status(), 401);
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_people_filters_with_every_spec_field() {
    let harness = Harness::start(SandboxConfig::default()).await;
    harness.sandbox.pipedrive().add_filter(7, "Newsletter");
    harness
        .sandbox
        .pipedrive()
        .add_generated_filter(8, "Leads", 10);

    for path in ["/api/v1/filters?type=people", "/v1/filters?type=people"] {
        let (status, body) = status_json(harness.pipedrive(path).send().await.unwrap()).await;
        assert_eq!(status, 200);
        assert_eq!(body["success"], json!(true));
        let filters = body["data"].as_array().unwrap();
        assert_eq!(filters.len(), 2);
        let filter = &filters[0];
        assert_eq!(
            (filter["id"].clone(), filter["name"].clone()),
            (json!(7), json!("Newsletter"))
        );
        assert_eq!(filter["type"], json!("people"));
        assert_eq!(filter["visible_to"], json!("3"));
        for field in [
            "filter_code",
            "temporary_flag",
            "last_used_time",
            "custom_view_id",
        ] {
            assert_eq!(filter[field], Value::Null, "{field}");
        }
        let add_time = filter["add_time"].as_str().unwrap();
        assert_eq!((add_time.len(), &add_time[10..11]), (19, " "), "{add_time}");
    }

    let (_, deals) = status_json(
        harness
            .pipedrive("/v1/filters?type=deals")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(deals["data"], json!([]));
    for bad in ["/v1/filters", "/v1/filters?type=persons"] {
        let (status, body) = status_json(harness.pipedrive(bad).send().await.unwrap()).await;
        assert_eq!(
            (status, body["success"].clone(), body["data"].clone()),
            (400, json!(false), Value::Null)
        );
        assert!(body["error"].is_string() && body["error_info"].is_string());
    }
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_persons_with_opaque_cursors_until_null() {
    let harness = Harness::start(SandboxConfig::default()).await;
    harness
        .sandbox
        .pipedrive()
        .add_generated_filter(3, "Customers", 1_234);

    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut request = harness
            .pipedrive("/api/v2/persons")
            .query(&[("filter_id", "3"), ("limit", "500")]);
        if let Some(cursor) = &cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let (status, body) = status_json(request.send().await.unwrap()).await;
        assert_eq!(status, 200);
        pages += 1;
        ids.extend(
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_u64().unwrap()),
        );
        match &body["additional_data"]["next_cursor"] {
            Value::Null => break,
            Value::String(next) => cursor = Some(next.clone()),
            other => panic!("next_cursor {other}"),
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(ids, (1..=1_234).collect::<Vec<u64>>());

    // The default page is 100 persons, in the v2 shape.
    let (_, body) = status_json(
        harness
            .pipedrive("/api/v2/persons?filter_id=3")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let persons = body["data"].as_array().unwrap();
    assert_eq!(persons.len(), 100);
    let person = &persons[0];
    for field in [
        "name",
        "first_name",
        "last_name",
        "owner_id",
        "emails",
        "phones",
        "is_deleted",
        "custom_fields",
    ] {
        assert!(!person[field].is_null(), "{field} in {person}");
    }
    assert!(person["add_time"].as_str().unwrap().ends_with('Z'));
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejects_bad_limits_cursors_and_unknown_filters() {
    let harness = Harness::start(SandboxConfig::default()).await;
    harness.sandbox.pipedrive().add_filter(1, "Empty");
    for (query, expected) in [
        ("filter_id=1&limit=501", 400),
        ("filter_id=1&limit=0", 400),
        ("filter_id=1&cursor=garbage", 400),
        ("limit=10", 400),
        ("filter_id=99", 404),
    ] {
        let response = harness
            .pipedrive(&format!("/api/v2/persons?{query}"))
            .send()
            .await
            .unwrap();
        let (status, body) = status_json(response).await;
        assert_eq!(status, expected, "{query}");
        assert_eq!(body["success"], json!(false), "{query}");
    }
    let (_, empty) = status_json(
        harness
            .pipedrive("/api/v2/persons?filter_id=1")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(empty["data"], json!([]));
    assert_eq!(empty["additional_data"]["next_cursor"], Value::Null);
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_hand_made_edge_cases_verbatim() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let persons = upstream_sandbox::demo::edge_case_persons();
    harness
        .sandbox
        .pipedrive()
        .add_filter_with_persons(5, "Edge cases", persons.clone());
    let response = harness
        .pipedrive("/api/v2/persons?filter_id=5&limit=500")
        .send()
        .await
        .unwrap();
    let (_, body) = status_json(response).await;
    let served = body["data"].as_array().unwrap();
    assert_eq!(served.len(), persons.len());
    let mixed_case = served
        .iter()
        .find(|p| p["last_name"] == json!("Mixedcase"))
        .unwrap();
    assert_eq!(
        mixed_case["emails"][0]["value"],
        json!("  Mia.MixedCase@Example.COM ")
    );

    // Edits made between two syncs show up at once.
    harness
        .sandbox
        .pipedrive()
        .set_persons(5, vec![Person::new(1, "Ada", "Lovelace")]);
    harness.sandbox.pipedrive().rename_filter(5, "Renamed");
    let (_, body) = status_json(
        harness
            .pipedrive("/api/v2/persons?filter_id=5")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["data"][0]["name"], json!("Ada Lovelace"));
    harness.stop().await;
}
