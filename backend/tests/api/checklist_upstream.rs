//! Checklist items 7, 9, 10 and 12: bounded retries, recorded job ends, and waits on
//! HTTP-date and reset-only rate limits.

use std::time::Duration;

use serde_json::Value;
use upstream_sandbox::{Api, Fault};

use crate::helpers::{spawn_app_with, TestApp};

#[tokio::test]
async fn every_ended_job_has_an_end_time_and_every_failed_one_says_why() {
    let app = spawn_app_with(|settings| settings.retry.max_attempts = 2).await;
    app.sign_in().await;
    app.with_filters(&[(1, "One"), (2, "Two"), (3, "Three")])
        .await;
    app.sync(1).await;
    app.sandbox.script(
        Api::Brevo,
        "/v3/contacts",
        Fault::Status {
            status: 401,
            headers: vec![],
            body: r#"{"code":"unauthorized","message":"Key not found"}"#.into(),
        },
    );
    app.sync(2).await;
    app.sandbox.script_always(
        Api::Pipedrive,
        "/api/v2/persons",
        Fault::Status {
            status: 503,
            headers: vec![],
            body: String::new(),
        },
    );
    app.sync(3).await;
    app.sandbox.clear_faults();

    let page: Value = app
        .get("/api/sync-jobs?limit=200")
        .await
        .json()
        .await
        .unwrap();
    let jobs = page["items"].as_array().unwrap();
    assert_eq!(jobs.len(), 3);
    let mut failed = 0;
    for listed in jobs {
        let id = listed["id"].as_i64().unwrap();
        let job: Value = app
            .get(&format!("/api/sync-jobs/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_ne!(job["status"], "processing");
        assert!(job["completed_at"].is_string(), "{job}");
        if job["status"] == "failed" {
            failed += 1;
            let message = job["error_message"].as_str().unwrap_or_default();
            assert!(!message.trim().is_empty(), "{job}");
        }
    }
    assert_eq!(failed, 2);
}

/// A filter of three persons, synced in one page.
async fn app_with_small_filter(
    customise: impl FnOnce(&mut pipedrive_brevo_sync::config::Settings),
) -> TestApp {
    let app = spawn_app_with(customise).await;
    app.sign_in().await;
    app.sandbox.pipedrive().add_generated_filter(5, "Small", 3);
    assert_eq!(app.refresh().await.status(), 200);
    app
}

/// When each request to `path` arrived.
fn arrivals(app: &TestApp, path: &str) -> Vec<std::time::Instant> {
    app.sandbox
        .requests()
        .into_iter()
        .filter(|r| r.path == path)
        .map(|r| r.received_at)
        .collect()
}

#[tokio::test]
async fn a_retry_after_given_as_an_http_date_is_honoured() {
    let app = app_with_small_filter(|_| {}).await;
    let at = std::time::SystemTime::now() + Duration::from_secs(3);
    app.sandbox.script(
        Api::Pipedrive,
        "/api/v2/persons",
        Fault::TooManyRequests {
            retry_after: Some(httpdate::fmt_http_date(at)),
            reset_secs: None,
        },
    );

    let job = app.sync(5).await;

    assert_eq!(job["status"], "completed", "{job}");
    let pages = arrivals(&app, "/api/v2/persons");
    // The date has whole seconds: 3 s ahead is at least 2 s ahead.
    assert!(pages[1].duration_since(pages[0]) >= Duration::from_secs(2));
    assert!(std::time::SystemTime::now() >= at - Duration::from_secs(1));
}

#[tokio::test]
async fn a_brevo_429_with_only_a_reset_header_waits_that_long() {
    let app = app_with_small_filter(|_| {}).await;
    app.sandbox.script(
        Api::Brevo,
        "/v3/contacts/import",
        Fault::TooManyRequests {
            retry_after: None,
            reset_secs: Some(5),
        },
    );

    let job = app.sync(5).await;

    assert_eq!(job["status"], "completed", "{job}");
    let imports = arrivals(&app, "/v3/contacts/import");
    assert!(imports[1].duration_since(imports[0]) >= Duration::from_secs(5));
}

#[tokio::test]
async fn an_upstream_that_always_answers_503_fails_the_job_after_bounded_attempts() {
    let app = app_with_small_filter(|_| {}).await;
    app.sandbox.script_always(
        Api::Pipedrive,
        "/api/v2/persons",
        Fault::Status {
            status: 503,
            headers: vec![],
            body: String::new(),
        },
    );
    let started = std::time::Instant::now();

    let job = app.sync(5).await;

    assert_eq!(job["status"], "failed");
    let message = job["error_message"].as_str().unwrap();
    assert!(
        message.contains("Pipedrive") && message.contains("503"),
        "{message}"
    );
    assert_eq!(
        arrivals(&app, "/api/v2/persons").len() as u32,
        app.settings.retry.max_attempts,
        "every attempt, no more"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
