//! Pipedrive webhooks: those registered with `POST /v1/webhooks`, the person
//! events they are sent, and every delivery attempt.
//!
//! Only v2 webhooks (`version` "2.0", the default) are called, and only for
//! person events; a "1.0" webhook is kept and listed but never called.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde_json::{json, Value};

use super::delivery::Delivery;
use super::{PipedriveState, FILTER_OWNER_ID};
use crate::clock;
use crate::state::generator::splitmix64;
use crate::state::lock;

/// "The maximum limit of webhooks is 40 different webhooks per user."
pub const MAX_WEBHOOKS_PER_USER: usize = 40;
/// The company every webhook and event belongs to.
const COMPANY_ID: u64 = 1;
/// Oldest delivery records are dropped past this.
const MAX_DELIVERIES: usize = 10_000;

/// A webhook as registered with `POST /v1/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: u64,
    pub name: String,
    pub subscription_url: String,
    /// `create`, `change`, `delete` or `*`.
    pub event_action: String,
    /// `person`, `deal`, ... or `*`.
    pub event_object: String,
    /// "2.0" (the default) or "1.0"; only v2 webhooks are called.
    pub version: String,
    /// The user it is authorised with: the token owner unless `user_id` was given.
    pub user_id: u64,
    pub http_auth_user: Option<String>,
    pub http_auth_password: Option<String>,
    /// Unix seconds.
    pub add_time: i64,
    /// Unix seconds of the last attempt, and the status it got (`None` when
    /// the receiver gave no answer).
    pub last_delivery_time: Option<i64>,
    pub last_http_status: Option<u16>,
}

impl Webhook {
    /// Whether this webhook is called for a person event with this action.
    pub fn wants(&self, action: &str) -> bool {
        self.version == "2.0"
            && matches!(self.event_object.as_str(), "person" | "*")
            && (self.event_action == action || self.event_action == "*")
    }
}

/// One attempt to deliver an event to a webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookDelivery {
    /// Position among the attempts since start or reset, from 0.
    pub seq: u64,
    pub webhook_id: u64,
    pub url: String,
    /// `meta.id`: the same for every webhook and attempt of one event.
    pub event_id: String,
    /// `create`, `change` or `delete`.
    pub action: String,
    /// The person's id.
    pub entity_id: u64,
    /// `meta.attempt`: 1 for the first try, up to 4 with Pipedrive's three retries.
    pub attempt: u32,
    /// What the receiver answered; `None` when it did not (see `error`).
    pub status: Option<u16>,
    /// Why there was no answer (connection refused, timeout, ...).
    pub error: Option<String>,
    pub sent_at: SystemTime,
    /// The JSON body sent.
    pub payload: Value,
}

impl WebhookDelivery {
    /// Any 2xx counts as delivered, as with Pipedrive.
    pub fn succeeded(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }
}

/// A registration as the route validated it.
#[derive(Debug, Clone)]
pub(crate) struct NewWebhook {
    pub name: String,
    pub subscription_url: String,
    pub event_action: String,
    pub event_object: String,
    pub version: String,
    pub user_id: Option<u64>,
    pub http_auth_user: Option<String>,
    pub http_auth_password: Option<String>,
}

/// A person event, ready to be sent to every webhook that wants it.
#[derive(Debug, Clone)]
pub(super) struct PersonEvent {
    pub action: &'static str,
    pub person_id: u64,
    /// The person now; `null` for a deletion.
    pub data: Value,
    /// `null` for a creation, the changed fields' earlier values for a
    /// change, the last state for a deletion.
    pub previous: Value,
    pub bulk: bool,
}

/// Registered webhooks and delivery records, shared by every clone of the state.
#[derive(Debug, Clone, Default)]
pub(crate) struct Webhooks {
    book: Arc<Mutex<Book>>,
    /// `None` in a bare [`PipedriveState`]: events are then sent nowhere.
    delivery: Option<Arc<Delivery>>,
}

#[derive(Debug, Default)]
pub(super) struct Book {
    webhooks: BTreeMap<u64, Webhook>,
    last_id: u64,
    deliveries: VecDeque<WebhookDelivery>,
    /// Sequence number of `deliveries[0]`.
    first_seq: u64,
    /// Bumped by every clear: retries of an earlier epoch stop.
    epoch: u64,
}

