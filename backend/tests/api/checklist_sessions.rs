//! Checklist items 15, 18, 19 and 24: tokens, the purge of expired sessions, throttling
//! across addresses, and the pragmas of every pooled connection.

use std::{collections::HashSet, net::IpAddr, time::Duration};

use percent_encoding::percent_decode_str;
use pipedrive_brevo_sync::auth::session_store::hash_token;
use reqwest::header;
use serde_json::json;

use crate::helpers::{session_cookie, spawn_app, spawn_app_with, PASSWORD};

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
        // Item 14: the token travels only in the cookie, never in a body.
        assert!(response.bytes().await.unwrap().is_empty());
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
