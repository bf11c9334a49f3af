//! Helpers shared by the integration tests: a client per API with the
//! sandbox's default credentials.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use reqwest::{Client, RequestBuilder, Response};
use serde_json::{json, Value};
use upstream_sandbox::{Sandbox, SandboxConfig};

pub const PIPEDRIVE_TOKEN: &str = "sandbox-pipedrive-token";
pub const BREVO_KEY: &str = "sandbox-brevo-key";

pub struct Harness {
    pub sandbox: Sandbox,
    pub client: Client,
}

impl Harness {
    pub async fn start(config: SandboxConfig) -> Self {
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        Self {
            sandbox,
            client: Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    /// A Pipedrive GET with the right token.
    pub fn pipedrive(&self, path: &str) -> RequestBuilder {
        self.client
            .get(self.url(path))
            .header("x-api-token", PIPEDRIVE_TOKEN)
    }

    /// A Brevo request with the right key.
    pub fn brevo(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("api-key", BREVO_KEY)
    }

    pub async fn brevo_get(&self, path: &str) -> Response {
        self.brevo(reqwest::Method::GET, path)
            .send()
            .await
            .expect("request succeeds")
    }

    pub async fn brevo_post(&self, path: &str, body: &Value) -> Response {
        self.brevo(reqwest::Method::POST, path)
            .json(body)
            .send()
            .await
            .expect("request succeeds")
    }

    pub async fn brevo_put(&self, path: &str, body: &Value) -> Response {
        self.brevo(reqwest::Method::PUT, path)
            .json(body)
            .send()
            .await
            .expect("request succeeds")
    }

    /// A control-API request (`path` is under `/__sandbox`).
    pub async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Response {
        let mut request = self
            .client
            .request(method, self.url(&format!("/__sandbox{path}")));
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request succeeds")
    }

    pub async fn stop(self) {
        self.sandbox.stop().await;
    }
}

/// Status and JSON body of a response.
pub async fn status_json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON body"))
}

pub fn header(response: &Response, name: &str) -> Option<String> {
    let value = response.headers().get(name)?;
    Some(value.to_str().expect("ASCII header").to_owned())
}

/// A folder and a list in it; returns the list id.
pub async fn new_list(harness: &Harness, name: &str) -> u64 {
    let (status, folder) = status_json(
        harness
            .brevo_post("/v3/contacts/folders", &json!({"name": "Sync"}))
            .await,
    )
    .await;
    assert_eq!(status, 201);
    let body = json!({"name": name, "folderId": folder["id"]});
    let (status, list) = status_json(harness.brevo_post("/v3/contacts/lists", &body).await).await;
    assert_eq!(status, 201);
    list["id"].as_u64().unwrap()
}
