//! Error bodies, in each API's documented shape.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::api::Api;
use crate::state::brevo::Rejection;

/// A Cloudflare-style block page: what Pipedrive answers (as HTML, not JSON)
/// to API-token clients that keep calling after a 429.
pub(crate) const CLOUDFLARE_FORBIDDEN_PAGE: &str = "<!DOCTYPE html>\n\
<html lang=\"en-US\"><head><title>Attention Required! | Cloudflare</title></head>\n\
<body><div id=\"cf-wrapper\"><h1 data-translate=\"block_headline\">Sorry, you have been blocked</h1>\n\
<h2 class=\"cf-subheadline\">You are unable to access pipedrive.com</h2>\n\
<p>Cloudflare Ray ID: <strong>8c1f2d3e4a5b6c7d</strong></p></div></body></html>\n";

/// Pipedrive's generic error: `{success:false, error, error_info, data:null, additional_data:null}`.
pub(crate) fn pipedrive_error(status: u16, error: &str, error_info: &str) -> HttpResponse {
    with_status(status).json(json!({
        "success": false,
        "error": error,
        "error_info": error_info,
        "data": null,
        "additional_data": null,
    }))
}

pub(crate) fn pipedrive_bad_request(error: &str) -> HttpResponse {
    pipedrive_error(
        400,
        error,
        "Please check developers.pipedrive.com for more information about Pipedrive API.",
    )
}

/// Brevo's `errorModel`: `{code, message}`.
pub(crate) fn brevo_error(status: u16, code: &str, message: &str) -> HttpResponse {
    with_status(status).json(json!({ "code": code, "message": message }))
}

pub(crate) fn brevo_rejection(rejection: &Rejection) -> HttpResponse {
    brevo_error(rejection.status, rejection.code, &rejection.message)
}

/// The 401 each API documents for a missing or wrong credential.
pub(crate) fn unauthorized(api: Api) -> HttpResponse {
    match api {
        Api::Pipedrive => HttpResponse::Unauthorized().json(json!({
            "success": false,
            "error": "unauthorized access",
            "errorCode": 401,
        })),
        Api::Brevo => brevo_error(401, "unauthorized", "Key not found"),
    }
}

/// A 429 body. Neither spec documents one; these follow the APIs' error
/// shapes (Brevo's code is outside the `errorModel` enum, so clients must not
/// depend on that enum being closed).
pub(crate) fn too_many_requests(api: Api) -> HttpResponse {
    match api {
        Api::Pipedrive => HttpResponse::TooManyRequests().json(json!({
            "success": false,
            "error": "Rate limit exceeded",
            "errorCode": 429,
        })),
        Api::Brevo => brevo_error(
            429,
            "too_many_requests",
            "The expected rate limit is exceeded.",
        ),
    }
}

/// A 400 in the shape of the API the request was addressed to (used by the
/// query, path and JSON extractors).
pub(crate) fn bad_request_for(request: &HttpRequest, message: &str) -> HttpResponse {
    match Api::of_path(request.path()) {
        Some(Api::Pipedrive) => pipedrive_bad_request(message),
        _ => brevo_error(400, "bad_request", message),
    }
}

/// A 404 for a path neither API has.
pub(crate) fn unknown_route(request: &HttpRequest) -> HttpResponse {
    let message = format!(
        "{} {} is not a route of the sandbox",
        request.method(),
        request.path()
    );
    match Api::of_path(request.path()) {
        Some(Api::Pipedrive) => pipedrive_error(404, "Unknown method", &message),
        _ => brevo_error(404, "document_not_found", &message),
    }
}

fn with_status(status: u16) -> actix_web::HttpResponseBuilder {
    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
}
