//! Pipedrive: `GET /v1/filters` (also under `/api/v1`) and `GET /api/v2/persons`
//! (person fields are in `pipedrive_fields.rs`).

use actix_web::web::{self, Data, Query};
use actix_web::{http::header::ContentType, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::pipedrive_paging::{self, Cursor};
use crate::app::AppState;
use crate::clock;
use crate::responses::{pipedrive_bad_request, pipedrive_error};
use crate::state::person::v2_json;

/// Filter types of `getFilters`; the sandbox only holds `people` filters.
const FILTER_TYPES: &[&str] = &[
    "deals", "leads", "org", "people", "products", "activity", "projects",
];
/// "A maximum of 15 keys is allowed" in `custom_fields`.
const MAX_CUSTOM_FIELD_KEYS: usize = 15;

pub(super) fn configure(app: &mut web::ServiceConfig) {
    app.route("/v1/filters", web::get().to(filters))
        .route("/api/v1/filters", web::get().to(filters))
        .route("/api/v2/persons", web::get().to(persons));
}

#[derive(Debug, Deserialize)]
struct FiltersQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// The spec makes `type` optional, but the sandbox insists on it: a client
/// that forgets `type=people` would get every kind of filter from Pipedrive.
async fn filters(state: Data<AppState>, query: Query<FiltersQuery>) -> HttpResponse {
    let kind = match query.kind.as_deref() {
        None => {
            return pipedrive_bad_request(
                "Parameter type is required (the sandbox insists on type=people)",
            )
        }
        Some(kind) if !FILTER_TYPES.contains(&kind) => {
            return pipedrive_bad_request(&format!(
                "Parameter type must be one of: {}",
                FILTER_TYPES.join(", ")
            ));
        }
        Some(kind) => kind,
    };
    let rows = if kind == "people" {
        state.pipedrive.filter_rows()
    } else {
        Vec::new()
    };
    let data: Vec<Value> = rows
        .into_iter()
        .map(|filter| {
            json!({
                "id": filter.id,
                "name": filter.name,
                "filter_code": null,
                "is_editable": true,
                "active_flag": true,
                "type": "people",
                "temporary_flag": null,
                "user_id": filter.user_id,
                "add_time": clock::pipedrive_v1(filter.add_time),
                "update_time": clock::pipedrive_v1(filter.update_time),
                "visible_to": "3",
                "last_used_time": null,
                "custom_view_id": null,
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({ "success": true, "data": data }))
}

#[derive(Debug, Deserialize)]
struct PersonsQuery {
    filter_id: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
    /// Comma-separated custom-field keys.
    custom_fields: Option<String>,
}

/// Where the next page of a filter's persons starts.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct PersonsCursor {
    filter_id: u64,
    offset: u64,
}

impl Cursor for PersonsCursor {}

/// A persons page, its keys in the order of the v2 spec's schema and example (a `json!`
/// object would sort them, putting `additional_data` first).
#[derive(Serialize)]
struct PersonsPage {
    success: bool,
    data: Vec<Value>,
    additional_data: Paging,
}

#[derive(Serialize)]
struct Paging {
    next_cursor: Option<String>,
}

/// Persons of a filter, by ascending id. Without `filter_id` Pipedrive lists
/// every person; the sandbox only models filters and answers 400.
/// `custom_fields` narrows each person's custom fields to those keys (unknown
/// keys are left out); without it every custom field is served.
async fn persons(state: Data<AppState>, query: Query<PersonsQuery>) -> HttpResponse {
    let Some(filter_id) = query
        .filter_id
        .as_deref()
        .and_then(|id| id.parse::<u64>().ok())
    else {
        return pipedrive_bad_request(
            "Parameter filter_id is required by the sandbox and must be an integer",
        );
    };
    let limit = match pipedrive_paging::limit(query.limit.as_deref()) {
        Ok(limit) => limit,
        Err(response) => return *response,
    };
    let mut keys = state.pipedrive.custom_field_keys();
    if let Some(requested) = query
        .custom_fields
        .as_deref()
        .filter(|text| !text.is_empty())
    {
        let requested: Vec<&str> = requested.split(',').map(str::trim).collect();
        if requested.len() > MAX_CUSTOM_FIELD_KEYS {
            return pipedrive_bad_request(&format!(
                "Parameter custom_fields accepts at most {MAX_CUSTOM_FIELD_KEYS} keys"
            ));
        }
        keys.retain(|key| requested.contains(&key.as_str()));
    }
    let offset = match query.cursor.as_deref().map(PersonsCursor::decode) {
        None => 0,
        Some(Some(cursor)) if cursor.filter_id == filter_id => cursor.offset,
        Some(_) => return pipedrive_bad_request("Invalid cursor"),
    };
    // A page of 500 persons takes milliseconds of CPU to build: off the worker thread, so
    // that its other connections are not held up meanwhile, as a real API's other clients
    // are not.
    let body = web::block(move || {
        let (page, total) = state.pipedrive.page(filter_id, offset, limit)?;
        let next = offset + page.len() as u64;
        let next_cursor = (next < total).then(|| {
            PersonsCursor {
                filter_id,
                offset: next,
            }
            .encode()
        });
        let page = PersonsPage {
            success: true,
            data: page.iter().map(|p| v2_json(p, &keys)).collect(),
            additional_data: Paging { next_cursor },
        };
        Some(serde_json::to_vec(&page).expect("JSON values serialize"))
    })
    .await
    .expect("building a page does not panic");
    match body {
        Some(body) => HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(body),
        None => pipedrive_error(404, "Filter not found", "Object was not found."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Sandbox, SandboxConfig};

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = PersonsCursor {
            filter_id: 7,
            offset: 999_500,
        };
        assert_eq!(PersonsCursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(PersonsCursor::decode("not a cursor"), None);
    }

    /// Lives here rather than in `tests/` because it forges a cursor to jump
    /// to the end instead of walking 2,000 pages.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pages_a_million_generated_persons() {
        let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
        sandbox
            .pipedrive()
            .add_generated_filter(9, "Everyone", 1_000_000);
        let client = reqwest::Client::new();
        let page = |cursor: Option<PersonsCursor>| {
            let mut query = vec![("filter_id", "9".to_owned()), ("limit", "500".to_owned())];
            query.extend(cursor.map(|cursor| ("cursor", cursor.encode())));
            let request = client.get(format!("{}/api/v2/persons", sandbox.base_url()));
            let request = request
                .header("x-api-token", "sandbox-pipedrive-token")
                .query(&query);
            async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
        };

        let first = page(None).await;
        assert_eq!(first["data"].as_array().unwrap().len(), 500);
        let next = first["additional_data"]["next_cursor"].as_str().unwrap();
        assert_eq!(
            PersonsCursor::decode(next),
            Some(PersonsCursor {
                filter_id: 9,
                offset: 500
            })
        );

        let last = page(Some(PersonsCursor {
            filter_id: 9,
            offset: 999_500,
        }))
        .await;
        let persons = last["data"].as_array().unwrap();
        assert_eq!(
            (persons.len(), persons[499]["id"].clone()),
            (500, json!(1_000_000))
        );
        assert!(persons[499]["emails"].is_array());
        assert_eq!(last["additional_data"]["next_cursor"], Value::Null);
        sandbox.stop().await;
    }
}
