//! Pipedrive: `GET /api/v2/personFields` (getPersonFields, token cost 10 in
//! the spec; the sandbox limits requests, not tokens).

use actix_web::web::{self, Data, Query};
use actix_web::HttpResponse;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::pipedrive_paging::{self, Cursor};
use crate::app::AppState;
use crate::person_fields::{FieldOption, FieldType, PersonField, ADDRESS_COMPONENTS};
use crate::responses::pipedrive_bad_request;

pub(super) fn configure(app: &mut web::ServiceConfig) {
    app.route("/api/v2/personFields", web::get().to(person_fields));
}

/// `include_fields` (UI settings) is not modelled and ignored.
#[derive(Debug, Deserialize)]
struct FieldsQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

/// Where the next page of fields starts.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct FieldsCursor {
    field_offset: u64,
}

impl Cursor for FieldsCursor {}

/// The account's person fields, standard ones first, paged like persons.
async fn person_fields(state: Data<AppState>, query: Query<FieldsQuery>) -> HttpResponse {
    let limit = match pipedrive_paging::limit(query.limit.as_deref()) {
        Ok(limit) => limit as usize,
        Err(response) => return *response,
    };
    let offset = match query.cursor.as_deref().map(FieldsCursor::decode) {
        None => 0,
        Some(Some(cursor)) => cursor.field_offset as usize,
        Some(None) => return pipedrive_bad_request("Invalid cursor"),
    };
    let fields = state.pipedrive.person_fields();
    let page: Vec<Value> = fields
        .iter()
        .skip(offset)
        .take(limit)
        .map(field_json)
        .collect();
    let next = offset + page.len();
    let next_cursor = (next < fields.len()).then(|| {
        FieldsCursor {
            field_offset: next as u64,
        }
        .encode()
    });
    HttpResponse::Ok().json(json!({
        "success": true,
        "data": page,
        "additional_data": { "next_cursor": next_cursor },
    }))
}

/// A field with every property the spec requires, its options (`null` unless
/// `enum` or `set`) and subfields (`null` unless `monetary` or `address`).
fn field_json(field: &PersonField) -> Value {
    let options = (!field.options.is_empty()).then(|| {
        let option = |option: &FieldOption| json!({ "id": option.id, "label": option.label });
        field.options.iter().map(option).collect::<Vec<_>>()
    });
    let subfield = |code: &str, name: &str| {
        json!({
            "field_code": format!("{}_{code}", field.code),
            "field_name": name,
            "field_type": "varchar",
        })
    };
    let subfields: Option<Vec<Value>> = match field.kind {
        FieldType::Monetary => Some(vec![subfield("currency", "Currency")]),
        FieldType::Address => Some(
            ADDRESS_COMPONENTS
                .iter()
                .map(|(code, name)| subfield(code, name))
                .collect(),
        ),
        _ => None,
    };
    json!({
        "field_name": field.name,
        "field_code": field.code,
        "field_type": field.kind.as_str(),
        "options": options,
        "subfields": subfields,
        "is_custom_field": field.custom,
        "is_optional_response_field": false,
    })
}
