use std::{path::PathBuf, sync::LazyLock, time::Duration};

use actix_web::dev::ServerHandle;
use pipedrive_brevo_sync::{
    config::{
        AutomationSettings, BrevoLimits, BrevoSettings, HttpClientSettings, LoginThrottleSettings,
        PipedriveSettings, RetryPolicy, Settings, SyncSettings,
    },
    db::{self, SqlitePool},
    startup::Application,
    telemetry,
};
use reqwest::{header, Response};
use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::task::JoinHandle;
use upstream_sandbox::{Sandbox, SandboxConfig};

pub const PASSWORD: &str = "correct horse battery staple";

/// Logs go to the test output only with TEST_LOG set, to keep failures readable.
static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var_os("TEST_LOG").is_some() {
        telemetry::init();
    }
});

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub sandbox: Sandbox,
    /// A pool of our own on the app's database, to arrange and inspect rows.
    pub pool: SqlitePool,
    pub settings: Settings,
    server: ServerHandle,
    running: JoinHandle<std::io::Result<()>>,
    _data_dir: TempDir,
}

/// The app with default settings, pointed at a fresh sandbox.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// The app with settings adjusted by `customise` before it starts.
pub async fn spawn_app_with(customise: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_on(SandboxConfig::default(), customise).await
}

/// The app against a sandbox configured by `sandbox_config`.
pub async fn spawn_app_on(
    sandbox_config: SandboxConfig,
    customise: impl FnOnce(&mut Settings),
) -> TestApp {
    LazyLock::force(&TRACING);
    let sandbox = Sandbox::start(sandbox_config)
        .await
        .expect("sandbox starts");
    let data_dir = tempfile::tempdir().expect("temp dir");
    let sandbox_url = url::Url::parse(&sandbox.base_url()).unwrap();
    let mut settings = Settings {
        database_url: format!("sqlite:{}", data_dir.path().join("app.db").display()),
        bind_addr: "127.0.0.1:0".into(),
        admin_password: Some(PASSWORD.to_string().into()),
        secure_cookie: false,
        static_dir: PathBuf::from("/nonexistent"),
        sandbox_mode: false,
        metrics_token: None,
        pipedrive: PipedriveSettings {
            api_token: Some(SandboxConfig::default().pipedrive_token.into()),
            base_url: sandbox_url.clone(),
        },
        brevo: BrevoSettings {
            api_key: Some(SandboxConfig::default().brevo_key.into()),
            base_url: sandbox_url,
        },
        http: HttpClientSettings::default(),
        // Quick retries keep the fault tests short; the logic is the same.
        retry: RetryPolicy {
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(400),
            ..RetryPolicy::default()
        },
        brevo_limits: BrevoLimits::default(),
        sync: SyncSettings {
            process_poll_initial: Duration::from_millis(50),
            process_poll_max: Duration::from_millis(200),
            last_import_first_poll: Duration::from_millis(50),
            ..SyncSettings::default()
        },
        change_log_days: 90,
        // Off: a refresh of its own would race with the tests' refreshes.
        filter_refresh: None,
        login_throttle: LoginThrottleSettings::default(),
        automation: AutomationSettings::default(),
    };
    customise(&mut settings);

    let (address, server, running) = start(&settings).await;
    let pool = db::connect(&settings.database_url)
        .await
        .expect("test pool");
    TestApp {
        address,
        client: cookie_client(),
        sandbox,
        pool,
        settings,
        server,
        running,
        _data_dir: data_dir,
    }
}

/// Builds and spawns the application; returns once it is bound.
async fn start(settings: &Settings) -> (String, ServerHandle, JoinHandle<std::io::Result<()>>) {
    let app = Application::build(settings.clone())
        .await
        .expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    let running = tokio::spawn(app.run_until_stopped());
    (address, handle, running)
}

pub fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A client that keeps no cookies: for requests with a hand-made `Cookie` header.
pub fn bare_client() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}

impl TestApp {
    /// Stops the server and starts a new one on the same database (a new port; the client's
    /// cookies, kept per host, carry over).
    pub async fn restart(&mut self) {
        self.server.stop(true).await;
        // Wait for the whole shutdown, running jobs' cancellation included.
        (&mut self.running)
            .await
            .expect("the server task ends")
            .expect("the server stops cleanly");
        let (address, server, running) = start(&self.settings).await;
        self.address = address;
        self.server = server;
        self.running = running;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, path: &str) -> Response {
        self.client.post(self.url(path)).send().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self, password: &str) -> Response {
        self.post_json("/api/auth/login", &json!({ "password": password }))
            .await
    }

    /// Signs in and returns the raw session cookie value.
    pub async fn sign_in(&self) -> String {
        let response = self.login(PASSWORD).await;
        assert_eq!(response.status(), 204, "sign-in failed");
        session_cookie(&response).expect("sign-in sets the session cookie")
    }

    pub async fn refresh(&self) -> Response {
        self.post("/api/filters/refresh").await
    }

    /// Adds a job row directly, for the read-side tests.
    pub async fn insert_job(&self, filter_id: i64, status: &str, created_at: i64) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO sync_jobs (filter_id, status, created_at, completed_at, total_fetched, total_added, error_message)
             VALUES (?1, ?2, ?3, CASE WHEN ?2 = 'processing' THEN NULL ELSE ?3 + 5 END, 10, 4,
                     CASE WHEN ?2 = 'failed' THEN 'Brevo answered HTTP 401' END)
             RETURNING id",
        )
        .bind(filter_id)
        .bind(status)
        .bind(created_at)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    /// Filters known to Pipedrive and refreshed into the app.
    pub async fn with_filters(&self, filters: &[(u64, &str)]) {
        for (id, name) in filters {
            self.sandbox.pipedrive().add_filter(*id, name);
        }
        assert_eq!(self.refresh().await.status(), 200);
    }
}

/// The session cookie's value from a response's `Set-Cookie`.
pub fn session_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("pbs_session="))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
}

/// Asserts a problem+json answer and returns its body.
pub async fn assert_problem(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert_eq!(
        body["type"],
        format!("urn:problem:pipedrive-brevo-sync:{code}")
    );
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    body
}

impl TestApp {
    pub async fn start_sync(&self, filter_id: i64) -> Response {
        self.post(&format!("/api/filters/{filter_id}/sync")).await
    }

    /// Polls the job until it leaves `processing` (at most 30 s) and returns it.
    pub async fn wait_for_job(&self, job_id: i64) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let job: Value = self
                .get(&format!("/api/sync-jobs/{job_id}"))
                .await
                .json()
                .await
                .unwrap();
            if job["status"] != "processing" {
                return job;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "job {job_id} still processing: {job}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Starts a sync of the filter and waits for its end.
    pub async fn sync(&self, filter_id: i64) -> Value {
        let response = self.start_sync(filter_id).await;
        assert_eq!(response.status(), 202, "sync did not start");
        let job: Value = response.json().await.unwrap();
        self.wait_for_job(job["id"].as_i64().unwrap()).await
    }

    /// The Brevo list the filter syncs into.
    pub async fn list_id_of(&self, filter_id: i64) -> u64 {
        let filter: Value = self
            .get(&format!("/api/filters/{filter_id}"))
            .await
            .json()
            .await
            .unwrap();
        filter["brevo_list_id"]
            .as_u64()
            .expect("the filter has a list")
    }
}
