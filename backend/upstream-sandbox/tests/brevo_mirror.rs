//! What a mirror sync relies on besides blocklist flags: `getContacts`,
//! renaming lists, removals and big lists that page to their end.

mod common;

use common::{header, new_list, status_json, Harness};
use reqwest::Method;
use serde_json::{json, Value};
use upstream_sandbox::{GeneratedPersons, SandboxConfig};

fn emails(page: &Value) -> Vec<&str> {
    let contacts = page["contacts"].as_array().expect("contacts");
    contacts
        .iter()
        .map(|c| c["email"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_contacts_pages_every_contact_or_some_lists() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let (a, b) = (new_list(&harness, "A").await, new_list(&harness, "B").await);
    let brevo = harness.sandbox.brevo();
    for i in 0..12 {
        let lists: Vec<u64> = [(i % 2 == 0, a), (i % 3 == 0, b)]
            .into_iter()
            .filter_map(|(member, list)| member.then_some(list))
            .collect();
        brevo.add_contact(
            &format!("c{i:02}@example.com"),
            &[("LASTNAME", "X")],
            &lists,
        );
    }

    let response = harness.brevo_get("/v3/contacts?limit=3").await;
    // getContacts is under /v3/contacts: the per-second bucket, not the hourly one.
    assert_eq!(
        header(&response, "x-sib-ratelimit-limit").as_deref(),
        Some("10")
    );
    let (status, page) = status_json(response).await;
    assert_eq!((status, page["count"].clone()), (200, json!(12)));
    assert_eq!(
        emails(&page),
        ["c11@example.com", "c10@example.com", "c09@example.com"]
    );
    let first = &page["contacts"][0];
    for field in [
        "id",
        "emailBlacklisted",
        "smsBlacklisted",
        "createdAt",
        "modifiedAt",
        "listIds",
        "attributes",
    ] {
        assert!(!first[field].is_null(), "{field} in {first}");
    }
    assert_eq!(first["attributes"], json!({"LASTNAME": "X"}));

    let (_, page) = status_json(
        harness
            .brevo_get(&format!(
                "/v3/contacts?listIds={a}&sort=asc&limit=2&offset=1"
            ))
            .await,
    )
    .await;
    assert_eq!(
        (emails(&page), page["count"].clone()),
        (vec!["c02@example.com", "c04@example.com"], json!(6))
    );
    let (_, page) = status_json(
        harness
            .brevo_get(&format!("/v3/contacts?listIds={a}&listIds={b}&limit=1000"))
            .await,
    )
    .await;
    // Multiples of 2 or 3 below 12: 0 2 3 4 6 8 9 10.
    assert_eq!(page["count"], json!(8));
    assert_eq!(emails(&page)[..2], ["c10@example.com", "c09@example.com"]);
    assert_eq!(
        page["contacts"][3]["listIds"],
        json!([a, b]),
        "c06 is in both"
    );

    let (_, page) = status_json(
        harness
            .brevo_get("/v3/contacts?modifiedSince=2999-01-01T00:00:00.000Z")
            .await,
    )
    .await;
    assert_eq!((page["count"].clone(), emails(&page).len()), (json!(0), 0));
    let since = "2020-01-01T00%3A00%3A00.000%2B02%3A00";
    let (_, page) = status_json(
        harness
            .brevo_get(&format!("/v3/contacts?modifiedSince={since}&limit=5"))
            .await,
    )
    .await;
    assert_eq!((page["count"].clone(), emails(&page).len()), (json!(12), 5));
    let path = format!("/v3/contacts/lists/{b}/contacts?modifiedSince={since}&sort=asc");
    let (_, page) = status_json(harness.brevo_get(&path).await).await;
    assert_eq!(
        emails(&page),
        [
            "c00@example.com",
            "c03@example.com",
            "c06@example.com",
            "c09@example.com"
        ]
    );

    for (path, expected) in [
        ("/v3/contacts?limit=1001".to_owned(), 400),
        ("/v3/contacts?limit=1000".to_owned(), 200),
        (format!("/v3/contacts?listIds={a}&listIds=999"), 404),
        ("/v3/contacts?listIds=a,b".to_owned(), 400),
        ("/v3/contacts?modifiedSince=yesterday".to_owned(), 400),
        (
            "/v3/contacts?modifiedSince=2024-01-01T00:00:00+02:00".to_owned(),
            400,
        ),
        ("/v3/contacts?segmentId=3".to_owned(), 400),
        ("/v3/contacts?sort=up".to_owned(), 400),
        (
            format!("/v3/contacts/lists/{a}/contacts?createdSince=2024-01-01"),
            400,
        ),
    ] {
        let (status, body) = status_json(harness.brevo_get(&path).await).await;
        assert_eq!(status, expected, "{path}: {body}");
        if status == 404 {
            assert_eq!(
                body,
                json!({"code": "document_not_found", "message": "List ID not found"})
            );
        }
    }
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_list_renames_or_moves_one_thing_at_a_time() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let list_id = new_list(&harness, "Old name").await;
    let path = format!("/v3/contacts/lists/{list_id}");
    let response = harness.brevo_put(&path, &json!({"name": "New name"})).await;
    assert_eq!(response.status(), 204);
    assert!(response.bytes().await.unwrap().is_empty());
    let (_, list) = status_json(harness.brevo_get(&path).await).await;
    assert_eq!(list["name"], json!("New name"));

    let (_, other) = status_json(
        harness
            .brevo_post("/v3/contacts/folders", &json!({"name": "Other"}))
            .await,
    )
    .await;
    let moved = json!({"folderId": other["id"]});
    assert_eq!(harness.brevo_put(&path, &moved).await.status(), 204);
    let (_, list) = status_json(harness.brevo_get(&path).await).await;
    assert_eq!(
        (list["folderId"].clone(), list["name"].clone()),
        (other["id"].clone(), json!("New name"))
    );

    for (body, expected) in [
        (json!({"name": "A", "folderId": other["id"]}), 400),
        (json!({}), 400),
        (json!({"name": "  "}), 400),
        (json!({"folderId": 999}), 400),
    ] {
        let (status, error) = status_json(harness.brevo_put(&path, &body).await).await;
        assert_eq!(status, expected, "{body}");
        assert!(
            error["code"].is_string() && error["message"].is_string(),
            "{error}"
        );
    }
    let (status, error) = status_json(
        harness
            .brevo_put("/v3/contacts/lists/999", &json!({"name": "X"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, error),
        (
            404,
            json!({"code": "document_not_found", "message": "List ID not found"})
        )
    );
    assert!(harness
        .sandbox
        .brevo()
        .rename_list(list_id, "Renamed in the UI"));
    assert_eq!(harness.sandbox.brevo().lists()[0].name, "Renamed in the UI");
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removal_reports_members_and_non_members() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let list_id = new_list(&harness, "Mirror").await;
    let brevo = harness.sandbox.brevo();
    brevo.add_contact("stays@example.com", &[], &[list_id]);
    brevo.add_contact("leaves@example.com", &[], &[list_id]);
    brevo.add_contact("elsewhere@example.com", &[], &[]);
    let body =
        json!({"emails": ["Leaves@example.com", "elsewhere@example.com", "ghost@example.com"]});
    let path = format!("/v3/contacts/lists/{list_id}/contacts/remove");
    let (status, result) = status_json(harness.brevo_post(&path, &body).await).await;
    assert_eq!(status, 201);
    assert_eq!(
        result,
        json!({"contacts": {"success": ["leaves@example.com"], "failure": ["elsewhere@example.com", "ghost@example.com"]}})
    );
    assert_eq!(brevo.list_members(list_id), ["stays@example.com"]);
    // The contact itself is untouched.
    assert!(brevo
        .contact("leaves@example.com")
        .unwrap()
        .list_ids
        .is_empty());
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seeded_big_list_pages_to_its_end() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let count = 200_000u64;
    let population = GeneratedPersons::first(count);
    let body = json!({"name": "Bench", "population": {"count": count, "first": 0, "step": 1}});
    let (status, created) =
        status_json(harness.control(Method::POST, "/lists", Some(&body)).await).await;
    assert_eq!(status, 201, "{created}");
    let list_id = created["id"].as_u64().unwrap();
    let brevo = harness.sandbox.brevo();
    // The list went into a new default folder; persons without an email were skipped.
    assert_eq!(brevo.folders()[0].name, "Your first folder");
    let list = &brevo.lists()[0];
    let skipped = (0..count)
        .filter(|&n| population.person(n).chosen_email().is_none())
        .count() as u64;
    assert_eq!(list.member_count, count - skipped);

    let person = population.person(42);
    let contact = brevo.contact(&person.chosen_email().unwrap()).unwrap();
    assert_eq!(
        contact.attribute("FIRSTNAME"),
        Some(person.first_name.as_str())
    );
    assert_eq!(
        contact.attribute("LASTNAME"),
        Some(person.last_name.as_str())
    );
    assert_eq!(contact.list_ids, [list_id]);

    let page =
        |offset: u64| format!("/v3/contacts?listIds={list_id}&limit=1000&offset={offset}&sort=asc");
    let (_, first) = status_json(harness.brevo_get(&page(0)).await).await;
    let (_, last) = status_json(harness.brevo_get(&page(list.member_count - 1_000)).await).await;
    assert_eq!((emails(&first).len(), emails(&last).len()), (1_000, 1_000));
    let newest = population.person(count - 1).chosen_email().unwrap();
    assert_eq!(emails(&last)[999], newest);
    let oldest = population.person(0).chosen_email();
    assert_eq!(Some(emails(&first)[0].to_owned()), oldest);
    let body = json!({"name": "Ghost", "folder_id": 99, "population": {"count": 1}});
    assert_eq!(
        harness
            .control(Method::POST, "/lists", Some(&body))
            .await
            .status(),
        404
    );
    let body = json!({"name": "Bad", "population": {"count": 1, "step": 0}});
    assert_eq!(
        harness
            .control(Method::POST, "/lists", Some(&body))
            .await
            .status(),
        400
    );
    harness.stop().await;
}
