//! Refuses state-changing requests that a browser sent on behalf of another site (CSRF).
//!
//! Two independent signals, either of which suffices: the Fetch Metadata header
//! `Sec-Fetch-Site` and the `Origin` header. Requests without either (curl, scripts) pass:
//! they carry no ambient browser cookie they did not ask for. The body types a cross-site
//! HTML form can send without a CORS preflight are refused outright.

use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{header, Method},
    middleware::Next,
};

use crate::error::ApiError;

pub async fn refuse_cross_origin(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Err(refusal) = check(&req) {
        // A response rather than an `Err`, so the outer middleware still adds its headers.
        return Ok(req.error_response(refusal).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn check(req: &ServiceRequest) -> Result<(), ApiError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let header_str = |name| req.headers().get(name).and_then(|v| v.to_str().ok());

    if let Some(site) = header_str(header::HeaderName::from_static("sec-fetch-site")) {
        if !matches!(site, "same-origin" | "none") {
            return Err(ApiError::CrossOrigin);
        }
    }
    if let Some(origin) = header_str(header::ORIGIN) {
        let host = header_str(header::HOST).unwrap_or_default();
        if !origin_matches_host(origin, host) {
            return Err(ApiError::CrossOrigin);
        }
    }
    if let Some(content_type) = header_str(header::CONTENT_TYPE) {
        if !is_json(content_type) {
            return Err(ApiError::UnsupportedMediaType);
        }
    }
    Ok(())
}

/// `Origin` is `scheme://host[:port]` (or `null`); same-origin means its authority is the
/// `Host` the request was sent to.
fn origin_matches_host(origin: &str, host: &str) -> bool {
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    matches!(authority, Some(authority) if !host.is_empty() && authority.eq_ignore_ascii_case(host))
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.to_ascii_lowercase().ends_with("+json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_matches_only_its_own_host_and_port() {
        assert!(origin_matches_host(
            "http://127.0.0.1:8080",
            "127.0.0.1:8080"
        ));
        assert!(origin_matches_host(
            "https://sync.example.com",
            "sync.example.com"
        ));
        assert!(!origin_matches_host(
            "http://127.0.0.1:8081",
            "127.0.0.1:8080"
        ));
        assert!(!origin_matches_host(
            "https://evil.example",
            "sync.example.com"
        ));
        assert!(!origin_matches_host("null", "sync.example.com"));
        assert!(!origin_matches_host("http://a.example", ""));
    }

    #[test]
    fn only_json_bodies_are_accepted() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/problem+json"));
        for other in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ] {
            assert!(!is_json(other), "{other}");
        }
    }
}
