//! The field mapping end to end (DESIGN §8): saved through the API, checked against both
//! APIs, converted by type into the sandbox's Brevo contacts, compared by value on re-syncs,
//! and what a sync does when a field, an attribute or personFields goes away.

use serde_json::{json, Value};
use upstream_sandbox::{person_fields as pf, Api, Fault, Person, PersonEdit};

use crate::helpers::{assert_problem, spawn_app_with, TestApp};

const FILTER: i64 = 4;

/// The mapping the tests save: a standard field and six custom ones of every type.
fn mapping() -> Value {
    json!({"mappings": [
        {"pipedrive_field": "first_name", "brevo_attribute": "FIRSTNAME"},
        {"pipedrive_field": pf::SEGMENT, "brevo_attribute": "segment"},
        {"pipedrive_field": pf::INTERESTS, "brevo_attribute": "INTERESTS"},
        {"pipedrive_field": pf::RENEWAL_DATE, "brevo_attribute": "RENEWAL_DATE"},
        {"pipedrive_field": pf::SCORE, "brevo_attribute": "SCORE"},
        {"pipedrive_field": pf::MOBILE, "brevo_attribute": "SMS"},
        {"pipedrive_field": pf::CONTRACT_VALUE, "brevo_attribute": "CONTRACT_VALUE"},
    ]})
}

fn person(id: u64, segment: u64, mobile: &str) -> Person {
    Person::new(id, "Ada", &format!("Lovelace{id}"))
        .with_email(&format!("p{id}@example.com"), true)
        .with_custom_field(pf::SEGMENT, json!(segment))
        .with_custom_field(pf::INTERESTS, json!([23, 21]))
        .with_custom_field(pf::RENEWAL_DATE, json!("2027-03-01"))
        .with_custom_field(pf::SCORE, json!(7.5))
        .with_custom_field(pf::MOBILE, json!(mobile))
        .with_custom_field(
            pf::CONTRACT_VALUE,
            json!({"value": 1200, "currency": "EUR"}),
        )
}

/// A signed-in app (phones read as German) whose filter holds three persons: one whose
/// every value converts, one with a deleted Segment option, one with a number that is not.
async fn app() -> TestApp {
    let app = spawn_app_with(|s| s.sync.phone_region = Some("DE".parse().unwrap())).await;
    app.sign_in().await;
    let persons = vec![
        person(1, 12, "030 1234567"),
        person(2, pf::SEGMENT_DELETED_OPTION, "+44 20 7946 0958"),
        person(3, 13, "call me"),
    ];
    app.sandbox
        .pipedrive()
        .add_filter_with_persons(FILTER as u64, "Mapped", persons);
    app.refresh().await;
    app
}

impl TestApp {
    async fn put_mapping(&self, body: &Value) -> reqwest::Response {
        let url = self.url("/api/field-mapping");
        self.client.put(url).json(body).send().await.unwrap()
    }

    fn attributes_of(&self, email: &str) -> Value {
        let contact = self
            .sandbox
            .brevo()
            .contact(email)
            .expect("the contact exists");
        serde_json::to_value(contact.attributes).unwrap()
    }

    async fn change_reasons(&self, job: &Value) -> Vec<(String, String, Option<String>)> {
        let url = format!("/api/sync-jobs/{}/changes?limit=200", job["id"]);
        let page: Value = self.get(&url).await.json().await.unwrap();
        let mut rows: Vec<_> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let text = |key: &str| c[key].as_str().map(str::to_owned);
                (
                    text("action").unwrap(),
                    text("email").unwrap_or_default(),
                    text("reason"),
                )
            })
            .collect();
        rows.sort();
        rows
    }

    fn brevo_write_count(&self) -> usize {
        let requests = self.sandbox.requests().into_iter();
        requests
            .filter(|r| r.api == Api::Brevo && r.method != "GET")
            .count()
    }
}

