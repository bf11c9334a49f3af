//! Pipedrive webhooks: registration as the v1 spec has it, and v2 person
//! events delivered to a receiver with Basic auth and Pipedrive's retries.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::web::{self, Bytes, Data};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer};
use common::{status_json, Harness, PIPEDRIVE_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};
use upstream_sandbox::person_fields::SCORE;
use upstream_sandbox::{Person, SandboxConfig, WebhookDelivery, MAX_WEBHOOKS_PER_USER};

/// One request a receiver got.
#[derive(Debug, Clone)]
struct Hit {
    authorization: Option<String>,
    body: Value,
    at: Instant,
}

/// Status and delay of the receiver's answer to its n-th request (from 0).
type Answer = Arc<dyn Fn(usize) -> (u16, Duration) + Send + Sync>;

/// A webhook receiver: an actix-web server on a free local port.
struct Receiver {
    url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    server: ServerHandle,
}

impl Receiver {
    async fn answering(answer: impl Fn(usize) -> (u16, Duration) + Send + Sync + 'static) -> Self {
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let answer: Answer = Arc::new(answer);
        let shared = (hits.clone(), answer);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(Data::new(shared.clone()))
                .default_service(web::to(receive))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let url = format!("http://{}/api/webhooks/pipedrive", server.addrs()[0]);
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            url,
            hits,
            server: handle,
        }
    }

    async fn ok() -> Self {
        Self::answering(|_| (204, Duration::ZERO)).await
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    /// The first `count` hits, once they arrived (within 5 s).
    async fn wait_for(&self, count: usize) -> Vec<Hit> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let hits = self.hits();
            if hits.len() >= count {
                return hits;
            }
            assert!(Instant::now() < deadline, "{} of {count} hits", hits.len());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn stop(self) {
        self.server.stop(false).await;
    }
}

async fn receive(
    request: HttpRequest,
    body: Bytes,
    shared: Data<(Arc<Mutex<Vec<Hit>>>, Answer)>,
) -> HttpResponse {
    let (hits, answer) = shared.get_ref();
    let hit = Hit {
        authorization: request
            .headers()
            .get("authorization")
            .map(|value| value.to_str().unwrap().to_owned()),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        at: Instant::now(),
    };
    let index = {
        let mut hits = hits.lock().unwrap();
        hits.push(hit);
        hits.len() - 1
    };
    let (status, delay) = answer(index);
    tokio::time::sleep(delay).await;
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}

fn webhook(url: &str, action: &str) -> Value {
    json!({
        "subscription_url": url,
        "event_action": action,
        "event_object": "person",
        "name": "Brevo sync",
    })
}

async fn register(harness: &Harness, body: &Value) -> (u16, Value) {
    let request = harness
        .client
        .post(harness.url("/api/v1/webhooks"))
        .header("x-api-token", PIPEDRIVE_TOKEN)
        .json(body);
    status_json(request.send().await.unwrap()).await
}

async fn registered_id(harness: &Harness, body: &Value) -> u64 {
    let (status, answer) = register(harness, body).await;
    assert_eq!(status, 201, "{answer}");
    answer["data"]["id"].as_u64().unwrap()
}

async fn delete_webhook(harness: &Harness, path: &str) -> (u16, Value) {
    let request = harness
        .client
        .delete(harness.url(path))
        .header("x-api-token", PIPEDRIVE_TOKEN);
    status_json(request.send().await.unwrap()).await
}

async fn control(harness: &Harness, method: Method, path: &str, body: Option<Value>) -> u16 {
    let response = harness.control(method, path, body.as_ref()).await;
    response.status().as_u16()
}

