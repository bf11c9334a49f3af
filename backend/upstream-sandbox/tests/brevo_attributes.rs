//! The fake Brevo's contact attributes and the typed values imports keep.

mod common;

use std::time::Duration;

use common::{new_list, status_json, Harness};
use reqwest::Method;
use serde_json::{json, Value};
use upstream_sandbox::SandboxConfig;

fn instant_imports() -> SandboxConfig {
    SandboxConfig {
        import_delay: Duration::ZERO,
        ..SandboxConfig::default()
    }
}

async fn attributes(harness: &Harness) -> Vec<Value> {
    let (status, body) = status_json(harness.brevo_get("/v3/contacts/attributes").await).await;
    assert_eq!(status, 200);
    body["attributes"].as_array().unwrap().clone()
}

async fn delete(harness: &Harness, path: &str) -> u16 {
    let response = harness.brevo(Method::DELETE, path).send().await.unwrap();
    response.status().as_u16()
}

/// Imports `rows` into the list and returns its members' attributes by email.
async fn import(harness: &Harness, list_id: u64, body: Value) -> Value {
    let mut body = body;
    body["listIds"] = json!([list_id]);
    let (status, accepted) =
        status_json(harness.brevo_post("/v3/contacts/import", &body).await).await;
    assert_eq!(status, 202, "{accepted}");
    let path = format!("/v3/contacts?listIds={list_id}&limit=1000");
    let (_, page) = status_json(harness.brevo_get(&path).await).await;
    let members = page["contacts"].as_array().unwrap().iter();
    let by_email = members.map(|c| {
        (
            c["email"].as_str().unwrap().to_owned(),
            c["attributes"].clone(),
        )
    });
    Value::Object(by_email.collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_creates_and_deletes_attributes() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let listed = attributes(&harness).await;
    let names: Vec<&str> = listed.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "FIRSTNAME",
            "LASTNAME",
            "SMS",
            "COMPANY",
            "OPT_IN",
            "ORDER_ID",
            "SEGMENT",
            "INTERESTS",
            "RENEWAL_DATE",
            "SCORE",
            "CONTRACT_VALUE",
            "VIP"
        ]
    );
    let segment = listed
        .iter()
        .find(|a| a["name"] == json!("SEGMENT"))
        .unwrap();
    assert_eq!(
        segment,
        &json!({"name": "SEGMENT", "category": "category", "type": "text", "enumeration": [
            {"value": 1, "label": "Enterprise"}, {"value": 2, "label": "SMB"}, {"value": 3, "label": "Startup"}]})
    );
    assert_eq!(
        listed[9],
        json!({"name": "SCORE", "category": "normal", "type": "float"})
    );

    let created = harness
        .brevo_post(
            "/v3/contacts/attributes/normal/birthday",
            &json!({"type": "date"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let tiers =
        json!({"enumeration": [{"value": 1, "label": "Gold"}, {"value": 2, "label": "Silver"}]});
    let created = harness
        .brevo_post("/v3/contacts/attributes/category/TIER", &tiers)
        .await;
    assert_eq!(created.status(), 201);
    let listed = attributes(&harness).await;
    assert_eq!(
        listed[12],
        json!({"name": "BIRTHDAY", "category": "normal", "type": "date"})
    );
    assert_eq!(
        listed[13]["enumeration"][0],
        json!({"value": 1, "label": "Gold"})
    );

    for (path, body) in [
        (
            "/v3/contacts/attributes/normal/Birthday",
            json!({"type": "text"}),
        ),
        ("/v3/contacts/attributes/nonsense/X", json!({})),
        ("/v3/contacts/attributes/normal/X", json!({"type": "id"})),
        ("/v3/contacts/attributes/normal/X", tiers.clone()),
        ("/v3/contacts/attributes/category/X", json!({})),
        (
            "/v3/contacts/attributes/calculated/X",
            json!({"value": "COUNT[X]"}),
        ),
        ("/v3/contacts/attributes/normal/2FA", json!({})),
    ] {
        let (status, error) = status_json(harness.brevo_post(path, &body).await).await;
        assert_eq!(status, 400, "{path} {body}");
        assert!(error["code"].is_string() && error["message"].is_string());
    }

    assert_eq!(
        delete(&harness, "/v3/contacts/attributes/normal/BIRTHDAY").await,
        204
    );
    assert_eq!(
        delete(&harness, "/v3/contacts/attributes/normal/BIRTHDAY").await,
        404
    );
    assert_eq!(
        delete(&harness, "/v3/contacts/attributes/normal/SEGMENT").await,
        404
    );
    assert_eq!(
        delete(&harness, "/v3/contacts/attributes/nonsense/SEGMENT").await,
        400
    );
    assert_eq!(attributes(&harness).await.len(), 13);
    harness.sandbox.reset();
    assert_eq!(attributes(&harness).await.len(), 12);
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_keep_typed_values_and_drop_unknown_or_mistyped_ones() {
    let harness = Harness::start(instant_imports()).await;
    let list_id = new_list(&harness, "Typed").await;
    let typed = json!({"SEGMENT": 2, "RENEWAL_DATE": "2026-05-01", "SCORE": 73.5, "VIP": true,
        "INTERESTS": "Webinars, Events", "CONTRACT_VALUE": 1200, "SMS": "+4915112345678",
        "firstname": "Ada"});
    let mistyped = json!({"SEGMENT": "SMB", "RENEWAL_DATE": "01/05/2026", "SCORE": "73.5",
        "VIP": "yes", "INTERESTS": ["Webinars"], "CONTRACT_VALUE": {"value": 1200}, "SMS": "call after 5pm",
        "LASTNAME": 42, "ORDER_ID": "A-1", "NOT_AN_ATTRIBUTE": "x"});
    let body = json!({"jsonBody": [
        {"email": "ada@example.com", "attributes": typed},
        {"email": "bob@example.com", "attributes": mistyped},
        {"email": "cy@example.com", "attributes": {"SEGMENT": 9, "RENEWAL_DATE": "2026-02-30"}},
    ]});
    let members = import(&harness, list_id, body).await;
    assert_eq!(
        members["ada@example.com"],
        json!({"FIRSTNAME": "Ada", "SEGMENT": 2, "RENEWAL_DATE": "2026-05-01", "SCORE": 73.5,
            "VIP": true, "INTERESTS": "Webinars, Events", "CONTRACT_VALUE": 1200, "SMS": "+4915112345678"})
    );
    assert_eq!(members["bob@example.com"], json!({}));
    assert_eq!(members["cy@example.com"], json!({}));

    // Empty values never erase without emptyContactsAttributes; a new value replaces.
    let update = json!({"jsonBody": [{"email": "ada@example.com",
        "attributes": {"SEGMENT": null, "SCORE": "", "VIP": false}}], "emptyContactsAttributes": false});
    let members = import(&harness, list_id, update).await;
    let ada = &members["ada@example.com"];
    assert_eq!(
        (
            ada["SEGMENT"].clone(),
            ada["SCORE"].clone(),
            ada["VIP"].clone()
        ),
        (json!(2), json!(73.5), json!(false))
    );
    let erase = json!({"jsonBody": [{"email": "ada@example.com", "attributes": {"SCORE": null}}],
        "emptyContactsAttributes": true});
    let members = import(&harness, list_id, erase).await;
    assert!(members["ada@example.com"].get("SCORE").is_none());

    // CSV cells are text, read by each attribute's type.
    let csv = json!({"fileBody": "EMAIL;SCORE;VIP;SEGMENT;RENEWAL_DATE\ndee@example.com;12.5;true;3;2027-01-31\n"});
    let members = import(&harness, list_id, csv).await;
    assert_eq!(
        members["dee@example.com"],
        json!({"SCORE": 12.5, "VIP": true, "SEGMENT": 3, "RENEWAL_DATE": "2027-01-31"})
    );

    // A deleted attribute's values go with it, and imports no longer set it.
    assert_eq!(
        delete(&harness, "/v3/contacts/attributes/category/SEGMENT").await,
        204
    );
    let again = json!({"jsonBody": [{"email": "dee@example.com", "attributes": {"SEGMENT": 1}}]});
    let members = import(&harness, list_id, again).await;
    assert!(members["ada@example.com"].get("SEGMENT").is_none());
    assert!(members["dee@example.com"].get("SEGMENT").is_none());
    let contact = harness.sandbox.brevo().contact("ada@example.com").unwrap();
    assert_eq!(contact.attributes["CONTRACT_VALUE"], json!(1200));
    harness.stop().await;
}
