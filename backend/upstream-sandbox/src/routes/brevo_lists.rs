//! Brevo folders, lists and list membership (`/v3/contacts/folders`, `/v3/contacts/lists`);
//! the members' listing is in `brevo_contact_pages.rs`.

use actix_web::web::{self, Data, Json, Path, Query};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

use super::PageQuery;
use crate::app::AppState;
use crate::clock;
use crate::responses::{brevo_error, brevo_rejection};
use crate::state::brevo::{Account, ListInfo, ListUpdate, Membership, Rejection};

/// Per-call cap of the add/remove endpoints; bulk changes belong to imports.
const MAX_EMAILS_PER_CALL: usize = 150;

pub(super) fn configure(app: &mut web::ServiceConfig) {
    app.route("/v3/contacts/folders", web::get().to(get_folders))
        .route("/v3/contacts/folders", web::post().to(create_folder))
        .route("/v3/contacts/lists", web::get().to(get_lists))
        .route("/v3/contacts/lists", web::post().to(create_list))
        .route("/v3/contacts/lists/{list_id}", web::get().to(get_list))
        .route("/v3/contacts/lists/{list_id}", web::put().to(update_list))
        .route(
            "/v3/contacts/lists/{list_id}",
            web::delete().to(delete_list),
        )
        .route(
            "/v3/contacts/lists/{list_id}/contacts/add",
            web::post().to(add_to_list),
        )
        .route(
            "/v3/contacts/lists/{list_id}/contacts/remove",
            web::post().to(remove_from_list),
        );
}

