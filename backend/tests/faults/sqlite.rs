//! Items 26, 27 and 28: writers under a foreign write lock, a live backup, and `kill -9`
//! during writes. The writes are sign-ins: each 204 is a `session` row whose id is the
//! SHA-256 of the token in the cookie, so every acknowledged write can be looked up.

use std::{
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use serde_json::json;
use tokio::task::JoinSet;

use crate::harness::{integrity_check, session_cookie, sha256_hex, sqlite3, token_of, Rig};

/// What the writers saw.
#[derive(Default)]
struct Writes {
    /// Session cookie values of the 204s.
    acknowledged: Vec<String>,
    server_errors: usize,
    /// Refused connections and other transport errors (expected only after a kill).
    transport_errors: usize,
}

/// `writers` tasks signing in as fast as they can until `stop` is set or `limit` passes.
fn start_writers(
    url: String,
    password: String,
    writers: usize,
    limit: Duration,
    stop: Arc<AtomicBool>,
) -> (Arc<Mutex<Writes>>, JoinSet<()>) {
    let writes = Arc::new(Mutex::new(Writes::default()));
    let mut tasks = JoinSet::new();
    let deadline = Instant::now() + limit;
    for _ in 0..writers {
        let (url, password, writes, stop) =
            (url.clone(), password.clone(), writes.clone(), stop.clone());
        tasks.spawn(async move {
            let client = reqwest::Client::new();
            while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
                let sent = client
                    .post(&url)
                    .json(&json!({ "password": password }))
                    .send()
                    .await;
                let mut writes = writes.lock().unwrap();
                match sent {
                    Ok(r) if r.status().is_success() => {
                        writes.acknowledged.push(session_cookie(&r).unwrap())
                    }
                    Ok(r) if r.status().is_server_error() => writes.server_errors += 1,
                    Ok(r) => panic!("unexpected {}", r.status()),
                    Err(_) => writes.transport_errors += 1,
                }
            }
        });
    }
    (writes, tasks)
}

async fn missing_sessions(rig: &Rig, cookies: &[String]) -> usize {
    let mut db = rig.db().await;
    let mut missing = 0;
    for cookie in cookies {
        let found: Option<String> = sqlx::query_scalar("SELECT id FROM session WHERE id = ?")
            .bind(sha256_hex(&token_of(cookie)))
            .fetch_optional(&mut db)
            .await
            .unwrap();
        missing += usize::from(found.is_none());
    }
    missing
}

