use std::{net::IpAddr, time::Instant};

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    app_state::AppState,
    auth::{session::TypedSession, OPERATOR_USER_ID},
    error::{ApiError, Problem},
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    /// The operator's password (`ADMIN_PASSWORD`, or the generated one).
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeOut {
    pub user_id: String,
    /// When the session ends unless it is used (it is extended in its second half).
    #[schema(format = DateTime)]
    pub expires_at: String,
}

/// Sign in
///
/// Checks the password and starts a session: the answer sets an HttpOnly, SameSite=Strict
/// session cookie. Repeated failures are throttled.
#[utoipa::path(
    tag = "auth",
    operation_id = "auth.login",
    request_body = LoginIn,
    responses(
        (status = 204, description = "Signed in; the session cookie is set"),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong password", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Body has the wrong shape", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed sign-ins; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    body: web::Json<LoginIn>,
    session: TypedSession,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let client = client_address(&req);
    state
        .throttle
        .check(client, Instant::now())
        .map_err(|throttled| ApiError::LoginThrottled {
            retry_after_secs: throttled.retry_after.as_secs_f64().ceil() as u64,
        })?;
    if !state.password.verify(&body.password) {
        state.throttle.record_failure(client, Instant::now());
        tracing::warn!(%client, "failed sign-in");
        return Err(ApiError::InvalidCredentials);
    }
    state.throttle.record_success(client);
    session.sign_in(OPERATOR_USER_ID)?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sign out
///
/// Ends the session: its row is deleted and the cookie cleared.
#[utoipa::path(
    tag = "auth",
    operation_id = "auth.logout",
    security(("session_cookie" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(session: TypedSession) -> HttpResponse {
    session.sign_out();
    HttpResponse::NoContent().finish()
}

/// Current session
#[utoipa::path(
    tag = "auth",
    operation_id = "auth.me",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = MeOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auth/me")]
pub async fn me(session: TypedSession) -> Result<web::Json<MeOut>, ApiError> {
    let user = session.user().ok_or(ApiError::Unauthorized)?;
    Ok(web::Json(MeOut {
        user_id: user.user_id,
        expires_at: user.expires_at.to_rfc3339(),
    }))
}

/// The peer address. Forwarded-for headers are deliberately ignored: anyone can set them,
/// which would let an attacker dodge the per-client limit.
fn client_address(req: &HttpRequest) -> IpAddr {
    req.peer_addr()
        .map(|addr| addr.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}
