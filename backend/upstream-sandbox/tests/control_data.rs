//! The control routes that shape data and read the request log:
//! generated filter windows, their shift, the webinar demo filter and
//! `GET /__sandbox/requests`.

mod common;

use common::{status_json, Harness};
use reqwest::Method;
use serde_json::{json, Value};
use upstream_sandbox::demo::{BLOCKLISTED_EMAIL, WEBINAR_FILTER};
use upstream_sandbox::{Api, GeneratedPersons, Person, SandboxConfig, ShiftError};

/// Ids of a filter's first page of persons.
async fn person_ids(harness: &Harness, filter_id: u64) -> Vec<u64> {
    let path = format!("/api/v2/persons?filter_id={filter_id}&limit=500");
    let (status, body) = status_json(harness.pipedrive(&path).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let persons = body["data"].as_array().unwrap();
    persons.iter().map(|p| p["id"].as_u64().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_filters_take_a_window_that_shifts() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let filter = json!({"id": 7, "name": "Window", "count": 4, "first": 10, "step": 2});
    assert_eq!(
        harness
            .control(Method::POST, "/filters", Some(&filter))
            .await
            .status(),
        201
    );
    // Person ids are global index + 1: persons 10, 12, 14, 16.
    assert_eq!(person_ids(&harness, 7).await, [11, 13, 15, 17]);

    let shift = json!({"persons": 3});
    let (status, window) = status_json(
        harness
            .control(Method::POST, "/filters/7/shift", Some(&shift))
            .await,
    )
    .await;
    assert_eq!(
        (status, window),
        (200, json!({"id": 7, "count": 4, "first": 16, "step": 2}))
    );
    assert_eq!(person_ids(&harness, 7).await, [17, 19, 21, 23]);

    let pipedrive = harness.sandbox.pipedrive();
    pipedrive.add_filter_with_persons(8, "Hand-made", vec![Person::new(1, "Ada", "L")]);
    for (path, expected) in [("/filters/8/shift", 400), ("/filters/99/shift", 404)] {
        assert_eq!(
            harness
                .control(Method::POST, path, Some(&shift))
                .await
                .status(),
            expected,
            "{path}"
        );
    }
    let zero_step = json!({"id": 9, "name": "Bad", "count": 2, "step": 0});
    assert_eq!(
        harness
            .control(Method::POST, "/filters", Some(&zero_step))
            .await
            .status(),
        400
    );
    let defaults = json!({"id": 9, "name": "Defaults", "count": 2});
    assert_eq!(
        harness
            .control(Method::POST, "/filters", Some(&defaults))
            .await
            .status(),
        201
    );
    assert_eq!(person_ids(&harness, 9).await, [1, 2]);

    assert_eq!(
        pipedrive.shift_filter(9, 5),
        Ok(GeneratedPersons {
            count: 2,
            first: 5,
            step: 1
        })
    );
    assert_eq!(pipedrive.shift_filter(8, 1), Err(ShiftError::NotGenerated));
    assert_eq!(
        pipedrive.shift_filter(99, 1),
        Err(ShiftError::UnknownFilter)
    );
    assert_eq!(
        pipedrive.shift_filter(9, u64::MAX),
        Err(ShiftError::Overflow)
    );
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_has_a_webinar_filter_and_a_blocklisted_attendee() {
    let harness = Harness::start(SandboxConfig {
        seed_demo: true,
        ..SandboxConfig::default()
    })
    .await;
    let path = format!("/api/v2/persons?filter_id={WEBINAR_FILTER}&limit=500");
    let (_, body) = status_json(harness.pipedrive(&path).send().await.unwrap()).await;
    let persons = body["data"].as_array().unwrap();
    assert_eq!(persons.len(), 40);
    let without_email = persons.iter().filter(|p| p["emails"] == json!([])).count();
    assert_eq!(without_email, 1);
    let has_blocked = persons
        .iter()
        .any(|p| p["emails"][0]["value"] == json!(BLOCKLISTED_EMAIL));
    assert!(has_blocked);
    let (_, filters) = status_json(
        harness
            .pipedrive("/v1/filters?type=people")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        filters["data"][5]["name"],
        json!("Webinar attendees (changes every 30 s)")
    );

    let contact = harness.sandbox.brevo().contact(BLOCKLISTED_EMAIL).unwrap();
    assert!(contact.email_blacklisted);
    let (_, state) = status_json(harness.control(Method::GET, "/state", None).await).await;
    assert_eq!(state["brevo"]["contacts"], json!(1));
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_log_reads_from_a_sequence_number() {
    let harness = Harness::start(SandboxConfig::default()).await;
    harness
        .pipedrive("/v1/filters?type=people")
        .send()
        .await
        .unwrap();
    harness.brevo_get("/v3/contacts/lists?limit=5").await;
    let (_, log) = status_json(
        harness
            .control(Method::GET, "/requests?api=brevo", None)
            .await,
    )
    .await;
    // The request's arrival and answer, in milliseconds since the epoch, in that order.
    let mut log = log;
    let entry = log["requests"][0].as_object_mut().unwrap();
    let received = entry.remove("received_ms").unwrap().as_f64().unwrap();
    let answered = entry.remove("answered_ms").unwrap().as_f64().unwrap();
    assert!(
        received > 1.7e12 && received <= answered,
        "{received} {answered}"
    );
    assert_eq!(
        log,
        json!({
            "requests": [{"seq": 1, "api": "brevo", "method": "GET", "path": "/v3/contacts/lists", "query": "limit=5", "status": 200}],
            "next": 2,
        })
    );

    // What an action sent: read from `next` on.
    let next = log["next"].as_u64().unwrap();
    harness
        .brevo_post("/v3/contacts/folders", &json!({"name": "F"}))
        .await;
    harness
        .pipedrive("/v1/filters?type=people")
        .send()
        .await
        .unwrap();
    let (_, later) = status_json(
        harness
            .control(Method::GET, &format!("/requests?since={next}"), None)
            .await,
    )
    .await;
    let methods: Vec<(&Value, &Value)> = later["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (&r["api"], &r["method"]))
        .collect();
    assert_eq!(
        methods,
        [
            (&json!("brevo"), &json!("POST")),
            (&json!("pipedrive"), &json!("GET"))
        ]
    );
    assert_eq!(later["next"], json!(4));
    let (_, none) = status_json(
        harness
            .control(Method::GET, "/requests?since=4", None)
            .await,
    )
    .await;
    assert_eq!(none, json!({"requests": [], "next": 4}));
    let (status, _) = status_json(
        harness
            .control(Method::GET, "/requests?api=nope", None)
            .await,
    )
    .await;
    assert_eq!(status, 400);

    let (requests, next) = harness.sandbox.requests_since(3);
    assert_eq!(
        (requests.len(), requests[0].api, requests[0].seq, next),
        (1, Api::Pipedrive, 3, 4)
    );
    harness.stop().await;
}
