use serde_json::Value;
use upstream_sandbox::{demo::edge_case_persons, Api, Fault, Person};

use pipedrive_brevo_sync::config::Settings;

use crate::helpers::{assert_problem, spawn_app, spawn_app_with, TestApp};

const EDGE_CASES: [&str; 8] = [
    "emil.fallback@example.com",
    "li.xiaolong@example.com",
    "mia.mixedcase@example.com",
    "mononym@example.com",
    "nina.first@example.com",
    "paul.primary@example.com",
    "shared.inbox@example.com",
    "zoe.odegard@example.com",
];

async fn app_with_edge_cases() -> TestApp {
    app_with_edge_cases_and(|_| {}).await
}

/// The same, with settings adjusted first.
async fn app_with_edge_cases_and(customise: impl FnOnce(&mut Settings)) -> TestApp {
    let app = spawn_app_with(customise).await;
    app.sign_in().await;
    app.sandbox
        .pipedrive()
        .add_filter_with_persons(5, "Edge cases", edge_case_persons());
    app.refresh().await;
    app
}

fn person(id: u64, email: &str) -> Person {
    Person::new(id, "Test", &format!("Person{id}")).with_email(email, true)
}

#[tokio::test]
async fn the_first_sync_creates_the_list_and_imports_exactly_the_valid_unique_emails() {
    let app = app_with_edge_cases().await;

    let response = app.start_sync(5).await;

    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let started: Value = response.json().await.unwrap();
    assert_eq!(started["status"], "processing");
    assert_eq!(location, format!("/api/sync-jobs/{}", started["id"]));
    let job = app.wait_for_job(started["id"].as_i64().unwrap()).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(
        (job["total_fetched"].as_i64(), job["total_added"].as_i64()),
        (Some(11), Some(8))
    );
    assert!(job["completed_at"].is_string() && job["error_message"].is_null());

    let brevo = app.sandbox.brevo();
    let list_id = app.list_id_of(5).await;
    assert_eq!(brevo.list_members(list_id), EDGE_CASES);
    let list = brevo.lists().into_iter().find(|l| l.id == list_id).unwrap();
    let folder = brevo
        .folders()
        .into_iter()
        .find(|f| f.id == list.folder_id)
        .unwrap();
    assert_eq!(
        (list.name.as_str(), folder.name.as_str()),
        ("Edge cases", "Pipedrive")
    );
    let zoe = brevo.contact("zoe.odegard@example.com").unwrap();
    assert_eq!(
        (zoe.attribute("FIRSTNAME"), zoe.attribute("LASTNAME")),
        (Some("Zoë"), Some("Ødegård"))
    );
    assert_eq!(
        brevo
            .contact("mononym@example.com")
            .unwrap()
            .attribute("LASTNAME"),
        Some("Mononym")
    );
}

#[tokio::test]
async fn a_resync_reuses_the_list_and_counts_only_new_persons() {
    let app = app_with_edge_cases().await;
    app.sync(5).await;
    let list_id = app.list_id_of(5).await;

    let again = app.sync(5).await;

    assert_eq!(
        (again["status"].as_str(), again["total_added"].as_i64()),
        (Some("completed"), Some(0))
    );
    assert_eq!(app.list_id_of(5).await, list_id);
    assert_eq!(app.sandbox.brevo().lists().len(), 1);

    let mut persons = edge_case_persons();
    persons.push(person(90, "new.one@example.com"));
    persons.push(person(91, "New.Two@Example.com"));
    app.sandbox.pipedrive().set_persons(5, persons);
    let third = app.sync(5).await;

    assert_eq!(
        (
            third["total_fetched"].as_i64(),
            third["total_added"].as_i64()
        ),
        (Some(13), Some(2))
    );
    assert_eq!(app.sandbox.brevo().list_members(list_id).len(), 10);
}

#[tokio::test]
async fn contacts_already_in_brevo_but_not_in_the_list_count_as_added() {
    let app = app_with_edge_cases().await;
    app.sandbox
        .brevo()
        .add_contact("paul.primary@example.com", &[], &[]);

    let job = app.sync(5).await;

    assert_eq!(job["total_added"], 8);
}

