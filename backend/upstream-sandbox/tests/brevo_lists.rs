//! The fake Brevo API over HTTP: authentication, folders, lists and membership.

mod common;

use common::{new_list, status_json, Harness};
use reqwest::Method;
use serde_json::json;
use upstream_sandbox::SandboxConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejects_missing_or_wrong_keys() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let wrong = harness
        .client
        .get(harness.url("/v3/contacts/lists"))
        .header("api-key", "nope");
    for request in [harness.client.get(harness.url("/v3/contacts/lists")), wrong] {
        let response = request.send().await.unwrap();
        assert!(response.headers().contains_key("x-sib-ratelimit-remaining"));
        let (status, body) = status_json(response).await;
        assert_eq!(
            (status, body),
            (
                401,
                json!({"code": "unauthorized", "message": "Key not found"})
            )
        );
    }
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manages_folders_and_lists_until_deleted() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let list_id = new_list(&harness, "Newsletter").await;

    let (status, list) = status_json(
        harness
            .brevo_get(&format!("/v3/contacts/lists/{list_id}"))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    for field in [
        "id",
        "name",
        "totalBlacklisted",
        "totalSubscribers",
        "uniqueSubscribers",
        "folderId",
        "createdAt",
    ] {
        assert!(!list[field].is_null(), "{field} in {list}");
    }
    assert_eq!(list["dynamicList"], json!(false));
    let (_, lists) = status_json(
        harness
            .brevo_get("/v3/contacts/lists?limit=50&offset=0")
            .await,
    )
    .await;
    assert_eq!(lists["count"], json!(1));
    let (_, folders) = status_json(harness.brevo_get("/v3/contacts/folders?limit=50").await).await;
    assert_eq!(folders["folders"][0]["name"], json!("Sync"));

    for (body, expected) in [
        (json!({"name": "No folder"}), 400),
        (json!({"folderId": 1}), 400),
        (json!({"name": "Ghost", "folderId": 999}), 404),
    ] {
        let (status, error) =
            status_json(harness.brevo_post("/v3/contacts/lists", &body).await).await;
        assert_eq!(status, expected, "{body}");
        assert!(error["code"].is_string() && error["message"].is_string());
    }
    let (status, _) = status_json(harness.brevo_get("/v3/contacts/folders?limit=51").await).await;
    assert_eq!(status, 400);

    // Malformed input is answered with errorModel bodies, not actix's plain text.
    let (status, error) = status_json(harness.brevo_get("/v3/contacts/lists/abc").await).await;
    assert_eq!((status, error["code"].is_string()), (400, true));
    let malformed = harness.brevo(Method::POST, "/v3/contacts/lists");
    let response = malformed
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await;
    let (status, error) = status_json(response.unwrap()).await;
    assert_eq!((status, error["message"].is_string()), (400, true));

    let delete = harness.brevo(Method::DELETE, &format!("/v3/contacts/lists/{list_id}"));
    assert_eq!(delete.send().await.unwrap().status(), 204);
    let (status, body) = status_json(
        harness
            .brevo_get(&format!("/v3/contacts/lists/{list_id}"))
            .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"code": "document_not_found", "message": "List ID not found"})
        )
    );
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adds_and_removes_existing_contacts_150_at_most() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let list_id = new_list(&harness, "Members").await;
    harness
        .sandbox
        .brevo()
        .add_contact("ada@example.com", &[], &[]);
    let add = format!("/v3/contacts/lists/{list_id}/contacts/add");
    let remove = format!("/v3/contacts/lists/{list_id}/contacts/remove");

    let body = json!({"emails": ["Ada@example.com", "ghost@example.com"]});
    let (status, result) = status_json(harness.brevo_post(&add, &body).await).await;
    assert_eq!(status, 201);
    assert_eq!(
        result,
        json!({"contacts": {"success": ["ada@example.com"], "failure": ["ghost@example.com"]}})
    );
    let (status, error) = status_json(
        harness
            .brevo_post(&add, &json!({"emails": ["ada@example.com"]}))
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (
            400,
            json!({"code": "invalid_parameter", "message": "Contact already in list and/or does not exist"})
        )
    );

    let emails = |n: usize| json!({ "emails": (0..n).map(|i| format!("c{i}@example.com")).collect::<Vec<_>>() });
    for path in [&add, &remove] {
        for count in [0, 151] {
            let (status, _) = status_json(harness.brevo_post(path, &emails(count)).await).await;
            assert_eq!(status, 400, "{path} with {count}");
        }
    }
    // 150 is allowed; none of these exist, so Brevo answers its all-failed 400.
    let (_, error) = status_json(harness.brevo_post(&add, &emails(150)).await).await;
    assert_eq!(
        error["message"],
        json!("Contact already in list and/or does not exist")
    );

    let (status, result) = status_json(
        harness
            .brevo_post(&remove, &json!({"emails": ["ada@example.com"]}))
            .await,
    )
    .await;
    assert_eq!(
        (status, result["contacts"]["success"].clone()),
        (201, json!(["ada@example.com"]))
    );
    assert!(harness.sandbox.brevo().list_members(list_id).is_empty());
    let (status, _) = status_json(
        harness
            .brevo_post("/v3/contacts/lists/999/contacts/add", &emails(1))
            .await,
    )
    .await;
    assert_eq!(status, 404);
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_list_members_consistently() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let list_id = new_list(&harness, "Big").await;
    let brevo = harness.sandbox.brevo();
    for i in 0..1_100 {
        brevo.add_contact(&format!("member{i:04}@example.com"), &[], &[list_id]);
    }
    let mut seen = Vec::new();
    for offset in (0..1_100).step_by(500) {
        let path = format!("/v3/contacts/lists/{list_id}/contacts?limit=500&offset={offset}");
        let (_, page) = status_json(harness.brevo_get(&path).await).await;
        assert_eq!(page["count"], json!(1_100));
        seen.extend(
            page["contacts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["email"].as_str().unwrap().to_owned()),
        );
    }
    seen.sort();
    assert_eq!(seen, brevo.list_members(list_id));
    let over = format!("/v3/contacts/lists/{list_id}/contacts?limit=501");
    assert_eq!(status_json(harness.brevo_get(&over).await).await.0, 400);
    let default_path = format!("/v3/contacts/lists/{list_id}/contacts");
    let (_, default_page) = status_json(harness.brevo_get(&default_path).await).await;
    assert_eq!(default_page["contacts"].as_array().unwrap().len(), 50);
    harness.stop().await;
}
