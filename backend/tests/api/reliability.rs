//! RELIABILITY.md items not covered elsewhere in this binary: 9 (job end invariants),
//! 15 (1,000 distinct tokens), 19 (throttling across 10 addresses), 21 (no GET changes
//! state), 22 and 23 (every route of the spec: headers, and 401 without a session). The
//! crash, signal, backup and load items run the real binary: see `tests/faults`.

use std::{collections::HashSet, net::IpAddr, time::Duration};

use percent_encoding::percent_decode_str;
use pipedrive_brevo_sync::auth::session_store::hash_token;
use reqwest::{header, Method};
use serde_json::{json, Value};
use upstream_sandbox::{Api, Fault};

use crate::helpers::{session_cookie, spawn_app, spawn_app_with, TestApp, PASSWORD};

/// Every operation of the served spec, with `{id}` filled in.
async fn operations(app: &TestApp) -> Vec<(Method, String)> {
    let spec: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let mut operations = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let method: Method = method.to_uppercase().parse().unwrap();
            operations.push((method, path.replace("{id}", "1")));
        }
    }
    assert!(operations.len() >= 12, "{operations:?}");
    operations
}

fn assert_security_headers(response: &reqwest::Response, what: &str) {
    let headers = response.headers();
    assert_eq!(
        headers["content-security-policy"],
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        "{what}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert!(headers.contains_key("referrer-policy"), "{what}");
}

#[tokio::test]
async fn every_route_of_the_spec_needs_a_session_except_health_login_and_the_spec() {
    let app = spawn_app().await;
    let public = ["/api/health", "/api/auth/login", "/api/openapi.json"];
    let anonymous = reqwest::Client::new();
    for (method, path) in operations(&app).await {
        let response = anonymous
            .request(method.clone(), app.url(&path))
            .json(&json!({ "password": "not it" }))
            .send()
            .await
            .unwrap();
        let what = format!("{method} {path}");
        assert_security_headers(&response, &what);
        assert_eq!(response.headers()["cache-control"], "no-store", "{what}");
        let status = response.status().as_u16();
        if public.contains(&path.as_str()) {
            // The login answers 401 to the wrong password, not for want of a session.
            if status == 401 {
                let body: Value = response.json().await.unwrap();
                assert_eq!(body["code"], "invalid_credentials", "{what}");
            }
        } else {
            assert_eq!(status, 401, "{what} without a session");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["code"], "unauthorized", "{what}");
        }
    }
}

#[tokio::test]
async fn every_api_and_dashboard_response_carries_the_security_headers() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>x</title>",
    )
    .unwrap();
    std::fs::create_dir(dist.path().join("assets")).unwrap();
    std::fs::write(dist.path().join("assets/app.js"), "console.log(1)").unwrap();
    let static_dir = dist.path().to_path_buf();
    let app = spawn_app_with(|settings| settings.static_dir = static_dir).await;
    app.sign_in().await;
    app.with_filters(&[(1, "One")]).await;
    for (method, path) in operations(&app).await {
        if path == "/api/auth/logout" {
            continue;
        }
        let response = app
            .client
            .request(method.clone(), app.url(&path))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().as_u16() < 500,
            "{method} {path}: {}",
            response.status()
        );
        assert_security_headers(&response, &format!("{method} {path}"));
        assert_eq!(
            response.headers()["cache-control"],
            "no-store",
            "{method} {path}"
        );
    }
    for path in [
        "/",
        "/index.html",
        "/assets/app.js",
        "/filters/1",
        "/no-such-page",
    ] {
        let response = app.get(path).await;
        assert_security_headers(&response, path);
    }
}

#[tokio::test]
async fn no_get_changes_the_database() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.with_filters(&[(1, "One"), (2, "Two")]).await;
    app.sync(1).await;
    let dump = || async {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT json_group_array(json_array(id, name, brevo_list_id, deleted_at)) FROM filters
             UNION ALL SELECT json_group_array(json_array(id, status, completed_at, total_fetched)) FROM sync_jobs
             UNION ALL SELECT json_group_array(json_array(id, expires_at)) FROM session",
        )
        .fetch_all(&app.pool)
        .await
        .unwrap();
        rows
    };
    let before = dump().await;
    for (method, path) in operations(&app).await {
        if method == Method::GET {
            for query in ["", "?include_deleted=true", "?limit=1&status=failed"] {
                app.get(&format!("{path}{query}")).await;
            }
        }
    }
    assert_eq!(dump().await, before);
}

