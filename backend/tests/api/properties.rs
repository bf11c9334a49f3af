//! Item 31, the part not covered by the unit properties (`domain::contact`: the email
//! choice; `upstream::retry`: backoff and the Retry-After / reset header parsers): cursor
//! handling and the person mapper, end to end through the Pipedrive client. A fake
//! Pipedrive answers pages whose `next_cursor` is any string; the client must send each
//! back exactly, stop at the last page, and map any person without panicking.

use std::sync::{Arc, Mutex};

use pipedrive_brevo_sync::{
    config::{HttpClientSettings, RetryPolicy},
    domain::{contact::contact_from, filter::FilterId, mapping::Mapping},
    upstream::{
        self,
        pipedrive::{PipedriveClient, WantedFields},
    },
};
use proptest::prelude::*;
use serde_json::{json, Value};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

/// Pages to serve, and the `cursor` query parameter of each request received.
#[derive(Default)]
struct Script {
    pages: Vec<Value>,
    cursors_received: Vec<Option<String>>,
}

/// A one-route HTTP/1.1 server: request `n` gets `pages[n]`.
async fn fake_pipedrive(script: Arc<Mutex<Script>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let script = script.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request);
                let target = text.split(' ').nth(1).unwrap_or("/").to_owned();
                let url = url::Url::parse(&format!("http://x{target}")).unwrap();
                let cursor = url
                    .query_pairs()
                    .find(|(k, _)| k == "cursor")
                    .map(|(_, v)| v.into_owned());
                let body = {
                    let mut script = script.lock().unwrap();
                    let n = script.cursors_received.len();
                    script.cursors_received.push(cursor);
                    script.pages.get(n).cloned().unwrap_or(json!({"data": []}))
                }
                .to_string();
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
            });
        }
    });
    address
}

fn person_json() -> impl Strategy<Value = Value> {
    let text = proptest::option::of("\\PC{0,20}");
    let email = (
        proptest::option::of("\\PC{0,30}"),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(value, primary)| json!({"value": value, "primary": primary, "label": "work"}));
    (
        text.clone(),
        text.clone(),
        text,
        proptest::option::of(proptest::collection::vec(email, 0..4)),
    )
        .prop_map(|(name, first, last, emails)| {
            json!({"id": 1, "name": name, "first_name": first, "last_name": last, "emails": emails})
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn any_cursor_is_sent_back_verbatim_and_any_person_maps_without_panicking(
        cursors in proptest::collection::vec("\\PC{1,40}", 0..5),
        persons in proptest::collection::vec(person_json(), 0..6),
        empty_last_cursor in any::<bool>(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let mut pages: Vec<Value> = cursors
                .iter()
                .map(|c| json!({"data": persons, "additional_data": {"next_cursor": c}}))
                .collect();
            let last = if empty_last_cursor { json!("") } else { Value::Null };
            pages.push(json!({"data": persons, "additional_data": {"next_cursor": last}}));
            let script = Arc::new(Mutex::new(Script { pages, ..Script::default() }));
            let base = fake_pipedrive(script.clone()).await;
            let client = PipedriveClient::new(
                upstream::http_client(&HttpClientSettings::default()),
                url::Url::parse(&base).unwrap(),
                Some("token".to_string().into()),
                RetryPolicy::default(),
                Default::default(),
            );
            let mut pages = client.persons(FilterId(1), &[]);
            let mut fetched = 0;
            while let Some(page) = pages.next_page().await.unwrap() {
                let page = page.persons(&WantedFields::default()).unwrap();
                fetched += 1;
                prop_assert_eq!(page.len(), persons.len());
                for person in &page {
                    if let Ok(contact) = contact_from(person.clone(), &Mapping::first_and_last_name(&[], None)) {
                        prop_assert_eq!(contact.email.clone(), contact.email.trim().to_lowercase());
                    }
                }
                prop_assert!(fetched <= cursors.len() + 1, "did not stop");
            }
            prop_assert_eq!(fetched, cursors.len() + 1);
            let received = script.lock().unwrap().cursors_received.clone();
            let expected: Vec<Option<String>> =
                std::iter::once(None).chain(cursors.iter().cloned().map(Some)).collect();
            prop_assert_eq!(received, expected);
            Ok(())
        })?;
    }
}