async fn get_folders(state: Data<AppState>, query: Query<PageQuery>) -> HttpResponse {
    let page = match query.resolve(10, 50) {
        Ok(page) => page,
        Err(rejection) => return brevo_rejection(&rejection),
    };
    let (folders, count) = state
        .brevo
        .with(|account| account.folders_page(page.offset, page.limit, page.desc));
    let folders: Vec<Value> = folders
        .into_iter()
        .map(|folder| {
            json!({
                "id": folder.id,
                "name": folder.name,
                "totalBlacklisted": folder.total_blacklisted,
                "totalSubscribers": folder.total_subscribers,
                "uniqueSubscribers": folder.unique_subscribers,
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({ "folders": folders, "count": count }))
}

#[derive(Debug, Deserialize)]
struct CreateFolder {
    name: Option<String>,
}

async fn create_folder(state: Data<AppState>, body: Json<CreateFolder>) -> HttpResponse {
    match body.name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => {
            let id = state.brevo.with(|account| account.create_folder(name));
            HttpResponse::Created().json(json!({ "id": id }))
        }
        _ => brevo_error(400, "missing_parameter", "name is missing"),
    }
}

async fn get_lists(state: Data<AppState>, query: Query<PageQuery>) -> HttpResponse {
    let page = match query.resolve(10, 50) {
        Ok(page) => page,
        Err(rejection) => return brevo_rejection(&rejection),
    };
    let (lists, count) = state
        .brevo
        .with(|account| account.lists_page(page.offset, page.limit, page.desc));
    let lists: Vec<Value> = lists.iter().map(|list| list_json(list, false)).collect();
    HttpResponse::Ok().json(json!({ "lists": lists, "count": count }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateList {
    name: Option<String>,
    folder_id: Option<u64>,
}

async fn create_list(state: Data<AppState>, body: Json<CreateList>) -> HttpResponse {
    let (Some(name), Some(folder_id)) = (body.name.as_deref().map(str::trim), body.folder_id)
    else {
        return brevo_error(
            400,
            "missing_parameter",
            "name and folderId are both required",
        );
    };
    if name.is_empty() {
        return brevo_error(400, "missing_parameter", "name is missing");
    }
    match state
        .brevo
        .with(|account| account.create_list(name, folder_id))
    {
        Ok(id) => HttpResponse::Created().json(json!({ "id": id })),
        Err(rejection) => brevo_rejection(&rejection),
    }
}

async fn get_list(state: Data<AppState>, list_id: Path<u64>) -> HttpResponse {
    match state.brevo.with(|account| account.list_info(*list_id)) {
        Ok(list) => HttpResponse::Ok().json(list_json(&list, true)),
        Err(rejection) => brevo_rejection(&rejection),
    }
}

async fn delete_list(state: Data<AppState>, list_id: Path<u64>) -> HttpResponse {
    match state.brevo.with(|account| account.delete_list(*list_id)) {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(rejection) => brevo_rejection(&rejection),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateList {
    name: Option<String>,
    folder_id: Option<u64>,
}

impl UpdateList {
    /// "Either of the two parameters (name, folderId) can be updated at a
    /// time": exactly one must be given.
    fn validate(self) -> Result<ListUpdate, Rejection> {
        match (self.name, self.folder_id) {
            (Some(name), None) if name.trim().is_empty() => {
                Err(Rejection::invalid("name must not be empty"))
            }
            (Some(name), None) => Ok(ListUpdate::Name(name.trim().to_owned())),
            (None, Some(folder_id)) => Ok(ListUpdate::Folder(folder_id)),
            (Some(_), Some(_)) => Err(Rejection::invalid(
                "Either name or folderId can be updated at a time, not both",
            )),
            (None, None) => Err(Rejection::missing("name or folderId is required")),
        }
    }
}

/// 204 on success. An unknown folder answers 400: the operation documents
/// its 404 as "List ID not found" only.
async fn update_list(
    state: Data<AppState>,
    list_id: Path<u64>,
    body: Json<UpdateList>,
) -> HttpResponse {
    let result = body.into_inner().validate().and_then(|update| {
        state
            .brevo
            .with(|account| account.update_list(*list_id, update))
    });
    match result {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(rejection) => brevo_rejection(&rejection),
    }
}

#[derive(Debug, Deserialize)]
struct Emails {
    emails: Option<Vec<String>>,
}

impl Emails {
    /// The 1–150 emails of an add/remove call (`ids`, `extIds` and `all` are
    /// not modelled).
    fn validate(&self) -> Result<&[String], Rejection> {
        match self.emails.as_deref() {
            None => Err(Rejection::missing(
                "emails is missing (the sandbox supports emails only)",
            )),
            Some([]) => Err(Rejection::invalid("emails must contain at least one email")),
            Some(emails) if emails.len() > MAX_EMAILS_PER_CALL => Err(Rejection::new(
                400,
                "out_of_range",
                format!("emails can contain at most {MAX_EMAILS_PER_CALL} items"),
            )),
            Some(emails) => Ok(emails),
        }
    }
}

/// Adds existing contacts. When nothing could be added Brevo answers 400,
/// not a 201 listing only failures.
async fn add_to_list(
    state: Data<AppState>,
    list_id: Path<u64>,
    body: Json<Emails>,
) -> HttpResponse {
    let failure_message = "Contact already in list and/or does not exist";
    change_membership(
        &state,
        *list_id,
        &body,
        failure_message,
        |account, list, emails| account.add_members(list, emails),
    )
}

async fn remove_from_list(
    state: Data<AppState>,
    list_id: Path<u64>,
    body: Json<Emails>,
) -> HttpResponse {
    let failure_message = "Contact already removed from list and/or does not exist";
    change_membership(
        &state,
        *list_id,
        &body,
        failure_message,
        |account, list, emails| account.remove_members(list, emails),
    )
}

fn change_membership(
    state: &AppState,
    list_id: u64,
    body: &Emails,
    failure_message: &str,
    change: impl FnOnce(&mut Account, u64, &[String]) -> Result<Membership, Rejection>,
) -> HttpResponse {
    let result = body
        .validate()
        .and_then(|emails| state.brevo.with(|account| change(account, list_id, emails)));
    match result {
        Err(rejection) => brevo_rejection(&rejection),
        Ok(membership) if membership.success.is_empty() => {
            brevo_error(400, "invalid_parameter", failure_message)
        }
        Ok(membership) => HttpResponse::Created().json(json!({
            "contacts": { "success": membership.success, "failure": membership.failure },
        })),
    }
}

/// `getList` / `getLists` item; `extended` adds the `getExtendedList` fields.
/// The counts are explained at [`ListInfo`].
fn list_json(list: &ListInfo, extended: bool) -> Value {
    let mut value = json!({
        "id": list.id,
        "name": list.name,
        "totalBlacklisted": list.blocklisted_count,
        "totalSubscribers": list.subscriber_count(),
        "uniqueSubscribers": list.member_count,
        "folderId": list.folder_id,
    });
    if extended {
        value["createdAt"] = json!(clock::rfc3339(list.created_at));
        value["dynamicList"] = json!(false);
    }
    value
}
