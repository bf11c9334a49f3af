//! `GET /api/usage` (DESIGN §9): every Pipedrive call counted at its documented token cost
//! and every Brevo request, per UTC day, kept across restarts; a 429 whose reset is hours
//! away ends the job at once.

use std::time::{Duration, Instant};

use serde_json::Value;
use upstream_sandbox::{Api, Fault, Person};

use crate::helpers::spawn_app;

/// `x-token-cost` of the operations the service calls, from Pipedrive's OpenAPI documents.
fn token_cost(path: &str) -> u64 {
    match path {
        "/api/v1/filters" => 20,
        "/api/v2/persons" | "/api/v2/personFields" => 10,
        other => panic!("no token cost for {other}"),
    }
}

#[tokio::test]
async fn usage_counts_every_call_at_its_token_cost_and_survives_a_restart() {
    let mut app = spawn_app().await;
    app.sign_in().await;
    let persons = (1..=1_200)
        .map(|n| Person::new(n, "P", &n.to_string()).with_email(&format!("p{n}@example.com"), true))
        .collect();
    app.sandbox
        .pipedrive()
        .add_filter_with_persons(7, "Big", persons);
    app.refresh().await;
    let job = app.sync(7).await;
    assert_eq!(job["status"], "completed");

    let requests = app.sandbox.requests();
    let expected_tokens: u64 = requests
        .iter()
        .filter(|r| r.api == Api::Pipedrive && r.status.is_some())
        .map(|r| token_cost(&r.path))
        .sum();
    let brevo_requests = requests
        .iter()
        .filter(|r| r.api == Api::Brevo && r.status.is_some())
        .count() as u64;
    // A refresh (20) and three pages of persons (30), at the least.
    assert!(expected_tokens >= 50, "{expected_tokens}");

    let usage: Value = app.get("/api/usage").await.json().await.unwrap();
    assert_eq!(
        usage["pipedrive"]["tokens_today"], expected_tokens,
        "{usage}"
    );
    assert_eq!(usage["pipedrive"]["daily_token_budget"], Value::Null);
    let days = usage["days"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    let today = days.last().unwrap();
    assert_eq!(today["pipedrive_tokens"], expected_tokens);
    assert_eq!(today["brevo_requests"], brevo_requests);
    assert!(days[..29]
        .iter()
        .all(|d| d["pipedrive_tokens"] == 0 && d["brevo_requests"] == 0));
    let date = time::OffsetDateTime::now_utc().date().to_string();
    assert_eq!(today["date"], date.as_str());

    app.restart().await;
    app.sign_in().await;
    let after: Value = app.get("/api/usage").await.json().await.unwrap();
    assert_eq!(
        after["days"][29], usage["days"][29],
        "kept across the restart"
    );
}

#[tokio::test]
async fn a_429_that_resets_in_hours_ends_the_job_at_once_naming_the_reset() {
    let app = spawn_app().await;
    app.sign_in().await;
    let persons = vec![Person::new(1, "P", "1").with_email("p1@example.com", true)];
    app.sandbox
        .pipedrive()
        .add_filter_with_persons(7, "Small", persons);
    app.refresh().await;
    app.sandbox.script_always(
        Api::Pipedrive,
        "/api/v2/persons",
        Fault::TooManyRequests {
            retry_after: None,
            reset_secs: Some(5 * 3600),
        },
    );
    let began = Instant::now();
    let job = app.sync(7).await;
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
    assert_eq!(job["status"], "failed");
    let message = job["error_message"].as_str().unwrap();
    assert!(
        message.starts_with("Pipedrive's daily API budget is spent; it resets at "),
        "{message}"
    );
    let persons_calls = app
        .sandbox
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v2/persons")
        .count();
    assert_eq!(persons_calls, 1, "not retried");
}
