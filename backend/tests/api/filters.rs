use serde_json::{json, Value};
use upstream_sandbox::{Api, Fault};

use crate::helpers::{assert_problem, spawn_app, spawn_app_with, TestApp};

async fn names(app: &TestApp, path: &str) -> Vec<(i64, String, bool)> {
    let filters: Vec<Value> = app.get(path).await.json().await.unwrap();
    filters
        .iter()
        .map(|f| {
            (
                f["id"].as_i64().unwrap(),
                f["name"].as_str().unwrap().to_owned(),
                !f["deleted_at"].is_null(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_first_refresh_creates_every_person_filter() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.sandbox.pipedrive().add_filter(12, "Newsletter");
    app.sandbox.pipedrive().add_filter(7, "Customers");

    let response = app.refresh().await;

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (
            body["created"].clone(),
            body["renamed"].clone(),
            body["restored"].clone(),
            body["deleted"].clone(),
            body["unchanged"].clone()
        ),
        (json!(2), json!(0), json!(0), json!(0), json!(0))
    );
    assert_eq!(
        body["filters"],
        json!([
            {"id": 7, "name": "Customers", "brevo_list_id": null, "brevo_list_name": null,
             "deleted_at": null, "mode": "mirror", "schedule_minutes": null, "next_sync_at": null,
             "schedule_hold": null, "last_job": null},
            {"id": 12, "name": "Newsletter", "brevo_list_id": null, "brevo_list_name": null,
             "deleted_at": null, "mode": "mirror", "schedule_minutes": null, "next_sync_at": null,
             "schedule_hold": null, "last_job": null},
        ])
    );
    assert_eq!(names(&app, "/api/filters").await.len(), 2);
}

#[tokio::test]
async fn a_refresh_renames_soft_deletes_and_restores() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.with_filters(&[(1, "Stays"), (2, "Old name"), (3, "Leaves")])
        .await;
    app.sandbox.pipedrive().rename_filter(2, "New name");
    app.sandbox.pipedrive().remove_filter(3);
    app.sandbox.pipedrive().add_filter(4, "Arrives");

    let body: Value = app.refresh().await.json().await.unwrap();

    assert_eq!(
        (
            body["created"].as_i64(),
            body["renamed"].as_i64(),
            body["deleted"].as_i64(),
            body["unchanged"].as_i64()
        ),
        (Some(1), Some(1), Some(1), Some(1))
    );
    assert_eq!(
        names(&app, "/api/filters").await,
        vec![
            (4, "Arrives".into(), false),
            (2, "New name".into(), false),
            (1, "Stays".into(), false)
        ]
    );
    assert_eq!(
        names(&app, "/api/filters?include_deleted=true").await,
        vec![
            (4, "Arrives".into(), false),
            (3, "Leaves".into(), true),
            (2, "New name".into(), false),
            (1, "Stays".into(), false)
        ]
    );
    let deleted: Value = app.get("/api/filters/3").await.json().await.unwrap();
    assert!(deleted["deleted_at"].as_str().unwrap().ends_with('Z'));

    // Filter 3 comes back, renamed meanwhile.
    app.sandbox.pipedrive().add_filter(3, "Leaves, returned");
    let body: Value = app.refresh().await.json().await.unwrap();

    assert_eq!(
        (body["restored"].as_i64(), body["deleted"].as_i64()),
        (Some(1), Some(0))
    );
    let restored: Value = app.get("/api/filters/3").await.json().await.unwrap();
    assert_eq!(
        (restored["name"].as_str(), restored["deleted_at"].is_null()),
        (Some("Leaves, returned"), true)
    );
}

#[tokio::test]
async fn a_filter_shows_its_newest_job_and_keeps_its_history_when_soft_deleted() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.with_filters(&[(1, "With jobs")]).await;
    app.insert_job(1, "failed", 1_700_000_000).await;
    let newest = app.insert_job(1, "completed", 1_700_000_100).await;
    app.sandbox.pipedrive().remove_filter(1);
    app.refresh().await;

    let filter: Value = app.get("/api/filters/1").await.json().await.unwrap();

    assert_eq!(filter["last_job"]["id"], newest);
    assert_eq!(filter["last_job"]["status"], "completed");
    assert_eq!(filter["last_job"]["created_at"], "2023-11-14T22:15:00Z");
    let jobs: Value = app
        .get("/api/filters/1/sync-jobs")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(jobs["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_pipedrive_failure_answers_502_and_changes_nothing() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.with_filters(&[(1, "Before")]).await;
    app.sandbox.pipedrive().remove_filter(1);
    app.sandbox.script_always(
        Api::Pipedrive,
        "/api/v1/filters",
        Fault::Status {
            status: 500,
            headers: vec![],
            body: r#"{"success":false,"error":"Internal error"}"#.into(),
        },
    );

    let response = app.refresh().await;

    let problem = assert_problem(response, 502, "upstream_error").await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("Pipedrive") && detail.contains("500"),
        "{detail}"
    );
    assert_eq!(
        names(&app, "/api/filters").await,
        vec![(1, "Before".into(), false)]
    );
}

#[tokio::test]
async fn a_wrong_pipedrive_token_is_explained_without_revealing_it() {
    let app = spawn_app_with(|settings| {
        settings.pipedrive.api_token = Some("wrong-token-1234".to_string().into());
    })
    .await;
    app.sign_in().await;

    let problem = assert_problem(app.refresh().await, 502, "upstream_error").await;

    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("401") && detail.contains("PIPEDRIVE_API_TOKEN"),
        "{detail}"
    );
    assert!(!detail.contains("wrong-token-1234"));
}

#[tokio::test]
async fn an_html_error_page_from_pipedrive_is_summarised() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.sandbox
        .script(Api::Pipedrive, "/api/v1/filters", Fault::HtmlForbidden);

    let problem = assert_problem(app.refresh().await, 502, "upstream_error").await;

    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("403") && detail.contains("HTML"),
        "{detail}"
    );
}

