use serde_json::Value;

use crate::helpers::{assert_problem, spawn_app, TestApp};

/// Filters 1 and 2; jobs alternate between them, oldest first. Returns the job ids.
async fn app_with_history(jobs: usize) -> (TestApp, Vec<i64>) {
    let app = spawn_app().await;
    app.sign_in().await;
    app.with_filters(&[(1, "One"), (2, "Two")]).await;
    let mut ids = Vec::new();
    for n in 0..jobs {
        let filter = if n % 2 == 0 { 1 } else { 2 };
        let status = ["completed", "failed", "completed"][n % 3];
        ids.push(
            app.insert_job(filter, status, 1_700_000_000 + n as i64)
                .await,
        );
    }
    (app, ids)
}

fn ids_of(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|job| job["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn jobs_are_listed_newest_first_page_by_page() {
    let (app, ids) = app_with_history(7).await;
    let newest_first: Vec<i64> = ids.iter().rev().copied().collect();

    let first: Value = app
        .get("/api/sync-jobs?limit=3")
        .await
        .json()
        .await
        .unwrap();
    let before = first["next_before"].as_i64().unwrap();
    let second: Value = app
        .get(&format!("/api/sync-jobs?limit=3&before={before}"))
        .await
        .json()
        .await
        .unwrap();
    let before = second["next_before"].as_i64().unwrap();
    let last: Value = app
        .get(&format!("/api/sync-jobs?limit=3&before={before}"))
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(ids_of(&first), newest_first[0..3]);
    assert_eq!(ids_of(&second), newest_first[3..6]);
    assert_eq!(ids_of(&last), newest_first[6..]);
    assert!(last["next_before"].is_null());
}

#[tokio::test]
async fn a_full_last_page_has_no_next_cursor() {
    let (app, _) = app_with_history(4).await;

    let page: Value = app
        .get("/api/sync-jobs?limit=4")
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(ids_of(&page).len(), 4);
    assert!(page["next_before"].is_null());
}

#[tokio::test]
async fn jobs_can_be_narrowed_to_a_filter_and_a_status() {
    let (app, ids) = app_with_history(6).await;

    let of_two: Value = app
        .get("/api/sync-jobs?filter_id=2")
        .await
        .json()
        .await
        .unwrap();
    let failed: Value = app
        .get("/api/sync-jobs?status=failed")
        .await
        .json()
        .await
        .unwrap();
    let both: Value = app
        .get("/api/sync-jobs?filter_id=2&status=completed")
        .await
        .json()
        .await
        .unwrap();
    let nested: Value = app
        .get("/api/filters/2/sync-jobs?limit=2")
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(ids_of(&of_two), vec![ids[5], ids[3], ids[1]]);
    assert_eq!(ids_of(&failed), vec![ids[4], ids[1]]);
    assert_eq!(ids_of(&both), vec![ids[5], ids[3]]);
    assert_eq!(ids_of(&nested), vec![ids[5], ids[3]]);
    assert_eq!(nested["next_before"], ids[3]);
}

#[tokio::test]
async fn a_job_is_shown_with_every_field() {
    let (app, ids) = app_with_history(2).await;

    let job: Value = app
        .get(&format!("/api/sync-jobs/{}", ids[1]))
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(
        job,
        serde_json::json!({
            "id": ids[1], "filter_id": 2, "status": "failed",
            "created_at": "2023-11-14T22:13:21Z", "completed_at": "2023-11-14T22:13:26Z",
            "dry_run": false, "trigger": "manual",
            "total_fetched": 10, "total_added": 4, "total_updated": 0, "total_removed": 0,
            "total_skipped": 0, "total_held": 0, "total_unchanged": 0,
            "error_message": "Brevo answered HTTP 401", "notice": null,
        })
    );
}

#[tokio::test]
async fn out_of_range_paging_and_unknown_ids_are_4xx_problems() {
    let (app, _) = app_with_history(1).await;

    for query in [
        "limit=0",
        "limit=201",
        "limit=-1",
        "limit=abc",
        "before=0",
        "status=running",
        "filter_id=x",
        "bogus=1",
    ] {
        let response = app.get(&format!("/api/sync-jobs?{query}")).await;
        assert_problem(response, 400, "invalid_query").await;
    }
    assert_problem(
        app.get("/api/sync-jobs?filter_id=999").await,
        404,
        "filter_not_found",
    )
    .await;
    assert_problem(
        app.get("/api/sync-jobs/999").await,
        404,
        "sync_job_not_found",
    )
    .await;
    assert_problem(app.get("/api/sync-jobs/abc").await, 400, "invalid_path").await;
    assert_problem(
        app.get("/api/sync-jobs/99999999999999999999").await,
        400,
        "invalid_path",
    )
    .await;
    assert_problem(
        app.get("/api/filters/1/sync-jobs?limit=500").await,
        400,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn jobs_left_processing_by_a_previous_run_are_failed_at_start_up() {
    let (mut app, _) = app_with_history(1).await;
    let orphan = app.insert_job(1, "processing", 1_700_000_500).await;

    app.restart().await;

    let job: Value = app
        .get(&format!("/api/sync-jobs/{orphan}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(job["status"], "failed");
    assert!(job["completed_at"].is_string());
    assert!(job["error_message"]
        .as_str()
        .unwrap()
        .starts_with("interrupted"));
}
