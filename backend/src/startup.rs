//! Builds the application: database, secrets, HTTP server. `main` and the tests share this
//! one path, so what is tested is what runs.

use std::{net::TcpListener, sync::Arc, time::Duration};

use actix_web::{
    dev::{Server, ServerHandle},
    middleware::{from_fn, DefaultHeaders},
    web, App, HttpServer,
};
use sqlx::SqlitePool;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::{scope, AppExt};

use crate::{
    alerts::{message::Alert, Alerts},
    app_state::AppState,
    auth::{
        origin::refuse_cross_origin,
        password::{AdminPassword, PasswordSource},
        secrets::SecretFileError,
        session::{self, require_login},
        throttle::LoginThrottle,
        OPERATOR_USER_ID,
    },
    background,
    config::Settings,
    db::{self, change_reader::ChangeReader, DbError},
    domain::time::UnixTime,
    openapi,
    read_cache::ReadCache,
    routes::{self, spa},
    sync::{runner::JobRunner, scheduler::Scheduler, SyncDeps},
    telemetry,
    upstream::{self, brevo::BrevoClient, pipedrive::PipedriveClient, usage::UsageMeter},
    usage::Usage,
    webhooks::{self, Inbox},
};

/// The message a job left `processing` by a previous process ends with.
pub const INTERRUPTED_MESSAGE: &str = "interrupted: the server stopped before the job finished";

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Secret(#[from] SecretFileError),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

pub struct Application {
    port: u16,
    server: Server,
    pool: SqlitePool,
    runner: JobRunner,
    shutdown_grace: Duration,
    change_log_days: u32,
    pipedrive: Arc<PipedriveClient>,
    filter_refresh: Option<Duration>,
    schedule_concurrency: usize,
    alerts: Alerts,
    alert_queue: Option<mpsc::Receiver<Alert>>,
    usage: Usage,
    webhook: Option<WebhookSetup>,
    password_source: PasswordSource,
}

/// With `PIPEDRIVE_WEBHOOKS`: what registering and receiving the webhook need.
struct WebhookSetup {
    public_url: url::Url,
    secret: secrecy::SecretString,
    inbox: Inbox,
    events: mpsc::Receiver<()>,
    debounce: Duration,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let pool = db::connect(&settings.database_url).await?;
        let orphaned =
            db::sync_jobs::fail_orphaned(&pool, UnixTime::now(), INTERRUPTED_MESSAGE).await?;
        if orphaned > 0 {
            tracing::warn!(
                jobs = orphaned,
                "marked jobs left processing by the previous run as failed"
            );
        }
        db::sessions::ensure_user(&pool, OPERATOR_USER_ID).await?;

        let folder = db::database_folder(&settings.database_url)?;
        let (password, password_source) =
            AdminPassword::resolve(settings.admin_password.clone(), folder.as_deref())?;
        let signing_key = session::signing_key(folder.as_deref())?;
        let webhook = match (
            settings.automation.pipedrive_webhooks,
            &settings.automation.public_url,
        ) {
            (true, Some(public_url)) => {
                let secret = webhooks::secret(folder.as_deref())?;
                let (inbox, events) = Inbox::new(&secret);
                Some(WebhookSetup {
                    public_url: public_url.clone(),
                    secret,
                    inbox,
                    events,
                    debounce: settings.automation.webhook_debounce,
                })
            }
            _ => None,
        };

        let listener =
            TcpListener::bind(&settings.bind_addr).map_err(|source| StartupError::Bind {
                addr: settings.bind_addr.clone(),
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind {
                addr: settings.bind_addr.clone(),
                source,
            })?
            .port();

        let http = upstream::http_client(&settings.http);
        let meter = Arc::new(UsageMeter::default());
        let usage = Usage::new(
            pool.clone(),
            meter.clone(),
            settings.automation.pipedrive_daily_token_budget,
        );
        let pipedrive = Arc::new(PipedriveClient::new(
            http.clone(),
            settings.pipedrive.base_url.clone(),
            settings.pipedrive.api_token.clone(),
            settings.retry.clone(),
            meter.clone(),
        ));
        let brevo = Arc::new(BrevoClient::new(
            http,
            settings.brevo.base_url.clone(),
            settings.brevo.api_key.clone(),
            settings.retry.clone(),
            &settings.brevo_limits,
            meter,
        ));
        let (alerts, alert_queue) = Alerts::new(pool.clone(), &settings.automation);
        let runner = JobRunner::new(SyncDeps {
            pool: pool.clone(),
            pipedrive: pipedrive.clone(),
            brevo: brevo.clone(),
            settings: settings.sync.clone(),
            alerts: alerts.clone(),
        });
        let pipedrive_for_refresh = pipedrive.clone();
        let state = web::Data::new(AppState {
            pool: pool.clone(),
            pipedrive,
            brevo,
            runner: runner.clone(),
            password,
            throttle: LoginThrottle::new(settings.login_throttle.clone()),
            read_cache: ReadCache::open(&pool)?,
            change_pages: ReadCache::open(&pool)?,
            change_reader: ChangeReader::open(&pool)?,
            openapi_json: openapi::document()
                .to_json()
                .expect("the document serialises"),
            sandbox_mode: settings.sandbox_mode,
            phone_region: settings.sync.phone_region,
            metrics_token: settings.metrics_token.clone(),
            alerts: alerts.clone(),
            usage: usage.clone(),
            webhooks: webhook.as_ref().map(|w| w.inbox.clone()),
        });

        let static_dir = settings.static_dir.clone();
        let serve_dashboard = static_dir.join("index.html").is_file();
        if !serve_dashboard {
            tracing::warn!(
                static_dir = %static_dir.display(),
                "the dashboard is not built, so / serves nothing; build it with `npm --prefix frontend run build`"
            );
        }
        let secure_cookie = settings.secure_cookie;
        let server = HttpServer::new(move || {
            let api = scope::scope("/api")
                .configure(routes::configure_api)
                .default_service(web::to(routes::route_not_found))
                .wrap(from_fn(require_login))
                .wrap(session::middleware(
                    state.pool.clone(),
                    signing_key.clone(),
                    secure_cookie,
                ))
                .wrap(from_fn(refuse_cross_origin))
                .wrap(DefaultHeaders::new().add(("Cache-Control", "no-store")));
            let app = App::new()
                .into_utoipa_app()
                .app_data(state.clone())
                .service(api)
                .into_app()
                .configure(routes::extractor_configs)
                .route("/metrics", web::get().to(routes::metrics::metrics));
            let app = if serve_dashboard {
                app.service(spa::files(&static_dir))
            } else {
                app
            };
            app.wrap(from_fn(spa::cache_policy))
                .wrap(security_headers())
                .wrap(from_fn(telemetry::request_id_header))
                .wrap(TracingLogger::default())
        })
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            addr: settings.bind_addr.clone(),
            source,
        })?
        .shutdown_timeout(30)
        .run();

        Ok(Self {
            port,
            server,
            pool,
            runner,
            shutdown_grace: settings.sync.shutdown_grace,
            change_log_days: settings.change_log_days,
            pipedrive: pipedrive_for_refresh,
            filter_refresh: settings.filter_refresh,
            schedule_concurrency: settings.automation.schedule_concurrency,
            alerts,
            alert_queue,
            usage,
            webhook,
            password_source,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// How the operator signs in, for the start-up message.
    pub fn password_source(&self) -> &PasswordSource {
        &self.password_source
    }

    /// Stops the server from outside (tests; signals are handled by actix itself).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT/SIGTERM or [`ServerHandle::stop`]; in-flight requests get up to
    /// 30 s, then running sync jobs are cancelled and record it.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let mut background = vec![tokio::spawn(background::maintain(
            self.pool.clone(),
            self.change_log_days,
        ))];
        if let (Some(delivery), Some(queue)) = (self.alerts.delivery(), self.alert_queue) {
            background.push(tokio::spawn(delivery.run(queue)));
        }
        if let Some(webhook) = self.webhook {
            background.push(tokio::spawn(webhooks::register(
                self.pipedrive.clone(),
                webhook.public_url,
                webhook.secret,
            )));
            background.push(tokio::spawn(webhooks::mark_due(
                self.pool.clone(),
                webhook.events,
                webhook.debounce,
            )));
        }
        if let Some(every) = self.filter_refresh {
            background.push(tokio::spawn(background::refresh_filters(
                self.pool.clone(),
                self.pipedrive.clone(),
                every,
            )));
        }
        // Cancelled, not aborted: a scheduler tick that is starting a job finishes handing it
        // over, a usage flush finishes its write.
        let stop = CancellationToken::new();
        let mut stopped = vec![tokio::spawn(background::flush_usage(
            self.usage.clone(),
            stop.clone(),
        ))];
        if self.schedule_concurrency > 0 {
            let scheduler = Scheduler::new(
                self.pool.clone(),
                self.runner.clone(),
                self.schedule_concurrency,
                self.alerts.clone(),
                self.usage.clone(),
            );
            stopped.push(tokio::spawn(scheduler.run(stop.clone())));
        }
        let result = self.server.await;
        stop.cancel();
        for task in stopped {
            let _ = task.await;
        }
        for task in background {
            task.abort();
            // Cancelled at its next await: nothing of it runs past this point.
            let _ = task.await;
        }
        self.runner.shutdown(self.shutdown_grace).await;
        // The calls since the last flush, the cancelled jobs' included.
        self.usage.flush().await;
        self.pool.close().await;
        result
    }
}

/// Headers for every response, API and dashboard alike.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("X-Frame-Options", "DENY"))
}
