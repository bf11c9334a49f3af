//! The mirror sync (DESIGN.md §7): every row of the change table, the removal brake at its
//! boundaries, dry runs, list renames, modes, and the change log's API and CSV.

use serde_json::{json, Value};
use upstream_sandbox::{Api, Person};

use crate::helpers::{assert_problem, spawn_app, TestApp};

const FILTER: i64 = 9;

fn persons(ids: std::ops::Range<u64>) -> Vec<Person> {
    ids.map(|id| {
        Person::new(id, "Ada", &format!("Lovelace{id}"))
            .with_email(&format!("p{id}@example.com"), true)
    })
    .collect()
}

/// A signed-in app whose filter 9 holds `initial` and has been synced once.
async fn synced_app(initial: Vec<Person>) -> TestApp {
    let app = spawn_app().await;
    app.sign_in().await;
    app.sandbox
        .pipedrive()
        .add_filter_with_persons(FILTER as u64, "Mirror", initial);
    app.refresh().await;
    assert_eq!(app.sync(FILTER).await["status"], "completed");
    app
}

impl TestApp {
    async fn sync_with(&self, body: Value) -> Value {
        let response = self
            .post_json(&format!("/api/filters/{FILTER}/sync"), &body)
            .await;
        assert_eq!(response.status(), 202, "sync did not start");
        let job: Value = response.json().await.unwrap();
        self.wait_for_job(job["id"].as_i64().unwrap()).await
    }

    async fn changes(&self, job: &Value, query: &str) -> Vec<Value> {
        let url = format!("/api/sync-jobs/{}/changes?limit=200&{query}", job["id"]);
        let page: Value = self.get(&url).await.json().await.unwrap();
        page["items"].as_array().unwrap().clone()
    }

    async fn members(&self) -> Vec<String> {
        self.sandbox
            .brevo()
            .list_members(self.list_id_of(FILTER).await)
    }

    /// Brevo requests that change something (every method but GET).
    fn brevo_writes(&self) -> Vec<String> {
        self.sandbox
            .requests()
            .into_iter()
            .filter(|r| r.api == Api::Brevo && r.method != "GET")
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }
}

fn counts(job: &Value) -> [i64; 6] {
    [
        "total_added",
        "total_updated",
        "total_removed",
        "total_skipped",
        "total_held",
        "total_unchanged",
    ]
    .map(|field| job[field].as_i64().unwrap())
}

fn emails(persons: &[Person]) -> Vec<String> {
    let mut emails: Vec<String> = persons.iter().map(|p| p.emails[0].value.clone()).collect();
    emails.sort();
    emails
}

#[tokio::test]
async fn after_a_sync_the_list_equals_the_filter_and_each_change_is_logged() {
    let app = synced_app(persons(1..31)).await;
    let mut now = persons(3..31); // 1 and 2 leave
    now.push(persons(100..101).remove(0)); // 100 joins
    now[0].last_name = "Byron".into(); // 3 changes its name
    app.sandbox
        .pipedrive()
        .set_persons(FILTER as u64, now.clone());

    let job = app.sync(FILTER).await;

    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(counts(&job), [1, 1, 2, 0, 0, 27]);
    assert_eq!(job["total_fetched"], 29);
    assert_eq!(app.members().await, emails(&now));
    let contact = app.sandbox.brevo().contact("p3@example.com").unwrap();
    assert_eq!(contact.attribute("LASTNAME"), Some("Byron"));
    // Removed from the list, never deleted.
    assert!(app.sandbox.brevo().contact("p1@example.com").is_some());

    let removed = app.changes(&job, "action=removed").await;
    let removed: Vec<&str> = removed
        .iter()
        .map(|c| c["email"].as_str().unwrap())
        .collect();
    assert_eq!(removed.len(), 2);
    assert!(removed.contains(&"p1@example.com") && removed.contains(&"p2@example.com"));
    let updated = app.changes(&job, "action=updated").await;
    assert_eq!(
        updated,
        [
            json!({"id": updated[0]["id"], "action": "updated", "email": "p3@example.com",
                "person_id": 3, "reason": "changed: LASTNAME"})
        ]
    );
    let added = app.changes(&job, "action=added").await;
    assert_eq!(added[0]["email"], "p100@example.com");
    assert_eq!(added[0]["person_id"], 100);
}

