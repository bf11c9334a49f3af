//! Items 1, 2 and 8: a job survives `kill -9` and SIGTERM as a recorded end, and a re-run
//! after faults leaves Brevo holding exactly the source set.

use std::time::{Duration, Instant};

use upstream_sandbox::{Api, Fault};

use crate::harness::{emails, persons, Rig};

const SLOW_PAGE: Duration = Duration::from_millis(1500);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_killed_mid_sync_is_failed_as_interrupted_at_the_next_start_and_can_run_again() {
    let mut rig = Rig::new().await;
    rig.sign_in().await;
    let source = persons(1, 2_345);
    rig.add_filter(7, source.clone()).await;
    rig.sandbox
        .script_always(Api::Pipedrive, "/api/v2/persons", Fault::Delay(SLOW_PAGE));
    let job = rig.start_sync(7).await;

    rig.wait_for_person_requests(3, Duration::from_secs(20))
        .await;
    rig.take_server().kill9();
    rig.sandbox.clear_faults();
    let boot = Instant::now();
    rig.start().await;

    let failed = rig.get(&format!("/api/sync-jobs/{job}")).await;
    let since_boot = boot.elapsed();
    eprintln!(
        "item 1: job {job} read as {} {:?} after the restart began",
        failed["status"], since_boot
    );
    assert!(since_boot < Duration::from_secs(5), "{since_boot:?}");
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(failed["error_message"]
        .as_str()
        .unwrap()
        .contains("interrupted"));
    assert!(failed["completed_at"].is_string());
    rig.assert_job_invariants().await;

    let again = rig.start_sync(7).await;
    let done = rig.wait_for_job(again, Duration::from_secs(60)).await;
    assert_eq!(done["status"], "completed", "{done}");
    let (members, duplicates) = rig.brevo_members(7).await;
    assert_eq!((members, duplicates), (emails(&source), 0));
    rig.assert_job_invariants().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_sync_exits_zero_within_thirty_seconds_and_records_the_job_end() {
    let mut rig = Rig::new().await;
    rig.sign_in().await;
    rig.add_filter(7, persons(1, 2_345)).await;
    rig.sandbox
        .script_always(Api::Pipedrive, "/api/v2/persons", Fault::Delay(SLOW_PAGE));
    let job = rig.start_sync(7).await;
    rig.wait_for_person_requests(2, Duration::from_secs(20))
        .await;

    let (status, took) = rig.take_server().terminate(Duration::from_secs(35));

    assert!(status.success(), "exit status {status:?}");
    assert!(took <= Duration::from_secs(30), "took {took:?}");
    let (state, message): (String, Option<String>) =
        sqlx::query_as("SELECT status, error_message FROM sync_jobs WHERE id = ?")
            .bind(job)
            .fetch_one(&mut rig.db().await)
            .await
            .unwrap();
    let message = message.unwrap_or_default();
    assert!(
        state == "completed"
            || (state == "failed" && message.contains("cancelled: the server shut down")),
        "{state}: {message}"
    );
    rig.assert_job_invariants().await;
    eprintln!("item 2: SIGTERM → exit 0 after {took:?}; job {state}: {message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncs_after_a_429_and_a_kill_at_page_four_end_with_brevo_equal_to_the_source() {
    let mut rig = Rig::new().await;
    rig.sign_in().await;
    let source = persons(1, 2_345);
    rig.add_filter(7, source.clone()).await;

    // Twice without faults: 2,345 unique emails in 5 pages, both times.
    for _ in 0..2 {
        let job = rig.start_sync(7).await;
        let done = rig.wait_for_job(job, Duration::from_secs(60)).await;
        assert_eq!(done["status"], "completed", "{done}");
        assert_eq!(done["total_fetched"], 2_345);
        let (members, duplicates) = rig.brevo_members(7).await;
        assert_eq!((members.len(), duplicates), (2_345, 0));
    }
    assert_eq!(rig.person_pages_requested(), 10, "5 pages a sync");

    // A 429 on page 3, then kill -9 while page 4 is being fetched, into a new list.
    let fresh = persons(10_001, 2_345);
    rig.add_filter(8, fresh.clone()).await;
    let before = rig.person_pages_requested();
    rig.sandbox
        .script_always(Api::Pipedrive, "/api/v2/persons", Fault::Delay(SLOW_PAGE));
    let job = rig.start_sync(8).await;
    rig.wait_for_person_requests(before + 2, Duration::from_secs(20))
        .await;
    rig.sandbox.script(
        Api::Pipedrive,
        "/api/v2/persons",
        Fault::TooManyRequests {
            retry_after: Some("1".into()),
            reset_secs: Some(1),
        },
    );
    // page 1, page 2, page 3 (429), page 3 again, page 4
    rig.wait_for_person_requests(before + 5, Duration::from_secs(30))
        .await;
    assert_eq!(rig.sandbox.request_counts(Api::Pipedrive).rate_limited, 1);
    rig.take_server().kill9();
    rig.sandbox.clear_faults();
    rig.start().await;
    let interrupted = rig.get(&format!("/api/sync-jobs/{job}")).await;
    assert_eq!(interrupted["status"], "failed");
    rig.assert_job_invariants().await;

    let rerun = rig.start_sync(8).await;
    let done = rig.wait_for_job(rerun, Duration::from_secs(60)).await;
    assert_eq!(done["status"], "completed", "{done}");
    let (members, duplicates) = rig.brevo_members(8).await;
    let expected = emails(&fresh);
    let missing = expected.difference(&members).count();
    let extra = members.difference(&expected).count();
    eprintln!("item 8: after 429 + kill -9 + re-run: missing {missing}, extra {extra}, duplicates {duplicates}");
    assert_eq!((missing, extra, duplicates), (0, 0, 0));
    // The first filter's list is untouched by all this.
    assert_eq!(rig.brevo_members(7).await.0, emails(&source));
    rig.assert_job_invariants().await;
}
