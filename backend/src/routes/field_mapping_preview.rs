//! A mapping tried on one person before it is saved (DESIGN §10's field-mapping page).

use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    field_mapping::{checked_mapping, MappingEntryDto},
    from_object,
    lookup::find_filter,
};
use crate::{
    app_state::AppState,
    domain::{
        fields::{BrevoAttributeType, BrevoValue},
        mapping::Mapping,
    },
    error::{ApiError, Problem},
    sync::field_mapping::sample_contact,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappingPreviewIn {
    /// The filter whose first person is shown.
    #[serde(deserialize_with = "super::whole_number")]
    pub filter_id: i64,
    /// The mapping to try, as `PUT /api/field-mapping` takes it.
    #[schema(max_items = 50)]
    pub mappings: Vec<MappingEntryDto>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "person": {"id": 12, "email": "ada@example.com"},
    "attributes": [
        {"brevo_attribute": "FIRSTNAME", "value": "Ada", "label": null},
        {"brevo_attribute": "SEGMENT", "value": 1, "label": "Enterprise"},
        {"brevo_attribute": "SMS", "value": null, "label": null}
    ],
    "left_out": ["Phone left out: phone \"n/a\" is not a number"]
}))]
pub struct MappingPreviewOut {
    /// The person shown; null when the filter's first page has nobody with a usable email.
    pub person: Option<PreviewPerson>,
    /// Each mapped attribute with the value a sync would write; null: none (the attribute
    /// is left as it is in Brevo).
    pub attributes: Vec<PreviewAttribute>,
    /// The person's values that cannot be converted, each with why.
    pub left_out: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewPerson {
    pub id: i64,
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewAttribute {
    pub brevo_attribute: String,
    /// A string, number, boolean, a category's value, or a list of choices.
    #[schema(value_type = Value)]
    pub value: Option<serde_json::Value>,
    /// For a category attribute, the label of the value written (`value` is its number).
    pub label: Option<String>,
}

/// Preview a field mapping
///
/// Checks the mapping as a save would, then shows what a sync would write for one person
/// of the filter. Nothing is saved or written.
#[utoipa::path(
    tag = "field-mapping",
    operation_id = "fieldMapping.preview",
    security(("session_cookie" = [])),
    request_body = MappingPreviewIn,
    responses(
        (status = 200, description = "One person's mapped values", body = MappingPreviewOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such filter", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 16 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_mapping` (with `entry`) or a body of the wrong shape", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "Pipedrive or Brevo failed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "PIPEDRIVE_API_TOKEN or BREVO_API_KEY is not set", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/field-mapping/preview")]
pub async fn preview_field_mapping(
    body: web::Json<serde_json::Map<String, serde_json::Value>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body: MappingPreviewIn = from_object(body.into_inner())?;
    let filter = find_filter(&state, body.filter_id).await?.filter;
    let checked = checked_mapping(&state, body.mappings).await?;
    let mapping = Mapping::new(checked, state.phone_region);
    let contact = sample_contact(&state.pipedrive, filter.id, &mapping).await?;
    let Some(contact) = contact else {
        return Ok(HttpResponse::Ok().json(MappingPreviewOut {
            person: None,
            attributes: Vec::new(),
            left_out: Vec::new(),
        }));
    };
    let attributes = mapping
        .attributes()
        .zip(&contact.mapped.values)
        .map(|(attribute, value)| PreviewAttribute {
            brevo_attribute: attribute.name.clone(),
            value: value
                .as_ref()
                .map(|v| serde_json::to_value(v).expect("a value serialises")),
            label: match (value, &attribute.attribute_type) {
                (
                    Some(BrevoValue::Category(chosen)),
                    BrevoAttributeType::Category { enumeration },
                ) => enumeration
                    .iter()
                    .find(|entry| entry.value == *chosen)
                    .map(|entry| entry.label.clone()),
                _ => None,
            },
        })
        .collect();
    Ok(HttpResponse::Ok().json(MappingPreviewOut {
        person: Some(PreviewPerson {
            id: contact.person_id,
            email: contact.email.clone(),
        }),
        attributes,
        left_out: contact
            .mapped
            .left_out
            .iter()
            .map(ToString::to_string)
            .collect(),
    }))
}
