use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{from_object, lookup::find_filter, sync_jobs::SyncJobOut};
use crate::{
    app_state::AppState,
    db,
    domain::{
        filter::{FilterId, SyncMode, MAX_SCHEDULE_MINUTES},
        filter_overview::FilterOverview,
        time::UnixTime,
    },
    error::{ApiError, NotFound, Problem},
    refresh,
};

#[derive(Serialize, ToSchema)]
pub struct FilterOut {
    /// Pipedrive's filter id.
    pub id: i64,
    pub name: String,
    /// The Brevo list this filter syncs into; null until the first sync creates it.
    pub brevo_list_id: Option<i64>,
    /// The list's name in Brevo, as the service last created or renamed it.
    pub brevo_list_name: Option<String>,
    /// Set when the filter vanished from Pipedrive (soft delete).
    #[schema(format = DateTime)]
    pub deleted_at: Option<String>,
    pub mode: SyncModeOut,
    /// Minutes between scheduled syncs; null: manual only.
    #[schema(minimum = 1, maximum = 10080)]
    pub schedule_minutes: Option<u32>,
    /// When the schedule next starts a sync; null without a schedule.
    #[schema(format = DateTime)]
    pub next_sync_at: Option<String>,
    /// Set while the schedule waits past its interval: until when and why (today's
    /// Pipedrive budget).
    pub schedule_hold: Option<ScheduleHoldOut>,
    /// The newest sync job, or null if the filter never ran.
    pub last_job: Option<SyncJobOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ScheduleHoldOut {
    #[schema(format = DateTime)]
    pub until: String,
    pub reason: String,
}

/// `mirror`: the list equals the filter (adds, updates, removes); `additive`: never removes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SyncModeOut {
    Mirror,
    Additive,
}

impl From<SyncMode> for SyncModeOut {
    fn from(mode: SyncMode) -> Self {
        match mode {
            SyncMode::Mirror => Self::Mirror,
            SyncMode::Additive => Self::Additive,
        }
    }
}

impl From<SyncModeOut> for SyncMode {
    fn from(mode: SyncModeOut) -> Self {
        match mode {
            SyncModeOut::Mirror => Self::Mirror,
            SyncModeOut::Additive => Self::Additive,
        }
    }
}

impl From<FilterOverview> for FilterOut {
    fn from(FilterOverview { filter, last_job }: FilterOverview) -> Self {
        Self {
            id: filter.id.0,
            name: filter.name,
            brevo_list_id: filter.brevo_list_id,
            brevo_list_name: filter.brevo_list_name,
            deleted_at: filter.deleted_at.map(|t| t.to_rfc3339()),
            mode: filter.mode.into(),
            schedule_minutes: filter.schedule_minutes,
            next_sync_at: filter.next_sync_at.map(|t| t.to_rfc3339()),
            schedule_hold: filter.schedule_hold.map(|hold| ScheduleHoldOut {
                until: hold.until.to_rfc3339(),
                reason: hold.reason,
            }),
            last_job: last_job.map(SyncJobOut::from),
        }
    }
}

/// The settings to change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mode": "mirror", "schedule_minutes": 60}))]
pub struct UpdateFilterIn {
    pub mode: Option<SyncModeOut>,
    /// Minutes between scheduled syncs, 1 to 10080 (a week); null turns the schedule off.
    /// Read as a number so that `60.0`, an integer to JSON Schema, is one here too.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u32>, nullable, minimum = 1, maximum = 10080)]
    pub schedule_minutes: Option<Option<f64>>,
}

/// Tells a field given as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
    Option::<f64>::deserialize(d).map(Some)
}

#[derive(Serialize, ToSchema)]
pub struct RefreshOut {
    /// Filters new to the service.
    pub created: usize,
    /// Filters whose name changed in Pipedrive.
    pub renamed: usize,
    /// Previously deleted filters that are back in Pipedrive.
    pub restored: usize,
    /// Filters gone from Pipedrive, now soft-deleted.
    pub deleted: usize,
    pub unchanged: usize,
    /// The filters after the refresh (deleted ones excluded).
    pub filters: Vec<FilterOut>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListFiltersQuery {
    /// Include soft-deleted filters.
    pub include_deleted: Option<bool>,
}

/// List filters
///
/// The person filters known to the service, by name, each with its newest sync job.
#[utoipa::path(
    tag = "filters",
    operation_id = "filters.list",
    params(ListFiltersQuery),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The filters", body = Vec<FilterOut>),
        (status = 400, description = "Invalid query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/filters")]
