//! Item 20: a generated password lives only in its mode-0600 file beside the database.

use std::os::unix::fs::PermissionsExt;

use upstream_sandbox::SandboxConfig;

use crate::harness::Rig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_password_is_printed_once_and_kept_only_in_its_private_file() {
    let mut rig = Rig::with(SandboxConfig::default(), None).await;
    let file = rig.data.path().join("admin-password");
    let password = rig.password();
    assert!(password.len() >= 20, "a strong password");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    rig.sign_in().await;
    let first = rig.server().output.lock().unwrap().clone();
    assert_eq!(first.matches(&password).count(), 1, "the one start-up hint");

    rig.take_server()
        .terminate(std::time::Duration::from_secs(30));
    rig.start().await;
    rig.sign_in().await;
    let second = rig.server().output.lock().unwrap().clone();
    assert!(!second.contains(&password), "not printed again: {second}");
    assert!(
        second.contains("admin-password"),
        "says where it is: {second}"
    );

    rig.take_server()
        .terminate(std::time::Duration::from_secs(30));
    for entry in std::fs::read_dir(rig.data.path()).unwrap() {
        let path = entry.unwrap().path();
        if path != file {
            let bytes = std::fs::read(&path).unwrap();
            let found = bytes
                .windows(password.len())
                .any(|w| w == password.as_bytes());
            assert!(!found, "the password is in {}", path.display());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_logs_even_at_debug_level_when_brevo_refuses_the_key() {
    use upstream_sandbox::{Api, Fault};

    let mut rig = Rig::new().await;
    rig.take_server()
        .terminate(std::time::Duration::from_secs(30));
    rig.env.push(("RUST_LOG".into(), "debug".into()));
    rig.start().await;
    rig.sign_in().await;
    rig.add_filter(7, crate::harness::persons(1, 10)).await;
    rig.sandbox.script_always(
        Api::Brevo,
        "/v3",
        Fault::Status {
            status: 401,
            headers: vec![],
            body: r#"{"code":"unauthorized","message":"Key not found"}"#.into(),
        },
    );
    let job = rig.start_sync(7).await;
    let failed = rig
        .wait_for_job(job, std::time::Duration::from_secs(30))
        .await;
    let message = failed["error_message"].as_str().unwrap();
    assert!(
        message.contains("Brevo") && message.contains("BREVO_API_KEY"),
        "{message}"
    );
    assert_eq!(rig.sandbox.request_counts(Api::Brevo).requests, 1);

    let output = rig.server().output.lock().unwrap().clone();
    assert!(
        output.contains("DEBUG") || output.contains("debug"),
        "debug logs are on"
    );
    let secrets = [
        SandboxConfig::default().brevo_key,
        SandboxConfig::default().pipedrive_token,
        crate::harness::PASSWORD.to_owned(),
    ];
    for secret in &secrets {
        assert!(!output.contains(secret.as_str()), "a secret is in the log");
        assert!(!message.contains(secret.as_str()));
    }
}
