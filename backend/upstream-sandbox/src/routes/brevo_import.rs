//! Brevo imports: `importContacts` and `getProcess`.

use std::collections::BTreeMap;
use std::time::Instant;

use actix_web::web::{self, Bytes, Data, Path};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::AppState;
use crate::responses::{brevo_error, brevo_rejection};
use crate::state::brevo::{ImportRequest, ImportRow, ImportTarget, Rejection};

/// Brevo's cap on `jsonBody` / `fileBody` ("Maximum allowed size is 10MB").
/// The sandbox applies it to the whole request body, in decimal megabytes:
/// the stricter reading, so a client that passes here passes upstream.
pub const IMPORT_BODY_LIMIT_BYTES: usize = 10_000_000;

pub(super) fn configure(app: &mut web::ServiceConfig) {
    app.route("/v3/contacts/import", web::post().to(import_contacts))
        .route("/v3/processes/{process_id}", web::get().to(get_process));
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImportBody {
    json_body: Option<Vec<JsonRow>>,
    file_body: Option<String>,
    file_url: Option<String>,
    list_ids: Option<Vec<u64>>,
    new_list: Option<NewList>,
    update_existing_contacts: Option<bool>,
    empty_contacts_attributes: Option<bool>,
    email_blacklist: Option<bool>,
    sms_blacklist: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct JsonRow {
    email: Option<String>,
    attributes: Option<BTreeMap<String, Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewList {
    list_name: Option<String>,
    folder_id: Option<u64>,
}

/// Takes the raw body so the size limit answers Brevo's 400, not actix's 413. Parsed, and
/// earlier imports applied, on the blocking pool: megabytes of contacts would otherwise hold
/// up a worker's other connections (a client's Pipedrive pages among them), which the real
/// Brevo never does.
async fn import_contacts(state: Data<AppState>, raw: Bytes) -> HttpResponse {
    let accepted = web::block(move || {
        parse_import(&raw).and_then(|request| {
            state
                .brevo
                .with(|account| account.accept_import(request, Instant::now()))
        })
    })
    .await;
    match accepted {
        Ok(Ok(process_id)) => HttpResponse::Accepted().json(json!({ "processId": process_id })),
        Ok(Err(rejection)) => brevo_rejection(&rejection),
        Err(_) => brevo_error(500, "internal_error", "the import could not be processed"),
    }
}

fn parse_import(raw: &[u8]) -> Result<ImportRequest, Rejection> {
    if raw.len() > IMPORT_BODY_LIMIT_BYTES {
        let message = format!(
            "Request body of {} bytes exceeds the 10MB limit; use fileUrl",
            raw.len()
        );
        return Err(Rejection::invalid(message));
    }
    let body: ImportBody = serde_json::from_slice(raw)
        .map_err(|error| Rejection::new(400, "bad_request", error.to_string()))?;
    let from_text = body.file_body.is_some();
    let rows = match (body.json_body, body.file_body, body.file_url) {
        (Some(rows), None, None) => rows
            .into_iter()
            .map(|row| ImportRow {
                email: row.email.unwrap_or_default(),
                attributes: row.attributes.unwrap_or_default(),
            })
            .collect(),
        (None, Some(csv), None) => parse_file_body(&csv)?,
        (None, None, Some(_)) => {
            return Err(Rejection::invalid(
                "fileUrl imports are not supported by the sandbox",
            ))
        }
        (None, None, None) => {
            return Err(Rejection::missing(
                "One of jsonBody, fileBody or fileUrl is required",
            ))
        }
        _ => {
            return Err(Rejection::invalid(
                "Only one of jsonBody, fileBody or fileUrl may be given",
            ))
        }
    };
    let target = match (body.list_ids, body.new_list) {
        (Some(ids), _) if !ids.is_empty() => ImportTarget::Lists(ids),
        (
            _,
            Some(NewList {
                list_name: Some(name),
                folder_id: Some(folder_id),
            }),
        ) => ImportTarget::NewList { name, folder_id },
        (_, Some(_)) => {
            return Err(Rejection::missing(
                "newList needs both listName and folderId",
            ))
        }
        _ => {
            return Err(Rejection::missing(
                "listIds is mandatory when newList is not given",
            ))
        }
    };
    Ok(ImportRequest {
        rows,
        target,
        update_existing: body.update_existing_contacts.unwrap_or(true),
        empty_attributes: body.empty_contacts_attributes.unwrap_or(false),
        email_blacklist: body.email_blacklist.unwrap_or(false),
        sms_blacklist: body.sms_blacklist.unwrap_or(false),
        from_text,
        body_bytes: raw.len(),
    })
}

/// `fileBody`: CSV separated by `;`, a header row naming the attributes and
/// an `EMAIL` column. Quoting is not modelled.
fn parse_file_body(csv: &str) -> Result<Vec<ImportRow>, Rejection> {
    let mut lines = csv
        .lines()
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.is_empty());
    let header: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split(';')
        .map(|h| h.trim().to_uppercase())
        .collect();
    let email_column = header
        .iter()
        .position(|name| name == "EMAIL")
        .ok_or_else(|| Rejection::invalid("fileBody needs an EMAIL column"))?;
    let rows = lines.map(|line| {
        let cells: Vec<&str> = line.split(';').collect();
        let attributes = header
            .iter()
            .zip(&cells)
            .enumerate()
            .filter(|&(column, _)| column != email_column)
            .map(|(_, (name, value))| (name.clone(), Value::from(*value)))
            .collect();
        let email = cells
            .get(email_column)
            .copied()
            .unwrap_or_default()
            .to_owned();
        ImportRow { email, attributes }
    });
    Ok(rows.collect())
}

/// On the blocking pool, as completing an import applies it (see `import_contacts`).
async fn get_process(state: Data<AppState>, process_id: Path<u64>) -> HttpResponse {
    let process_id = process_id.into_inner();
    let process = web::block(move || {
        state
            .brevo
            .with(|account| account.process(process_id, Instant::now()))
    })
    .await;
    let Ok(process) = process else {
        return brevo_error(500, "internal_error", "the process could not be read");
    };
    match process {
        Some(process) => HttpResponse::Ok().json(json!({
            "id": process.id,
            "status": process.status.as_str(),
            "name": process.name,
        })),
        None => brevo_error(404, "invalid_parameter", "processId is invalid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_file_body_rows() {
        let rows =
            parse_file_body("EMAIL;FIRSTNAME\r\nada@example.com;Ada\n\nbob@example.com\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].email, "ada@example.com");
        assert_eq!(rows[0].attributes["FIRSTNAME"], json!("Ada"));
        assert!(rows[1].attributes.is_empty());
        assert!(parse_file_body("NAME\nx").is_err());
    }

    #[test]
    fn validates_import_sources_and_targets() {
        let missing = parse_import(br#"{"listIds":[2]}"#).unwrap_err();
        assert_eq!(missing.code, "missing_parameter");
        let both =
            parse_import(br#"{"jsonBody":[],"fileBody":"EMAIL","listIds":[2]}"#).unwrap_err();
        assert_eq!(both.code, "invalid_parameter");
        let no_target = parse_import(br#"{"jsonBody":[{"email":"a@b.co"}]}"#).unwrap_err();
        assert_eq!(no_target.code, "missing_parameter");
        let new_list =
            parse_import(br#"{"jsonBody":[],"newList":{"listName":"X","folderId":1}}"#).unwrap();
        assert!(matches!(
            new_list.target,
            ImportTarget::NewList { folder_id: 1, .. }
        ));
    }
}
