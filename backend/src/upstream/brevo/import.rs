//! Batch imports (`POST /v3/contacts/import`) and their processes.

use bytes::Bytes;
use serde::Deserialize;

use super::{BrevoClient, ProcessState};
use crate::{
    domain::{contact::Contact, mapping::Mapping},
    upstream::{
        client::{Retry, UpstreamRequest},
        UpstreamError,
    },
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImportAccepted {
    process_id: i64,
}

#[derive(Deserialize)]
struct Process {
    status: String,
}

impl BrevoClient {
    /// Starts an import; returns its process id. The contacts land when the process completes.
    pub async fn import(&self, batch: ImportBatch) -> Result<i64, UpstreamError> {
        // An upsert: sending it twice is harmless, so every failure may be retried.
        let request = UpstreamRequest::post(
            "importing contacts",
            "v3/contacts/import",
            batch.into_body(),
            Retry::Always,
        );
        Ok(self
            .client
            .json::<ImportAccepted>(request)
            .await?
            .process_id)
    }

    pub async fn process_state(
        &self,
        process_id: i64,
    ) -> Result<(ProcessState, String), UpstreamError> {
        let request =
            UpstreamRequest::get("checking an import", format!("v3/processes/{process_id}"));
        let status = self.client.json::<Process>(request).await?.status;
        let state = match status.as_str() {
            "queued" | "in_process" => ProcessState::Pending,
            "completed" => ProcessState::Completed,
            _ => ProcessState::Other,
        };
        Ok((state, status))
    }
}

/// One `POST /v3/contacts/import` body, built contact by contact so its size is known
/// exactly and stays under the limit.
pub struct ImportBatch {
    body: Vec<u8>,
    contacts: usize,
    max_bytes: usize,
}

const BATCH_SUFFIX: &[u8] = b"]}";

impl ImportBatch {
    pub fn new(list_id: i64, max_bytes: usize) -> Self {
        let prefix = format!(
            r#"{{"listIds":[{list_id}],"updateExistingContacts":true,"emptyContactsAttributes":false,"jsonBody":["#
        );
        Self {
            body: prefix.into_bytes(),
            contacts: 0,
            max_bytes,
        }
    }

    /// Adds the contact unless that would take the body over its limit.
    pub fn try_push(&mut self, contact: &Contact, mapping: &Mapping) -> bool {
        let item = contact_json(contact, mapping);
        let separator = usize::from(self.contacts > 0);
        if self.contacts > 0
            && self.body.len() + separator + item.len() + BATCH_SUFFIX.len() > self.max_bytes
        {
            return false;
        }
        if separator == 1 {
            self.body.push(b',');
        }
        self.body.extend_from_slice(&item);
        self.contacts += 1;
        true
    }

    pub fn len(&self) -> usize {
        self.contacts
    }

    pub fn is_empty(&self) -> bool {
        self.contacts == 0
    }

    pub fn into_body(mut self) -> Bytes {
        self.body.extend_from_slice(BATCH_SUFFIX);
        Bytes::from(self.body)
    }
}

/// One `jsonBody` item. `emailBlacklisted`/`smsBlacklisted` are never sent: the service
/// does not change a contact's blocklist status.
fn contact_json(contact: &Contact, mapping: &Mapping) -> Vec<u8> {
    let attributes: serde_json::Map<String, serde_json::Value> = mapping
        .attributes()
        .zip(&contact.mapped.values)
        .filter_map(|(attribute, value)| {
            let value = serde_json::to_value(value.as_ref()?).expect("a value serialises");
            Some((attribute.name.clone(), value))
        })
        .collect();
    let item = serde_json::json!({ "email": contact.email, "attributes": attributes });
    serde_json::to_vec(&item).expect("a JSON value always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::mapping::testing::{named, names};

    fn contact(n: usize) -> Contact {
        named(&format!("person{n}@example.com"), "Zoë", None)
    }

    #[test]
    fn an_import_body_is_valid_json_with_the_accounts_attribute_names() {
        let attributes = names();
        let mut batch = ImportBatch::new(7, 1_000_000);
        assert!(batch.try_push(&contact(1), &attributes));
        assert!(batch.try_push(&contact(2), &attributes));

        let body: serde_json::Value = serde_json::from_slice(&batch.into_body()).unwrap();

        assert_eq!(
            body,
            serde_json::json!({
                "listIds": [7], "updateExistingContacts": true, "emptyContactsAttributes": false,
                "jsonBody": [
                    {"email": "person1@example.com", "attributes": {"FIRSTNAME": "Zoë"}},
                    {"email": "person2@example.com", "attributes": {"FIRSTNAME": "Zoë"}},
                ]
            })
        );
    }

    #[test]
    fn a_batch_never_grows_past_its_byte_limit() {
        let attributes = names();
        let mut batch = ImportBatch::new(1, 2_000);
        let mut pushed = 0;
        while batch.try_push(&contact(pushed), &attributes) {
            pushed += 1;
        }
        assert!(pushed > 10);
        assert_eq!(batch.len(), pushed);
        assert!(batch.into_body().len() <= 2_000);
    }
}
