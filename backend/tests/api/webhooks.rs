//! Pipedrive webhooks (DESIGN §9): deliveries authenticate with the registered basic-auth
//! secret (kept beside the database), are answered at once, and make the scheduled filters
//! sync after the debounce, with `trigger` `webhook`.

use std::time::{Duration, Instant};

use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app_with, TestApp};

async fn webhook_app() -> TestApp {
    let app = spawn_app_with(|settings| {
        settings.automation.pipedrive_webhooks = true;
        settings.automation.public_url = Some(url::Url::parse("https://sync.example.com").unwrap());
        settings.automation.webhook_debounce = Duration::from_secs(1);
    })
    .await;
    app.sign_in().await;
    app.with_filters(&[(1, "Scheduled"), (2, "Manual"), (3, "Also scheduled")])
        .await;
    for id in [1, 3] {
        sqlx::query(
            "UPDATE filters SET schedule_minutes = 600, schedule_set_at = unixepoch() WHERE id = ?",
        )
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    app
}

fn secret(app: &TestApp) -> String {
    let db = app.settings.database_url.trim_start_matches("sqlite:");
    let folder = std::path::Path::new(db).parent().unwrap();
    std::fs::read_to_string(folder.join("webhook-secret")).unwrap()
}

async fn deliver(app: &TestApp, authorization: Option<String>) -> reqwest::Response {
    let event = json!({"meta": {"action": "change", "entity": "person", "entity_id": "5", "version": "2.0"},
                       "data": {"id": 5, "name": "Ann"}, "previous": {"name": "An"}});
    let mut request = reqwest::Client::new()
        .post(app.url("/api/webhooks/pipedrive"))
        .json(&event);
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    request.send().await.unwrap()
}

async fn webhook_due(app: &TestApp) -> Vec<(i64, Option<i64>)> {
    sqlx::query_as("SELECT id, webhook_due_at FROM filters ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_delivery_with_wrong_credentials_is_refused_and_starts_nothing() {
    let app = webhook_app().await;
    let wrong = STANDARD.encode("pipedrive:not-the-secret");
    for authorization in [
        None,
        Some(format!("Basic {wrong}")),
        Some(format!("Bearer {}", secret(&app))),
    ] {
        let response = deliver(&app, authorization).await;
        assert_problem(response, 401, "webhook_unauthorized").await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(webhook_due(&app).await.iter().all(|(_, due)| due.is_none()));
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM sync_jobs")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(jobs, 0);
}

#[tokio::test]
async fn a_burst_of_deliveries_syncs_each_scheduled_filter_once_after_the_debounce() {
    let app = webhook_app().await;
    let authorization = format!(
        "Basic {}",
        STANDARD.encode(format!("pipedrive:{}", secret(&app)))
    );
    let began = Instant::now();
    for _ in 0..20 {
        let response = deliver(&app, Some(authorization.clone())).await;
        assert_eq!(response.status(), 204);
    }
    let answered = began.elapsed();
    assert!(
        answered < Duration::from_secs(1),
        "twenty deliveries took {answered:?}"
    );

    let deadline = Instant::now() + Duration::from_secs(10);
    let jobs: Vec<(i64, String)> = loop {
        let jobs: Vec<(i64, String)> =
            sqlx::query_as("SELECT filter_id, started_by FROM sync_jobs ORDER BY filter_id")
                .fetch_all(&app.pool)
                .await
                .unwrap();
        if jobs.len() >= 2 {
            break jobs;
        }
        assert!(Instant::now() < deadline, "{jobs:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        began.elapsed() >= Duration::from_secs(1),
        "not before the debounce: {:?}",
        began.elapsed()
    );
    assert_eq!(jobs, [(1, "webhook".to_owned()), (3, "webhook".to_owned())]);
    // The filter without a schedule does not sync on its own, and the marks are cleared.
    assert_eq!(webhook_due(&app).await, [(1, None), (2, None), (3, None)]);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM sync_jobs")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 2, "one sync per filter for the whole burst");
    let filter: Value = app.get("/api/filters/1").await.json().await.unwrap();
    assert_eq!(filter["last_job"]["trigger"], "webhook", "{filter}");
}

#[tokio::test]
async fn without_pipedrive_webhooks_the_receiver_is_not_there() {
    let app = spawn_app_with(|_| {}).await;
    let response = deliver(&app, Some("Basic eDp5".into())).await;
    assert_problem(response, 404, "route_not_found").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_registers_its_webhook_once_and_a_person_change_in_pipedrive_syncs_the_filter()
{
    // PUBLIC_URL must name the server before it starts: a port picked beforehand.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let public = format!("http://127.0.0.1:{port}");
    let settings_url = url::Url::parse(&public).unwrap();
    let mut app = spawn_app_with(move |settings| {
        settings.bind_addr = format!("127.0.0.1:{port}");
        settings.automation.pipedrive_webhooks = true;
        settings.automation.public_url = Some(settings_url);
        settings.automation.webhook_debounce = Duration::from_secs(1);
    })
    .await;
    let registered = |app: &TestApp| app.sandbox.pipedrive().webhooks();
    let first = registered_webhook(&app, None).await;
    assert_eq!(
        first.subscription_url,
        format!("{public}/api/webhooks/pipedrive")
    );
    assert_eq!(
        (
            first.event_object.as_str(),
            first.event_action.as_str(),
            first.version.as_str()
        ),
        ("person", "*", "2.0")
    );
    assert_eq!(first.http_auth_user.as_deref(), Some("pipedrive"));
    assert_eq!(
        first.http_auth_password.as_deref(),
        Some(secret(&app).as_str())
    );

    // A restart replaces it: still one, a new one.
    app.restart().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while registered(&app)
        .first()
        .is_none_or(|hook| hook.id == first.id)
    {
        assert!(Instant::now() < deadline, "{:?}", registered(&app));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(registered(&app).len(), 1, "{:?}", registered(&app));

    app.sign_in().await;
    let person = |n: u64| {
        upstream_sandbox::Person::new(n, "P", &n.to_string())
            .with_email(&format!("p{n}@example.com"), true)
    };
    app.sandbox
        .pipedrive()
        .add_filter_with_persons(9, "Webhooked", vec![person(1)]);
    app.refresh().await;
    let patch = app
        .client
        .patch(app.url("/api/filters/9"))
        .json(&json!({"schedule_minutes": 1440}))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 200);

    // A person joins the filter in Pipedrive: Pipedrive calls the webhook, the filter syncs.
    let changed = Instant::now();
    app.sandbox
        .pipedrive()
        .set_persons(9, vec![person(1), person(2)]);
    let deadline = Instant::now() + Duration::from_secs(15);
    let job = loop {
        let filter: Value = app.get("/api/filters/9").await.json().await.unwrap();
        if filter["last_job"]["status"] == "completed" {
            break filter["last_job"].clone();
        }
        assert!(Instant::now() < deadline, "{filter}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!(
        "person change → webhook sync completed after {:?}",
        changed.elapsed()
    );
    assert_eq!(job["trigger"], "webhook", "{job}");
    assert_eq!(job["total_added"], 2);
    let deliveries = app.sandbox.pipedrive().webhook_deliveries();
    assert!(
        deliveries.iter().any(|d| d.status == Some(204)),
        "{deliveries:?}"
    );
}

/// The one webhook registered in the sandbox, once it is there (and is not `not`).
async fn registered_webhook(app: &TestApp, not: Option<u64>) -> upstream_sandbox::Webhook {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let hooks = app.sandbox.pipedrive().webhooks();
        if let [hook] = hooks.as_slice() {
            if Some(hook.id) != not {
                return hook.clone();
            }
        }
        assert!(Instant::now() < deadline, "{hooks:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
