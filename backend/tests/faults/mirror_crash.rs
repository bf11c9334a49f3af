//! The mirror after `kill -9`: a job killed while it removes leavers (and writes their
//! change-log rows) leaves nothing the next sync does not converge.

use std::time::Duration;

use upstream_sandbox::{Api, Fault};

use crate::harness::{emails, persons, Rig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_killed_while_removing_is_converged_by_the_next_sync() {
    let mut rig = Rig::new().await;
    rig.sign_in().await;
    rig.add_filter(7, persons(1, 1_000)).await;
    let first = rig.start_sync(7).await;
    assert_eq!(
        rig.wait_for_job(first, Duration::from_secs(60)).await["status"],
        "completed"
    );
    // 100 of 1,000 leave (10 %: under the brake), 50 join; removal calls hang a while.
    let now = persons(101, 950);
    rig.sandbox.pipedrive().set_persons(7, now.clone());
    rig.sandbox.script_always(
        Api::Brevo,
        "/v3/contacts/lists/",
        Fault::Delay(Duration::from_millis(1_500)),
    );
    let killed = rig.start_sync(7).await;

    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !rig
        .sandbox
        .requests()
        .iter()
        .any(|r| r.api == Api::Brevo && r.path.ends_with("/contacts/remove"))
    {
        assert!(std::time::Instant::now() < deadline, "no removal was sent");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    rig.take_server().kill9();
    rig.sandbox.clear_faults();
    rig.start().await;

    let interrupted = rig.get(&format!("/api/sync-jobs/{killed}")).await;
    assert_eq!(interrupted["status"], "failed", "{interrupted}");
    let again = rig.start_sync(7).await;
    let done = rig.wait_for_job(again, Duration::from_secs(60)).await;
    assert_eq!(done["status"], "completed", "{done}");
    let (members, duplicates) = rig.brevo_members(7).await;
    assert_eq!((members, duplicates), (emails(&now), 0));
    rig.assert_job_invariants().await;
}