#[tokio::test]
async fn a_thousand_sign_ins_get_a_thousand_distinct_256_bit_tokens_stored_only_as_hashes() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let mut tokens = HashSet::new();
    let mut cookies = Vec::new();
    for _ in 0..1_000 {
        let response = client
            .post(app.url("/api/auth/login"))
            .json(&json!({ "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
        let cookie = session_cookie(&response).unwrap();
        let decoded = percent_decode_str(&cookie)
            .decode_utf8()
            .unwrap()
            .into_owned();
        let token = decoded[44..].to_owned();
        // 43 base64url characters: 256 bits.
        assert_eq!(token.len(), 43, "{token}");
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        tokens.insert(token);
        cookies.push(decoded);
    }
    assert_eq!(tokens.len(), 1_000, "every token differs");

    let ids: HashSet<String> = sqlx::query_scalar("SELECT id FROM session")
        .fetch_all(&app.pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let hashes: HashSet<String> = tokens.iter().map(|t| hash_token(t)).collect();
    assert_eq!(ids, hashes, "session.id = hex SHA-256(token)");

    // Neither a token nor a cookie is anywhere in the database file or its WAL.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&app.pool)
        .await
        .unwrap();
    let path = app
        .settings
        .database_url
        .trim_start_matches("sqlite:")
        .to_owned();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
    let text = String::from_utf8_lossy(&bytes);
    for token in &tokens {
        assert!(!text.contains(token.as_str()), "a token is in the database");
    }
}

/// A client whose connections come from `ip` (any of 127.0.0.0/8 reaches the server).
fn client_from(ip: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_hundred_wrong_passwords_from_ten_addresses_throttle_everyone_until_the_window_ends() {
    let window = Duration::from_secs(4);
    let app = spawn_app_with(|settings| settings.login_throttle.window = window).await;
    let addresses: Vec<IpAddr> = (2..12).map(|n| IpAddr::from([127, 0, 0, n])).collect();
    let login = |ip: IpAddr, password: &'static str| {
        let url = app.url("/api/auth/login");
        async move {
            client_from(ip)
                .post(url)
                .json(&json!({ "password": password }))
                .send()
                .await
                .unwrap()
        }
    };
    let (mut refused, mut throttled) = (0, 0);
    for ip in &addresses {
        for _ in 0..10 {
            match login(*ip, "wrong").await.status().as_u16() {
                401 => refused += 1,
                429 => throttled += 1,
                other => panic!("{other}"),
            }
        }
    }
    // 10 per address, 50 in all: the first five addresses use up the total.
    assert_eq!((refused, throttled), (50, 50));

    // The right password, from a throttled address and from a new one: still 429.
    for ip in [addresses[0], IpAddr::from([127, 0, 0, 42])] {
        let response = login(ip, PASSWORD).await;
        assert_eq!(response.status(), 429, "{ip}");
        let retry_after: u64 = response.headers()[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            retry_after >= 1 && retry_after <= window.as_secs(),
            "{retry_after}"
        );
    }

    tokio::time::sleep(window + Duration::from_millis(200)).await;
    for ip in &addresses {
        assert_eq!(
            login(*ip, PASSWORD).await.status(),
            204,
            "no lockout of {ip}"
        );
    }
}

#[tokio::test]
async fn every_ended_job_has_an_end_time_and_every_failed_one_says_why() {
    let app = spawn_app_with(|settings| settings.retry.max_attempts = 2).await;
    app.sign_in().await;
    app.with_filters(&[(1, "One"), (2, "Two"), (3, "Three")])
        .await;
    app.sync(1).await;
    app.sandbox.script(
        Api::Brevo,
        "/v3/contacts",
        Fault::Status {
            status: 401,
            headers: vec![],
            body: r#"{"code":"unauthorized","message":"Key not found"}"#.into(),
        },
    );
    app.sync(2).await;
    app.sandbox.script_always(
        Api::Pipedrive,
        "/api/v2/persons",
        Fault::Status {
            status: 503,
            headers: vec![],
            body: String::new(),
        },
    );
    app.sync(3).await;
    app.sandbox.clear_faults();

    let page: Value = app
        .get("/api/sync-jobs?limit=200")
        .await
        .json()
        .await
        .unwrap();
    let jobs = page["items"].as_array().unwrap();
    assert_eq!(jobs.len(), 3);
    let mut failed = 0;
    for listed in jobs {
        let id = listed["id"].as_i64().unwrap();
        let job: Value = app
            .get(&format!("/api/sync-jobs/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_ne!(job["status"], "processing");
        assert!(job["completed_at"].is_string(), "{job}");
        if job["status"] == "failed" {
            failed += 1;
            let message = job["error_message"].as_str().unwrap_or_default();
            assert!(!message.trim().is_empty(), "{job}");
        }
    }
    assert_eq!(failed, 2);
}

#[tokio::test]
async fn a_known_path_with_an_unknown_method_is_a_405_naming_the_allowed_ones() {
    let app = spawn_app().await;
    app.sign_in().await;
    for (method, path, allow) in [
        ("TRACE", "/api/health", "GET"),
        ("PUT", "/api/auth/login", "POST"),
        ("DELETE", "/api/filters/7", "GET"),
        ("OPTIONS", "/api/filters/refresh", "POST"),
    ] {
        let response = app
            .client
            .request(method.parse().unwrap(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()[header::ALLOW], allow, "{method} {path}");
        crate::helpers::assert_problem(response, 405, "method_not_allowed").await;
    }
    for path in ["/api/nope", "/api/filters/abc", "/api/filters/null%2Cnull"] {
        crate::helpers::assert_problem(app.get(path).await, 404, "route_not_found").await;
    }
}

/// A filter of three persons, synced in one page.
async fn app_with_small_filter(
    customise: impl FnOnce(&mut pipedrive_brevo_sync::config::Settings),
) -> TestApp {
    let app = spawn_app_with(customise).await;
    app.sign_in().await;
    app.sandbox.pipedrive().add_generated_filter(5, "Small", 3);
    assert_eq!(app.refresh().await.status(), 200);
    app
}

/// When each request to `path` arrived.
fn arrivals(app: &TestApp, path: &str) -> Vec<std::time::Instant> {
    app.sandbox
        .requests()
        .into_iter()
        .filter(|r| r.path == path)
        .map(|r| r.received_at)
        .collect()
}

#[tokio::test]
async fn a_retry_after_given_as_an_http_date_is_honoured() {
    let app = app_with_small_filter(|_| {}).await;
    let at = std::time::SystemTime::now() + Duration::from_secs(3);
    app.sandbox.script(
        Api::Pipedrive,
        "/api/v2/persons",
        Fault::TooManyRequests {
            retry_after: Some(httpdate::fmt_http_date(at)),
            reset_secs: None,
        },
    );

    let job = app.sync(5).await;

    assert_eq!(job["status"], "completed", "{job}");
    let pages = arrivals(&app, "/api/v2/persons");
    // The date has whole seconds: 3 s ahead is at least 2 s ahead.
    assert!(pages[1].duration_since(pages[0]) >= Duration::from_secs(2));
    assert!(std::time::SystemTime::now() >= at - Duration::from_secs(1));
}

#[tokio::test]
async fn a_brevo_429_with_only_a_reset_header_waits_that_long() {
    let app = app_with_small_filter(|_| {}).await;
    app.sandbox.script(
        Api::Brevo,
        "/v3/contacts/import",
        Fault::TooManyRequests {
            retry_after: None,
            reset_secs: Some(5),
        },
    );

    let job = app.sync(5).await;

    assert_eq!(job["status"], "completed", "{job}");
    let imports = arrivals(&app, "/v3/contacts/import");
    assert!(imports[1].duration_since(imports[0]) >= Duration::from_secs(5));
}

#[tokio::test]
async fn an_upstream_that_always_answers_503_fails_the_job_after_bounded_attempts() {
    let app = app_with_small_filter(|_| {}).await;
    app.sandbox.script_always(
        Api::Pipedrive,
        "/api/v2/persons",
        Fault::Status {
            status: 503,
            headers: vec![],
            body: String::new(),
        },
    );
    let started = std::time::Instant::now();

    let job = app.sync(5).await;

    assert_eq!(job["status"], "failed");
    let message = job["error_message"].as_str().unwrap();
    assert!(
        message.contains("Pipedrive") && message.contains("503"),
        "{message}"
    );
    assert_eq!(
        arrivals(&app, "/api/v2/persons").len() as u32,
        app.settings.retry.max_attempts,
        "every attempt, no more"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn expired_sessions_are_purged_by_the_server_itself() {
    let mut app = spawn_app().await;
    app.sign_in().await;
    sqlx::query("UPDATE session SET expires_at = unixepoch() - 1")
        .execute(&app.pool)
        .await
        .unwrap();

    // The purge runs at start and then every hour.
    app.restart().await;

    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM session")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "expired session not purged"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn every_pooled_connection_has_the_pragmas() {
    let app = spawn_app().await;
    // Hold all eight connections of a pool made the way the app makes its own.
    let pool = pipedrive_brevo_sync::db::connect(&app.settings.database_url)
        .await
        .unwrap();
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(pool.acquire().await.unwrap());
    }
    for conn in &mut held {
        let (journal, foreign_keys, busy, synchronous): (String, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT journal_mode FROM pragma_journal_mode), (SELECT foreign_keys FROM pragma_foreign_keys),
                    (SELECT timeout FROM pragma_busy_timeout), (SELECT synchronous FROM pragma_synchronous)",
        )
        .fetch_one(&mut **conn)
        .await
        .unwrap();
        assert_eq!((journal.as_str(), foreign_keys, synchronous), ("wal", 1, 1));
        assert!(busy >= 5000, "{busy}");
    }
}
