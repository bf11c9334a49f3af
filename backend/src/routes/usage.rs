use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{app_state::AppState, domain::time::UnixTime, error::ApiError};

#[derive(Serialize, ToSchema)]
pub struct UsageOut {
    pub pipedrive: PipedriveUsageOut,
    /// The last 30 UTC days, oldest first, today last; days without calls count zero.
    pub days: Vec<UsageDayOut>,
}

#[derive(Serialize, ToSchema)]
pub struct PipedriveUsageOut {
    /// Tokens spent today (UTC), at each call's documented cost.
    pub tokens_today: u64,
    /// `PIPEDRIVE_DAILY_TOKEN_BUDGET`: what scheduled syncs may spend per day; null: no limit.
    pub daily_token_budget: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct UsageDayOut {
    #[schema(format = Date, example = "2026-12-01")]
    pub date: String,
    pub pipedrive_tokens: u64,
    pub brevo_requests: u64,
}

/// Upstream usage
///
/// Pipedrive tokens and Brevo requests per UTC day, this service's calls only (Pipedrive's
/// budget is shared with every integration of the company).
#[utoipa::path(
    tag = "usage",
    operation_id = "usage.get",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Today's Pipedrive spend and the last 30 days", body = UsageOut),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/usage")]
pub async fn get_usage(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let days = state.usage.days(UnixTime::now()).await?;
    let tokens_today = days.last().map_or(0, |today| today.pipedrive_tokens);
    Ok(HttpResponse::Ok().json(UsageOut {
        pipedrive: PipedriveUsageOut {
            tokens_today,
            daily_token_budget: state.usage.daily_token_budget,
        },
        days: days
            .into_iter()
            .map(|day| UsageDayOut {
                date: day.date.to_string(),
                pipedrive_tokens: day.pipedrive_tokens,
                brevo_requests: day.brevo_requests,
            })
            .collect(),
    }))
}
