//! The real `pipedrive-brevo-sync` binary as a child process, against the upstream sandbox
//! in-process: what `kill -9`, SIGTERM and restarts are tested on.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use reqwest::header;
use serde_json::{json, Value};
use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions, Connection, SqliteConnection};
use tempfile::TempDir;
use upstream_sandbox::{Api, LabeledValue, Person, Sandbox, SandboxConfig};

use crate::server::spawn;
pub use crate::server::Server;

pub const PASSWORD: &str = "correct horse battery staple";
pub const BIN: &str = env!("CARGO_BIN_EXE_pipedrive-brevo-sync");

/// A data folder, a sandbox and the binary started on them (again and again).
pub struct Rig {
    pub sandbox: Sandbox,
    pub data: TempDir,
    pub client: reqwest::Client,
    pub server: Option<Server>,
    /// Set: ADMIN_PASSWORD is passed; unset: the binary generates one.
    pub admin_password: Option<String>,
    /// Variables set on top of the defaults at the next start.
    pub env: Vec<(String, String)>,
}

impl Rig {
    pub async fn new() -> Rig {
        Self::with(SandboxConfig::default(), Some(PASSWORD.into())).await
    }

    pub async fn with(config: SandboxConfig, admin_password: Option<String>) -> Rig {
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        let mut rig = Rig {
            sandbox,
            data: tempfile::tempdir().unwrap(),
            client: cookie_client(),
            server: None,
            admin_password,
            env: Vec::new(),
        };
        rig.start().await;
        rig
    }

    pub fn db_path(&self) -> PathBuf {
        self.data.path().join("app.db")
    }

    pub fn database_url(&self) -> String {
        format!("sqlite:{}", self.db_path().display())
    }

