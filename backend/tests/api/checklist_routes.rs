//! Checklist items 21–23 over every route of the served spec: the session requirement, the
//! security headers, no state change on GET, and 405 for a method a path does not take.
//! (The crash, signal, backup and load items run the real binary: see `tests/faults`.)

use reqwest::{header, Method};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

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
async fn every_route_of_the_spec_needs_a_session_except_health_login_the_spec_and_the_webhook() {
    let app = spawn_app().await;
    let public = ["/api/health", "/api/auth/login", "/api/openapi.json"];
    // Pipedrive's deliveries carry basic auth instead (`api::webhooks`); off by default.
    let webhook = "/api/webhooks/pipedrive";
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
        if path == webhook {
            assert_eq!(status, 404, "{what}");
        } else if public.contains(&path.as_str()) {
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
async fn a_known_path_with_an_unknown_method_is_a_405_naming_the_allowed_ones() {
    let app = spawn_app().await;
    app.sign_in().await;
    for (method, path, allow) in [
        ("TRACE", "/api/health", "GET"),
        ("PUT", "/api/auth/login", "POST"),
        ("DELETE", "/api/filters/7", "GET, PATCH"),
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
