//! The scheduler's timing, tick by tick at explicit times, against the real database: due
//! filters start exactly one interval after their newest sync, at most the concurrency at
//! once, once however overdue. The jobs are started by a stand-in for the runner that
//! records them at the tick's time and ends them when the test says.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc, Mutex,
    },
};

use pipedrive_brevo_sync::{
    alerts::Alerts,
    config::AutomationSettings,
    db::{self, SqlitePool},
    domain::{
        filter::{FilterId, RemoteFilter},
        sync_job::{JobCounts, JobOptions, JobStatus, SyncJob, SyncJobId, Trigger},
        time::UnixTime,
    },
    sync::{
        runner::StartError,
        scheduler::{Scheduler, Slot, StartJob, Tick},
    },
    upstream::usage::DayUsage,
    usage::Usage,
};

const T0: i64 = 1_800_000_000;

/// Starts jobs as the runner does (the same atomic insert), at the test's time; a job runs
/// until [`Jobs::finish`].
#[derive(Clone)]
struct Jobs {
    pool: SqlitePool,
    now: Arc<AtomicI64>,
    running: Arc<Mutex<HashMap<FilterId, (SyncJobId, Slot)>>>,
}

impl StartJob for Jobs {
    async fn start_scheduled(
        &self,
        filter_id: FilterId,
        trigger: Trigger,
        slot: Slot,
    ) -> Result<SyncJob, StartError> {
        let at = UnixTime(self.now.load(Ordering::SeqCst));
        let job = db::sync_jobs::start(&self.pool, filter_id, at, JobOptions::default(), trigger)
            .await?
            .ok_or(StartError::FilterNotFound(filter_id))?;
        self.running
            .lock()
            .unwrap()
            .insert(filter_id, (job.id, slot));
        Ok(job)
    }
}

impl Jobs {
    async fn finish(&self, filter: i64) {
        let (job_id, slot) = self
            .running
            .lock()
            .unwrap()
            .remove(&FilterId(filter))
            .expect("running");
        let at = UnixTime(self.now.load(Ordering::SeqCst));
        db::sync_jobs::finish(
            &self.pool,
            job_id,
            JobStatus::Completed,
            at,
            &JobCounts::default(),
            None,
        )
        .await
        .unwrap();
        drop(slot);
    }
}

struct Setup {
    pool: SqlitePool,
    jobs: Jobs,
    scheduler: Scheduler<Jobs>,
    _dir: tempfile::TempDir,
}

impl Setup {
    async fn new(concurrency: usize) -> Self {
        Self::with_budget(concurrency, None).await
    }

    async fn with_budget(concurrency: usize, budget: Option<u64>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pool = db::connect(&format!("sqlite:{}", dir.path().join("app.db").display()))
            .await
            .unwrap();
        let jobs = Jobs {
            pool: pool.clone(),
            now: Arc::new(AtomicI64::new(T0)),
            running: Arc::default(),
        };
        let alerts = Alerts::new(pool.clone(), &AutomationSettings::default()).0;
        let usage = Usage::new(pool.clone(), Default::default(), budget);
        let scheduler = Scheduler::new(pool.clone(), jobs.clone(), concurrency, alerts, usage);
        Self {
            pool,
            jobs,
            scheduler,
            _dir: dir,
        }
    }

    /// A filter; with `schedule` minutes set at `T0`.
    async fn filter(&self, id: i64, schedule: Option<u32>) {
        let mut conn = self.pool.acquire().await.unwrap();
        let remote = RemoteFilter {
            id: FilterId(id),
            name: format!("Filter {id}"),
        };
        db::filters::insert(&mut conn, &remote).await.unwrap();
        db::filters::update_settings(&self.pool, FilterId(id), None, Some(schedule), UnixTime(T0))
            .await
            .unwrap();
    }

    /// The filters whose jobs the tick at `T0 + at` started.
    async fn tick(&self, at: i64) -> Vec<i64> {
        let tick = self.tick_at(at).await;
        assert!(tick.held.is_empty(), "{tick:?}");
        tick.started.iter().map(|job| job.filter_id.0).collect()
    }

