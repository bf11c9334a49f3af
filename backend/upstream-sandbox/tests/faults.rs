//! Scripted faults and latency.

mod common;

use std::time::{Duration, Instant};

use common::{header, status_json, Harness};
use reqwest::Method;
use serde_json::json;
use upstream_sandbox::{Api, Fault, SandboxConfig};

fn status(code: u16) -> Fault {
    Fault::Status {
        status: code,
        headers: Vec::new(),
        body: r#"{"success":false,"error":"Internal server error"}"#.to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripted_statuses_are_consumed_in_order() {
    let harness = Harness::start(SandboxConfig::default()).await;
    harness.sandbox.pipedrive().add_filter(1, "Leads");
    harness
        .sandbox
        .script(Api::Pipedrive, "/api/v2/persons", status(500));
    harness
        .sandbox
        .script(Api::Pipedrive, "/api/v2/persons", status(500));

    // Another path and the other API are unaffected.
    let filters = harness
        .pipedrive("/v1/filters?type=people")
        .send()
        .await
        .unwrap();
    assert_eq!(filters.status(), 200);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            harness
                .pipedrive("/api/v2/persons?filter_id=1")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [500, 500, 200]);

    let logged: Vec<(String, Option<u16>)> = harness
        .sandbox
        .requests()
        .into_iter()
        .map(|r| (r.path, r.status))
        .collect();
    assert_eq!(logged.len(), 4);
    assert_eq!(logged[1], ("/api/v2/persons".to_owned(), Some(500)));
    assert_eq!(harness.sandbox.request_counts(Api::Pipedrive).requests, 4);
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripted_429s_carry_retry_after_and_reset_headers() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let retry = Fault::TooManyRequests {
        retry_after: Some("7".into()),
        reset_secs: Some(2),
    };
    harness
        .sandbox
        .script(Api::Brevo, "/v3/contacts/import", retry);
    let response = harness.brevo_post("/v3/contacts/import", &json!({})).await;
    assert_eq!(header(&response, "retry-after").as_deref(), Some("7"));
    assert_eq!(
        header(&response, "x-sib-ratelimit-reset").as_deref(),
        Some("2")
    );
    assert_eq!(
        header(&response, "x-sib-ratelimit-remaining").as_deref(),
        Some("0")
    );
    let (status, body) = status_json(response).await;
    assert_eq!((status, body["code"].is_string()), (429, true));

    let bare = Fault::TooManyRequests {
        retry_after: None,
        reset_secs: None,
    };
    harness.sandbox.script(Api::Pipedrive, "/v1", bare);
    let response = harness
        .pipedrive("/v1/filters?type=people")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(header(&response, "retry-after"), None);
    assert_eq!(header(&response, "x-ratelimit-reset"), None);
    assert_eq!(
        harness.sandbox.request_counts(Api::Pipedrive).rate_limited,
        1
    );
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hanging_and_trickling_requests_time_out_on_the_client() {
    let harness = Harness::start(SandboxConfig::default()).await;
    harness
        .sandbox
        .script(Api::Brevo, "/v3/processes", Fault::Hang);
    harness
        .sandbox
        .script(Api::Brevo, "/v3/contacts/folders", Fault::Trickle);
    let timeout = Duration::from_millis(300);

    let started = Instant::now();
    let hung = harness
        .brevo(Method::GET, "/v3/processes/1")
        .timeout(timeout)
        .send()
        .await;
    assert!(hung.unwrap_err().is_timeout());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(harness.sandbox.requests()[0].status, None);

    // Headers arrive at once; the body does not.
    let response = harness
        .brevo(Method::GET, "/v3/contacts/folders")
        .timeout(timeout)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.unwrap_err().is_timeout());

    // Hung connections do not hold up a stop.
    let stopping = Instant::now();
    harness.stop().await;
    assert!(stopping.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delays_latency_and_persistent_faults() {
    let harness = Harness::start(SandboxConfig::default()).await;
    harness.sandbox.script(
        Api::Pipedrive,
        "/v1",
        Fault::Delay(Duration::from_millis(300)),
    );
    let started = Instant::now();
    assert_eq!(
        harness
            .pipedrive("/v1/filters?type=people")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(300));

    harness.sandbox.set_latency(Duration::from_millis(200));
    let started = Instant::now();
    harness.brevo_get("/v3/contacts/lists").await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    harness.sandbox.set_latency(Duration::ZERO);

    harness
        .sandbox
        .script_always(Api::Pipedrive, "/v1", Fault::HtmlForbidden);
    for _ in 0..2 {
        let response = harness
            .pipedrive("/v1/filters?type=people")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        assert!(header(&response, "content-type")
            .unwrap()
            .starts_with("text/html"));
        assert!(response.text().await.unwrap().contains("Cloudflare"));
    }
    harness.sandbox.clear_faults();
    assert_eq!(
        harness
            .pipedrive("/v1/filters?type=people")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    harness.stop().await;
}