#[tokio::test]
async fn refreshing_without_a_pipedrive_token_says_what_to_set() {
    let app = spawn_app_with(|settings| settings.pipedrive.api_token = None).await;
    app.sign_in().await;

    let problem = assert_problem(app.refresh().await, 503, "upstream_not_configured").await;

    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("PIPEDRIVE_API_TOKEN"));
}

#[tokio::test]
async fn an_unknown_filter_is_a_404_problem() {
    let app = spawn_app().await;
    app.sign_in().await;

    assert_problem(
        app.get("/api/filters/424242").await,
        404,
        "filter_not_found",
    )
    .await;
    assert_problem(
        app.get("/api/filters/424242/sync-jobs").await,
        404,
        "filter_not_found",
    )
    .await;
}

#[tokio::test]
async fn repeated_list_reads_show_writes_made_outside_the_service_at_once() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.with_filters(&[(1, "Before"), (2, "Other")]).await;
    // The first two reads render the lists, the third is answered from the read cache.
    for _ in 0..3 {
        assert_eq!(names(&app, "/api/filters").await[0].1, "Before");
        app.get("/api/sync-jobs").await;
    }

    // Another connection (as an operator's sqlite3 would) changes both lists.
    sqlx::query("UPDATE filters SET name = 'After' WHERE id = 1")
        .execute(&app.pool)
        .await
        .unwrap();
    let job = app.insert_job(2, "completed", 1_700_000_000).await;

    assert_eq!(names(&app, "/api/filters").await[0].1, "After");
    let jobs: Value = app.get("/api/sync-jobs").await.json().await.unwrap();
    assert_eq!(jobs["items"][0]["id"], job);
    let other: Value = app
        .get("/api/filters/2/sync-jobs")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(other["items"][0]["id"], job);

    // A change log page too.
    let path = format!("/api/sync-jobs/{job}/changes");
    for _ in 0..3 {
        let empty: Value = app.get(&path).await.json().await.unwrap();
        assert_eq!(empty["items"], serde_json::json!([]));
    }
    sqlx::query("INSERT INTO sync_changes (job_id, id, action, email) VALUES (?1, 1, 'added', 'a@example.com')")
        .bind(job)
        .execute(&app.pool)
        .await
        .unwrap();
    let changes: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(changes["items"][0]["email"], "a@example.com");
}

#[tokio::test]
async fn concurrent_reads_right_after_an_outside_write_all_show_it() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.with_filters(&[(1, "Before")]).await;
    for round in 0..5 {
        let name = format!("After {round}");
        sqlx::query("UPDATE filters SET name = ?1 WHERE id = 1")
            .bind(&name)
            .execute(&app.pool)
            .await
            .unwrap();
        // Many requests queue behind one read of the data version; each must see the write.
        let reads = (0..40).map(|_| names(&app, "/api/filters"));
        for listed in futures_util::future::join_all(reads).await {
            assert_eq!(listed[0].1, name);
        }
    }
}

#[tokio::test]
async fn lists_are_gzipped_for_clients_that_accept_it() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.with_filters(&[(1, "Compressed")]).await;
    let plain = app.get("/api/filters").await.bytes().await.unwrap();

    let response = app
        .client
        .get(app.url("/api/filters"))
        .header("Accept-Encoding", "gzip, deflate, br")
        .send()
        .await
        .unwrap();

    assert_eq!(response.headers()["content-encoding"], "gzip");
    assert_eq!(response.headers()["vary"], "accept-encoding");
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&response.bytes().await.unwrap()[..]),
        &mut unzipped,
    )
    .unwrap();
    assert_eq!(unzipped, plain);
}

#[tokio::test]
async fn filters_are_listed_by_name_ignoring_case_then_by_id() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.with_filters(&[(5, "banana"), (9, "Apple"), (3, "apple"), (1, "Cherry")])
        .await;

    let listed: Vec<(i64, String)> = names(&app, "/api/filters")
        .await
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect();

    assert_eq!(
        listed,
        [(3, "apple"), (9, "Apple"), (5, "banana"), (1, "Cherry")]
            .map(|(id, n)| (id, n.to_owned()))
    );
}

#[tokio::test]
async fn filters_are_refreshed_from_pipedrive_on_their_own_every_interval() {
    let app = spawn_app_with(|settings| {
        settings.filter_refresh = Some(std::time::Duration::from_millis(200));
    })
    .await;
    app.sign_in().await;
    app.sandbox.pipedrive().add_filter(7, "Appears by itself");

    let mut listed = Vec::new();
    for _ in 0..50 {
        listed = names(&app, "/api/filters").await;
        if !listed.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        (listed[0].0, listed[0].1.as_str()),
        (7, "Appears by itself")
    );
}
