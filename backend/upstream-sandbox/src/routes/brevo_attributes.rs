//! Brevo contact attributes: `getAttributes`, `createAttribute` and
//! `deleteAttribute` (`updateAttribute` is not modelled).

use actix_web::web::{self, Data, Json, Path};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::AppState;
use crate::responses::brevo_rejection;
use crate::state::brevo::{Attribute, AttributeSpec};

const ATTRIBUTE: &str = "/v3/contacts/attributes/{attribute_category}/{attribute_name}";

pub(super) fn configure(app: &mut web::ServiceConfig) {
    app.route("/v3/contacts/attributes", web::get().to(get_attributes))
        .route(ATTRIBUTE, web::post().to(create_attribute))
        .route(ATTRIBUTE, web::delete().to(delete_attribute));
}

async fn get_attributes(state: Data<AppState>) -> HttpResponse {
    let attributes: Vec<Value> = state.brevo.with(|account| {
        let attributes = account.attributes();
        attributes.into_iter().map(attribute_json).collect()
    });
    HttpResponse::Ok().json(json!({ "attributes": attributes }))
}

/// A `getAttributes` item: `enumeration` only for category attributes.
fn attribute_json(attribute: &Attribute) -> Value {
    let mut item = json!({
        "name": attribute.name,
        "category": attribute.category,
        "type": attribute.kind,
    });
    if attribute.category == "category" {
        let items = attribute.enumeration.iter();
        let items = items.map(|(value, label)| json!({ "value": value, "label": label }));
        item["enumeration"] = Value::Array(items.collect());
    }
    item
}

/// The `createAttribute` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewAttribute {
    #[serde(rename = "type")]
    kind: Option<String>,
    enumeration: Option<Vec<EnumerationItem>>,
    value: Option<String>,
    is_recurring: Option<bool>,
    multi_category_options: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct EnumerationItem {
    value: i64,
    label: String,
}

/// 201 with no body, as the spec documents; names are stored upper-case.
async fn create_attribute(
    state: Data<AppState>,
    path: Path<(String, String)>,
    body: Json<NewAttribute>,
) -> HttpResponse {
    let (category, name) = path.into_inner();
    let body = body.into_inner();
    let spec = AttributeSpec {
        kind: body.kind,
        enumeration: body.enumeration.map(|items| {
            let items = items.into_iter();
            items.map(|item| (item.value, item.label)).collect()
        }),
        unsupported: body.value.is_some()
            || body.is_recurring.is_some()
            || body.multi_category_options.is_some(),
    };
    match state
        .brevo
        .with(|account| account.create_attribute(&category, &name, spec))
    {
        Ok(()) => HttpResponse::Created().finish(),
        Err(rejection) => brevo_rejection(&rejection),
    }
}

/// 204; 404 "Attribute not found" when the category has no attribute of that name.
async fn delete_attribute(state: Data<AppState>, path: Path<(String, String)>) -> HttpResponse {
    let (category, name) = path.into_inner();
    match state
        .brevo
        .with(|account| account.delete_attribute(&category, &name))
    {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(rejection) => brevo_rejection(&rejection),
    }
}
