//! Rate-limit enforcement and the `/__sandbox/` control API.

mod common;

use std::time::Duration;

use common::{header, status_json, Harness};
use reqwest::Method;
use serde_json::json;
use upstream_sandbox::{Api, SandboxConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enforced_rate_limits_refuse_and_recover() {
    let config = SandboxConfig {
        enforce_rate_limits: true,
        pipedrive_requests_per_2s: 3,
        brevo_contacts_requests_per_second: 2,
        ..SandboxConfig::default()
    };
    let harness = Harness::start(config).await;
    let mut remaining = Vec::new();
    for _ in 0..4 {
        let response = harness
            .pipedrive("/v1/filters?type=people")
            .send()
            .await
            .unwrap();
        assert_eq!(header(&response, "x-ratelimit-limit").as_deref(), Some("3"));
        remaining.push((
            response.status().as_u16(),
            header(&response, "x-ratelimit-remaining").unwrap(),
        ));
    }
    assert_eq!(
        remaining,
        [
            (200, "2".into()),
            (200, "1".into()),
            (200, "0".into()),
            (429, "0".into())
        ]
    );

    let statuses: Vec<u16> = brevo_statuses(&harness, "/v3/contacts/lists", 3).await;
    assert_eq!(statuses, [200, 200, 429]);
    // /v3/processes is in the other (hourly) bucket.
    assert_eq!(harness.brevo_get("/v3/processes/1").await.status(), 404);

    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(harness.brevo_get("/v3/contacts/lists").await.status(), 200);
    assert_eq!(harness.sandbox.request_counts(Api::Brevo).rate_limited, 1);
    harness.stop().await;
}

async fn brevo_statuses(harness: &Harness, path: &str, count: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for _ in 0..count {
        statuses.push(harness.brevo_get(path).await.status().as_u16());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_api_drives_the_sandbox_over_http() {
    let harness = Harness::start(SandboxConfig {
        seed_demo: true,
        ..SandboxConfig::default()
    })
    .await;
    let control = |method, path: &str| {
        harness
            .client
            .request(method, harness.url(&format!("/__sandbox{path}")))
    };

    let filter = json!({"id": 42, "name": "Benchmark", "count": 1_000_000});
    assert_eq!(
        control(Method::POST, "/filters")
            .json(&filter)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    let fault = json!({"api": "brevo", "path_prefix": "/v3/contacts/lists", "fault": {"kind": "status", "status": 503}, "times": 2});
    assert_eq!(
        control(Method::POST, "/faults")
            .json(&fault)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    let latency = control(Method::POST, "/latency")
        .json(&json!({"ms": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(latency.status(), 204);
    for expected in [503, 503, 200] {
        assert_eq!(
            harness.brevo_get("/v3/contacts/lists").await.status(),
            expected
        );
    }

    let (_, state) = status_json(control(Method::GET, "/state").send().await.unwrap()).await;
    let filters = state["pipedrive"]["filters"].as_array().unwrap();
    // The five demo filters, the webinar one and the one just added.
    assert_eq!(filters.len(), 7);
    assert_eq!(filters.last().unwrap()["persons"], json!(1_000_000));
    assert_eq!(state["brevo"]["requests"], json!(3));
    assert_eq!(
        state["brevo"]["folders"][0]["name"],
        json!("Your first folder")
    );

    let list_id = harness.sandbox.brevo().create_list("Demo", 1).unwrap();
    harness
        .sandbox
        .brevo()
        .add_contact("a@example.com", &[], &[list_id]);
    let members = control(Method::GET, &format!("/lists/{list_id}/members"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        status_json(members).await.1,
        json!({"emails": ["a@example.com"]})
    );
    assert_eq!(
        control(Method::GET, "/lists/999/members")
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        control(Method::DELETE, "/filters/42")
            .send()
            .await
            .unwrap()
            .status(),
        204
    );

    assert_eq!(
        control(Method::POST, "/reset")
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let (_, state) = status_json(control(Method::GET, "/state").send().await.unwrap()).await;
    assert_eq!(state["pipedrive"]["filters"].as_array().unwrap().len(), 6);
    assert_eq!(
        (
            state["brevo"]["lists"].clone(),
            state["brevo"]["requests"].clone()
        ),
        (json!([]), json!(0))
    );
    harness.stop().await;
}
