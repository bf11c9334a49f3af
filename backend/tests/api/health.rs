use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn health_answers_ok_without_a_session() {
    let app = spawn_app().await;

    let response = app.get("/api/health").await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"status": "ok", "mode": "live"})
    );
}

#[tokio::test]
async fn health_reports_sandbox_mode_when_configured() {
    let app = spawn_app_with(|settings| settings.sandbox_mode = true).await;

    let body: serde_json::Value = app.get("/api/health").await.json().await.unwrap();

    assert_eq!(body, serde_json::json!({"status": "ok", "mode": "sandbox"}));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;

    // A success, a 401 and a 404 all carry them.
    for path in ["/api/health", "/api/filters", "/nothing-here"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(
            headers["content-security-policy"],
            "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        if path.starts_with("/api/") {
            assert_eq!(headers["cache-control"], "no-store", "{path}");
        }
    }
}
