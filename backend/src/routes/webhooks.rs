use actix_web::{http::header, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use crate::{app_state::AppState, error::ApiError};

/// The largest event taken: a person with every custom field of a large account fits; the
/// API's other bodies are held to 16 KiB.
const EVENT_LIMIT: usize = 1024 * 1024;

/// Pipedrive webhook receiver
///
/// Where the service's Pipedrive person webhook delivers (with `PUBLIC_URL` and
/// `PIPEDRIVE_WEBHOOKS=true`; 404 otherwise). Authenticated by the basic-auth credentials the
/// service registered the webhook with, not by a session. Any person event makes every
/// scheduled filter sync after `WEBHOOK_DEBOUNCE_SECONDS`; the answer comes at once.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "webhooks.pipedrive",
    request_body(content = Object, description = "A Pipedrive v2 webhook event (`meta`, `data`, `previous`); only its arrival matters", content_type = "application/json"),
    security(("pipedrive_webhook_auth" = [])),
    responses(
        (status = 204, description = "Taken: the scheduled filters will sync"),
        (status = 400, description = "The body is not JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong or missing credentials", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Pipedrive webhooks are off", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 1 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body is JSON but not an object", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/pipedrive")]
pub async fn receive_pipedrive(
    req: HttpRequest,
    mut body: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Some(inbox) = &state.webhooks else {
        return Err(ApiError::route_off(&req));
    };
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes());
    if !inbox.is_authorized(authorization) {
        return Err(ApiError::WebhookUnauthorized);
    }
    // Read only to refuse what is not an event: its content does not say which filters the
    // person is in.
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|err| ApiError::MalformedJson(err.to_string()))?;
        if bytes.len() + chunk.len() > EVENT_LIMIT {
            return Err(ApiError::PayloadTooLarge { limit: EVENT_LIMIT });
        }
        bytes.extend_from_slice(&chunk);
    }
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(_)) => {}
        Ok(_) => {
            return Err(ApiError::InvalidBody(
                "a webhook event is a JSON object".into(),
            ))
        }
        Err(err) => return Err(ApiError::MalformedJson(err.to_string())),
    }
    inbox.received();
    Ok(HttpResponse::NoContent().finish())
}