#[tokio::test]
async fn an_unchanged_filter_is_re_synced_without_a_single_brevo_write() {
    let app = synced_app(persons(1..51)).await;
    let writes_before = app.brevo_writes().len();

    let job = app.sync(FILTER).await;

    assert_eq!(job["status"], "completed");
    assert_eq!(counts(&job), [0, 0, 0, 0, 0, 50]);
    assert_eq!(
        app.brevo_writes().len(),
        writes_before,
        "{:?}",
        app.brevo_writes()
    );
}

#[tokio::test]
async fn blocklisted_members_are_skipped_never_written_and_removed_when_they_leave() {
    let mut initial = persons(1..31);
    let app = synced_app(initial.clone()).await;
    let brevo = app.sandbox.brevo();
    assert!(brevo.set_blocklisted("p1@example.com", true));
    assert!(brevo.set_blocklisted("p2@example.com", true));
    initial[0].last_name = "Changed".into(); // p1 stays, changed: still not written
    initial.remove(1); // p2 leaves
    app.sandbox.pipedrive().set_persons(FILTER as u64, initial);

    let job = app.sync(FILTER).await;

    assert_eq!(counts(&job), [0, 0, 1, 1, 0, 28]);
    let skipped = app.changes(&job, "action=skipped").await;
    assert_eq!(skipped[0]["email"], "p1@example.com");
    assert_eq!(skipped[0]["reason"], "blocklisted in Brevo");
    let p1 = brevo.contact("p1@example.com").unwrap();
    assert_eq!(p1.attribute("LASTNAME"), Some("Lovelace1"));
    assert!(p1.email_blacklisted, "the blocklist status is untouched");
    assert!(!app.members().await.contains(&"p2@example.com".to_owned()));
    assert!(brevo
        .imports()
        .iter()
        .all(|i| !i.email_blacklist && !i.sms_blacklist));
}

#[tokio::test]
async fn persons_without_an_address_and_second_persons_of_one_address_are_skipped() {
    let mut initial = persons(1..4);
    initial.push(Person::new(4, "No", "Email"));
    initial.push(Person::new(5, "Twin", "Of1").with_email("P1@example.com", true));
    let app = spawn_app().await;
    app.sign_in().await;
    app.sandbox
        .pipedrive()
        .add_filter_with_persons(FILTER as u64, "Mirror", initial);
    app.refresh().await;

    let job = app.sync(FILTER).await;

    assert_eq!(counts(&job), [3, 0, 0, 2, 0, 0]);
    let skipped = app.changes(&job, "action=skipped").await;
    let reasons: Vec<(Value, Value)> = skipped
        .iter()
        .map(|c| (c["person_id"].clone(), c["reason"].clone()))
        .collect();
    assert!(reasons.contains(&(json!(4), json!("no email address in Pipedrive"))));
    assert!(reasons.contains(&(
        json!(5),
        json!("the address is on another person of the filter")
    )));
}

/// `members` synced, then `leaving` of them leave the filter.
async fn brake_case(members: u64, leaving: u64) -> (TestApp, Value) {
    let app = synced_app(persons(1..members + 1)).await;
    app.sandbox
        .pipedrive()
        .set_persons(FILTER as u64, persons(leaving + 1..members + 1));
    let job = app.sync(FILTER).await;
    (app, job)
}