#[tokio::test]
async fn a_saved_mapping_writes_each_value_converted_and_names_what_it_left_out() {
    let app = app().await;
    let saved = app.put_mapping(&mapping()).await;
    assert_eq!(saved.status(), 200);
    let saved: Value = saved.json().await.unwrap();
    // Stored as Brevo spells the attribute.
    assert_eq!(saved["mappings"][1]["brevo_attribute"], "SEGMENT");

    let job = app.sync(FILTER).await;

    assert_eq!(
        (job["status"].as_str(), job["total_added"].as_i64()),
        (Some("completed"), Some(3))
    );
    assert_eq!(
        app.attributes_of("p1@example.com"),
        json!({"FIRSTNAME": "Ada", "SEGMENT": 2, "INTERESTS": "Webinars, Product updates",
               "RENEWAL_DATE": "2027-03-01", "SCORE": 7.5, "SMS": "+49301234567",
               "CONTRACT_VALUE": 1200.0})
    );
    assert_eq!(app.attributes_of("p2@example.com")["SMS"], "+442079460958");
    let persons_queries: Vec<String> = app
        .sandbox
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v2/persons")
        .map(|r| r.query)
        .collect();
    let custom = [
        pf::SEGMENT,
        pf::INTERESTS,
        pf::RENEWAL_DATE,
        pf::SCORE,
        pf::MOBILE,
        pf::CONTRACT_VALUE,
    ];
    assert!(
        persons_queries
            .iter()
            .all(|query| query.contains("custom_fields=")
                && custom.iter().all(|key| query.contains(key))
                && !query.contains(pf::OFFICE_ADDRESS)),
        "only the mapped custom fields are asked for: {persons_queries:?}"
    );
    assert!(app.attributes_of("p2@example.com").get("SEGMENT").is_none());
    assert!(app.attributes_of("p3@example.com").get("SMS").is_none());
    assert_eq!(
        app.change_reasons(&job).await,
        [
            ("added".into(), "p1@example.com".into(), None),
            (
                "added".into(),
                "p2@example.com".into(),
                Some("Segment left out: option 14 no longer exists".into())
            ),
            (
                "added".into(),
                "p3@example.com".into(),
                Some("Mobile left out: phone \"call me\" is not a number".into())
            ),
        ]
    );
}

#[tokio::test]
async fn re_syncs_write_only_the_members_whose_mapped_values_changed() {
    let app = app().await;
    assert_eq!(app.put_mapping(&mapping()).await.status(), 200);
    app.sync(FILTER).await;
    let writes = app.brevo_write_count();

    let unchanged = app.sync(FILTER).await;
    assert_eq!(unchanged["total_unchanged"], 3);
    assert_eq!(
        app.brevo_write_count(),
        writes,
        "an unchanged re-sync writes nothing"
    );

    let edit = PersonEdit {
        custom_fields: [(pf::SCORE.to_owned(), json!(9))].into(),
        ..PersonEdit::default()
    };
    app.sandbox.pipedrive().edit_person(1, edit).unwrap();
    let changed = app.sync(FILTER).await;

    assert_eq!(
        (
            changed["total_updated"].as_i64(),
            changed["total_unchanged"].as_i64()
        ),
        (Some(1), Some(2))
    );
    let reasons = app.change_reasons(&changed).await;
    assert_eq!(
        reasons,
        [(
            "updated".into(),
            "p1@example.com".into(),
            Some("changed: SCORE".into())
        )]
    );
    assert_eq!(app.attributes_of("p1@example.com")["SCORE"], 9.0);
    let imports = app.sandbox.brevo().imports();
    assert_eq!(
        imports.last().unwrap().contacts,
        1,
        "exactly the changed member is imported"
    );
}

#[tokio::test]
async fn a_field_or_attribute_deleted_after_saving_is_left_out_and_the_job_says_so() {
    let app = app().await;
    assert_eq!(app.put_mapping(&mapping()).await.status(), 200);
    app.sandbox
        .pipedrive()
        .delete_person_field(pf::SCORE)
        .unwrap();
    let deleted = reqwest::Client::new()
        .delete(format!(
            "{}/v3/contacts/attributes/normal/RENEWAL_DATE",
            app.sandbox.base_url()
        ))
        .header(
            "api-key",
            upstream_sandbox::SandboxConfig::default().brevo_key,
        )
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success());

    let job = app.sync(FILTER).await;

    assert_eq!(job["status"], "completed");
    let notice = job["notice"].as_str().unwrap();
    assert!(
        notice.contains("2 of the saved field mapping's entries"),
        "{notice}"
    );
    assert!(notice.contains("Pipedrive has no person field"), "{notice}");
    assert!(
        notice.contains("Brevo has no contact attribute `RENEWAL_DATE`"),
        "{notice}"
    );
    let written = app.attributes_of("p1@example.com");
    assert!(written.get("SCORE").is_none() && written.get("RENEWAL_DATE").is_none());
    assert_eq!(written["SEGMENT"], 2);
}

