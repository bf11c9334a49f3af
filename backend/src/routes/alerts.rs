use actix_web::{get, post, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{app_state::AppState, error::ApiError};

#[derive(Serialize, ToSchema)]
pub struct AlertsOut {
    /// Whether `ALERT_WEBHOOK_URL` is set.
    pub configured: bool,
    /// The receiver's host (the URL itself is a secret), when configured.
    #[schema(example = "hooks.slack.com")]
    pub receiver_host: Option<String>,
}

/// Alert settings
///
/// Whether alerts are sent (`ALERT_WEBHOOK_URL`) and to which host.
#[utoipa::path(
    tag = "alerts",
    operation_id = "alerts.get",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The alert settings", body = AlertsOut),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/alerts")]
pub async fn get_alerts(state: web::Data<AppState>) -> HttpResponse {
    let receiver_host = state.alerts.receiver_host();
    HttpResponse::Ok().json(AlertsOut {
        configured: receiver_host.is_some(),
        receiver_host,
    })
}

/// Send a test alert
///
/// POSTs `{"event":"test",…}` to `ALERT_WEBHOOK_URL` once (10 s timeout). 204 when the
/// receiver took it; 502 with the receiver's answer when not; 409 without
/// `ALERT_WEBHOOK_URL`.
#[utoipa::path(
    tag = "alerts",
    operation_id = "alerts.test",
    security(("session_cookie" = [])),
    responses(
        (status = 204, description = "The receiver took the test alert"),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "ALERT_WEBHOOK_URL is not set", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 502, description = "The receiver did not take it; `detail` has its answer", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/alerts/test")]
pub async fn send_test_alert(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.alerts.send_test().await?;
    Ok(HttpResponse::NoContent().finish())
}