#[tokio::test]
async fn the_brake_lets_twenty_removals_through_and_holds_twenty_one() {
    let (_, job) = brake_case(200, 20).await;
    assert_eq!(
        (job["status"].clone(), job["total_removed"].clone()),
        (json!("completed"), json!(20))
    );

    let (app, job) = brake_case(200, 21).await;
    assert_eq!(job["status"], "failed");
    assert_eq!(
        (job["total_removed"].clone(), job["total_held"].clone()),
        (json!(0), json!(21))
    );
    let message = job["error_message"].as_str().unwrap();
    assert!(
        message.starts_with("removal brake: 21 of the list's 200 members"),
        "{message}"
    );
    assert!(message.contains("allow_mass_removal"), "{message}");
    assert_eq!(app.members().await.len(), 200, "nobody was removed");
    assert_eq!(app.changes(&job, "action=held").await.len(), 21);
}

#[tokio::test]
async fn the_brake_lets_ten_percent_through_and_holds_more_until_confirmed() {
    let (_, job) = brake_case(250, 25).await;
    assert_eq!(
        (job["status"].clone(), job["total_removed"].clone()),
        (json!("completed"), json!(25))
    );

    let (app, job) = brake_case(250, 26).await;
    assert_eq!(
        (job["status"].clone(), job["total_held"].clone()),
        (json!("failed"), json!(26))
    );

    let confirmed = app.sync_with(json!({"allow_mass_removal": true})).await;
    assert_eq!(confirmed["status"], "completed", "{confirmed}");
    assert_eq!(confirmed["total_removed"], 26);
    assert_eq!(app.members().await, emails(&persons(27..251)));
}

#[tokio::test]
async fn a_dry_run_writes_nothing_to_brevo_and_logs_what_a_sync_would_do() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.sandbox
        .pipedrive()
        .add_filter_with_persons(FILTER as u64, "Mirror", persons(1..41));
    app.refresh().await;

    let preview = app.sync_with(json!({"dry_run": true})).await;

    assert_eq!(preview["status"], "completed");
    assert_eq!(preview["dry_run"], true);
    assert_eq!(counts(&preview), [40, 0, 0, 0, 0, 0]);
    assert!(app.brevo_writes().is_empty(), "{:?}", app.brevo_writes());
    assert!(
        app.sandbox.brevo().lists().is_empty(),
        "no list was created"
    );
    assert_eq!(app.changes(&preview, "action=added").await.len(), 40);

    // Past the brake, a dry run still completes and shows the removals.
    assert_eq!(app.sync(FILTER).await["total_added"], 40);
    app.sandbox
        .pipedrive()
        .set_persons(FILTER as u64, persons(1..11));
    let writes = app.brevo_writes().len();
    let preview = app.sync_with(json!({"dry_run": true})).await;
    assert_eq!(
        (preview["status"].clone(), preview["total_removed"].clone()),
        (json!("completed"), json!(30))
    );
    assert_eq!(app.brevo_writes().len(), writes);
    assert_eq!(app.members().await.len(), 40);
}