#[tokio::test]
async fn when_person_fields_cannot_be_read_the_job_fails_before_any_write() {
    let app = app().await;
    assert_eq!(app.put_mapping(&mapping()).await.status(), 200);
    app.sandbox.script_always(
        Api::Pipedrive,
        "/api/v2/personFields",
        Fault::Status {
            status: 500,
            headers: vec![],
            body: String::new(),
        },
    );

    let job = app.sync(FILTER).await;

    assert_eq!(job["status"], "failed");
    assert!(
        job["error_message"].as_str().unwrap().contains("Pipedrive"),
        "{job}"
    );
    assert_eq!(app.brevo_write_count(), 0, "no list, no import");
}

#[tokio::test]
async fn the_mapping_is_the_names_until_saved_and_bad_ones_are_refused_at_their_entry() {
    let app = app().await;
    let unset: Value = app.get("/api/field-mapping").await.json().await.unwrap();
    assert_eq!(
        unset,
        json!({"mappings": [
            {"pipedrive_field": "first_name", "brevo_attribute": "FIRSTNAME"},
            {"pipedrive_field": "last_name", "brevo_attribute": "LASTNAME"},
        ], "saved_at": null})
    );

    let entry = |field: &str, attribute: &str| json!({"pipedrive_field": field, "brevo_attribute": attribute});
    let refused = [
        (
            vec![entry("first_name", "FIRSTNAME"), entry("nope", "SMS")],
            1,
            "Pipedrive has no person field `nope`",
        ),
        (
            vec![entry("first_name", "NOPE")],
            0,
            "Brevo has no contact attribute `NOPE`",
        ),
        (
            vec![entry("first_name", "SMS"), entry("last_name", "sms")],
            1,
            "both write the Brevo attribute",
        ),
        (
            vec![entry(pf::SEGMENT, "RENEWAL_DATE")],
            0,
            "mappings[0] (Segment → RENEWAL_DATE)",
        ),
        (vec![entry("first_name", "ORDER_ID")], 0, "ORDER_ID"),
    ];
    for (mappings, index, detail) in refused {
        let response = app.put_mapping(&json!({"mappings": mappings})).await;
        let problem = assert_problem(response, 422, "invalid_mapping").await;
        assert_eq!(problem["entry"], index, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(detail),
            "{problem}"
        );
    }
    let long = "x".repeat(201);
    for body in [
        json!({"mappings": [entry("first_name", &long)]}),
        json!({"mappings": [{"pipedrive_field": "first_name"}]}),
        json!({"mappings": [], "extra": 1}),
        json!({"mappings": vec![entry("first_name", "FIRSTNAME"); 51]}),
        json!([entry("first_name", "FIRSTNAME")]),
    ] {
        assert_problem(app.put_mapping(&body).await, 422, "invalid_body").await;
    }
    let unchanged: Value = app.get("/api/field-mapping").await.json().await.unwrap();
    assert_eq!(unchanged, unset, "a refused mapping changes nothing");

    app.sandbox.script_always(
        Api::Pipedrive,
        "/api/v2/personFields",
        Fault::Status {
            status: 401,
            headers: vec![],
            body: String::new(),
        },
    );
    let unreachable = app.put_mapping(&mapping()).await;
    let problem = assert_problem(unreachable, 502, "upstream_error").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("Pipedrive"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_preview_shows_what_a_sync_would_write_for_the_filters_first_person() {
    let app = app().await;
    let mut body = mapping();
    body["filter_id"] = json!(FILTER);

    let response = app.post_json("/api/field-mapping/preview", &body).await;

    assert_eq!(response.status(), 200);
    let preview: Value = response.json().await.unwrap();
    assert_eq!(
        preview["person"],
        json!({"id": 1, "email": "p1@example.com"})
    );
    assert_eq!(
        preview["attributes"][1],
        json!({"brevo_attribute": "SEGMENT", "value": 2, "label": "SMB"})
    );
    assert_eq!(
        preview["attributes"][5],
        json!({"brevo_attribute": "SMS", "value": "+49301234567", "label": null})
    );
    assert_eq!(preview["left_out"], json!([]));
    let saved: Value = app.get("/api/field-mapping").await.json().await.unwrap();
    assert_eq!(saved["saved_at"], Value::Null, "a preview saves nothing");
    body["filter_id"] = json!(FILTER as f64);
    let written_as_float: Value = app
        .post_json("/api/field-mapping/preview", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(written_as_float["person"]["id"], 1, "4.0 is the integer 4");
    body["filter_id"] = json!(4.5);
    let fraction = app.post_json("/api/field-mapping/preview", &body).await;
    assert_problem(fraction, 422, "invalid_body").await;
    body["filter_id"] = json!(999);
    let unknown = app.post_json("/api/field-mapping/preview", &body).await;
    assert_problem(unknown, 404, "filter_not_found").await;
}
