//! Pipedrive: `GET|POST /v1/webhooks` and `DELETE /v1/webhooks/{id}` (also
//! under `/api/v1`), as the v1 spec's `getWebhooks`, `addWebhook` and
//! `deleteWebhook` have them. Deliveries are in `state/pipedrive/delivery.rs`.

use std::collections::BTreeMap;

use actix_web::web::{self, Bytes, Data, Path};
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

use crate::app::AppState;
use crate::state::pipedrive::{webhook_json, NewWebhook, MAX_WEBHOOKS_PER_USER};

const EVENT_ACTIONS: &[&str] = &["create", "change", "delete", "*"];
const EVENT_OBJECTS: &[&str] = &[
    "activity",
    "deal",
    "lead",
    "note",
    "organization",
    "person",
    "pipeline",
    "product",
    "stage",
    "user",
    "*",
];
const VERSIONS: &[&str] = &["1.0", "2.0"];
/// `name`: "maxLength: 255".
const MAX_NAME_CHARS: usize = 255;

pub(super) fn configure(app: &mut web::ServiceConfig) {
    for prefix in ["/v1", "/api/v1"] {
        app.route(&format!("{prefix}/webhooks"), web::get().to(list))
            .route(&format!("{prefix}/webhooks"), web::post().to(add))
            .route(
                &format!("{prefix}/webhooks/{{id}}"),
                web::delete().to(delete),
            );
    }
}

async fn list(state: Data<AppState>) -> HttpResponse {
    let data: Vec<Value> = state
        .pipedrive
        .webhooks()
        .iter()
        .map(webhook_json)
        .collect();
    HttpResponse::Ok().json(json!({ "status": "ok", "success": true, "data": data }))
}

/// 201 with the webhook; 400 `WebhooksBadRequestResponse`
/// (`{status:"error", success:false, errors:{field:[message]}}`) for a bad
/// body, and, in the same shape under `user_id`, when the user already has 40
/// webhooks (Pipedrive documents the limit, not its answer).
async fn add(state: Data<AppState>, body: Bytes) -> HttpResponse {
    let new = match parse(&body) {
        Ok(new) => new,
        Err(errors) => return bad_request(errors),
    };
    match state.pipedrive.add_webhook(new) {
        Some(webhook) => HttpResponse::Created().json(json!({
            "status": "ok",
            "success": true,
            "data": webhook_json(&webhook),
        })),
        None => bad_request(BTreeMap::from([(
            "user_id",
            vec![format!(
                "the maximum of {MAX_WEBHOOKS_PER_USER} webhooks per user is reached"
            )],
        )])),
    }
}

/// 200 `{status:"ok", success:true}`; 404 `{status:"error", success:false,
/// errors:{id:["not found"]}}` for an unknown id.
async fn delete(state: Data<AppState>, id: Path<u64>) -> HttpResponse {
    if state.pipedrive.remove_webhook(*id) {
        HttpResponse::Ok().json(json!({ "status": "ok", "success": true }))
    } else {
        HttpResponse::NotFound().json(json!({
            "status": "error",
            "success": false,
            "errors": { "id": ["not found"] },
        }))
    }
}

type Errors = BTreeMap<&'static str, Vec<String>>;

fn bad_request(errors: Errors) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({
        "status": "error",
        "success": false,
        "errors": errors,
    }))
}