    async fn tick_at(&self, at: i64) -> Tick {
        self.jobs.now.store(T0 + at, Ordering::SeqCst);
        let tick = self.scheduler.tick(UnixTime(T0 + at)).await.unwrap();
        for job in &tick.started {
            assert_eq!(job.trigger, Trigger::Schedule);
            assert_eq!(job.created_at, UnixTime(T0 + at));
        }
        tick
    }

    async fn finish(&self, filter: i64, at: i64) {
        self.jobs.now.store(T0 + at, Ordering::SeqCst);
        self.jobs.finish(filter).await;
    }

    async fn next_sync_at(&self, id: i64) -> Option<i64> {
        let filter = db::filters::get(&self.pool, FilterId(id))
            .await
            .unwrap()
            .unwrap()
            .filter;
        filter.next_sync_at.map(|t| t.0 - T0)
    }
}

#[tokio::test]
async fn a_schedule_starts_one_interval_after_it_is_set_and_after_each_sync_start() {
    let s = Setup::new(2).await;
    s.filter(1, Some(5)).await;
    assert_eq!(s.next_sync_at(1).await, Some(300));
    assert!(s.tick(299).await.is_empty());
    assert_eq!(s.tick(300).await, [1]);
    // Running: not started again, however long it runs.
    assert_eq!(s.next_sync_at(1).await, Some(600));
    assert!(s.tick(301).await.is_empty());
    assert!(s.tick(700).await.is_empty());
    s.finish(1, 710).await;
    // Overdue since 600: once now, then one interval after this start.
    assert_eq!(s.tick(711).await, [1]);
    s.finish(1, 720).await;
    assert!(s.tick(1010).await.is_empty());
    assert_eq!(s.tick(1011).await, [1]);
}

#[tokio::test]
async fn an_overdue_filter_runs_once_however_many_intervals_it_missed() {
    let s = Setup::new(2).await;
    s.filter(1, Some(1)).await;
    // The service was down for a day.
    assert_eq!(s.tick(86_400).await, [1]);
    s.finish(1, 86_401).await;
    assert!(s.tick(86_402).await.is_empty());
    assert!(s.tick(86_459).await.is_empty());
    assert_eq!(s.tick(86_460).await, [1]);
}

#[tokio::test]
async fn no_more_than_the_concurrency_run_at_once_the_most_overdue_first() {
    let s = Setup::new(2).await;
    for (id, minutes) in [(1, 10), (2, 1), (3, 5), (4, 2)] {
        s.filter(id, Some(minutes)).await;
    }
    // Due at 60, 120, 300, 600: at 600 all are; 2 and 4 were due first.
    assert_eq!(s.tick(600).await, [2, 4]);
    assert!(s.tick(601).await.is_empty());
    s.finish(4, 602).await;
    assert_eq!(s.tick(603).await, [3]);
    s.finish(2, 604).await;
    s.finish(3, 604).await;
    // Two free slots, one due filter: 2's next run is one minute after its start at 600.
    assert_eq!(s.tick(605).await, [1]);
    assert!(s.tick(659).await.is_empty());
    assert_eq!(s.tick(660).await, [2]);
}

