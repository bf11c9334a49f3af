//! The fake Brevo API over HTTP: imports, processes and single contacts.

mod common;

use std::time::Duration;

use common::{new_list, status_json, Harness};
use reqwest::Method;
use serde_json::json;
use upstream_sandbox::{SandboxConfig, IMPORT_BODY_LIMIT_BYTES};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_land_in_lists_only_when_the_process_completes() {
    let config = SandboxConfig {
        import_delay: Duration::from_millis(400),
        brevo_first_name_attribute: "FNAME".into(),
        brevo_last_name_attribute: "LNAME".into(),
        ..SandboxConfig::default()
    };
    let harness = Harness::start(config).await;
    let (_, attributes) = status_json(harness.brevo_get("/v3/contacts/attributes").await).await;
    let names: Vec<&str> = attributes["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(names.starts_with(&["FNAME", "LNAME", "SMS"]), "{names:?}");

    let list_id = new_list(&harness, "Leads").await;
    harness.sandbox.brevo().add_contact(
        "ada@example.com",
        &[("FNAME", "Old"), ("LNAME", "Kept")],
        &[],
    );
    let import = json!({
        "jsonBody": [
            {"email": "Ada@Example.com", "attributes": {"FNAME": "Ada", "LNAME": "", "NOT_AN_ATTRIBUTE": "x"}},
            {"email": "grace@example.com", "attributes": {"FNAME": "Grace", "LNAME": "Hopper"}},
            {"email": "not-an-email", "attributes": {"FNAME": "Nobody"}}
        ],
        "listIds": [list_id],
        "updateExistingContacts": true,
        "emptyContactsAttributes": false
    });
    let (status, accepted) =
        status_json(harness.brevo_post("/v3/contacts/import", &import).await).await;
    assert_eq!(status, 202);
    let process_id = accepted["processId"].as_u64().unwrap();

    let process_path = format!("/v3/processes/{process_id}");
    let (_, process) = status_json(harness.brevo_get(&process_path).await).await;
    assert_eq!(
        process,
        json!({"id": process_id, "status": "queued", "name": "IMPORTUSER"})
    );
    assert!(harness.sandbox.brevo().list_members(list_id).is_empty());
    let mut statuses = vec!["queued".to_owned()];
    while statuses.last().unwrap() != "completed" {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (_, process) = status_json(harness.brevo_get(&process_path).await).await;
        let status = process["status"].as_str().unwrap().to_owned();
        if statuses.last() != Some(&status) {
            statuses.push(status);
        }
    }
    assert_eq!(statuses, ["queued", "in_process", "completed"]);

    let brevo = harness.sandbox.brevo();
    assert_eq!(
        brevo.list_members(list_id),
        ["ada@example.com", "grace@example.com"]
    );
    let ada = brevo.contact("ADA@example.com").unwrap();
    assert_eq!(
        (ada.attribute("FNAME"), ada.attribute("LNAME")),
        (Some("Ada"), Some("Kept"))
    );
    assert!(!ada.attributes.contains_key("NOT_AN_ATTRIBUTE"));
    let record = &brevo.imports()[0];
    assert_eq!(
        (record.process_id, record.contacts, record.list_ids.clone()),
        (process_id, 3, vec![list_id])
    );
    assert_eq!(
        record.body_bytes,
        serde_json::to_vec(&import).unwrap().len()
    );

    let path = format!("/v3/contacts/lists/{list_id}/contacts?limit=1&offset=1&sort=asc");
    let (_, page) = status_json(harness.brevo_get(&path).await).await;
    assert_eq!(page["count"], json!(2));
    assert_eq!(page["contacts"][0]["email"], json!("grace@example.com"));
    assert_eq!(page["contacts"][0]["listIds"], json!([list_id]));
    let (status, _) = status_json(harness.brevo_get("/v3/processes/999").await).await;
    assert_eq!(status, 404);
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validates_import_requests() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let list_id = new_list(&harness, "Leads").await;
    let row = json!({"email": "a@example.com"});
    for body in [
        json!({"listIds": [list_id]}),
        json!({"jsonBody": [row], "fileBody": "EMAIL\na@example.com", "listIds": [list_id]}),
        json!({"jsonBody": [row]}),
        json!({"jsonBody": [row], "listIds": [12345]}),
    ] {
        let (status, error) =
            status_json(harness.brevo_post("/v3/contacts/import", &body).await).await;
        assert_eq!(status, 400, "{body}");
        assert!(error["code"].is_string() && error["message"].is_string());
    }
    let padding = "x".repeat(IMPORT_BODY_LIMIT_BYTES);
    let huge = json!({"jsonBody": [{"email": "a@example.com", "attributes": {"FIRSTNAME": padding}}], "listIds": [list_id]});
    let (status, error) = status_json(harness.brevo_post("/v3/contacts/import", &huge).await).await;
    assert_eq!(
        (status, error["code"].clone()),
        (400, json!("invalid_parameter"))
    );
    assert!(harness.sandbox.brevo().imports().is_empty());
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_updates_or_refuses_single_contacts() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let list_id = new_list(&harness, "Baseline").await;
    let body = json!({"email": "elly@example.com", "attributes": {"FIRSTNAME": "Elly"}, "listIds": [list_id]});
    let (status, created) = status_json(harness.brevo_post("/v3/contacts", &body).await).await;
    assert_eq!(status, 201);
    assert!(created["id"].is_u64());

    let (status, duplicate) = status_json(harness.brevo_post("/v3/contacts", &body).await).await;
    assert_eq!(status, 400);
    assert_eq!(
        duplicate["metadata"]["duplicate_identifiers"],
        json!(["email"])
    );

    let update = json!({"email": "elly@example.com", "attributes": {"FIRSTNAME": "Ellie"}, "updateEnabled": true});
    let response = harness
        .brevo(Method::POST, "/v3/contacts")
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let contact = harness.sandbox.brevo().contact("elly@example.com").unwrap();
    assert_eq!(
        (contact.attribute("FIRSTNAME"), contact.list_ids.as_slice()),
        (Some("Ellie"), &[list_id][..])
    );
    let (status, _) = status_json(
        harness
            .brevo_post("/v3/contacts", &json!({"attributes": {}}))
            .await,
    )
    .await;
    assert_eq!(status, 400);
    harness.stop().await;
}
