use actix_web::{http::header, post, web, HttpRequest, HttpResponse};

use crate::{app_state::AppState, error::ApiError};

/// Pipedrive webhook receiver
///
/// Where the service's Pipedrive person webhook delivers (with `PUBLIC_URL` and
/// `PIPEDRIVE_WEBHOOKS=true`; 404 otherwise). Authenticated by the basic-auth credentials the
/// service registered the webhook with, not by a session. Any person event makes every
/// scheduled filter sync after `WEBHOOK_DEBOUNCE_SECONDS`; the answer comes at once.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "webhooks.pipedrive",
    request_body(content = serde_json::Value, description = "A Pipedrive v2 webhook event", content_type = "application/json"),
    security(("pipedrive_webhook_auth" = [])),
    responses(
        (status = 204, description = "Taken: the scheduled filters will sync"),
        (status = 401, description = "Wrong or missing credentials", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Pipedrive webhooks are off", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/pipedrive")]
pub async fn receive_pipedrive(
    req: HttpRequest,
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
    inbox.received();
    Ok(HttpResponse::NoContent().finish())
}
