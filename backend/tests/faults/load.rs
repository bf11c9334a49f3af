//! Item 32: read load at 50 connections while a sync runs: no non-2xx, bounded memory, an
//! exact sync. RELIABILITY_LOAD_SECS=60 runs the checklist's full minute (default 10 s).

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use upstream_sandbox::SandboxConfig;

use crate::harness::{emails, persons, Rig};

const CONNECTIONS: usize = 50;

/// Highest RSS seen by [`sample_rss`], in KiB.
static PEAK: AtomicU64 = AtomicU64::new(0);

/// Samples the process's RSS every 200 ms into [`PEAK`] until aborted.
fn sample_rss(pid: u32) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Some(kib) = std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("VmRSS:"))
                        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                })
            {
                PEAK.fetch_max(kib, Ordering::Relaxed);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
}

struct Stats {
    requests: usize,
    non_2xx: usize,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Stats {
    fn percentile(&self, p: f64) -> Duration {
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i]
    }

    fn report(&self, label: &str) {
        eprintln!(
            "item 32 ({label}): {} requests in {:.1?} = {:.0} req/s, p50 {:.1?} p95 {:.1?} p99 {:.1?}, {} non-2xx",
            self.requests,
            self.elapsed,
            self.requests as f64 / self.elapsed.as_secs_f64(),
            self.percentile(0.50),
            self.percentile(0.95),
            self.percentile(0.99),
            self.non_2xx
        );
    }
}

/// `CONNECTIONS` tasks alternating `GET /api/sync-jobs` and `GET /api/filters`.
async fn load(rig: &Rig, duration: Duration) -> Stats {
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let non_2xx = Arc::new(Mutex::new(0usize));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..CONNECTIONS {
        let client = rig.client.clone();
        let urls = [rig.url("/api/sync-jobs"), rig.url("/api/filters")];
        let (latencies, non_2xx) = (latencies.clone(), non_2xx.clone());
        tasks.spawn(async move {
            let mut i = n;
            let mut mine = Vec::new();
            while started.elapsed() < duration {
                let sent = Instant::now();
                let response = client.get(&urls[i % 2]).send().await;
                let ok = match response {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                mine.push(sent.elapsed());
                if !ok {
                    *non_2xx.lock().unwrap() += 1;
                }
                i += 1;
            }
            latencies.lock().unwrap().extend(mine);
        });
    }
    while tasks.join_next().await.is_some() {}
    let mut latencies = std::mem::take(&mut *latencies.lock().unwrap());
    latencies.sort();
    let non_2xx = *non_2xx.lock().unwrap();
    Stats {
        requests: latencies.len(),
        non_2xx,
        latencies,
        elapsed: started.elapsed(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_connections_of_reads_during_a_sync_get_only_2xx_and_memory_stays_flat() {
    let duration = Duration::from_secs(
        std::env::var("RELIABILITY_LOAD_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10),
    );
    let config = SandboxConfig {
        // Slow enough that the sync lasts through the load.
        latency: Duration::from_millis(250),
        ..SandboxConfig::default()
    };
    let rig = Rig::with(config, Some(crate::harness::PASSWORD.into())).await;
    rig.sign_in().await;
    for filter in 1..=20 {
        rig.add_filter(100 + filter, persons(filter * 1_000, 10))
            .await;
    }
    let size = 2_000 * duration.as_secs().max(10);
    let source = persons(1_000_000, size);
    rig.add_filter(7, source.clone()).await;
    rig.add_filter(8, persons(2_000_000, size)).await;

    // Warm-up: a sync of the same size under load, so that the baseline already holds
    // what a sync and 50 connections need; what grows after it would be a leak.
    let warm_up = rig.start_sync(8).await;
    load(&rig, duration / 2).await;
    rig.wait_for_job(warm_up, duration * 3 + Duration::from_secs(60))
        .await;
    let quiet = load(&rig, duration / 2).await;
    quiet.report("no sync");
    let rss_before = rig.server().rss_kib();

    let job = rig.start_sync(7).await;
    let sampler = sample_rss(rig.server().pid());
    let busy = load(&rig, duration).await;
    busy.report("sync running");
    let still_running = rig.get(&format!("/api/sync-jobs/{job}")).await["status"] == "processing";
    let rss_end_of_load = rig.server().rss_kib();
    sampler.abort();
    let done = rig
        .wait_for_job(job, duration * 3 + Duration::from_secs(60))
        .await;
    // The same load once more, the sync over: what stays is what the load kept.
    load(&rig, duration / 4).await;
    let rss_after = rig.server().rss_kib();
    let (members, duplicates) = rig.brevo_members(7).await;
    let pct = |kib: u64| (kib as f64 - rss_before as f64) / rss_before as f64 * 100.0;
    eprintln!(
        "item 32: RSS baseline {rss_before} KiB; end of load, sync running {rss_end_of_load} KiB ({:+.1} %); \
         peak {} KiB ({:+.1} %); after the sync {rss_after} KiB ({:+.1} %); sync of {size} persons still running \
         at the end of the load: {still_running}; job {}",
        pct(rss_end_of_load),
        PEAK.load(Ordering::Relaxed),
        pct(PEAK.load(Ordering::Relaxed)),
        pct(rss_after),
        done["status"]
    );

    assert_eq!((quiet.non_2xx, busy.non_2xx), (0, 0));
    assert!(still_running, "the sync outlasts the load");
    assert!(pct(rss_after) < 10.0, "RSS grew {:.1} %", pct(rss_after));
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!((members, duplicates), (emails(&source), 0));
}