fn seconds(var: &str, default: u64) -> Duration {
    Duration::from_secs(
        std::env::var(var)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_writers_ride_out_a_two_second_foreign_write_lock_without_a_5xx() {
    // RELIABILITY_WRITE_SECS=60 for the checklist's full minute.
    let duration = seconds("RELIABILITY_WRITE_SECS", 8);
    let rig = Rig::new().await;
    let stop = Arc::new(AtomicBool::new(false));
    let (writes, mut tasks) = start_writers(
        rig.url("/api/auth/login"),
        rig.password(),
        20,
        duration,
        stop,
    );

    tokio::time::sleep(duration / 4).await;
    // Another process takes the write lock and keeps it for 2 s.
    let mut holder = Command::new("sqlite3")
        .arg(rig.db_path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = holder.stdin.take().unwrap();
    writeln!(stdin, ".timeout 10000\nBEGIN IMMEDIATE;\nSELECT 'locked';").unwrap();
    let mut line = String::new();
    BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "locked");
    let before_lock = writes.lock().unwrap().acknowledged.len();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let during_lock = writes.lock().unwrap().acknowledged.len() - before_lock;
    writeln!(stdin, "COMMIT;").unwrap();
    drop(stdin);
    assert!(holder.wait().unwrap().success());

    while tasks.join_next().await.is_some() {}
    let writes = std::mem::take(&mut *writes.lock().unwrap());
    eprintln!(
        "item 26: {:?} of 20 writers, 2 s lock: {} sign-ins committed ({} acknowledged during the lock), {} 5xx, {} transport errors",
        duration,
        writes.acknowledged.len(),
        during_lock,
        writes.server_errors,
        writes.transport_errors
    );
    assert_eq!((writes.server_errors, writes.transport_errors), (0, 0));
    assert_eq!(missing_sessions(&rig, &writes.acknowledged).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_is_intact_and_serves_sign_ins_when_restored() {
    let mut rig = Rig::new().await;
    rig.sign_in().await;
    let stop = Arc::new(AtomicBool::new(false));
    let (writes, mut tasks) = start_writers(
        rig.url("/api/auth/login"),
        rig.password(),
        10,
        Duration::from_secs(30),
        stop.clone(),
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let backups = tempfile::tempdir().unwrap();
    let under_load = backups.path().join("under-load.db");

    let acked_before = writes.lock().unwrap().acknowledged.clone();
    let out = rig
        .command()
        .args(["backup", under_load.to_str().unwrap()])
        .output()
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    while tasks.join_next().await.is_some() {}

    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("wrote a backup of") && stdout.contains("under-load.db"),
        "{stdout}"
    );
    assert_eq!(integrity_check(&under_load), "ok");
    let in_backup: usize = sqlite3(&under_load, "SELECT count(*) FROM session;")
        .parse()
        .unwrap();
    let writes = std::mem::take(&mut *writes.lock().unwrap());
    assert_eq!(writes.server_errors, 0);
    // Everything acknowledged before the backup started is in it; at most what was
    // acknowledged by the end.
    assert!(in_backup > acked_before.len() && in_backup <= writes.acknowledged.len() + 1);
    for cookie in &acked_before {
        let id = sha256_hex(&token_of(cookie));
        let found = sqlite3(
            &under_load,
            &format!("SELECT count(*) FROM session WHERE id = '{id}';"),
        );
        assert_eq!(found, "1");
    }

    // A second backup of the now quiet database has the live row counts.
    let quiet = backups.path().join("quiet.db");
    assert!(rig
        .command()
        .args(["backup", quiet.to_str().unwrap()])
        .status()
        .unwrap()
        .success());
    let counts =
        "SELECT (SELECT count(*) FROM user) || ' ' || (SELECT count(*) FROM session) || ' ' || \
                  (SELECT count(*) FROM filters) || ' ' || (SELECT count(*) FROM sync_jobs);";
    assert_eq!(sqlite3(&quiet, counts), sqlite3(&rig.db_path(), counts));
    // It never overwrites.
    let again = rig
        .command()
        .args(["backup", quiet.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    eprintln!(
        "item 27: backup under load of 10 writers: {} sessions in it ({} acknowledged before, {} by the end); integrity ok",
        in_backup,
        acked_before.len(),
        writes.acknowledged.len()
    );

    // Restore: the copy, with the session key beside it, is a working database in which
    // the sessions it holds still sign requests in.
    let old_cookie = acked_before[0].clone();
    rig.take_server().kill9();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", rig.db_path().display()));
    }
    std::fs::copy(&under_load, rig.db_path()).unwrap();
    let restored_counts = sqlite3(&rig.db_path(), counts);
    assert_eq!(restored_counts, sqlite3(&under_load, counts));
    rig.start().await;
    let old = reqwest::Client::new()
        .get(rig.url("/api/auth/me"))
        .header("cookie", format!("pbs_session={old_cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 200, "a session from the backup signs in");
    rig.sign_in().await;
    assert!(rig.get("/api/auth/me").await["user_id"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_writes_keeps_the_database_intact_and_every_acknowledged_write() {
    let mut rig = Rig::new().await;
    let stop = Arc::new(AtomicBool::new(false));
    let (writes, mut tasks) = start_writers(
        rig.url("/api/auth/login"),
        rig.password(),
        20,
        Duration::from_secs(30),
        stop.clone(),
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    rig.take_server().kill9();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    while tasks.join_next().await.is_some() {}

    assert_eq!(integrity_check(&rig.db_path()), "ok");
    rig.start().await;
    let writes = std::mem::take(&mut *writes.lock().unwrap());
    let missing = missing_sessions(&rig, &writes.acknowledged).await;
    eprintln!(
        "item 28: kill -9 after 3 s of 20 writers: {} acknowledged, {} missing after restart, {} 5xx; integrity ok",
        writes.acknowledged.len(),
        missing,
        writes.server_errors
    );
    assert!(writes.acknowledged.len() > 20);
    assert_eq!((missing, writes.server_errors), (0, 0));
}