/// The `addWebhookRequest`, every field checked; all problems are reported at once.
fn parse(body: &[u8]) -> Result<NewWebhook, Errors> {
    let mut errors = Errors::new();
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        errors.insert("body", vec!["must be a JSON object".to_owned()]);
        return Err(errors);
    };
    let mut error = |field: &'static str, message: String| {
        errors.entry(field).or_default().push(message);
    };

    let subscription_url = required_text(&fields, "subscription_url", &mut error);
    if let Some(url) = &subscription_url {
        if let Err(message) = check_url(url) {
            error("subscription_url", message.to_owned());
        }
    }
    let event_action = required_text(&fields, "event_action", &mut error);
    if let Some(action) = event_action
        .as_deref()
        .filter(|a| !EVENT_ACTIONS.contains(a))
    {
        let allowed = EVENT_ACTIONS.join(", ");
        error("event_action", format!("{action} is not one of {allowed}"));
    }
    let event_object = required_text(&fields, "event_object", &mut error);
    if let Some(object) = event_object
        .as_deref()
        .filter(|o| !EVENT_OBJECTS.contains(o))
    {
        let allowed = EVENT_OBJECTS.join(", ");
        error("event_object", format!("{object} is not one of {allowed}"));
    }
    let name = required_text(&fields, "name", &mut error);
    if name
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NAME_CHARS)
    {
        error(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        );
    }
    let version = match fields.get("version") {
        None | Some(Value::Null) => Some("2.0".to_owned()),
        Some(Value::String(v)) if VERSIONS.contains(&v.as_str()) => Some(v.clone()),
        Some(_) => {
            error("version", format!("must be one of {}", VERSIONS.join(", ")));
            None
        }
    };
    let user_id = match fields.get("user_id") {
        None | Some(Value::Null) => None,
        Some(value) => match value.as_u64().filter(|&id| id > 0) {
            Some(id) => Some(id),
            None => {
                error("user_id", "must be a positive integer".to_owned());
                None
            }
        },
    };
    let http_auth_user = optional_text(&fields, "http_auth_user", &mut error);
    let http_auth_password = optional_text(&fields, "http_auth_password", &mut error);

    match (subscription_url, event_action, event_object, name, version) {
        (
            Some(subscription_url),
            Some(event_action),
            Some(event_object),
            Some(name),
            Some(version),
        ) if errors.is_empty() => Ok(NewWebhook {
            name,
            subscription_url,
            event_action,
            event_object,
            version,
            user_id,
            http_auth_user,
            http_auth_password,
        }),
        _ => Err(errors),
    }
}

fn required_text(
    fields: &Map<String, Value>,
    field: &'static str,
    error: &mut impl FnMut(&'static str, String),
) -> Option<String> {
    match fields.get(field) {
        Some(Value::String(text)) if !text.trim().is_empty() => Some(text.clone()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            error(field, "is required".to_owned());
            None
        }
        Some(_) => {
            error(field, "must be a string".to_owned());
            None
        }
    }
}

fn optional_text(
    fields: &Map<String, Value>,
    field: &'static str,
    error: &mut impl FnMut(&'static str, String),
) -> Option<String> {
    match fields.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(_) => {
            error(field, "must be a string or null".to_owned());
            None
        }
    }
}

/// "A full, valid, publicly accessible URL", not a Pipedrive API endpoint.
/// The sandbox accepts local addresses (its receivers are local) and does
/// not try to reach the URL.
fn check_url(url: &str) -> Result<(), &'static str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let authority = rest.map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    let host = authority.map(|authority| {
        let host = authority.rsplit('@').next().unwrap_or_default();
        host.split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    });
    match host {
        Some(host) if !host.is_empty() && !url.chars().any(char::is_whitespace) => {
            if host == "pipedrive.com" || host.ends_with(".pipedrive.com") {
                Err("Pipedrive API endpoints cannot be used as the subscription URL")
            } else {
                Ok(())
            }
        }
        _ => Err("invalid or non-reachable URL"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_subscription_urls() {
        for good in [
            "http://127.0.0.1:8080/hook",
            "https://sync.example.com/api/webhooks/pipedrive?x=1",
            "http://user:pw@example.com",
        ] {
            assert_eq!(check_url(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "example.com/hook",
            "ftp://example.com",
            "http://",
            "http:///path",
            "http://exa mple.com",
        ] {
            assert_eq!(check_url(bad), Err("invalid or non-reachable URL"), "{bad}");
        }
        assert!(check_url("https://api.pipedrive.com/v1/persons").is_err());
    }
}
