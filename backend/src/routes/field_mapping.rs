//! The field mapping's API (DESIGN §8): what can be mapped, live from both APIs.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    app_state::AppState,
    domain::fields::{BrevoAttribute, PersonField},
    error::{ApiError, Problem},
};

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "pipedrive": [
        {"key": "first_name", "name": "First name", "type": "varchar", "custom": false},
        {"key": "f25f8a899757c44cd81de9152554b984443a46f9", "name": "Segment", "type": "enum", "custom": true}
    ],
    "brevo": [
        {"name": "FIRSTNAME", "type": "text", "writable": true},
        {"name": "SEGMENT", "type": "category", "writable": true}
    ]
}))]
pub struct MappableFieldsOut {
    /// The company's person fields, in Pipedrive's order.
    pub pipedrive: Vec<PipedriveFieldOut>,
    /// The account's contact attributes, in Brevo's order.
    pub brevo: Vec<BrevoAttributeOut>,
}

#[derive(Serialize, ToSchema)]
pub struct PipedriveFieldOut {
    /// What a mapping names: a standard field's code, a custom field's 40-character key.
    pub key: String,
    pub name: String,
    /// Pipedrive's `field_type` (`varchar`, `enum`, `set`, `date`, `phone`, `monetary`, …).
    #[serde(rename = "type")]
    pub field_type: String,
    /// A field the company created (its key is a hash).
    pub custom: bool,
}

#[derive(Serialize, ToSchema)]
pub struct BrevoAttributeOut {
    pub name: String,
    /// `text`, `date`, `float`, `boolean`, `id`, `category`, `multiple-choice`, or `untyped`
    /// when Brevo lists none.
    #[serde(rename = "type")]
    pub attribute_type: String,
    /// False for attributes Brevo computes (`calculated`, `global`): no mapping can fill them.
    pub writable: bool,
}

impl From<PersonField> for PipedriveFieldOut {
    fn from(field: PersonField) -> Self {
        Self {
            field_type: field.field_type.to_string(),
            key: field.key,
            name: field.name,
            custom: field.custom,
        }
    }
}

impl From<BrevoAttribute> for BrevoAttributeOut {
    fn from(attribute: BrevoAttribute) -> Self {
        Self {
            attribute_type: attribute.attribute_type.to_string(),
            writable: attribute.is_writable(),
            name: attribute.name,
        }
    }
}

/// List mappable fields
///
/// The Pipedrive person fields and the Brevo contact attributes a field mapping can pair,
/// asked from both APIs at once.
#[utoipa::path(
    tag = "field-mapping",
    operation_id = "fieldMapping.fields",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Both sides of a mapping", body = MappableFieldsOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "Pipedrive or Brevo failed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "PIPEDRIVE_API_TOKEN or BREVO_API_KEY is not set", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/field-mapping/fields")]
pub async fn list_mappable_fields(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (fields, attributes) =
        tokio::try_join!(state.pipedrive.person_fields(), state.brevo.attributes())?;
    Ok(HttpResponse::Ok().json(MappableFieldsOut {
        pipedrive: fields.into_iter().map(PipedriveFieldOut::from).collect(),
        brevo: attributes
            .into_iter()
            .map(BrevoAttributeOut::from)
            .collect(),
    }))
}