impl Book {
    pub fn is_registered(&self, id: u64, epoch: u64) -> bool {
        self.epoch == epoch && self.webhooks.contains_key(&id)
    }

    /// Records an attempt of `epoch` (attempts of an earlier one are dropped).
    pub fn record(&mut self, epoch: u64, mut delivery: WebhookDelivery) {
        if self.epoch != epoch {
            return;
        }
        if let Some(webhook) = self.webhooks.get_mut(&delivery.webhook_id) {
            webhook.last_delivery_time = Some(clock::unix_millis(delivery.sent_at) / 1000);
            webhook.last_http_status = delivery.status;
        }
        if self.deliveries.len() == MAX_DELIVERIES {
            self.deliveries.pop_front();
            self.first_seq += 1;
        }
        delivery.seq = self.first_seq + self.deliveries.len() as u64;
        self.deliveries.push_back(delivery);
    }
}

impl Webhooks {
    pub fn new(delivery: Delivery) -> Self {
        Self {
            book: Arc::default(),
            delivery: Some(Arc::new(delivery)),
        }
    }

    /// Whether any webhook is called for person events (so that changes are
    /// only rendered when someone listens).
    pub fn listening(&self) -> bool {
        let book = lock(&self.book);
        let mut webhooks = book.webhooks.values();
        webhooks.any(|webhook| {
            ["create", "change", "delete"]
                .iter()
                .any(|a| webhook.wants(a))
        })
    }

    /// Sends each event to every webhook that wants it, each delivery on its
    /// own task: this returns at once.
    pub fn publish(&self, events: Vec<PersonEvent>) {
        let Some(delivery) = &self.delivery else {
            return;
        };
        let (webhooks, epoch) = {
            let book = lock(&self.book);
            (
                book.webhooks.values().cloned().collect::<Vec<_>>(),
                book.epoch,
            )
        };
        for event in events {
            let (event_id, correlation_id) = (uuid_like(), uuid_like());
            let timestamp = clock::rfc3339_millis(clock::unix_millis(SystemTime::now()));
            for webhook in webhooks
                .iter()
                .filter(|webhook| webhook.wants(event.action))
            {
                let payload = json!({
                    "meta": {
                        "action": event.action,
                        "entity": "person",
                        "company_id": COMPANY_ID.to_string(),
                        "correlation_id": correlation_id,
                        "entity_id": event.person_id.to_string(),
                        "id": event_id,
                        "is_bulk_edit": event.bulk,
                        "timestamp": timestamp,
                        "type": "general",
                        "user_id": FILTER_OWNER_ID.to_string(),
                        "version": "2.0",
                        "webhook_id": webhook.id.to_string(),
                        "webhook_owner_id": webhook.user_id.to_string(),
                        "change_source": "api",
                        "attempt": 1,
                        "host": "sandbox.pipedrive.com",
                        "permitted_user_ids": [webhook.user_id.to_string()],
                    },
                    "data": event.data,
                    "previous": event.previous,
                });
                delivery.spawn(&self.book, epoch, webhook.clone(), payload);
            }
        }
    }

    fn clear(&self) {
        let mut book = lock(&self.book);
        let epoch = book.epoch + 1;
        *book = Book {
            epoch,
            ..Book::default()
        };
    }
}

impl PipedriveState {
    /// Every registered webhook, by id.
    pub fn webhooks(&self) -> Vec<Webhook> {
        lock(&self.webhooks.book)
            .webhooks
            .values()
            .cloned()
            .collect()
    }