#[tokio::test]
async fn a_list_deleted_in_brevo_is_created_again() {
    let app = app_with_edge_cases().await;
    app.sync(5).await;
    let old_list = app.list_id_of(5).await;
    app.sandbox.brevo().delete_list(old_list);

    let job = app.sync(5).await;

    let new_list = app.list_id_of(5).await;
    assert_ne!(new_list, old_list);
    assert_eq!(
        (job["status"].as_str(), job["total_added"].as_i64()),
        (Some("completed"), Some(8))
    );
    assert_eq!(app.sandbox.brevo().list_members(new_list), EDGE_CASES);
}

#[tokio::test]
async fn a_large_filter_is_synced_over_many_pages_and_imports() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.sandbox
        .pipedrive()
        .add_generated_filter(9, "Big", 12_345);
    app.refresh().await;

    let job = app.sync(9).await;

    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["total_fetched"], 12_345);
    let list_id = app.list_id_of(9).await;
    let members = app.sandbox.brevo().list_members(list_id);
    assert_eq!(members.len() as i64, job["total_added"].as_i64().unwrap());
    assert!(
        members.len() > 11_000,
        "only persons without an email are left out"
    );
    let imports = app.sandbox.brevo().imports();
    assert!(imports.len() >= 2 && imports.iter().all(|i| i.body_bytes < 8_000_000));
    let persons_pages = app
        .sandbox
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v2/persons")
        .count();
    assert_eq!(persons_pages, 25, "ceil(12,345 / 500) pages");
}

#[tokio::test]
async fn unknown_and_deleted_filters_cannot_be_synced() {
    let app = app_with_edge_cases().await;
    app.sandbox.pipedrive().remove_filter(5);
    app.refresh().await;

    assert_problem(app.start_sync(5).await, 404, "filter_not_found").await;
    assert_problem(app.start_sync(777).await, 404, "filter_not_found").await;
}

#[tokio::test]
async fn a_second_start_while_running_is_a_409_naming_the_running_job() {
    let app = app_with_edge_cases().await;
    app.sandbox
        .set_latency(std::time::Duration::from_millis(300));
    let first: Value = app.start_sync(5).await.json().await.unwrap();

    let second = app.start_sync(5).await;

    let problem = assert_problem(second, 409, "sync_already_running").await;
    assert_eq!(problem["job_id"], first["id"]);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains(&format!("job {}", first["id"])));
    app.sandbox.set_latency(std::time::Duration::ZERO);
    app.wait_for_job(first["id"].as_i64().unwrap()).await;
}

