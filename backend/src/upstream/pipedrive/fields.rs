//! The company's person fields, standard and custom (`GET /api/v2/personFields`, 10 tokens a
//! page of up to 500; v1's costs 20).

use serde::Deserialize;

use super::{Paging, PipedriveClient, PAGE_SIZE};
use crate::{
    domain::fields::{FieldOption, OptionId, PersonField, PersonFieldType},
    upstream::{client::UpstreamRequest, UpstreamError},
};

#[derive(Deserialize)]
struct FieldsPage {
    data: Option<Vec<FieldItem>>,
    additional_data: Option<Paging>,
}

#[derive(Deserialize)]
struct FieldItem {
    field_name: String,
    field_code: String,
    field_type: String,
    /// Null for fields without choices.
    options: Option<Vec<OptionItem>>,
    is_custom_field: bool,
}

#[derive(Deserialize)]
struct OptionItem {
    id: OptionIdItem,
    label: String,
}

/// Integer for custom fields' options, string for standard fields' (`oneOf` in the spec).
#[derive(Deserialize)]
#[serde(untagged)]
enum OptionIdItem {
    Number(i64),
    Code(String),
}

impl From<FieldItem> for PersonField {
    fn from(item: FieldItem) -> Self {
        PersonField {
            key: item.field_code,
            name: item.field_name,
            field_type: PersonFieldType::from_code(&item.field_type),
            custom: item.is_custom_field,
            options: item
                .options
                .unwrap_or_default()
                .into_iter()
                .map(|option| FieldOption {
                    id: match option.id {
                        OptionIdItem::Number(id) => OptionId::Number(id),
                        OptionIdItem::Code(code) => OptionId::Code(code),
                    },
                    label: option.label,
                })
                .collect(),
        }
    }
}

impl PipedriveClient {
    /// Every person field, in Pipedrive's order.
    pub async fn person_fields(&self) -> Result<Vec<PersonField>, UpstreamError> {
        let mut fields = Vec::new();
        let mut cursor = None;
        loop {
            let mut request = UpstreamRequest::get("listing person fields", "api/v2/personFields")
                .costing(super::PERSON_FIELDS_TOKENS)
                .query("limit", PAGE_SIZE);
            if let Some(cursor) = &cursor {
                request = request.query("cursor", cursor);
            }
            let page: FieldsPage = self.client.json(request).await?;
            fields.extend(
                page.data
                    .unwrap_or_default()
                    .into_iter()
                    .map(PersonField::from),
            );
            cursor = Paging::next(page.additional_data);
            if cursor.is_none() {
                return Ok(fields);
            }
        }
    }
}
