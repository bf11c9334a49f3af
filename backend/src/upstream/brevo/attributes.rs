//! The account's contact attributes (`GET /v3/contacts/attributes`), with their categories
//! and types: what a field mapping may write.

use serde::Deserialize;

use super::BrevoClient;
use crate::{
    domain::fields::{BrevoAttribute, CategoryValue},
    upstream::{client::UpstreamRequest, UpstreamError},
};

#[derive(Deserialize)]
struct Attributes {
    attributes: Option<Vec<AttributeItem>>,
}

/// Only `name` and `category` are required by the spec.
#[derive(Deserialize)]
struct AttributeItem {
    name: String,
    category: String,
    #[serde(rename = "type")]
    attribute_type: Option<String>,
    enumeration: Option<Vec<EnumerationItem>>,
}

#[derive(Deserialize)]
struct EnumerationItem {
    value: i64,
    label: String,
}

impl From<AttributeItem> for BrevoAttribute {
    fn from(item: AttributeItem) -> Self {
        let enumeration = item
            .enumeration
            .unwrap_or_default()
            .into_iter()
            .map(|e| CategoryValue {
                value: e.value,
                label: e.label,
            })
            .collect();
        BrevoAttribute::from_listing(
            item.name,
            &item.category,
            item.attribute_type.as_deref(),
            enumeration,
        )
    }
}

impl BrevoClient {
    /// Every contact attribute of the account (the listing has no paging).
    pub async fn attributes(&self) -> Result<Vec<BrevoAttribute>, UpstreamError> {
        let request = UpstreamRequest::get("reading contact attributes", "v3/contacts/attributes");
        let listing: Attributes = self.client.json(request).await?;
        Ok(listing
            .attributes
            .unwrap_or_default()
            .into_iter()
            .map(BrevoAttribute::from)
            .collect())
    }
}
