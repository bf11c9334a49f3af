use std::process::ExitCode;

use pipedrive_brevo_sync::{backup, config::Settings, startup::Application, telemetry};

const USAGE: &str = "usage: pipedrive-brevo-sync [backup <new-file>]";

fn main() -> ExitCode {
    keep_large_buffers_out_of_the_heap();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts")
        .block_on(run())
}

/// glibc raises its mmap threshold each time a large mapped block is freed, after which the
/// sync's large short-lived buffers (import bodies of several MB, Pipedrive pages) come from
/// the heap, which keeps their memory after they are freed: a long-running server's RSS then
/// climbs by tens of MB. A fixed threshold keeps each such buffer in a mapping of its own,
/// returned to the system when freed, so memory stays flat.
#[allow(unsafe_code)]
fn keep_large_buffers_out_of_the_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator; it runs before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

async fn run() -> ExitCode {
    telemetry::init();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(err) => return fail("invalid configuration", &err),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => serve(settings).await,
        ["backup", dest] => run_backup(&settings, dest).await,
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

async fn run_backup(settings: &Settings, dest: &str) -> ExitCode {
    match backup::run(&settings.database_url, dest.as_ref()).await {
        Ok(report) => {
            println!(
                "wrote a backup of {} to {} ({} bytes)",
                settings.database_url,
                report.path.display(),
                report.bytes
            );
            ExitCode::SUCCESS
        }
        Err(err) => fail("backup failed", &err),
    }
}

async fn serve(settings: Settings) -> ExitCode {
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
        pipedrive_brevo_sync::telemetry::error_chain(err)
    );
    ExitCode::FAILURE
}
