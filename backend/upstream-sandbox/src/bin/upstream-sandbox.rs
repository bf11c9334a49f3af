//! Standalone sandbox for browser tests, benchmarks and demos.

use std::env;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use upstream_sandbox::{Sandbox, SandboxConfig};

/// Pages are built as JSON trees of small allocations (500 persons, 1,000 contacts): with
/// glibc's allocator malloc and free were 60 % of the sandbox's CPU under a benchmark sync,
/// enough to hold the chain of person pages past its latency on two cores.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
Usage: upstream-sandbox [OPTIONS]

Fakes the Pipedrive and Brevo APIs on one port; control API under /__sandbox/.

Options:
  --bind ADDR                       listen address [env SANDBOX_BIND, default 127.0.0.1:8090]
  --latency-ms MS                   each upstream answer leaves MS after its request arrived [default 0]
  --import-delay-ms MS              time for a Brevo import to complete [default 200]
  --enforce-rate-limits             answer 429 when a rate-limit window is exhausted
  --pipedrive-requests-per-2s N     Pipedrive burst limit [default 40]
  --brevo-contacts-rps N            Brevo limit under /v3/contacts [default 10]
  --brevo-other-rph N               Brevo limit elsewhere, per hour [default 100]
  --first-name-attribute NAME       Brevo first-name attribute [default FIRSTNAME]
  --last-name-attribute NAME        Brevo last-name attribute [default LASTNAME]
  --seed-demo / --no-seed-demo      seed the demo filters and Brevo account [default on]
  --webhook-retry-delays-ms LIST    pauses before webhook retries [default 3000,30000,150000]
  --webhook-timeout-ms MS           time a webhook receiver has to answer [default 10000]
  -h, --help                        print this help

Credentials: SANDBOX_PIPEDRIVE_TOKEN (x-api-token) and SANDBOX_BREVO_KEY (api-key).";

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse(env::args().skip(1)) {
        Ok(Some(config)) => config,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("upstream-sandbox: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (pipedrive_token, brevo_key) = (config.pipedrive_token.clone(), config.brevo_key.clone());
    let sandbox = match Sandbox::start(config).await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("upstream-sandbox: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    let url = sandbox.base_url();
    println!("upstream-sandbox listening on {url}");
    println!("  Pipedrive  {url}/api/v2, {url}/v1   x-api-token: {pipedrive_token}");
    println!("  Brevo      {url}/v3                  api-key: {brevo_key}");
    println!("  Control    {url}/__sandbox/state");
    shutdown_signal().await;
    sandbox.stop().await;
    ExitCode::SUCCESS
}

/// The configuration from the command line and environment; `None` for `--help`.
fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<SandboxConfig>, String> {
    let mut config = SandboxConfig {
        bind: SocketAddr::from(([127, 0, 0, 1], 8090)),
        seed_demo: true,
        ..SandboxConfig::default()
    };
    if let Ok(bind) = env::var("SANDBOX_BIND") {
        config.bind = parse_value("SANDBOX_BIND", &bind)?;
    }
    if let Ok(token) = env::var("SANDBOX_PIPEDRIVE_TOKEN") {
        config.pipedrive_token = token;
    }
    if let Ok(key) = env::var("SANDBOX_BREVO_KEY") {
        config.brevo_key = key;
    }
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--bind" => config.bind = parse_value(&flag, &value()?)?,
            "--latency-ms" => {
                config.latency = Duration::from_millis(parse_value(&flag, &value()?)?)
            }
            "--import-delay-ms" => {
                config.import_delay = Duration::from_millis(parse_value(&flag, &value()?)?)
            }
            "--enforce-rate-limits" => config.enforce_rate_limits = true,
            "--pipedrive-requests-per-2s" => {
                config.pipedrive_requests_per_2s = parse_value(&flag, &value()?)?
            }
            "--brevo-contacts-rps" => {
                config.brevo_contacts_requests_per_second = parse_value(&flag, &value()?)?
            }
            "--brevo-other-rph" => {
                config.brevo_other_requests_per_hour = parse_value(&flag, &value()?)?
            }
            "--first-name-attribute" => config.brevo_first_name_attribute = value()?,
            "--last-name-attribute" => config.brevo_last_name_attribute = value()?,
            "--webhook-retry-delays-ms" => {
                let list = value()?;
                let delays: Result<Vec<u64>, String> = list
                    .split(',')
                    .filter(|item| !item.trim().is_empty())
                    .map(|item| parse_value(&flag, item.trim()))
                    .collect();
                config.webhook_retry_delays =
                    delays?.into_iter().map(Duration::from_millis).collect();
            }
            "--webhook-timeout-ms" => {
                config.webhook_timeout = Duration::from_millis(parse_value(&flag, &value()?)?)
            }
            "--seed-demo" => config.seed_demo = true,
            "--no-seed-demo" => config.seed_demo = false,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(Some(config))
}

fn parse_value<T: std::str::FromStr>(name: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("invalid value for {name}: {text}"))
}

/// Ctrl-C, or SIGTERM where there are signals (process managers send it).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            },
            Err(_) => drop(tokio::signal::ctrl_c().await),
        }
    }
    #[cfg(not(unix))]
    drop(tokio::signal::ctrl_c().await);
}
