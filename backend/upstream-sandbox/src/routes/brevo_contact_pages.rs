//! Brevo contact listings: `GET /v3/contacts` (getContacts) and
//! `GET /v3/contacts/lists/{id}/contacts` (getContactsFromList).

use std::collections::BTreeMap;

use actix_web::web::{self, Data, Path, Query};
use actix_web::HttpResponse;
use serde::Serialize;
use serde_json::Value;

use super::PageQuery;
use crate::app::AppState;
use crate::clock;
use crate::responses::brevo_rejection;
use crate::state::brevo::{Contact, ContactQuery, Rejection};

/// The query string as pairs: `listIds` is an array, sent as repeated keys
/// (`listIds=5&listIds=7`), which a struct extractor cannot collect.
type Pairs = Query<Vec<(String, String)>>;

pub(super) fn configure(app: &mut web::ServiceConfig) {
    app.route("/v3/contacts", web::get().to(get_contacts))
        .route(
            "/v3/contacts/lists/{list_id}/contacts",
            web::get().to(get_list_contacts),
        );
}

/// Every contact, or the members of any of `listIds`; `limit` up to 1,000.
/// An unknown list answers 404 "List ID not found", as getContactsFromList
/// does (getContacts documents no 404). `segmentId` and `filter` are refused
/// rather than ignored, so a client relying on them notices.
async fn get_contacts(state: Data<AppState>, pairs: Pairs) -> HttpResponse {
    let unsupported = ["segmentId", "filter"];
    if let Some((name, _)) = pairs
        .iter()
        .find(|(name, _)| unsupported.contains(&name.as_str()))
    {
        let message = format!("{name} is not supported by the sandbox");
        return brevo_rejection(&Rejection::invalid(message));
    }
    let query = parse(&pairs, 1_000).and_then(|mut query| {
        let list_ids = pairs.iter().filter(|(name, _)| name == "listIds");
        let list_ids = list_ids
            .map(|(_, value)| value.parse::<u64>())
            .collect::<Result<Vec<u64>, _>>()
            .map_err(|_| Rejection::invalid("listIds should be integers, one listIds per id"))?;
        query.lists = (!list_ids.is_empty()).then_some(list_ids);
        Ok(query)
    });
    answer(&state, query)
}

/// A list's members; `limit` up to 500.
async fn get_list_contacts(
    state: Data<AppState>,
    list_id: Path<u64>,
    pairs: Pairs,
) -> HttpResponse {
    let query = parse(&pairs, 500).map(|query| ContactQuery {
        lists: Some(vec![*list_id]),
        ..query
    });
    answer(&state, query)
}

fn answer(state: &AppState, query: Result<ContactQuery, Rejection>) -> HttpResponse {
    let page = query.and_then(|query| state.brevo.with(|account| account.query_contacts(&query)));
    match page {
        Ok((contacts, count)) => {
            let contacts = contacts.iter().map(ContactDetails::from).collect();
            HttpResponse::Ok().json(ContactsPage { contacts, count })
        }
        Err(rejection) => brevo_rejection(&rejection),
    }
}

/// `getContacts`, serialised straight from borrowed fields: a page of 1,000
/// contacts is built without a `json!` map per contact.
#[derive(Serialize)]
struct ContactsPage<'a> {
    contacts: Vec<ContactDetails<'a>>,
    count: usize,
}

/// A `getContactDetails` item.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContactDetails<'a> {
    email: &'a str,
    id: u64,
    email_blacklisted: bool,
    sms_blacklisted: bool,
    created_at: String,
    modified_at: String,
    list_ids: &'a [u64],
    /// Per-list unsubscription is not modelled: always empty.
    list_unsubscribed: [u64; 0],
    attributes: &'a BTreeMap<String, Value>,
}

impl<'a> From<&'a Contact> for ContactDetails<'a> {
    fn from(contact: &'a Contact) -> Self {
        Self {
            email: &contact.email,
            id: contact.id,
            email_blacklisted: contact.email_blacklisted,
            sms_blacklisted: contact.sms_blacklisted,
            created_at: clock::rfc3339(contact.created_at),
            modified_at: clock::rfc3339(contact.modified_at),
            list_ids: &contact.list_ids,
            list_unsubscribed: [],
            attributes: &contact.attributes,
        }
    }
}

/// `limit`, `offset`, `sort`, `modifiedSince` and `createdSince` (the last
/// of a repeated key wins).
fn parse(pairs: &[(String, String)], max_limit: usize) -> Result<ContactQuery, Rejection> {
    let last = |key: &str| {
        let value = pairs.iter().rev().find(|(name, _)| name == key);
        value.map(|(_, value)| value.clone())
    };
    let page = PageQuery {
        limit: last("limit"),
        offset: last("offset"),
        sort: last("sort"),
    }
    .resolve(50, max_limit)?;
    let date = |key: &str| match last(key) {
        None => Ok(None),
        Some(text) => clock::parse_rfc3339(&text).map(Some).ok_or_else(|| {
            Rejection::invalid(format!(
                "{key} should be an RFC 3339 date-time such as 2024-05-01T12:30:00.000Z \
                 (url-encode + as %2B)"
            ))
        }),
    };
    Ok(ContactQuery {
        lists: None,
        offset: page.offset,
        limit: page.limit,
        desc: page.desc,
        modified_since: date("modifiedSince")?,
        created_since: date("createdSince")?,
    })
}
