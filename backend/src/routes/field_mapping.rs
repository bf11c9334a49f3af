//! The field mapping's API (DESIGN §8): the mapping, and what can be mapped, live from both
//! APIs.

use actix_web::{get, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::from_object;
use crate::{
    app_state::AppState,
    db,
    domain::{
        fields::{check, BrevoAttribute, CheckedEntry, MappingEntry, PersonField},
        mapping::Mapping,
        time::UnixTime,
    },
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

/// The most entries a mapping may have (Brevo accounts hold far fewer attributes).
const MAX_ENTRIES: usize = 50;
/// The longest field key or attribute name accepted (the database's limit).
const MAX_NAME_CHARS: usize = 200;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappingEntryDto {
    /// A standard field's code (`first_name`, `phone`, …) or a custom field's key.
    #[schema(min_length = 1, max_length = 200)]
    pub pipedrive_field: String,
    /// The Brevo contact attribute written, as the account names it.
    #[schema(min_length = 1, max_length = 200)]
    pub brevo_attribute: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mappings": [
    {"pipedrive_field": "first_name", "brevo_attribute": "FIRSTNAME"},
    {"pipedrive_field": "phone", "brevo_attribute": "SMS"}
]}))]
pub struct FieldMappingIn {
    /// In order; at most 50, each Brevo attribute at most once.
    #[schema(max_items = 50)]
    pub mappings: Vec<MappingEntryDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldMappingOut {
    pub mappings: Vec<MappingEntryDto>,
    /// When it was last saved; null when never saved (the mappings are then the first and
    /// last name onto the account's name attributes, as every sync before a save writes).
    #[schema(format = DateTime)]
    pub saved_at: Option<String>,
}

impl From<&MappingEntry> for MappingEntryDto {
    fn from(entry: &MappingEntry) -> Self {
        Self {
            pipedrive_field: entry.pipedrive_field.clone(),
            brevo_attribute: entry.brevo_attribute.clone(),
        }
    }
}

/// Get the field mapping
///
/// The Pipedrive fields each sync writes onto Brevo attributes. Never saved, it is the
/// first and last name onto the account's name attributes (asked from Brevo).
#[utoipa::path(
    tag = "field-mapping",
    operation_id = "fieldMapping.get",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The mapping", body = FieldMappingOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "Never saved, and Brevo failed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Never saved, and BREVO_API_KEY is not set", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/field-mapping")]
pub async fn get_field_mapping(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let out = match db::field_mapping::get(&state.pool).await? {
        Some(saved) => FieldMappingOut {
            mappings: saved.entries.iter().map(MappingEntryDto::from).collect(),
            saved_at: Some(saved.saved_at.to_rfc3339()),
        },
        None => {
            let attributes = state.brevo.attributes().await?;
            let default = Mapping::first_and_last_name(&attributes, None);
            FieldMappingOut {
                mappings: default
                    .entries()
                    .iter()
                    .map(|entry| MappingEntryDto::from(&MappingEntry::from(entry)))
                    .collect(),
                saved_at: None,
            }
        }
    };
    Ok(HttpResponse::Ok().json(out))
}

/// Save the field mapping
///
/// Replaces the whole mapping, checked first against both APIs: every field must exist in
/// Pipedrive, every attribute in Brevo (and be writable), no attribute twice, and each
/// field's type must convert to its attribute's. The next sync writes with it.
#[utoipa::path(
    tag = "field-mapping",
    operation_id = "fieldMapping.put",
    security(("session_cookie" = [])),
    request_body = FieldMappingIn,
    responses(
        (status = 200, description = "The stored mapping", body = FieldMappingOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 16 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_mapping` (with `entry`, the position of the entry named) or a body of the wrong shape", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "Pipedrive or Brevo failed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "PIPEDRIVE_API_TOKEN or BREVO_API_KEY is not set", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/field-mapping")]
pub async fn put_field_mapping(
    body: web::Json<serde_json::Map<String, serde_json::Value>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body: FieldMappingIn = from_object(body.into_inner())?;
    let checked = checked_mapping(&state, body.mappings).await?;
    // Stored as Brevo spells the attributes, so that a sync finds them as listed.
    let entries: Vec<MappingEntry> = checked.iter().map(MappingEntry::from).collect();
    let now = UnixTime::now();
    db::field_mapping::replace(&state.pool, &entries, now).await?;
    Ok(HttpResponse::Ok().json(FieldMappingOut {
        mappings: entries.iter().map(MappingEntryDto::from).collect(),
        saved_at: Some(now.to_rfc3339()),
    }))
}

/// A body's `mappings` checked as a save checks them: within the limits the database and
/// the API keep, then against both APIs' fields and attributes.
pub(super) async fn checked_mapping(
    state: &AppState,
    mappings: Vec<MappingEntryDto>,
) -> Result<Vec<CheckedEntry>, ApiError> {
    let entries = mapping_entries(mappings)?;
    let (fields, attributes) =
        tokio::try_join!(state.pipedrive.person_fields(), state.brevo.attributes())?;
    Ok(check(&entries, &fields, &attributes)?)
}

fn mapping_entries(mappings: Vec<MappingEntryDto>) -> Result<Vec<MappingEntry>, ApiError> {
    if mappings.len() > MAX_ENTRIES {
        return Err(ApiError::InvalidBody(format!(
            "mappings holds {} entries; at most {MAX_ENTRIES} are accepted",
            mappings.len()
        )));
    }
    mappings
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            for (name, value) in [
                ("pipedrive_field", &entry.pipedrive_field),
                ("brevo_attribute", &entry.brevo_attribute),
            ] {
                let chars = value.trim().chars().count();
                if chars == 0 || chars > MAX_NAME_CHARS {
                    return Err(ApiError::InvalidBody(format!(
                        "mappings[{index}].{name} must be 1 to {MAX_NAME_CHARS} characters, got {chars}"
                    )));
                }
            }
            Ok(MappingEntry {
                pipedrive_field: entry.pipedrive_field.trim().to_owned(),
                brevo_attribute: entry.brevo_attribute.trim().to_owned(),
            })
        })
        .collect()
}