    /// The binary's environment: nothing inherited but this.
    pub fn command(&self) -> Command {
        let mut command = Command::new(BIN);
        command
            .env_clear()
            .current_dir(self.data.path())
            .env("DATABASE_URL", self.database_url())
            .env("BIND_ADDR", "127.0.0.1:0")
            .env(
                "PIPEDRIVE_API_TOKEN",
                SandboxConfig::default().pipedrive_token,
            )
            .env("PIPEDRIVE_BASE_URL", self.sandbox.base_url())
            .env("BREVO_API_KEY", SandboxConfig::default().brevo_key)
            .env("BREVO_BASE_URL", self.sandbox.base_url())
            .env("STATIC_DIR", "/nonexistent")
            .env("RUST_LOG", "info,sqlx=warn,actix_server=warn");
        if let Some(password) = &self.admin_password {
            command.env("ADMIN_PASSWORD", password);
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Starts the binary and returns once `/api/health` answers 200.
    pub async fn start(&mut self) -> Duration {
        assert!(self.server.is_none(), "already running");
        let booted = Instant::now();
        let server = spawn(self.command());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let health = self
                .client
                .get(format!("{}/api/health", server.address))
                .send()
                .await;
            if health.is_ok_and(|r| r.status() == 200) {
                break;
            }
            assert!(Instant::now() < deadline, "no health after 20 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.server = Some(server);
        booted.elapsed()
    }

    pub fn server(&self) -> &Server {
        self.server.as_ref().expect("running")
    }

    pub fn take_server(&mut self) -> Server {
        self.server.take().expect("running")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server().address, path)
    }

    pub async fn get(&self, path: &str) -> Value {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        assert!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    pub async fn sign_in(&self) {
        let response = self
            .client
            .post(self.url("/api/auth/login"))
            .json(&json!({ "password": self.password() }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
    }

    pub fn password(&self) -> String {
        match &self.admin_password {
            Some(p) => p.clone(),
            None => std::fs::read_to_string(self.data.path().join("admin-password"))
                .unwrap()
                .trim()
                .to_owned(),
        }
    }

    /// Adds a Pipedrive filter of `persons` and refreshes it into the app.
    pub async fn add_filter(&self, id: u64, persons: Vec<Person>) {
        self.sandbox
            .pipedrive()
            .add_filter_with_persons(id, &format!("Filter {id}"), persons);
        let response = self
            .client
            .post(self.url("/api/filters/refresh"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    pub async fn start_sync(&self, filter_id: u64) -> i64 {
        let response = self
            .client
            .post(self.url(&format!("/api/filters/{filter_id}/sync")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
        response.json::<Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap()
    }

    pub async fn wait_for_job(&self, job_id: i64, limit: Duration) -> Value {
        let deadline = Instant::now() + limit;
        loop {
            let job = self.get(&format!("/api/sync-jobs/{job_id}")).await;
            if job["status"] != "processing" {
                return job;
            }
            assert!(Instant::now() < deadline, "job {job_id} still processing");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Person-page requests Pipedrive has received so far.
    pub fn person_pages_requested(&self) -> usize {
        self.sandbox
            .requests()
            .iter()
            .filter(|r| r.api == Api::Pipedrive && r.path == "/api/v2/persons")
            .count()
    }

    pub async fn wait_for_person_requests(&self, n: usize, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.person_pages_requested() < n {
            assert!(Instant::now() < deadline, "fewer than {n} page requests");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The members of the filter's Brevo list, and whether any email appears twice.
    pub async fn brevo_members(&self, filter_id: u64) -> (BTreeSet<String>, usize) {
        let filter = self.get(&format!("/api/filters/{filter_id}")).await;
        let list = filter["brevo_list_id"].as_u64().expect("a list");
        let members = self.sandbox.brevo().list_members(list);
        let set: BTreeSet<String> = members.iter().cloned().collect();
        let duplicates = members.len() - set.len();
        (set, duplicates)
    }

    /// A connection of our own to the database file (the server may be stopped).
    pub async fn db(&self) -> SqliteConnection {
        SqliteConnectOptions::new()
            .filename(self.db_path())
            .busy_timeout(Duration::from_secs(10))
            .connect()
            .await
            .unwrap()
    }

    /// No job is `processing`, every terminal one has `completed_at`, every failed one a
    /// message (item 9).
    pub async fn assert_job_invariants(&self) {
        let mut db = self.db().await;
        let (processing, unfinished, silent): (i64, i64, i64) = sqlx::query_as(
            "SELECT
               (SELECT count(*) FROM sync_jobs WHERE status = 'processing'),
               (SELECT count(*) FROM sync_jobs WHERE status <> 'processing' AND completed_at IS NULL),
               (SELECT count(*) FROM sync_jobs WHERE status = 'failed'
                  AND (error_message IS NULL OR trim(error_message) = ''))",
        )
        .fetch_one(&mut db)
        .await
        .unwrap();
        db.close().await.unwrap();
        assert_eq!((processing, unfinished, silent), (0, 0, 0));
    }
}

/// `PRAGMA integrity_check` by the `sqlite3` command-line shell, as an operator would.
pub fn integrity_check(path: &Path) -> String {
    sqlite3(path, "PRAGMA integrity_check;")
}

pub fn sqlite3(path: &Path, sql: &str) -> String {
    let out = Command::new("sqlite3")
        .arg(path)
        .arg(sql)
        .output()
        .expect("sqlite3 is installed (apt-get install sqlite3)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

pub fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(64)
        .build()
        .unwrap()
}

/// `count` persons with one valid, distinct, primary email each.
pub fn persons(first_id: u64, count: u64) -> Vec<Person> {
    (first_id..first_id + count)
        .map(|id| {
            let mut person = Person::new(id, "Ada", &format!("Lovelace{id}"));
            person.emails = vec![LabeledValue::new(
                &format!("ada.{id}@example.com"),
                true,
                "work",
            )];
            person
        })
        .collect()
}

pub fn emails(persons: &[Person]) -> BTreeSet<String> {
    persons
        .iter()
        .map(|p| p.emails[0].value.trim().to_lowercase())
        .collect()
}

/// The raw session cookie value from a response.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("pbs_session="))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
}

/// The 43-character token inside the signed cookie value (44 characters of HMAC first).
pub fn token_of(cookie: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(cookie)
        .decode_utf8()
        .unwrap();
    decoded[44..].to_owned()
}

pub fn sha256_hex(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}