#[tokio::test]
async fn deleted_and_unscheduled_filters_never_run_and_previews_do_not_move_the_schedule() {
    let s = Setup::new(2).await;
    s.filter(1, None).await;
    s.filter(2, Some(1)).await;
    s.filter(3, Some(1)).await;
    let mut conn = s.pool.acquire().await.unwrap();
    db::filters::soft_delete(&mut conn, FilterId(3), UnixTime(T0))
        .await
        .unwrap();
    drop(conn);
    assert_eq!(s.next_sync_at(1).await, None);
    assert_eq!(s.next_sync_at(3).await, None);

    // A preview at 30 s, and a manual sync of filter 1.
    let options = JobOptions {
        dry_run: true,
        ..JobOptions::default()
    };
    let preview = db::sync_jobs::start(
        &s.pool,
        FilterId(2),
        UnixTime(T0 + 30),
        options,
        Trigger::Manual,
    )
    .await
    .unwrap()
    .unwrap();
    db::sync_jobs::finish(
        &s.pool,
        preview.id,
        JobStatus::Completed,
        UnixTime(T0 + 31),
        &JobCounts::default(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(s.next_sync_at(2).await, Some(60));
    assert_eq!(s.tick(7 * 86_400).await, [2]);
}

#[tokio::test]
async fn a_manual_sync_counts_as_the_newest_and_a_running_one_is_not_joined() {
    let s = Setup::new(2).await;
    s.filter(1, Some(1)).await;
    let manual = db::sync_jobs::start(
        &s.pool,
        FilterId(1),
        UnixTime(T0 + 50),
        JobOptions::default(),
        Trigger::Manual,
    )
    .await
    .unwrap()
    .unwrap();
    assert!(s.tick(110).await.is_empty(), "the manual sync still runs");
    db::sync_jobs::finish(
        &s.pool,
        manual.id,
        JobStatus::Failed,
        UnixTime(T0 + 111),
        &JobCounts::default(),
        Some("x"),
    )
    .await
    .unwrap();
    assert_eq!(s.tick(112).await, [1]);
}

#[tokio::test]
async fn a_scheduled_sync_that_would_pass_the_budget_waits_for_the_next_utc_day() {
    // 10,000 persons: 20 pages of 10 tokens and the person fields, about 210 tokens.
    let s = Setup::with_budget(2, Some(1_000)).await;
    s.filter(1, Some(1)).await;
    s.filter(2, Some(1)).await;
    let big = db::sync_jobs::start(
        &s.pool,
        FilterId(1),
        UnixTime(T0 - 10),
        JobOptions::default(),
        Trigger::Manual,
    )
    .await
    .unwrap()
    .unwrap();
    let counts = JobCounts {
        fetched: 10_000,
        ..JobCounts::default()
    };
    db::sync_jobs::finish(
        &s.pool,
        big.id,
        JobStatus::Completed,
        UnixTime(T0 - 5),
        &counts,
        None,
    )
    .await
    .unwrap();
    // Spent today by this service: 850 of 1,000. Filter 2 (never synced, ~20) still fits.
    let today = UnixTime(T0 + 60).utc_date();
    db::usage::add(
        &s.pool,
        &[DayUsage {
            date: today,
            pipedrive_tokens: 850,
            brevo_requests: 0,
        }],
    )
    .await
    .unwrap();

    let tick = s.tick_at(60).await;
    assert_eq!(
        tick.started
            .iter()
            .map(|j| j.filter_id.0)
            .collect::<Vec<_>>(),
        [2]
    );
    assert_eq!(tick.held, [FilterId(1)]);
    let midnight = UnixTime(T0 + 60).next_utc_midnight();
    let filter = db::filters::get(&s.pool, FilterId(1))
        .await
        .unwrap()
        .unwrap()
        .filter;
    assert_eq!(filter.next_sync_at, Some(midnight));
    let hold = filter.schedule_hold.expect("the filter says why it waits");
    assert_eq!(hold.until, midnight);
    assert!(
        hold.reason.contains("850 of today's 1000 tokens"),
        "{}",
        hold.reason
    );
    assert!(hold.reason.contains("about 210"), "{}", hold.reason);

    // Not before midnight; then it runs, and the hold is gone.
    assert!(s.tick_at(midnight.0 - T0 - 1).await.started.is_empty());
    let tick = s.tick_at(midnight.0 - T0).await;
    assert_eq!(
        tick.started
            .iter()
            .map(|j| j.filter_id.0)
            .collect::<Vec<_>>(),
        [1]
    );
    let filter = db::filters::get(&s.pool, FilterId(1))
        .await
        .unwrap()
        .unwrap()
        .filter;
    assert_eq!(filter.schedule_hold, None);
}
