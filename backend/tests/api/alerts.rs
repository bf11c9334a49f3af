//! Alerts (DESIGN §9): one per change of a filter's state, kept across restarts, one line of
//! text and no secret; a receiver that is down, hangs or answers 500 never touches a job,
//! and its alerts are retried, then dropped.

use std::{
    net::TcpListener,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use actix_web::{web, App, HttpResponse, HttpServer};
use pipedrive_brevo_sync::config::SecretUrl;
use serde_json::Value;
use upstream_sandbox::{Api, Fault, Person};

use crate::helpers::{assert_problem, spawn_app_with, TestApp};

/// What the receiver answers.
#[derive(Clone, Copy)]
enum Answer {
    Ok,
    ServerError,
    Hang,
}

/// A chat's incoming webhook: records every body it is sent.
struct Receiver {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/services/T000/B000/receiver-secret",
            listener.local_addr().unwrap()
        );
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let recorded = bodies.clone();
        let server = HttpServer::new(move || {
            let recorded = recorded.clone();
            App::new().default_service(web::to(move |body: web::Json<Value>| {
                let recorded = recorded.clone();
                async move {
                    recorded.lock().unwrap().push(body.into_inner());
                    match answer {
                        Answer::Ok => HttpResponse::Ok().body("ok"),
                        Answer::ServerError => {
                            HttpResponse::InternalServerError().body("invalid_token\nno service")
                        }
                        Answer::Hang => {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                            HttpResponse::Ok().finish()
                        }
                    }
                }
            }))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { url, bodies }
    }

    fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }

    async fn wait_for(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.bodies().len() < n {
            assert!(
                Instant::now() < deadline,
                "{} of {n} alerts: {:?}",
                self.bodies().len(),
                self.bodies()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.bodies()
    }
}

const FILTER: i64 = 7;

/// The app alerting to `url`, quick retries, with one filter of three persons.
async fn alerting_app(url: &str) -> TestApp {
    let url = url::Url::parse(url).unwrap();
    let app = spawn_app_with(|settings| {
        settings.automation.alert_webhook_url = Some(SecretUrl(url));
        settings.automation.public_url =
            Some(url::Url::parse("https://sync.example.com/").unwrap());
        settings.automation.alert_timeout = Duration::from_millis(300);
        settings.automation.alert_retry_delays = vec![Duration::from_millis(50); 3];
    })
    .await;
    app.sign_in().await;
    let persons = (1..=3)
        .map(|n| Person::new(n, "P", &n.to_string()).with_email(&format!("p{n}@example.com"), true))
        .collect();
    app.sandbox
        .pipedrive()
        .add_filter_with_persons(FILTER as u64, "Customers\nEU", persons);
    app.refresh().await;
    app
}

/// Pipedrive refuses the token: the job fails at once (a 401 is not retried).
fn break_pipedrive(app: &TestApp) {
    app.sandbox.script_always(
        Api::Pipedrive,
        "/api/v2/persons",
        Fault::Status {
            status: 401,
            headers: vec![],
            body: r#"{"success":false,"error":"unauthorized"}"#.into(),
        },
    );
}

#[tokio::test]
async fn a_failing_filter_alerts_once_then_once_when_it_recovers_also_across_a_restart() {
    let receiver = Receiver::start(Answer::Ok);
    let mut app = alerting_app(&receiver.url).await;
    break_pipedrive(&app);
    let failed = app.sync(FILTER).await;
    assert_eq!(failed["status"], "failed");
    let alerts = receiver.wait_for(1).await;
    let alert = &alerts[0];
    assert_eq!(alert["event"], "sync_failed", "{alert}");
    assert_eq!(alert["filter"]["id"], FILTER);
    assert_eq!(alert["filter"]["name"], "Customers\nEU");
    assert_eq!(alert["filter"]["url"], "https://sync.example.com/filters/7");
    assert_eq!(alert["job"]["id"], failed["id"]);
    assert_eq!(alert["job"]["status"], "failed");
    let text = alert["text"].as_str().unwrap();
    assert!(!text.contains('\n'), "{text}");
    assert!(
        text.starts_with("Sync of “Customers EU” failed: "),
        "{text}"
    );
    assert!(
        text.ends_with(" https://sync.example.com/filters/7"),
        "{text}"
    );
    let raw = alert.to_string();
    for secret in [
        "receiver-secret",
        "sandbox-pipedrive-token",
        "sandbox-brevo-key",
    ] {
        assert!(!raw.contains(secret), "{secret} in {raw}");
    }

    // Failing again, also after a restart: no new alert.
    app.sync(FILTER).await;
    app.restart().await;
    app.sign_in().await;
    app.sync(FILTER).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.bodies().len(), 1, "{:?}", receiver.bodies());

    app.sandbox.clear_faults();
    let recovered = app.sync(FILTER).await;
    assert_eq!(recovered["status"], "completed");
    let alerts = receiver.wait_for(2).await;
    assert_eq!(alerts[1]["event"], "sync_recovered", "{}", alerts[1]);
    assert_eq!(alerts[1]["job"]["total_added"], 3);
    app.sync(FILTER).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.bodies().len(), 2);
}

