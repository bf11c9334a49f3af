use std::process::ExitCode;

use pipedrive_brevo_sync::{config::Settings, startup::Application, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(err) => return fail("invalid configuration", &err),
    };
    let host = settings
        .bind_addr
        .rsplit_once(':')
        .map_or("127.0.0.1", |(host, _)| host)
        .to_owned();
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(err) => return fail("could not start", &err),
    };
    let url = format!("http://{}:{}/", display_host(&host), app.port());
    println!(
        "{}",
        pipedrive_brevo_sync::auth::password::sign_in_hint(app.password_source(), &url)
    );
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail("server error", &err),
    }
}

/// A wildcard bind address is reachable locally as 127.0.0.1.
fn display_host(host: &str) -> &str {
    match host {
        "0.0.0.0" | "[::]" => "127.0.0.1",
        other => other,
    }
}

fn fail(what: &str, err: &dyn std::error::Error) -> ExitCode {
    eprintln!(
        "error: {what}: {}",
        pipedrive_brevo_sync::error::error_chain(err)
    );
    ExitCode::FAILURE
}
