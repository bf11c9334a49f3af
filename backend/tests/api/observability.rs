//! Request ids and the Prometheus endpoint.

use std::time::Duration;

use reqwest::header;

use crate::helpers::{bare_client, spawn_app, spawn_app_with};

const METRICS_TOKEN: &str = "scrape-token-for-tests";

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;

    let mut seen = Vec::new();
    // A success, a 401 from the session guard, and an unknown path.
    for path in ["/api/health", "/api/filters", "/nothing-here"] {
        let response = app.get(path).await;
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(id.len(), 36, "{path}: {id} is not a UUID");
        seen.push(id);
    }
    seen.dedup();
    assert_eq!(seen.len(), 3, "request ids repeat: {seen:?}");
}

#[tokio::test]
async fn metrics_are_not_served_without_a_token_configured() {
    let app = spawn_app().await;
    app.sign_in().await;

    let response = app.get("/metrics").await;

    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn metrics_need_the_bearer_token() {
    let app = spawn_app_with(|settings| settings.metrics_token = Some(METRICS_TOKEN.into())).await;
    let url = app.url("/metrics");

    for auth in [None, Some("Bearer wrong"), Some(METRICS_TOKEN)] {
        let mut request = bare_client().get(&url);
        if let Some(value) = auth {
            request = request.header(header::AUTHORIZATION, value);
        }
        assert_eq!(request.send().await.unwrap().status(), 401, "{auth:?}");
    }
    let response = bare_client()
        .get(&url)
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn metrics_count_upstream_requests_and_finished_jobs() {
    let app = spawn_app_with(|settings| settings.metrics_token = Some(METRICS_TOKEN.into())).await;
    app.sign_in().await;
    app.sandbox
        .pipedrive()
        .add_generated_filter(7, "Metered", 120);
    assert_eq!(app.refresh().await.status(), 200);
    let job = app.sync(7).await;
    assert_eq!(job["status"], "completed", "{job}");

    // The runner counts a job just after recording its end.
    let mut text = String::new();
    for _ in 0..100 {
        let response = bare_client()
            .get(app.url("/metrics"))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text"));
        text = response.text().await.unwrap();
        if text.contains(r#"pbs_sync_jobs_finished_total{status="completed"}"#) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for expected in [
        r#"pbs_upstream_requests_total{api="pipedrive",status="200"}"#,
        r#"pbs_upstream_requests_total{api="brevo",status="200"}"#,
        r#"pbs_sync_jobs_finished_total{status="completed"}"#,
        "pbs_sync_job_duration_seconds_count",
        "pbs_sync_contacts_fetched_total",
        "pbs_sync_contacts_added_total",
        "pbs_upstream_rate_limited_total",
    ] {
        assert!(text.contains(expected), "{expected} missing from\n{text}");
    }
    assert!(!text.contains(METRICS_TOKEN));
}
