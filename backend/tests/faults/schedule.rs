//! Schedules on the real binary: a one-minute schedule syncs on its own, and a `kill -9`
//! with scheduled jobs running is followed by one run per overdue filter, none doubled.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use upstream_sandbox::{Api, Fault};

use crate::harness::{emails, persons, Rig};

async fn set_schedule(rig: &Rig, filter_id: u64, minutes: u32) -> Value {
    let response = rig
        .client
        .patch(rig.url(&format!("/api/filters/{filter_id}")))
        .json(&json!({ "schedule_minutes": minutes }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// `(filter_id, status, started_by, created_at)` of every job, oldest first.
async fn jobs(rig: &Rig) -> Vec<(i64, String, String, i64)> {
    sqlx::query_as("SELECT filter_id, status, started_by, created_at FROM sync_jobs ORDER BY id")
        .fetch_all(&mut rig.db().await)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filter_on_a_one_minute_schedule_syncs_on_its_own_a_minute_after_it_is_set() {
    let rig = Rig::new().await;
    rig.sign_in().await;
    let source = persons(1, 120);
    rig.add_filter(7, source.clone()).await;
    let set = Instant::now();
    let filter = set_schedule(&rig, 7, 1).await;
    assert!(filter["next_sync_at"].is_string(), "{filter}");

    let deadline = set + Duration::from_secs(90);
    let job = loop {
        let page = rig.get("/api/sync-jobs?filter_id=7").await;
        let done = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|job| job["status"] == "completed")
            .cloned();
        if let Some(job) = done {
            break job;
        }
        assert!(
            Instant::now() < deadline,
            "no scheduled sync after 90 s: {page}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let waited = set.elapsed();
    eprintln!("a 1-minute schedule set at 0 s synced, completed after {waited:?}");
    assert_eq!(job["trigger"], "schedule", "{job}");
    assert!(waited >= Duration::from_secs(59), "{waited:?}");
    let (members, duplicates) = rig.brevo_members(7).await;
    assert_eq!((members, duplicates), (emails(&source), 0));
    // The next run counts from this one's start.
    let filter = rig.get("/api/filters/7").await;
    let next = time::OffsetDateTime::parse(
        filter["next_sync_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let started = time::OffsetDateTime::parse(
        job["created_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(next - started, time::Duration::minutes(1));
    rig.assert_job_invariants().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_kill_with_scheduled_jobs_running_each_overdue_filter_runs_once() {
    let mut rig = Rig::new().await;
    rig.sign_in().await;
    for id in 1..=4 {
        rig.add_filter(id, persons(id * 1_000, 400)).await;
        set_schedule(&rig, id, 60).await;
    }
    rig.sandbox.script_always(
        Api::Pipedrive,
        "/api/v2/persons",
        Fault::Delay(Duration::from_millis(1500)),
    );
    // All four overdue (by a day): the scheduler starts two (SCHEDULE_CONCURRENCY).
    sqlx::query("UPDATE filters SET schedule_set_at = unixepoch() - 86400")
        .execute(&mut rig.db().await)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while jobs(&rig).await.len() < 2 {
        assert!(Instant::now() < deadline, "no scheduled jobs started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let before = jobs(&rig).await;
    assert_eq!(before.len(), 2, "{before:?}");
    assert!(before
        .iter()
        .all(|(_, status, by, _)| status == "processing" && by == "schedule"));
    rig.take_server().kill9();

    rig.sandbox.clear_faults();
    rig.start().await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let after = jobs(&rig).await;
        let done = after
            .iter()
            .filter(|(_, status, ..)| status != "processing")
            .count();
        if after.len() == 4 && done == 4 {
            break;
        }
        assert!(Instant::now() < deadline, "{after:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A few more ticks: nothing else is due.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = jobs(&rig).await;
    eprintln!("scheduled jobs around the kill: {after:?}");
    assert_eq!(after.len(), 4, "{after:?}");
    let mut filters: Vec<i64> = after.iter().map(|(filter, ..)| *filter).collect();
    filters.sort_unstable();
    assert_eq!(filters, [1, 2, 3, 4], "one job per filter: {after:?}");
    for (filter, status, by, _) in &after {
        let killed = before.iter().any(|(f, ..)| f == filter);
        let expected = if killed { "failed" } else { "completed" };
        assert_eq!(
            (status.as_str(), by.as_str()),
            (expected, "schedule"),
            "filter {filter}"
        );
    }
    rig.assert_job_invariants().await;
}