#[tokio::test]
async fn fifty_simultaneous_starts_create_exactly_one_job() {
    let app = app_with_edge_cases().await;
    app.sandbox
        .set_latency(std::time::Duration::from_millis(200));

    let starts = (0..50).map(|_| app.start_sync(5));
    let statuses: Vec<u16> = futures_util::future::join_all(starts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();

    assert_eq!(
        statuses.iter().filter(|s| **s == 202).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        49,
        "{statuses:?}"
    );
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sync_jobs")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn a_bad_brevo_key_fails_the_job_at_once_with_a_readable_message() {
    let app = app_with_edge_cases().await;
    app.sandbox.script_always(
        Api::Brevo,
        "/v3",
        Fault::Status {
            status: 401,
            headers: vec![],
            body: r#"{"code":"unauthorized","message":"Key not found"}"#.into(),
        },
    );

    let job = app.sync(5).await;

    assert_eq!(job["status"], "failed");
    let message = job["error_message"].as_str().unwrap();
    assert!(
        message.contains("Brevo") && message.contains("401") && message.contains("BREVO_API_KEY"),
        "{message}"
    );
    assert!(!message.contains("sandbox-brevo-key"));
    assert_eq!(
        app.sandbox.request_counts(Api::Brevo).requests,
        1,
        "a 401 is not retried"
    );
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_retried_to_an_exact_end_state() {
    let app = app_with_edge_cases().await;
    let server_error = || Fault::Status {
        status: 500,
        headers: vec![],
        body: String::new(),
    };
    app.sandbox
        .script(Api::Pipedrive, "/api/v2/persons", server_error());
    app.sandbox
        .script(Api::Pipedrive, "/api/v2/persons", server_error());
    app.sandbox.script(
        Api::Brevo,
        "/v3/contacts/import",
        Fault::TooManyRequests {
            retry_after: None,
            reset_secs: Some(1),
        },
    );
    app.sandbox
        .script(Api::Brevo, "/v3/contacts/attributes", server_error());
    let unavailable = || Fault::Status {
        status: 503,
        headers: vec![],
        body: String::new(),
    };
    app.sandbox
        .script(Api::Brevo, "/v3/contacts/lists", unavailable());
    app.sandbox
        .script(Api::Brevo, "/v3/processes", unavailable());

    let job = app.sync(5).await;

    assert_eq!(
        (job["status"].as_str(), job["total_added"].as_i64()),
        (Some("completed"), Some(8)),
        "{job}"
    );
    assert_eq!(
        app.sandbox.brevo().list_members(app.list_id_of(5).await),
        EDGE_CASES
    );
    let requests = app.sandbox.requests();
    let rate_limited = requests
        .iter()
        .position(|r| r.path == "/v3/contacts/import" && r.status == Some(429))
        .unwrap();
    let retried = requests[rate_limited + 1..]
        .iter()
        .find(|r| r.path == "/v3/contacts/import")
        .unwrap();
    let waited = retried
        .received_at
        .duration_since(requests[rate_limited].received_at);
    assert!(
        waited >= std::time::Duration::from_secs(1),
        "retried after {waited:?}, before the reset"
    );
}

#[tokio::test]
async fn a_list_creation_that_may_have_happened_is_not_repeated() {
    let app = app_with_edge_cases().await;
    // A 500 leaves open whether Brevo created the list: a retry could make a second one.
    app.sandbox.script(
        Api::Brevo,
        "/v3/contacts/lists",
        Fault::Status {
            status: 500,
            headers: vec![],
            body: String::new(),
        },
    );

    let job = app.sync(5).await;

    assert_eq!(job["status"], "failed");
    assert!(job["error_message"]
        .as_str()
        .unwrap()
        .contains("creating the contact list"));
    let creations = app
        .sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/v3/contacts/lists")
        .count();
    assert_eq!(creations, 1);
}

#[tokio::test]
async fn a_hung_upstream_fails_the_job_on_its_timeout() {
    let app = app_with_edge_cases_and(|settings| {
        settings.http.read_timeout = std::time::Duration::from_millis(300);
        settings.retry.max_attempts = 2;
    })
    .await;
    app.sandbox
        .script_always(Api::Pipedrive, "/api/v2/persons", Fault::Hang);

    let job = app.sync(5).await;

    assert_eq!(job["status"], "failed");
    let message = job["error_message"].as_str().unwrap();
    assert!(
        message.contains("Pipedrive did not answer in time"),
        "{message}"
    );
}

#[tokio::test]
async fn a_hung_upstream_ends_the_job_when_the_request_has_failed_for_long_enough() {
    // Eight attempts of a 300 ms read timeout and their pauses would take over 3 s.
    let app = app_with_edge_cases_and(|settings| {
        settings.http.read_timeout = std::time::Duration::from_millis(300);
        settings.retry.give_up_after = std::time::Duration::from_millis(1000);
        settings.retry.base_delay = std::time::Duration::from_millis(200);
        settings.retry.max_delay = std::time::Duration::from_secs(1);
    })
    .await;
    app.sandbox
        .script_always(Api::Pipedrive, "/api/v2/persons", Fault::Hang);

    let started = std::time::Instant::now();
    let job = app.sync(5).await;

    assert_eq!(job["status"], "failed");
    let message = job["error_message"].as_str().unwrap();
    assert!(
        message.contains("Pipedrive did not answer in time (reading the filter's persons;"),
        "{message}"
    );
    assert!(message.contains("attempts in 1 s"), "{message}");
    let hung = app
        .sandbox
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v2/persons")
        .count();
    assert!((2..8).contains(&hung), "{hung} attempts");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}

#[tokio::test]
async fn a_trickling_upstream_trips_the_total_timeout() {
    let app = app_with_edge_cases_and(|settings| {
        settings.http.request_timeout = std::time::Duration::from_millis(1500);
        settings.retry.max_attempts = 1;
    })
    .await;
    app.sandbox
        .script_always(Api::Pipedrive, "/api/v2/persons", Fault::Trickle);

    let job = app.sync(5).await;

    assert!(
        job["error_message"]
            .as_str()
            .unwrap()
            .contains("did not answer in time"),
        "{job}"
    );
}

#[tokio::test]
async fn a_retry_after_is_honoured_before_the_next_request() {
    let app = app_with_edge_cases().await;
    app.sandbox.script(
        Api::Pipedrive,
        "/api/v2/persons",
        Fault::TooManyRequests {
            retry_after: Some("2".into()),
            reset_secs: None,
        },
    );

    let job = app.sync(5).await;

    assert_eq!(job["status"], "completed");
    let pages: Vec<_> = app
        .sandbox
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v2/persons")
        .collect();
    assert_eq!(pages.len(), 2);
    assert!(
        pages[1].received_at.duration_since(pages[0].received_at)
            >= std::time::Duration::from_secs(2)
    );
}

#[tokio::test]
async fn a_rate_limit_longer_than_the_cap_fails_at_once_saying_until_when() {
    let app = app_with_edge_cases().await;
    app.sandbox.script(
        Api::Pipedrive,
        "/api/v2/persons",
        Fault::TooManyRequests {
            retry_after: Some("3600".into()),
            reset_secs: None,
        },
    );
    let started = std::time::Instant::now();

    let job = app.sync(5).await;

    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the job did not sleep for an hour"
    );
    let message = job["error_message"].as_str().unwrap();
    assert!(
        message.contains("Pipedrive is rate limiting") && message.contains("until 20"),
        "{message}"
    );
}

#[tokio::test]
async fn the_client_slows_down_before_pipedrive_has_to_refuse() {
    let sandbox_config = upstream_sandbox::SandboxConfig {
        enforce_rate_limits: true,
        pipedrive_requests_per_2s: 3,
        ..Default::default()
    };
    let app = crate::helpers::spawn_app_on(sandbox_config, |_| {}).await;
    app.sign_in().await;
    app.sandbox
        .pipedrive()
        .add_generated_filter(9, "Paced", 2_400);
    app.refresh().await;

    let job = app.sync(9).await;

    assert_eq!(job["status"], "completed");
    assert_eq!(
        app.sandbox.request_counts(Api::Pipedrive).rate_limited,
        0,
        "no 429: the client paused on x-ratelimit-remaining: 0"
    );
}

#[tokio::test]
async fn a_shutdown_cancels_running_jobs_and_the_next_sync_succeeds() {
    let mut app = app_with_edge_cases().await;
    app.sandbox
        .set_latency(std::time::Duration::from_millis(500));
    let job: Value = app.start_sync(5).await.json().await.unwrap();

    app.restart().await;

    let stopped = app.wait_for_job(job["id"].as_i64().unwrap()).await;
    assert_eq!(stopped["status"], "failed");
    assert_eq!(
        stopped["error_message"],
        "cancelled: the server shut down before the job finished"
    );
    app.sandbox.set_latency(std::time::Duration::ZERO);
    let next = app.sync(5).await;
    assert_eq!(
        (next["status"].as_str(), next["total_added"].as_i64()),
        (Some("completed"), Some(8))
    );
    assert_eq!(
        app.sandbox.brevo().list_members(app.list_id_of(5).await),
        EDGE_CASES
    );
}

#[tokio::test]
async fn a_filter_renamed_in_pipedrive_keeps_syncing_into_its_list() {
    let app = app_with_edge_cases().await;
    app.sync(5).await;
    let list_id = app.list_id_of(5).await;
    app.sandbox
        .pipedrive()
        .rename_filter(5, "Edge cases, renamed");
    app.refresh().await;

    let job = app.sync(5).await;

    assert_eq!(job["status"], "completed");
    assert_eq!(app.list_id_of(5).await, list_id);
    assert_eq!(app.sandbox.brevo().lists().len(), 1);
}

#[tokio::test]
async fn a_spent_hourly_budget_fails_the_job_instead_of_sleeping_for_an_hour() {
    // Brevo allows 100 non-contacts requests an hour; here 1, spent by the first job's poll.
    let app = app_with_edge_cases_and(|settings| {
        settings.brevo_limits.others_per_hour = 1;
        // One poll, after the sandbox's import has completed.
        settings.sync.process_poll_initial = std::time::Duration::from_millis(400);
        settings.sync.last_import_first_poll = std::time::Duration::from_millis(400);
    })
    .await;
    assert_eq!(app.sync(5).await["status"], "completed");
    // A new person, so that the second job has an import to wait for.
    let mut persons = edge_case_persons();
    persons.push(person(6_000_001, "newcomer@example.com"));
    app.sandbox.pipedrive().set_persons(5, persons);
    let started = std::time::Instant::now();

    let second = app.sync(5).await;

    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let message = second["error_message"].as_str().unwrap();
    assert!(
        message.contains("Brevo is rate limiting checking an import until"),
        "{message}"
    );
}