pub async fn list_filters(
    request: HttpRequest,
    query: web::Query<ListFiltersQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let include_deleted = query.include_deleted.unwrap_or(false);
    let key = format!("filters include_deleted={include_deleted}");
    state
        .read_cache
        .json(&request, key, || async {
            let filters = db::filters::list(&state.pool, include_deleted).await?;
            Ok(filters.into_iter().map(FilterOut::from).collect::<Vec<_>>())
        })
        .await
}

/// Refresh filters from Pipedrive
///
/// Fetches the person filters from Pipedrive and reconciles them: new ones are added,
/// renamed ones updated, vanished ones soft-deleted and returning ones restored. If Pipedrive
/// fails, nothing changes.
#[utoipa::path(
    tag = "filters",
    operation_id = "filters.refresh",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Counts of each change, and the filters", body = RefreshOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "Pipedrive failed; nothing changed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "PIPEDRIVE_API_TOKEN is not set", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/filters/refresh")]
pub async fn refresh_filters(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let plan = refresh::refresh_filters(&state.pool, &state.pipedrive).await?;
    let filters = db::filters::list(&state.pool, false).await?;
    Ok(HttpResponse::Ok().json(RefreshOut {
        created: plan.created.len(),
        renamed: plan.renamed.len(),
        restored: plan.restored.len(),
        deleted: plan.deleted.len(),
        unchanged: plan.unchanged,
        filters: filters.into_iter().map(FilterOut::from).collect(),
    }))
}

/// Change a filter's settings
///
/// Sets the sync mode and the schedule. A new schedule counts its first interval from now.
#[utoipa::path(
    tag = "filters",
    operation_id = "filters.update",
    params(("id" = i64, Path, description = "Pipedrive filter id")),
    request_body = UpdateFilterIn,
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The filter with its new settings", body = FilterOut),
        (status = 400, description = "Malformed JSON or a bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such filter, or it was deleted", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown field or a bad value", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/filters/{id:-?[0-9]+}")]
pub async fn update_filter(
    id: web::Path<i64>,
    body: web::Json<serde_json::Map<String, serde_json::Value>>,
    state: web::Data<AppState>,
) -> Result<web::Json<FilterOut>, ApiError> {
    let body: UpdateFilterIn = from_object(body.into_inner())?;
    let schedule = match body.schedule_minutes {
        Some(Some(minutes)) => {
            let whole = minutes.fract() == 0.0
                && (1.0..=f64::from(MAX_SCHEDULE_MINUTES)).contains(&minutes);
            if !whole {
                return Err(ApiError::InvalidBody(format!(
                    "schedule_minutes must be between 1 and {MAX_SCHEDULE_MINUTES}, a whole number of minutes (or null), got {minutes}"
                )));
            }
            Some(Some(minutes as u32))
        }
        Some(None) => Some(None),
        None => None,
    };
    let mode = body.mode.map(SyncMode::from);
    let updated =
        db::filters::update_settings(&state.pool, FilterId(*id), mode, schedule, UnixTime::now())
            .await?;
    if !updated {
        return Err(ApiError::NotFound(NotFound::Filter(*id)));
    }
    Ok(web::Json(find_filter(&state, *id).await?.into()))
}

/// Get a filter
#[utoipa::path(
    tag = "filters",
    operation_id = "filters.get",
    params(("id" = i64, Path, description = "Pipedrive filter id")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The filter (soft-deleted ones included)", body = FilterOut),
        (status = 400, description = "The id is not an integer", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such filter", body = Problem, content_type = "application/problem+json"),
    )
)]
// Digits only, so that `GET /filters/refresh` is not taken for a filter id: it is 405.
#[get("/filters/{id:-?[0-9]+}")]
pub async fn get_filter(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<web::Json<FilterOut>, ApiError> {
    Ok(web::Json(find_filter(&state, *id).await?.into()))
}
