//! Blocklisted contacts: their flags in listings and list counts, and what
//! imports and `createContact` do to them.

mod common;

use std::time::Duration;

use common::{new_list, status_json, Harness};
use reqwest::Method;
use serde_json::json;
use upstream_sandbox::SandboxConfig;

/// Contacts land as soon as they are observed.
fn instant_imports() -> SandboxConfig {
    SandboxConfig {
        import_delay: Duration::ZERO,
        ..SandboxConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocklist_flags_show_in_listings_and_counts() {
    let harness = Harness::start(instant_imports()).await;
    let list_id = new_list(&harness, "Mirror").await;
    let created = json!({"email": "ada@example.com", "listIds": [list_id], "emailBlacklisted": true, "smsBlacklisted": true});
    assert_eq!(
        harness.brevo_post("/v3/contacts", &created).await.status(),
        201
    );
    let brevo = harness.sandbox.brevo();
    for email in ["bob@example.com", "cy@example.com"] {
        brevo.add_contact(email, &[], &[list_id]);
    }
    let blocklist = |email: &str, blocklisted| json!({"email": email, "blocklisted": blocklisted});
    let response = harness
        .control(
            Method::POST,
            "/contacts/blocklist",
            Some(&blocklist("BOB@example.com", true)),
        )
        .await;
    assert_eq!(response.status(), 204);
    let response = harness
        .control(
            Method::POST,
            "/contacts/blocklist",
            Some(&blocklist("ghost@example.com", true)),
        )
        .await;
    assert_eq!(response.status(), 404);

    let (_, list) = status_json(
        harness
            .brevo_get(&format!("/v3/contacts/lists/{list_id}"))
            .await,
    )
    .await;
    assert_eq!(
        (
            &list["totalBlacklisted"],
            &list["totalSubscribers"],
            &list["uniqueSubscribers"]
        ),
        (&json!(2), &json!(1), &json!(3))
    );
    let (_, folders) = status_json(harness.brevo_get("/v3/contacts/folders").await).await;
    assert_eq!(folders["folders"][0]["totalBlacklisted"], json!(2));
    let path = format!("/v3/contacts/lists/{list_id}/contacts?sort=asc");
    let (_, page) = status_json(harness.brevo_get(&path).await).await;
    let flags: Vec<(bool, bool)> = page["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["emailBlacklisted"].as_bool().unwrap(),
                c["smsBlacklisted"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(flags, [(true, true), (true, false), (false, false)]);

    // An ordinary import leaves the flags alone, even for contacts it updates.
    let rows = json!([{"email": "ada@example.com", "attributes": {"FIRSTNAME": "Ada"}}, {"email": "dee@example.com"}]);
    let import = json!({"jsonBody": rows, "listIds": [list_id]});
    assert_eq!(
        harness
            .brevo_post("/v3/contacts/import", &import)
            .await
            .status(),
        202
    );
    let ada = brevo.contact("ada@example.com").unwrap();
    assert_eq!(
        (ada.email_blacklisted, ada.attribute("FIRSTNAME")),
        (true, Some("Ada"))
    );
    assert!(!brevo.contact("dee@example.com").unwrap().email_blacklisted);
    // emailBlacklist blocklists every imported contact, and the record says so.
    let import = json!({"jsonBody": [{"email": "cy@example.com"}], "listIds": [list_id], "emailBlacklist": true});
    assert_eq!(
        harness
            .brevo_post("/v3/contacts/import", &import)
            .await
            .status(),
        202
    );
    assert!(brevo.contact("cy@example.com").unwrap().email_blacklisted);
    let records: Vec<(bool, bool)> = brevo
        .imports()
        .iter()
        .map(|i| (i.email_blacklist, i.sms_blacklist))
        .collect();
    assert_eq!(records, [(false, false), (true, false)]);
    let (_, imports) = status_json(harness.control(Method::GET, "/imports", None).await).await;
    assert_eq!(imports["imports"][1]["emailBlacklist"], json!(true));

    // createContact with updateEnabled can unblock, as Brevo's can.
    let unblock =
        json!({"email": "ada@example.com", "emailBlacklisted": false, "updateEnabled": true});
    assert_eq!(
        harness.brevo_post("/v3/contacts", &unblock).await.status(),
        204
    );
    assert!(brevo.set_blocklisted("bob@example.com", false));
    assert!(!brevo.set_blocklisted("ghost@example.com", true));
    let list = brevo.lists().into_iter().find(|l| l.id == list_id).unwrap();
    assert_eq!((list.blocklisted_count, list.member_count), (1, 4));
    harness.stop().await;
}