#[tokio::test]
async fn a_renamed_filter_renames_its_list_and_keeps_its_id() {
    let app = synced_app(persons(1..3)).await;
    let list_id = app.list_id_of(FILTER).await;
    app.sandbox
        .pipedrive()
        .rename_filter(FILTER as u64, "Mirror, renamed");
    app.refresh().await;

    assert_eq!(app.sync(FILTER).await["status"], "completed");

    assert_eq!(app.list_id_of(FILTER).await, list_id);
    let list = app
        .sandbox
        .brevo()
        .lists()
        .into_iter()
        .find(|l| l.id == list_id)
        .unwrap();
    assert_eq!(list.name, "Mirror, renamed");
    let filter: Value = app
        .get(&format!("/api/filters/{FILTER}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(filter["brevo_list_name"], "Mirror, renamed");
}

#[tokio::test]
async fn an_additive_filter_never_removes() {
    let app = synced_app(persons(1..31)).await;
    let response = app
        .client
        .patch(app.url(&format!("/api/filters/{FILTER}")))
        .json(&json!({"mode": "additive"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["mode"], "additive");
    app.sandbox
        .pipedrive()
        .set_persons(FILTER as u64, persons(5..31));

    let job = app.sync(FILTER).await;

    assert_eq!(counts(&job), [0, 0, 0, 0, 0, 26]);
    assert_eq!(app.members().await.len(), 30);
}

#[tokio::test]
async fn filter_settings_are_validated_and_stored() {
    let app = synced_app(persons(1..2)).await;
    let patch = |body: Value| {
        app.client
            .patch(app.url(&format!("/api/filters/{FILTER}")))
            .json(&body)
            .send()
    };
    for bad in [
        json!({"mode": "bogus"}),
        json!({"mode": 1}),
        json!([null, null]),
        json!({"schedule_minutes": 0}),
        json!({"schedule_minutes": 10081}),
        json!({"schedule_minutes": "60"}),
        json!({"schedule_minutes": 1.5}),
        json!({"colour": "red"}),
        json!([]),
    ] {
        let response = patch(bad.clone()).await.unwrap();
        assert_eq!(response.status(), 422, "{bad}");
        assert_problem(response, 422, "invalid_body").await;
    }
    let set: Value = patch(json!({"schedule_minutes": 60.0}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (set["schedule_minutes"].clone(), set["mode"].clone()),
        (json!(60), json!("mirror"))
    );
    assert!(set["next_sync_at"].is_string(), "{set}");
    let cleared: Value = patch(json!({"schedule_minutes": null}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            cleared["schedule_minutes"].clone(),
            cleared["next_sync_at"].clone()
        ),
        (Value::Null, Value::Null)
    );
    let missing = app
        .client
        .patch(app.url("/api/filters/424242"))
        .json(&json!({"mode": "mirror"}))
        .send()
        .await
        .unwrap();
    assert_problem(missing, 404, "filter_not_found").await;
}

#[tokio::test]
async fn bad_sync_bodies_and_change_queries_are_4xx_problems() {
    let app = synced_app(persons(1..2)).await;
    let path = format!("/api/filters/{FILTER}/sync");
    for bad in [
        json!({"dry_run": "yes"}),
        json!({"allow_mass_removal": 1}),
        json!({"bogus": true}),
    ] {
        assert_problem(app.post_json(&path, &bad).await, 422, "invalid_body").await;
    }
    let truncated = app
        .client
        .post(app.url(&path))
        .header("content-type", "application/json")
        .body("{\"dry_run\":")
        .send()
        .await
        .unwrap();
    assert_problem(truncated, 400, "malformed_json").await;
    for not_an_object in [Value::Null, json!([true, false]), json!("dry_run")] {
        assert_problem(
            app.post_json(&path, &not_an_object).await,
            422,
            "invalid_body",
        )
        .await;
    }
    let job = app.sync_with(json!({})).await;
    assert_eq!(
        (job["status"].clone(), job["dry_run"].clone()),
        (json!("completed"), json!(false))
    );
    let changes = format!("/api/sync-jobs/{}/changes", job["id"]);
    for query in [
        "action=deleted",
        "limit=0",
        "limit=201",
        "before=0",
        "bogus=1",
    ] {
        assert_problem(
            app.get(&format!("{changes}?{query}")).await,
            400,
            "invalid_query",
        )
        .await;
    }
    assert_problem(
        app.get("/api/sync-jobs/999999/changes").await,
        404,
        "sync_job_not_found",
    )
    .await;
    assert_problem(
        app.get("/api/sync-jobs/999999/changes.csv").await,
        404,
        "sync_job_not_found",
    )
    .await;
}

#[tokio::test]
async fn the_change_log_pages_searches_and_downloads_as_quoted_csv() {
    let mut initial = persons(1..8);
    initial.push(Person::new(8, "Odd", "Address").with_email("a, \"b\"\nc", true));
    let app = spawn_app().await;
    app.sign_in().await;
    app.sandbox
        .pipedrive()
        .add_filter_with_persons(FILTER as u64, "Mirror", initial);
    app.refresh().await;
    let job = app.sync(FILTER).await;
    let changes = format!("/api/sync-jobs/{}/changes", job["id"]);

    let first: Value = app
        .get(&format!("{changes}?limit=3"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    let before = first["next_before"].as_i64().unwrap();
    let rest: Value = app
        .get(&format!("{changes}?before={before}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 5);
    assert_eq!(rest["next_before"], Value::Null);
    let found = app.changes(&job, "email=P7@EXAMPLE").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["email"], "p7@example.com");

    let response = app.get(&format!("{changes}.csv")).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let body = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["action", "email", "person_id", "reason"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 8);
    let odd = rows.iter().find(|r| &r[2] == "8").unwrap();
    assert_eq!(&odd[0], "skipped");
    assert_eq!(&odd[3], "not a valid email address: \"a, \\\"b\\\"\\nc\"");
}

#[tokio::test]
async fn removals_are_retried_after_a_brevo_server_error_and_a_429() {
    let app = synced_app(persons(1..31)).await;
    let list_id = app.list_id_of(FILTER).await;
    let remove = format!("/v3/contacts/lists/{list_id}/contacts/remove");
    app.sandbox.script(
        Api::Brevo,
        &remove,
        upstream_sandbox::Fault::Status {
            status: 502,
            headers: vec![],
            body: String::new(),
        },
    );
    app.sandbox.script(
        Api::Brevo,
        &remove,
        upstream_sandbox::Fault::TooManyRequests {
            retry_after: Some("1".into()),
            reset_secs: None,
        },
    );
    app.sandbox
        .pipedrive()
        .set_persons(FILTER as u64, persons(3..31));

    let job = app.sync(FILTER).await;

    assert_eq!(
        (job["status"].clone(), job["total_removed"].clone()),
        (json!("completed"), json!(2))
    );
    assert_eq!(app.members().await, emails(&persons(3..31)));
}

#[tokio::test]
async fn old_change_logs_are_pruned_in_batches_and_their_jobs_kept() {
    let app = synced_app(persons(1..31)).await;
    app.sandbox
        .pipedrive()
        .set_persons(FILTER as u64, persons(1..41));
    let job = app.sync_with(json!({"dry_run": true})).await;
    let job_id = job["id"].as_i64().unwrap();
    // A year old: past CHANGE_LOG_DAYS (90).
    sqlx::query("UPDATE sync_jobs SET created_at = created_at - 365 * 86400 WHERE id < ?1")
        .bind(job_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let cutoff = pipedrive_brevo_sync::domain::time::UnixTime(
        pipedrive_brevo_sync::domain::time::UnixTime::now().0 - 90 * 86_400,
    );
    let prune = || pipedrive_brevo_sync::db::changes::prune(&app.pool, cutoff, 7);

    assert_eq!(prune().await.unwrap(), 7);
    let mut pruned = 7;
    loop {
        match prune().await.unwrap() {
            0 => break,
            rows => pruned += rows,
        }
    }

    assert_eq!(pruned, 30, "the first job's 30 added rows");
    assert_eq!(
        app.changes(&job, "").await.len(),
        10,
        "the young job keeps its log"
    );
    let old: Value = app
        .get("/api/sync-jobs?limit=1&before=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(old["items"][0]["total_added"], 30, "job rows stay forever");
}

#[tokio::test]
async fn addresses_brevo_reports_as_already_out_of_the_list_are_logged_as_skipped() {
    let app = synced_app(persons(1..31)).await;
    let list_id = app.list_id_of(FILTER).await;
    app.sandbox.script(
        Api::Brevo,
        &format!("/v3/contacts/lists/{list_id}/contacts/remove"),
        upstream_sandbox::Fault::Status {
            status: 201,
            headers: vec![],
            body: r#"{"contacts":{"success":["p1@example.com"],"failure":["p2@example.com"]}}"#
                .into(),
        },
    );
    app.sandbox
        .pipedrive()
        .set_persons(FILTER as u64, persons(3..31));

    let job = app.sync(FILTER).await;

    assert_eq!(counts(&job), [0, 0, 1, 1, 0, 28]);
    let skipped = app.changes(&job, "action=skipped").await;
    assert_eq!(
        (skipped[0]["email"].clone(), skipped[0]["reason"].clone()),
        (
            json!("p2@example.com"),
            json!("already out of the list in Brevo")
        )
    );
}
