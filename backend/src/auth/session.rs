//! The session cookie, the typed view of a session, and the guard that keeps every API route
//! but a few behind sign-in.

use std::{
    future::{ready, Ready},
    path::Path,
};

use actix_session::{
    config::{CookieContentSecurity, PersistentSession, TtlExtensionPolicy},
    Session, SessionExt, SessionMiddleware,
};
use actix_web::{
    body::{EitherBody, MessageBody},
    cookie::{time::Duration, Key, SameSite},
    dev::{Payload, ServiceRequest, ServiceResponse},
    middleware::Next,
    FromRequest, HttpRequest,
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sqlx::SqlitePool;

use super::{
    secrets::{self, SecretFileError},
    session_store::{SqliteSessionStore, EXPIRES_AT_KEY, USER_ID_KEY},
};
use crate::{domain::time::UnixTime, error::ApiError};

/// Sessions last 30 days and are extended when used in their second half.
pub const SESSION_TTL: Duration = Duration::days(30);

/// The cookie name; browsers only accept the `__Host-` prefix on secure cookies, where it
/// pins the cookie to this exact origin.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-pbs_session"
    } else {
        "pbs_session"
    }
}

/// Sessions live in `pool`'s `session` table; `key` signs the cookie and must outlive
/// restarts for sessions to do so.
pub fn middleware(
    pool: SqlitePool,
    key: Key,
    secure: bool,
) -> SessionMiddleware<SqliteSessionStore> {
    SessionMiddleware::builder(SqliteSessionStore::new(pool, SESSION_TTL), key)
        .cookie_name(cookie_name(secure).to_owned())
        .cookie_secure(secure)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Strict)
        .cookie_path("/".to_owned())
        .cookie_domain(None)
        .cookie_content_security(CookieContentSecurity::Signed)
        .session_lifecycle(
            PersistentSession::default()
                .session_ttl(SESSION_TTL)
                .session_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
        )
        .build()
}

const SIGNING_KEY_FILE: &str = "session-key";

/// The key that signs session cookies, kept beside the database so that sessions survive
/// restarts; a fresh one per process for an in-memory database.
pub fn signing_key(folder: Option<&Path>) -> Result<Key, SecretFileError> {
    let Some(folder) = folder else {
        return Ok(Key::generate());
    };
    let path = folder.join(SIGNING_KEY_FILE);
    let (encoded, _) = secrets::read_or_create(&path, || secrets::random_token(64))?;
    let invalid = |reason: String| SecretFileError::Invalid {
        path: path.clone(),
        reason,
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|e| invalid(e.to_string()))?;
    Key::try_from(bytes.as_slice()).map_err(|e| invalid(e.to_string()))
}

/// Who is signed in, as the session store reports it.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user_id: String,
    pub expires_at: UnixTime,
}

/// A typed view of the actix session.
pub struct TypedSession(Session);

impl TypedSession {
    pub fn user(&self) -> Option<SessionUser> {
        let user_id = self.0.get::<String>(USER_ID_KEY).ok()??;
        let expires_at = self.0.get::<i64>(EXPIRES_AT_KEY).ok()??;
        Some(SessionUser {
            user_id,
            expires_at: UnixTime(expires_at),
        })
    }

    /// Starts a session under a fresh token; whatever token the browser had is revoked.
    pub fn sign_in(&self, user_id: &str) -> Result<(), ApiError> {
        self.0.clear();
        self.0.renew();
        self.0
            .insert(USER_ID_KEY, user_id)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("session insert failed: {e}")))
    }

    /// Deletes the session row and tells the browser to drop the cookie.
    pub fn sign_out(&self) {
        self.0.purge();
    }
}

impl FromRequest for TypedSession {
    type Error = <Session as FromRequest>::Error;
    type Future = Ready<Result<TypedSession, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(TypedSession(req.get_session())))
    }
}

/// API paths that answer without a session (DESIGN §3).
/// Pipedrive's webhook deliveries authenticate with basic auth instead (`webhooks`).
const PUBLIC_API_PATHS: [&str; 4] = [
    "/api/health",
    "/api/auth/login",
    "/api/openapi.json",
    crate::webhooks::PATH,
];

/// Answers 401 for any other API request without a valid session. Applied to the whole `/api`
/// scope so that a new route is protected by default.
pub async fn require_login(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let public = PUBLIC_API_PATHS.contains(&req.path());
    if !public && TypedSession(req.get_session()).user().is_none() {
        // A response rather than an `Err`, so the outer middleware still adds its headers.
        return Ok(req
            .error_response(ApiError::Unauthorized)
            .map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}