#[tokio::test]
async fn a_receiver_that_answers_500_gets_the_alert_four_times_and_the_job_is_untouched() {
    let receiver = Receiver::start(Answer::ServerError);
    let app = alerting_app(&receiver.url).await;
    break_pipedrive(&app);
    let job = app.sync(FILTER).await;
    assert_eq!(job["status"], "failed");
    let attempts = receiver.wait_for(4).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        receiver.bodies().len(),
        4,
        "one attempt and three retries: {attempts:?}"
    );
    assert!(attempts.iter().all(|a| a["event"] == "sync_failed"));
}

#[tokio::test]
async fn a_hanging_or_absent_receiver_never_delays_a_job() {
    let hanging = Receiver::start(Answer::Hang);
    let app = alerting_app(&hanging.url).await;
    break_pipedrive(&app);
    let began = Instant::now();
    let job = app.sync(FILTER).await;
    assert_eq!(job["status"], "failed");
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "{:?}",
        began.elapsed()
    );
    // Each attempt times out (300 ms here), then the next: four in all.
    hanging.wait_for(4).await;

    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let app = alerting_app(&down).await;
    app.sandbox.clear_faults();
    let job = app.sync(FILTER).await;
    assert_eq!(job["status"], "completed");
    let test = app.post("/api/alerts/test").await;
    let problem = assert_problem(test, 502, "alert_not_delivered").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("did not answer"),
        "{problem}"
    );
    assert!(
        !problem["detail"].as_str().unwrap().contains("/hook"),
        "{problem}"
    );
}

#[tokio::test]
async fn the_test_alert_reaches_the_receiver_or_says_what_it_answered() {
    let receiver = Receiver::start(Answer::Ok);
    let app = alerting_app(&receiver.url).await;
    let settings: Value = app.get("/api/alerts").await.json().await.unwrap();
    assert_eq!(settings["configured"], true);
    assert_eq!(settings["receiver_host"], "127.0.0.1");
    assert_eq!(app.post("/api/alerts/test").await.status(), 204);
    let alert = &receiver.wait_for(1).await[0];
    assert_eq!(alert["event"], "test");
    assert!(
        alert["text"]
            .as_str()
            .unwrap()
            .contains("https://sync.example.com"),
        "{alert}"
    );

    let refusing = Receiver::start(Answer::ServerError);
    let app = alerting_app(&refusing.url).await;
    let problem = assert_problem(
        app.post("/api/alerts/test").await,
        502,
        "alert_not_delivered",
    )
    .await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("HTTP 500: invalid_token no service"),
        "{detail}"
    );
    assert!(!detail.contains("receiver-secret"), "{detail}");
    // The test alert is sent once, not retried.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(refusing.bodies().len(), 1);

    let unconfigured = spawn_app_with(|_| {}).await;
    unconfigured.sign_in().await;
    let settings: Value = unconfigured.get("/api/alerts").await.json().await.unwrap();
    assert_eq!(settings["configured"], false);
    assert_problem(
        unconfigured.post("/api/alerts/test").await,
        409,
        "alerts_not_configured",
    )
    .await;
}

#[tokio::test]
async fn a_schedule_without_a_completed_sync_for_three_intervals_alerts_once() {
    let receiver = Receiver::start(Answer::Ok);
    let app = alerting_app(&receiver.url).await;
    // Scheduled every minute since four minutes ago, and held: nothing has synced.
    sqlx::query(
        "UPDATE filters SET schedule_minutes = 1, schedule_set_at = unixepoch() - 240,
                schedule_held_until = unixepoch() + 3600, schedule_hold_reason = 'held'
         WHERE id = ?",
    )
    .bind(FILTER)
    .execute(&app.pool)
    .await
    .unwrap();
    let stale = receiver.wait_for(1).await[0].clone();
    assert_eq!(stale["event"], "schedule_stale", "{stale}");
    assert!(stale["job"].is_null());
    let text = stale["text"].as_str().unwrap();
    assert!(
        text.contains(
            "no completed sync for three intervals (scheduled every 1 min); last completed: never."
        ),
        "{text}"
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(receiver.bodies().len(), 1, "{:?}", receiver.bodies());

    // Released, its scheduled sync fails: a new state, and a failing filter is not also
    // stale again.
    break_pipedrive(&app);
    sqlx::query(
        "UPDATE filters SET schedule_held_until = NULL, schedule_hold_reason = NULL WHERE id = ?",
    )
    .bind(FILTER)
    .execute(&app.pool)
    .await
    .unwrap();
    let failed = receiver.wait_for(2).await[1].clone();
    assert_eq!(failed["event"], "sync_failed", "{failed}");
    assert_eq!(failed["job"]["trigger"], "schedule");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(receiver.bodies().len(), 2, "{:?}", receiver.bodies());
}
