//! Malformed requests get 4xx problem documents, never a 500, and cross-origin writes are
//! refused.

use reqwest::header;
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app, PASSWORD};

#[tokio::test]
async fn malformed_sign_in_bodies_are_4xx_problems() {
    let app = spawn_app().await;
    let login = |body: Vec<u8>, content_type: &'static str| {
        app.client
            .post(app.url("/api/auth/login"))
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
    };

    let cases: Vec<(Vec<u8>, &str, u16, &str)> = vec![
        (
            b"{\"password\":".to_vec(),
            "application/json",
            400,
            "malformed_json",
        ),
        (
            vec![b'{', 0xff, 0xfe, b'}'],
            "application/json",
            400,
            "malformed_json",
        ),
        (
            b"{\"password\": 42}".to_vec(),
            "application/json",
            422,
            "invalid_body",
        ),
        (b"{}".to_vec(), "application/json", 422, "invalid_body"),
        (b"[]".to_vec(), "application/json", 422, "invalid_body"),
        (
            json!({"password": PASSWORD, "admin": true})
                .to_string()
                .into_bytes(),
            "application/json",
            422,
            "invalid_body",
        ),
        (
            vec![b'a'; 2 * 1024 * 1024],
            "application/json",
            413,
            "payload_too_large",
        ),
        (
            b"password=x".to_vec(),
            "application/x-www-form-urlencoded",
            415,
            "unsupported_media_type",
        ),
        (
            b"{\"password\":\"x\"}".to_vec(),
            "text/plain",
            415,
            "unsupported_media_type",
        ),
    ];
    for (body, content_type, status, code) in cases {
        assert_problem(login(body, content_type).await.unwrap(), status, code).await;
    }
    assert_eq!(
        app.get("/api/health").await.status(),
        200,
        "the server is still up"
    );
}

#[tokio::test]
async fn cross_origin_writes_are_refused_and_same_origin_ones_pass() {
    let app = spawn_app().await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let login_with = |name: &'static str, value: String| {
        app.client
            .post(app.url("/api/auth/login"))
            .header(name, value)
            .json(&json!({"password": PASSWORD}))
            .send()
    };

    let foreign = login_with("origin", "http://evil.example".into())
        .await
        .unwrap();
    let cross_site = login_with("sec-fetch-site", "cross-site".into())
        .await
        .unwrap();
    let same_site = login_with("sec-fetch-site", "same-site".into())
        .await
        .unwrap();
    let same_origin = login_with("origin", format!("http://{host}"))
        .await
        .unwrap();

    assert_problem(foreign, 403, "cross_origin_request").await;
    assert_problem(cross_site, 403, "cross_origin_request").await;
    assert_problem(same_site, 403, "cross_origin_request").await;
    assert_eq!(same_origin.status(), 204);
}

#[tokio::test]
async fn unknown_api_routes_are_404_problems() {
    let app = spawn_app().await;
    app.sign_in().await;

    let problem = assert_problem(app.get("/api/nope").await, 404, "route_not_found").await;

    assert_eq!(problem["detail"], "No API route matches GET /api/nope.");
}
