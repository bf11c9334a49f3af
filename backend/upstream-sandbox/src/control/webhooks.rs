//! Pipedrive webhooks over HTTP: `GET /__sandbox/webhooks`.

use actix_web::web::{Data, Query};
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::AppState;
use crate::clock;
use crate::state::pipedrive::webhook_json;

/// `?since=SEQ`, optional.
#[derive(Debug, Deserialize)]
pub(super) struct DeliveriesQuery {
    #[serde(default)]
    since: u64,
}

/// The registered webhooks (in the `getWebhooks` shape), the delivery
/// attempts from `since` on, and `next`, the `since` that reads only later ones.
pub(super) async fn webhooks(state: Data<AppState>, query: Query<DeliveriesQuery>) -> HttpResponse {
    let webhooks: Vec<Value> = state
        .pipedrive
        .webhooks()
        .iter()
        .map(webhook_json)
        .collect();
    let (deliveries, next) = state.pipedrive.webhook_deliveries_since(query.since);
    let deliveries: Vec<Value> = deliveries
        .into_iter()
        .map(|delivery| {
            json!({
                "seq": delivery.seq,
                "webhook_id": delivery.webhook_id,
                "url": delivery.url,
                "event_id": delivery.event_id,
                "action": delivery.action,
                "entity_id": delivery.entity_id,
                "attempt": delivery.attempt,
                "status": delivery.status,
                "error": delivery.error,
                "succeeded": delivery.succeeded(),
                "sent_at": clock::rfc3339_millis(clock::unix_millis(delivery.sent_at)),
                "payload": delivery.payload,
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({
        "webhooks": webhooks,
        "deliveries": deliveries,
        "next": next,
    }))
}
