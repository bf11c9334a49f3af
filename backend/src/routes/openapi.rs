use actix_web::{get, web, HttpResponse};

use crate::app_state::AppState;

/// OpenAPI document
///
/// This API's OpenAPI 3.1 description (the same content as `openapi.yaml`). Needs no session.
#[utoipa::path(
    tag = "meta",
    operation_id = "meta.openapi",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object))
)]
#[get("/openapi.json")]
pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi_json.clone())
}
