use pipedrive_brevo_sync::openapi;
use serde_json::Value;

use crate::helpers::spawn_app;

#[test]
fn the_committed_openapi_yaml_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml"))
            .expect("openapi.yaml at the repository root");

    let generated = openapi::to_yaml(&openapi::document());

    assert!(
        committed == generated,
        "openapi.yaml is stale: run `cargo run --bin gen-openapi` and commit the result"
    );
}

#[tokio::test]
async fn the_served_document_is_the_generated_one() {
    let app = spawn_app().await;

    let served: Value = app.get("/api/openapi.json").await.json().await.unwrap();

    assert_eq!(served, serde_json::to_value(openapi::document()).unwrap());
    assert_eq!(served["openapi"], "3.1.0");
}

#[test]
fn every_operation_has_an_id_a_tag_a_summary_and_its_problems() {
    let document = serde_json::to_value(openapi::document()).unwrap();
    let public = ["meta.health", "meta.openapi", "auth.login"];

    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{id}"
            );
            assert!(operation["summary"].is_string(), "{id}");
            let secured = operation.get("security").is_some();
            assert_eq!(secured, !public.contains(&id), "{id}: security");
            if secured {
                let unauthorized =
                    &operation["responses"]["401"]["content"]["application/problem+json"];
                assert!(unauthorized.is_object(), "{id} documents its 401 problem");
            }
        }
    }
}
