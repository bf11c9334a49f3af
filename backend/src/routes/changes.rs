//! A job's change log: one row per contact it added, updated, removed, skipped or held.

use actix_web::{get, http::header, web, HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_util::stream;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    change_page::page_body,
    lookup::find_job,
    sync_jobs::{page_before, page_limit},
};
use crate::{
    app_state::AppState,
    db::{self, change_reader::ChangeQuery, DbError},
    domain::{change::ChangeAction, sync_job::SyncJobId},
    error::{ApiError, NotFound, Problem},
};

/// Rows per query while streaming the CSV: memory stays flat whatever the log's length.
const CSV_CHUNK_ROWS: u32 = 5_000;

/// The longest address part searched for.
const MAX_SEARCH_LEN: usize = 254;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeActionOut {
    Added,
    Updated,
    Removed,
    Skipped,
    Held,
}

impl From<ChangeAction> for ChangeActionOut {
    fn from(action: ChangeAction) -> Self {
        match action {
            ChangeAction::Added => Self::Added,
            ChangeAction::Updated => Self::Updated,
            ChangeAction::Removed => Self::Removed,
            ChangeAction::Skipped => Self::Skipped,
            ChangeAction::Held => Self::Held,
        }
    }
}

impl From<ChangeActionOut> for ChangeAction {
    fn from(action: ChangeActionOut) -> Self {
        match action {
            ChangeActionOut::Added => Self::Added,
            ChangeActionOut::Updated => Self::Updated,
            ChangeActionOut::Removed => Self::Removed,
            ChangeActionOut::Skipped => Self::Skipped,
            ChangeActionOut::Held => Self::Held,
        }
    }
}

// A change in a page, as `change_page` writes it.
#[derive(Serialize, ToSchema)]
pub struct ChangeOut<'r> {
    pub id: i64,
    pub action: ChangeActionOut,
    /// Lower-cased; null for a person without a valid address.
    pub email: Option<&'r str>,
    /// The Pipedrive person; null for a removal.
    pub person_id: Option<i64>,
    /// Why, for `skipped` and `held`; which attributes changed, for `updated`.
    pub reason: Option<&'r str>,
}

// The schema of what `page_body` writes.
/// A page of changes, newest first.
#[derive(ToSchema)]
pub struct ChangePage {
    pub items: Vec<ChangeOut<'static>>,
    /// Pass as `before` to get the next (older) page; null on the last page.
    pub next_before: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListChangesQuery {
    /// Only changes of this kind.
    #[param(inline)]
    pub action: Option<ChangeActionOut>,
    /// Only addresses containing this text (case-insensitive).
    #[param(max_length = 254)]
    pub email: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Only changes with an id below this one (the previous page's `next_before`).
    #[param(minimum = 1)]
    pub before: Option<i64>,
}

/// A job's changes
///
/// One row per contact the job added, updated, removed, skipped or held (a dry run's rows
/// say what a sync would have done), newest first, paginated with `limit` and `before`.
#[utoipa::path(
    tag = "sync-jobs",
    operation_id = "sync_jobs.list_changes",
    params(("id" = i64, Path, description = "Sync job id"), ListChangesQuery),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "A page of changes", body = ChangePage,
            example = json!({"items": [
                {"id": 3, "action": "removed", "email": "left@example.com", "person_id": null, "reason": null},
                {"id": 2, "action": "skipped", "email": null, "person_id": 17, "reason": "no email address in Pipedrive"},
                {"id": 1, "action": "updated", "email": "ada@example.com", "person_id": 12, "reason": "changed: LASTNAME"}
            ], "next_before": null})),
        (status = 400, description = "Invalid id, action or paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sync-jobs/{id}/changes")]
pub async fn list_changes(
    request: HttpRequest,
    id: web::Path<i64>,
    query: web::Query<ListChangesQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, query) = (id.into_inner(), query.into_inner());
    let key = format!("changes {id} {query:?}");
    state
        .change_pages
        .rendered(&request, key, |length_hint| {
            page_of_changes(&state, id, &query, length_hint)
        })
        .await
}

async fn page_of_changes(
    state: &AppState,
    id: i64,
    query: &ListChangesQuery,
    length_hint: usize,
) -> Result<Vec<u8>, ApiError> {
    let limit = page_limit(query.limit)?;
    let email = query
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if email.is_some_and(|e| e.len() > MAX_SEARCH_LEN) {
        return Err(ApiError::InvalidQuery(format!(
            "email must be at most {MAX_SEARCH_LEN} characters"
        )));
    }
    let job_id = SyncJobId(id);
    let query = ChangeQuery {
        job_id,
        action: query.action.map(ChangeAction::from),
        email_contains: email,
        before: page_before(query.before)?,
        limit: limit + 1,
    };
    let page = page_body(&state.change_reader, query, length_hint)?;
    // A change names its job (the foreign key): only an empty page needs to ask for it.
    if page.rows == 0 && !db::sync_jobs::exists(&state.pool, job_id).await? {
        return Err(ApiError::NotFound(NotFound::SyncJob(id)));
    }
    Ok(page.body)
}

/// A job's changes as CSV
///
/// Every change of the job, newest first, as `text/csv` with the header
/// `action,email,person_id,reason`; streamed, so a million rows download in constant memory.
#[utoipa::path(
    tag = "sync-jobs",
    operation_id = "sync_jobs.changes_csv",
    params(("id" = i64, Path, description = "Sync job id")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The change log", content_type = "text/csv", body = String,
            example = "action,email,person_id,reason\nremoved,left@example.com,,\nskipped,,17,no email address in Pipedrive\n"),
        (status = 400, description = "The id is not an integer", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sync-jobs/{id}/changes.csv")]
pub async fn changes_csv(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let job = find_job(&state, *id).await?;
    let header_row = Bytes::from_static(b"action,email,person_id,reason\n");
    let header = stream::once(async move { Ok::<_, DbError>(header_row) });
    let rows = stream::try_unfold(Some(i64::MAX), move |before| {
        let state = state.clone();
        async move { next_chunk(state, job.id, before).await }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"sync-job-{}-changes.csv\"", job.id),
        ))
        .streaming(futures_util::StreamExt::chain(header, rows)))
}

/// The CSV of the changes below `before`, and the key of the next chunk; `None` at the end.
/// A chunk is thousands of rows: read on a blocking thread, not the server's.
async fn next_chunk(
    state: web::Data<AppState>,
    job_id: SyncJobId,
    before: Option<i64>,
) -> Result<Option<(Bytes, Option<i64>)>, DbError> {
    let Some(before) = before else {
        return Ok(None);
    };
    let query = ChangeQuery {
        job_id,
        action: None,
        email_contains: None,
        before: Some(before),
        limit: CSV_CHUNK_ROWS,
    };
    let chunk = tokio::task::spawn_blocking(move || {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let mut last_id = None;
        let rows = state.change_reader.read(query, |row| {
            let person_id = row.person_id.map(|id| id.to_string()).unwrap_or_default();
            let record = [
                row.action.as_str(),
                row.email.unwrap_or_default(),
                &person_id,
                row.reason.unwrap_or_default(),
            ];
            writer
                .write_record(record)
                .expect("writing CSV into memory cannot fail");
            last_id = Some(row.id);
        })?;
        let csv = writer
            .into_inner()
            .expect("flushing into memory cannot fail");
        let next = (rows == CSV_CHUNK_ROWS as usize)
            .then_some(last_id)
            .flatten();
        Ok::<_, DbError>((rows > 0).then(|| (Bytes::from(csv), next)))
    })
    .await
    .expect("a CSV chunk's read does not panic")?;
    Ok(chunk)
}