/// The first `count` recorded delivery attempts, once recorded (within 5 s):
/// an attempt is recorded when its answer came, after the receiver saw it.
async fn deliveries(harness: &Harness, count: usize) -> Vec<WebhookDelivery> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let deliveries = harness.sandbox.pipedrive().webhook_deliveries();
        if deliveries.len() >= count {
            return deliveries;
        }
        assert!(Instant::now() < deadline, "{deliveries:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn fast_retries(delays_ms: &[u64]) -> SandboxConfig {
    SandboxConfig {
        webhook_retry_delays: delays_ms
            .iter()
            .copied()
            .map(Duration::from_millis)
            .collect(),
        ..SandboxConfig::default()
    }
}

/// `(meta.action, meta.entity_id)` of each hit, sorted.
fn events(hits: &[Hit]) -> Vec<(String, u64)> {
    let mut events: Vec<(String, u64)> = hits
        .iter()
        .map(|hit| {
            let meta = &hit.body["meta"];
            let id = meta["entity_id"].as_str().unwrap().parse().unwrap();
            (meta["action"].as_str().unwrap().to_owned(), id)
        })
        .collect();
    events.sort();
    events
}

fn event(action: &str, id: u64) -> (String, u64) {
    (action.to_owned(), id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_lists_and_deletes_webhooks_as_the_spec_has_them() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let mut body = webhook("https://sync.example.com/api/webhooks/pipedrive", "*");
    body["http_auth_user"] = json!("sync");
    body["http_auth_password"] = json!("s3cret");
    let (status, created) = register(&harness, &body).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        (created["status"].clone(), created["success"].clone()),
        (json!("ok"), json!(true))
    );
    let data = &created["data"];
    assert_eq!(data["id"], json!(1));
    for (field, expected) in [
        ("event_action", json!("*")),
        ("event_object", json!("person")),
        ("version", json!("2.0")),
        ("is_active", json!(1)),
        ("type", json!("general")),
        ("name", json!("Brevo sync")),
        ("http_auth_user", json!("sync")),
        ("http_auth_password", json!("s3cret")),
        ("user_id", json!(10_001)),
        ("remove_time", Value::Null),
        ("last_delivery_time", Value::Null),
        ("last_http_status", Value::Null),
    ] {
        assert_eq!(data[field], expected, "{field}");
    }
    let add_time = data["add_time"].as_str().unwrap();
    assert!(
        add_time.ends_with(".000Z") && add_time.len() == 24,
        "{add_time}"
    );

    let mut legacy = webhook("http://127.0.0.1:9/hook", "delete");
    legacy["version"] = json!("1.0");
    assert_eq!(registered_id(&harness, &legacy).await, 2);

    for path in ["/v1/webhooks", "/api/v1/webhooks"] {
        let (status, listed) = status_json(harness.pipedrive(path).send().await.unwrap()).await;
        assert_eq!((status, listed["success"].clone()), (200, json!(true)));
        let ids: Vec<&Value> = listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| &w["id"])
            .collect();
        assert_eq!(ids, [&json!(1), &json!(2)]);
        assert_eq!(listed["data"][1]["version"], json!("1.0"));
    }
    let anonymous = harness
        .client
        .get(harness.url("/v1/webhooks"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    assert_eq!(
        delete_webhook(&harness, "/api/v1/webhooks/1").await,
        (200, json!({"status": "ok", "success": true}))
    );
    assert_eq!(
        delete_webhook(&harness, "/v1/webhooks/1").await,
        (
            404,
            json!({"status": "error", "success": false, "errors": {"id": ["not found"]}})
        )
    );
    assert_eq!(delete_webhook(&harness, "/v1/webhooks/abc").await.0, 400);
    let remaining: Vec<u64> = harness
        .sandbox
        .pipedrive()
        .webhooks()
        .iter()
        .map(|w| w.id)
        .collect();
    assert_eq!(remaining, [2]);

    let log: Vec<(String, String, Option<u16>)> = harness
        .sandbox
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/webhooks"))
        .map(|r| (r.method, r.path, r.status))
        .collect();
    let entry =
        |method: &str, path: &str, status| (method.to_owned(), path.to_owned(), Some(status));
    assert_eq!(
        log,
        [
            entry("POST", "/api/v1/webhooks", 201),
            entry("POST", "/api/v1/webhooks", 201),
            entry("GET", "/v1/webhooks", 200),
            entry("GET", "/api/v1/webhooks", 200),
            entry("GET", "/v1/webhooks", 401),
            entry("DELETE", "/api/v1/webhooks/1", 200),
            entry("DELETE", "/v1/webhooks/1", 404),
            entry("DELETE", "/v1/webhooks/abc", 400),
        ]
    );
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_webhooks_the_spec_does_not_allow() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let valid = webhook("http://127.0.0.1:9/hook", "change");
    let with = |field: &str, value: Value| {
        let mut body = valid.clone();
        body[field] = value;
        body
    };
    let cases = [
        (
            json!({}),
            vec!["event_action", "event_object", "name", "subscription_url"],
        ),
        (json!([1]), vec!["body"]),
        (
            with("subscription_url", json!("not a url")),
            vec!["subscription_url"],
        ),
        (
            with(
                "subscription_url",
                json!("https://api.pipedrive.com/v1/persons"),
            ),
            vec!["subscription_url"],
        ),
        (
            with("subscription_url", json!(42)),
            vec!["subscription_url"],
        ),
        (with("event_action", json!("updated")), vec!["event_action"]),
        (with("event_object", json!("filter")), vec!["event_object"]),
        (with("version", json!("3.0")), vec!["version"]),
        (with("name", json!("x".repeat(256))), vec!["name"]),
        (with("name", json!("")), vec!["name"]),
        (with("user_id", json!("me")), vec!["user_id"]),
        (with("http_auth_user", json!(5)), vec!["http_auth_user"]),
    ];
    for (body, fields) in cases {
        let (status, answer) = register(&harness, &body).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            (answer["status"].clone(), answer["success"].clone()),
            (json!("error"), json!(false))
        );
        let reported: Vec<&String> = answer["errors"].as_object().unwrap().keys().collect();
        assert_eq!(reported, fields, "{body}: {answer}");
    }
    let (_, answer) = register(&harness, &with("subscription_url", json!("nope"))).await;
    assert_eq!(
        answer["errors"]["subscription_url"],
        json!(["invalid or non-reachable URL"])
    );
    let text = harness
        .client
        .post(harness.url("/v1/webhooks"))
        .header("x-api-token", PIPEDRIVE_TOKEN)
        .body("subscription_url=x")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 400);
    assert!(harness.sandbox.pipedrive().webhooks().is_empty());

    // Nullable and optional fields may be null.
    let mut body = with("http_auth_user", Value::Null);
    body["version"] = Value::Null;
    let (status, answer) = register(&harness, &body).await;
    assert_eq!(
        (status, answer["data"]["version"].clone()),
        (201, json!("2.0"))
    );
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allows_40_webhooks_per_user() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let body = webhook("http://127.0.0.1:9/hook", "*");
    for _ in 0..MAX_WEBHOOKS_PER_USER {
        registered_id(&harness, &body).await;
    }
    let (status, answer) = register(&harness, &body).await;
    assert_eq!(status, 400);
    assert!(
        answer["errors"]["user_id"][0]
            .as_str()
            .unwrap()
            .contains("40"),
        "{answer}"
    );

    // The limit is per user.
    let mut other_user = body.clone();
    other_user["user_id"] = json!(10_002);
    let (status, answer) = register(&harness, &other_user).await;
    assert_eq!(
        (status, answer["data"]["user_id"].clone()),
        (201, json!(10_002))
    );

    assert_eq!(delete_webhook(&harness, "/v1/webhooks/7").await.0, 200);
    assert_eq!(registered_id(&harness, &body).await, 42);
    assert_eq!(register(&harness, &body).await.0, 400);
    assert_eq!(harness.sandbox.pipedrive().webhooks().len(), 41);
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivers_v2_person_events_with_basic_auth() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let receiver = Receiver::ok().await;
    let mut body = webhook(&receiver.url, "*");
    body["http_auth_user"] = json!("sync");
    body["http_auth_password"] = json!("s3cret");
    let webhook_id = registered_id(&harness, &body).await;

    // create: a hand-made filter with one person, over the control API.
    let persons = json!({"name": "Hand-made", "persons": [{"id": 501, "first_name": "Ada",
        "last_name": "Lovelace", "emails": [{"value": "ada@example.com", "primary": true}]}]});
    let status = control(&harness, Method::PUT, "/filters/7/persons", Some(persons)).await;
    assert_eq!(status, 201);
    let created = receiver.wait_for(1).await[0].clone();
    assert_eq!(
        created.authorization.as_deref(),
        Some("Basic c3luYzpzM2NyZXQ=")
    );
    let meta = &created.body["meta"];
    for (field, expected) in [
        ("action", json!("create")),
        ("entity", json!("person")),
        ("entity_id", json!("501")),
        ("version", json!("2.0")),
        ("attempt", json!(1)),
        ("change_source", json!("api")),
        ("is_bulk_edit", json!(false)),
        ("type", json!("general")),
        ("webhook_id", json!(webhook_id.to_string())),
        ("user_id", json!("10001")),
    ] {
        assert_eq!(meta[field], expected, "{field}");
    }
    let timestamp = meta["timestamp"].as_str().unwrap();
    assert!(
        timestamp.ends_with('Z') && timestamp.len() == 24,
        "{timestamp}"
    );
    assert_eq!(meta["id"].as_str().unwrap().len(), 36);
    let (_, page) = status_json(
        harness
            .pipedrive("/api/v2/persons?filter_id=7")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(created.body["data"], page["data"][0]);
    assert_eq!(created.body["previous"], Value::Null);

    // change: the last name, over the control API.
    let patch = json!({"last_name": "Byron"});
    assert_eq!(
        control(&harness, Method::PATCH, "/persons/501", Some(patch)).await,
        204
    );
    let changed = receiver.wait_for(2).await[1].clone();
    assert_eq!(changed.body["meta"]["action"], json!("change"));
    assert_eq!(
        (
            changed.body["data"]["last_name"].clone(),
            changed.body["data"]["name"].clone()
        ),
        (json!("Byron"), json!("Ada Byron"))
    );
    assert_eq!(
        changed.body["previous"],
        json!({"last_name": "Lovelace", "name": "Ada Lovelace"})
    );
    assert_ne!(changed.body["meta"]["id"], meta["id"]);

    // delete, over the control API.
    assert_eq!(
        control(&harness, Method::DELETE, "/persons/501", None).await,
        204
    );
    let deleted = receiver.wait_for(3).await[2].clone();
    assert_eq!(deleted.body["meta"]["action"], json!("delete"));
    assert_eq!(deleted.body["data"], Value::Null);
    assert_eq!(deleted.body["previous"]["name"], json!("Ada Byron"));
    assert_eq!(
        control(&harness, Method::DELETE, "/persons/501", None).await,
        404
    );

    let deliveries = deliveries(&harness, 3).await;
    let summary: Vec<(u64, &str, u64, u32, Option<u16>)> = deliveries
        .iter()
        .map(|d| {
            (
                d.webhook_id,
                d.action.as_str(),
                d.entity_id,
                d.attempt,
                d.status,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (webhook_id, "create", 501, 1, Some(204)),
            (webhook_id, "change", 501, 1, Some(204)),
            (webhook_id, "delete", 501, 1, Some(204)),
        ]
    );
    assert!(deliveries
        .iter()
        .all(|d| d.succeeded() && d.url == receiver.url));
    assert_eq!(deliveries[2].payload, deleted.body);

    let (status, view) = status_json(harness.control(Method::GET, "/webhooks", None).await).await;
    assert_eq!(status, 200);
    assert_eq!(view["webhooks"][0]["last_http_status"], json!(204));
    assert_eq!(view["deliveries"].as_array().unwrap().len(), 3);
    assert_eq!(view["deliveries"][1]["action"], json!("change"));
    assert_eq!(view["deliveries"][1]["status"], json!(204));
    assert_eq!(view["next"], json!(3));
    let (_, later) = status_json(
        harness
            .control(Method::GET, "/webhooks?since=2", None)
            .await,
    )
    .await;
    assert_eq!(later["deliveries"][0]["action"], json!("delete"));
    let (_, summary) = status_json(harness.control(Method::GET, "/state", None).await).await;
    assert_eq!(
        (
            summary["pipedrive"]["webhooks"].clone(),
            summary["pipedrive"]["webhook_deliveries"].clone()
        ),
        (json!(1), json!(3))
    );
    assert!(harness
        .sandbox
        .requests()
        .iter()
        .all(|r| !r.path.starts_with("/api/webhooks")));
    receiver.stop().await;
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_accessors_send_person_events() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let receiver = Receiver::ok().await;
    registered_id(&harness, &webhook(&receiver.url, "*")).await;
    let pipedrive = harness.sandbox.pipedrive();
    let ada = Person::new(1, "Ada", "Lovelace").with_email("ada@example.com", true);
    let alan = Person::new(2, "Alan", "Turing");

    pipedrive.add_filter_with_persons(1, "A", vec![ada.clone(), alan.clone()]);
    let hits = receiver.wait_for(2).await;
    assert_eq!(events(&hits), [event("create", 1), event("create", 2)]);

    // Alan joins a second filter: he existed already, so it is a change.
    pipedrive.add_filter_with_persons(2, "B", vec![alan.clone()]);
    let hits = receiver.wait_for(3).await;
    assert_eq!(events(&hits[2..]), [event("change", 2)]);
    assert_eq!(hits[2].body["previous"], json!({}));

    // Ada renamed, Alan leaves filter 1 (still in 2): two changes.
    let grace = Person::new(1, "Grace", "Lovelace").with_email("ada@example.com", true);
    assert!(pipedrive.set_persons(1, vec![grace]));
    let hits = receiver.wait_for(5).await;
    assert_eq!(events(&hits[3..]), [event("change", 1), event("change", 2)]);
    let renamed = hits[3..]
        .iter()
        .find(|h| h.body["meta"]["entity_id"] == "1")
        .unwrap();
    assert_eq!(
        renamed.body["previous"],
        json!({"first_name": "Ada", "name": "Ada Lovelace"})
    );

    // Alan leaves his last filter: deleted.
    assert!(pipedrive.set_persons(2, vec![]));
    let hits = receiver.wait_for(6).await;
    assert_eq!(events(&hits[5..]), [event("delete", 2)]);
    assert_eq!(hits[5].body["previous"]["first_name"], json!("Alan"));

    // Edits of generated persons, one by one and in bulk.
    pipedrive.add_generated_filter(3, "Generated", 10);
    pipedrive.enable_custom_fields(3);
    let edit = upstream_sandbox::PersonEdit {
        first_name: Some("Zed".into()),
        ..Default::default()
    };
    pipedrive.edit_person(4, edit).unwrap();
    let hits = receiver.wait_for(7).await;
    assert_eq!(events(&hits[6..]), [event("change", 4)]);
    assert_eq!(hits[6].body["data"]["first_name"], json!("Zed"));
    assert_eq!(
        hits[6].body["data"]["custom_fields"]
            .as_object()
            .unwrap()
            .len(),
        9
    );
    assert_eq!(
        pipedrive.set_field_on_share(3, SCORE, json!(99.5), 0.5),
        Ok(5)
    );
    let hits = receiver.wait_for(12).await;
    let bulk = &hits[7..];
    assert!(bulk
        .iter()
        .all(|h| h.body["meta"]["is_bulk_edit"] == json!(true)));
    assert!(bulk
        .iter()
        .all(|h| h.body["data"]["custom_fields"][SCORE] == json!(99.5)));
    assert!(bulk.iter().all(|h| h.body["previous"]["custom_fields"]
        .as_object()
        .unwrap()
        .len()
        == 1));

    // No change, no event; filter-level operations send none.
    pipedrive.set_persons(1, pipedrive.persons(1).unwrap());
    pipedrive.shift_filter(3, 2).unwrap();
    pipedrive.remove_filter(1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.hits().len(), 12);
    receiver.stop().await;
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_gets_the_configured_retries() {
    let harness = Harness::start(fast_retries(&[50, 100, 150])).await;
    let failing = Receiver::answering(|_| (500, Duration::ZERO)).await;
    let failing_id = registered_id(&harness, &webhook(&failing.url, "change")).await;
    // Fails twice, then accepts.
    let recovering = Receiver::answering(|n| (if n < 2 { 503 } else { 200 }, Duration::ZERO)).await;
    let recovering_id = registered_id(&harness, &webhook(&recovering.url, "change")).await;
    harness
        .sandbox
        .pipedrive()
        .add_generated_filter(1, "Generated", 10);

    let patch = json!({"first_name": "Retry"});
    assert_eq!(
        control(&harness, Method::PATCH, "/persons/3", Some(patch)).await,
        204
    );
    let hits = failing.wait_for(4).await;
    let attempts: Vec<&Value> = hits.iter().map(|h| &h.body["meta"]["attempt"]).collect();
    assert_eq!(attempts, [&json!(1), &json!(2), &json!(3), &json!(4)]);
    assert!(hits
        .iter()
        .all(|h| h.body["meta"]["id"] == hits[0].body["meta"]["id"]));
    for (pair, delay) in hits.windows(2).zip([50, 100, 150]) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= Duration::from_millis(delay), "{gap:?} < {delay} ms");
    }
    let hits = recovering.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!((failing.hits().len(), recovering.hits().len()), (4, 3));
    assert_eq!(hits[2].body["meta"]["attempt"], json!(3));

    let deliveries = deliveries(&harness, 7).await;
    let of = |id: u64| -> Vec<(u32, Option<u16>)> {
        let mine = deliveries.iter().filter(|d| d.webhook_id == id);
        mine.map(|d| (d.attempt, d.status)).collect()
    };
    assert_eq!(
        of(failing_id),
        [
            (1, Some(500)),
            (2, Some(500)),
            (3, Some(500)),
            (4, Some(500))
        ]
    );
    assert_eq!(
        of(recovering_id),
        [(1, Some(503)), (2, Some(503)), (3, Some(200))]
    );
    let webhooks = harness.sandbox.pipedrive().webhooks();
    assert_eq!(webhooks[0].last_http_status, Some(500));
    assert_eq!(webhooks[1].last_http_status, Some(200));
    failing.stop().await;
    recovering.stop().await;
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_unreachable_receivers_fail_without_blocking_the_change() {
    let config = SandboxConfig {
        webhook_timeout: Duration::from_millis(600),
        ..fast_retries(&[10])
    };
    let harness = Harness::start(config).await;
    let slow = Receiver::answering(|_| (200, Duration::from_secs(2))).await;
    let slow_id = registered_id(&harness, &webhook(&slow.url, "*")).await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hook", listener.local_addr().unwrap())
    };
    let closed_id = registered_id(&harness, &webhook(&closed, "*")).await;

    let started = Instant::now();
    let patch = json!({"first_name": "Slow"});
    assert_eq!(
        control(&harness, Method::PATCH, "/persons/3", Some(patch)).await,
        204
    );
    // Well under the receiver's timeout: the change does not wait for the delivery.
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );

    let deliveries = deliveries(&harness, 4).await;
    for delivery in &deliveries {
        assert_eq!(delivery.status, None);
        let error = delivery.error.as_deref().unwrap();
        if delivery.webhook_id == slow_id {
            assert!(error.starts_with("timeout"), "{error}");
        } else {
            assert_eq!(delivery.webhook_id, closed_id);
            assert!(!error.is_empty());
        }
    }
    let mut attempts: Vec<(u64, u32)> = deliveries
        .iter()
        .map(|d| (d.webhook_id, d.attempt))
        .collect();
    attempts.sort();
    assert_eq!(
        attempts,
        [(slow_id, 1), (slow_id, 2), (closed_id, 1), (closed_id, 2)]
    );
    slow.stop().await;
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_for_delete_only_gets_no_change_events() {
    let harness = Harness::start(SandboxConfig::default()).await;
    let deletes = Receiver::ok().await;
    let everything = Receiver::ok().await;
    let delete_id = registered_id(&harness, &webhook(&deletes.url, "delete")).await;
    registered_id(&harness, &webhook(&everything.url, "*")).await;
    // Neither deal events nor v1 webhooks are sent person events.
    let mut deals = webhook(&everything.url, "*");
    deals["event_object"] = json!("deal");
    let deals_id = registered_id(&harness, &deals).await;
    let mut legacy = webhook(&everything.url, "*");
    legacy["version"] = json!("1.0");
    let legacy_id = registered_id(&harness, &legacy).await;

    let pipedrive = harness.sandbox.pipedrive();
    pipedrive.add_filter_with_persons(1, "A", vec![Person::new(9, "Ida", "Pfeiffer")]);
    everything.wait_for(1).await;
    let patch = json!({"last_name": "Reyer"});
    assert_eq!(
        control(&harness, Method::PATCH, "/persons/9", Some(patch.clone())).await,
        204
    );
    everything.wait_for(2).await;
    // The same values again: nothing changed, nothing is sent.
    assert_eq!(
        control(&harness, Method::PATCH, "/persons/9", Some(patch)).await,
        204
    );
    assert!(pipedrive.delete_person(9));
    let hits = everything.wait_for(3).await;
    assert_eq!(
        events(&hits),
        [event("change", 9), event("create", 9), event("delete", 9)]
    );
    let hits = deletes.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!((deletes.hits().len(), everything.hits().len()), (1, 3));
    assert_eq!(events(&hits), [event("delete", 9)]);
    assert_eq!(
        hits[0].body["meta"]["webhook_id"],
        json!(delete_id.to_string())
    );
    let deliveries = deliveries(&harness, 4).await;
    assert!(deliveries
        .iter()
        .all(|d| d.webhook_id != deals_id && d.webhook_id != legacy_id));
    deletes.stop().await;
    everything.stop().await;
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_the_webhook_or_resetting_stops_its_retries() {
    let harness = Harness::start(fast_retries(&[150, 150, 150])).await;
    let failing = Receiver::answering(|_| (500, Duration::ZERO)).await;
    let body = webhook(&failing.url, "*");
    let id = registered_id(&harness, &body).await;
    let pipedrive = harness.sandbox.pipedrive();
    pipedrive.add_filter_with_persons(1, "A", vec![Person::new(1, "Ada", "Lovelace")]);
    failing.wait_for(1).await;
    assert_eq!(
        delete_webhook(&harness, &format!("/v1/webhooks/{id}"))
            .await
            .0,
        200
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(failing.hits().len(), 1);

    registered_id(&harness, &body).await;
    pipedrive.add_filter_with_persons(2, "B", vec![Person::new(2, "Alan", "Turing")]);
    failing.wait_for(2).await;
    harness.sandbox.reset();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(failing.hits().len(), 2);
    assert!(pipedrive.webhooks().is_empty() && pipedrive.webhook_deliveries().is_empty());
    failing.stop().await;
    harness.stop().await;
}
