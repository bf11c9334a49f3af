//! What every upstream request goes through before and after its handler:
//! logging, latency, scripted faults, rate limiting and authentication.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use actix_web::body::{self, BodyStream, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::{error, HttpResponse};

use crate::api::Api;
use crate::app::AppState;
use crate::faults::Fault;
use crate::rate_limit::{header_names, Bucket};
use crate::responses;

/// The upstream middleware. Requests outside both APIs (control routes,
/// unknown paths) pass straight through.
pub(crate) async fn upstream(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, error::Error> {
    let Some(api) = Api::of_path(request.path()) else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    let state = request
        .app_data::<Data<AppState>>()
        .expect("AppState is registered by app::configure")
        .clone();
    let (method, path) = (request.method().to_string(), request.path().to_owned());
    let seq = state.log.begin(api, &method, &path, request.query_string());
    // The latency is the whole round trip as the client sees it, as with a real server whose
    // own work is part of its latency: producing the answer counts towards it.
    let answer_at = Instant::now() + state.latency();

    let bucket = Bucket::of(api, &path);
    let verdict = state.limiter.check(bucket, Instant::now());
    let fault = state.faults.take(api, &path);
    let effect = apply_fault(fault, api, state.limiter.limit(bucket)).await;
    let trickle = matches!(effect, Effect::Trickle);
    let mut response = match effect {
        Effect::Replace(response) => request.into_response(response),
        _ if !verdict.allowed => request.into_response(responses::too_many_requests(api)),
        _ if !authorized(&request, api, &state) => {
            request.into_response(responses::unauthorized(api))
        }
        _ => next.call(request).await?.map_into_boxed_body(),
    };

    // Cloudflare's block page carries no API headers; scripted responses that
    // set their own rate-limit headers keep them.
    let blocked = response.status() == StatusCode::FORBIDDEN && is_html(response.headers());
    let headers = response.headers_mut();
    if !blocked && !headers.contains_key(header_names(api)[0]) {
        for (name, value) in verdict.headers(api) {
            headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
        }
    }
    wait_until(answer_at).await;
    state.log.finish(seq, api, response.status().as_u16());
    if trickle {
        response = trickle_body(response).await?;
    }
    Ok(response)
}

/// Waits until `at`, to within a few microseconds: the timer wakes up to a millisecond late,
/// which would add a millisecond to every round trip that a latency figure promises.
async fn wait_until(at: Instant) {
    let timer_slack = Duration::from_millis(1);
    if let Some(early) = at.checked_sub(timer_slack) {
        sleep(early.saturating_duration_since(Instant::now())).await;
    }
    while Instant::now() < at {
        tokio::task::yield_now().await;
    }
}

/// What a scripted fault does to a request, once any waiting is done.
enum Effect {
    Normal,
    Replace(HttpResponse),
    Trickle,
}

async fn apply_fault(fault: Option<Fault>, api: Api, limit: u32) -> Effect {
    match fault {
        None => Effect::Normal,
        Some(Fault::Hang) => std::future::pending().await,
        Some(Fault::Delay(delay)) => {
            sleep(delay).await;
            Effect::Normal
        }
        Some(Fault::Trickle) => Effect::Trickle,
        Some(Fault::Status {
            status,
            headers,
            body,
        }) => Effect::Replace(status_response(status, headers, body)),
        Some(Fault::TooManyRequests {
            retry_after,
            reset_secs,
        }) => Effect::Replace(too_many_requests(api, limit, retry_after, reset_secs)),
        Some(Fault::HtmlForbidden) => Effect::Replace(
            HttpResponse::Forbidden()
                .content_type("text/html; charset=UTF-8")
                .body(responses::CLOUDFLARE_FORBIDDEN_PAGE),
        ),
    }
}

fn authorized(request: &ServiceRequest, api: Api, state: &AppState) -> bool {
    let (header, expected) = match api {
        Api::Pipedrive => ("x-api-token", &state.config.pipedrive_token),
        Api::Brevo => ("api-key", &state.config.brevo_key),
    };
    let given = request.headers().get(header);
    given.is_some_and(|value| value.as_bytes() == expected.as_bytes())
}

/// A scripted `Fault::Status`.
fn status_response(status: u16, headers: Vec<(String, String)>, body: String) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let json = serde_json::from_str::<serde_json::Value>(&body).is_ok();
    let content_type = if json {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    let mut builder = HttpResponse::build(status);
    builder.insert_header((CONTENT_TYPE, content_type));
    for (name, value) in headers {
        builder.insert_header((name, value));
    }
    builder.body(body)
}

/// A scripted `Fault::TooManyRequests`: the API's 429 with only the headers asked for.
fn too_many_requests(
    api: Api,
    limit: u32,
    retry_after: Option<String>,
    reset_secs: Option<u64>,
) -> HttpResponse {
    let mut response = responses::too_many_requests(api);
    let [limit_name, remaining_name, reset_name] = header_names(api);
    let headers = response.headers_mut();
    headers.insert(
        HeaderName::from_static(limit_name),
        HeaderValue::from(limit),
    );
    headers.insert(
        HeaderName::from_static(remaining_name),
        HeaderValue::from(0),
    );
    if let Some(secs) = reset_secs {
        headers.insert(HeaderName::from_static(reset_name), HeaderValue::from(secs));
    }
    if let Some(value) = retry_after.and_then(|value| HeaderValue::from_str(&value).ok()) {
        headers.insert(RETRY_AFTER, value);
    }
    response
}

fn is_html(headers: &HeaderMap) -> bool {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    content_type.is_some_and(|value| value.starts_with("text/html"))
}

/// Re-sends a finished response's body one byte per second (the first byte
/// at once, so the client sees the headers and then a stalled body).
async fn trickle_body(
    response: ServiceResponse<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, error::Error> {
    let (request, response) = response.into_parts();
    let (response, body) = response.into_parts();
    let bytes = body::to_bytes(body)
        .await
        .map_err(error::ErrorInternalServerError)?;
    let stream = futures_util::stream::unfold(0, move |sent| {
        let bytes = bytes.clone();
        async move {
            if sent == bytes.len() {
                return None;
            }
            if sent > 0 {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Some((Ok::<Bytes, Infallible>(bytes.slice(sent..=sent)), sent + 1))
        }
    });
    let response = response.set_body(BoxBody::new(BodyStream::new(stream)));
    Ok(ServiceResponse::new(request, response))
}

async fn sleep(duration: Duration) {
    if !duration.is_zero() {
        tokio::time::sleep(duration).await;
    }
}