    /// Every delivery attempt since start or reset, oldest first (the most
    /// recent 10,000).
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.webhook_deliveries_since(0).0
    }

    /// The attempts from sequence number `seq` on (see [`WebhookDelivery::seq`])
    /// and the number the next attempt will get.
    pub fn webhook_deliveries_since(&self, seq: u64) -> (Vec<WebhookDelivery>, u64) {
        let book = lock(&self.webhooks.book);
        let skip = seq.saturating_sub(book.first_seq) as usize;
        let next = book.first_seq + book.deliveries.len() as u64;
        (book.deliveries.iter().skip(skip).cloned().collect(), next)
    }

    /// Registers a webhook; `None` when its user already has
    /// [`MAX_WEBHOOKS_PER_USER`].
    pub(crate) fn add_webhook(&self, new: NewWebhook) -> Option<Webhook> {
        let mut book = lock(&self.webhooks.book);
        let user_id = new.user_id.unwrap_or(FILTER_OWNER_ID);
        let owned = book.webhooks.values().filter(|w| w.user_id == user_id);
        if owned.count() >= MAX_WEBHOOKS_PER_USER {
            return None;
        }
        book.last_id += 1;
        let webhook = Webhook {
            id: book.last_id,
            name: new.name,
            subscription_url: new.subscription_url,
            event_action: new.event_action,
            event_object: new.event_object,
            version: new.version,
            user_id,
            http_auth_user: new.http_auth_user,
            http_auth_password: new.http_auth_password,
            add_time: clock::unix_now(),
            last_delivery_time: None,
            last_http_status: None,
        };
        book.webhooks.insert(webhook.id, webhook.clone());
        Some(webhook)
    }

    /// Deletes a webhook; its pending retries are dropped. False if unknown.
    pub(crate) fn remove_webhook(&self, id: u64) -> bool {
        lock(&self.webhooks.book).webhooks.remove(&id).is_some()
    }

    pub(super) fn clear_webhooks(&self) {
        self.webhooks.clear();
    }
}

/// A webhook in the shape of `getWebhooks` and `addWebhook`.
pub(crate) fn webhook_json(webhook: &Webhook) -> Value {
    let time = |unix: i64| clock::rfc3339_millis(unix * 1000);
    json!({
        "id": webhook.id,
        "company_id": COMPANY_ID,
        "owner_id": webhook.user_id,
        "user_id": webhook.user_id,
        "event_action": webhook.event_action,
        "event_object": webhook.event_object,
        "subscription_url": webhook.subscription_url,
        "version": webhook.version,
        "is_active": 1,
        "add_time": time(webhook.add_time),
        "remove_time": null,
        "type": "general",
        "http_auth_user": webhook.http_auth_user,
        "http_auth_password": webhook.http_auth_password,
        "remove_reason": null,
        "last_delivery_time": webhook.last_delivery_time.map(time),
        "last_http_status": webhook.last_http_status,
        "admin_id": webhook.user_id,
        "name": webhook.name,
    })
}

/// A random-looking version-4 UUID: unique within the process, which is all
/// an event id needs.
fn uuid_like() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let high = splitmix64(clock::unix_millis(SystemTime::now()) as u64 ^ count.rotate_left(40));
    let low = splitmix64(high ^ count);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xfff,
        0x8000 | ((low >> 48) & 0x3fff),
        low & 0xffff_ffff_ffff,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_look_like_uuids_and_differ() {
        let (a, b) = (uuid_like(), uuid_like());
        assert_ne!(a, b);
        let lengths: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(lengths, [8, 4, 4, 4, 12], "{a}");
        assert_eq!(&a[14..15], "4");
    }

    #[test]
    fn webhooks_match_object_and_action() {
        let state = PipedriveState::default();
        let mut new = NewWebhook {
            name: "Sync".into(),
            subscription_url: "http://127.0.0.1:9/hook".into(),
            event_action: "delete".into(),
            event_object: "person".into(),
            version: "2.0".into(),
            user_id: None,
            http_auth_user: None,
            http_auth_password: None,
        };
        let delete_only = state.add_webhook(new.clone()).unwrap();
        assert!(delete_only.wants("delete") && !delete_only.wants("change"));
        new.event_action = "*".into();
        new.event_object = "deal".into();
        assert!(!state.add_webhook(new.clone()).unwrap().wants("create"));
        new.event_object = "*".into();
        assert!(state.add_webhook(new.clone()).unwrap().wants("change"));
        new.version = "1.0".into();
        assert!(!state.add_webhook(new).unwrap().wants("change"));
        assert_eq!(state.webhooks().len(), 4);
        assert_eq!(delete_only.user_id, FILTER_OWNER_ID);
    }
}
