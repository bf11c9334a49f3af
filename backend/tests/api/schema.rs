//! The database contract of DESIGN.md §1, checked on the real file the app created.

use crate::helpers::spawn_app;

#[tokio::test]
async fn every_connection_enforces_foreign_keys_with_wal_and_a_busy_timeout() {
    let app = spawn_app().await;

    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&app.pool)
        .await
        .unwrap();

    assert_eq!((foreign_keys, journal.as_str()), (1, "wal"));
    assert!(busy >= 5000, "busy_timeout {busy}");
}

#[tokio::test]
async fn hard_deleting_a_filter_removes_its_jobs() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.with_filters(&[(1, "Doomed"), (2, "Kept")]).await;
    app.insert_job(1, "completed", 1_700_000_000).await;
    app.insert_job(1, "failed", 1_700_000_100).await;
    let kept = app.insert_job(2, "completed", 1_700_000_200).await;

    sqlx::query("DELETE FROM filters WHERE id = 1")
        .execute(&app.pool)
        .await
        .unwrap();

    let remaining: Vec<i64> = sqlx::query_scalar("SELECT id FROM sync_jobs")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(remaining, vec![kept]);
}

#[tokio::test]
async fn a_job_needs_an_existing_filter_and_a_known_status() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.with_filters(&[(1, "Only")]).await;

    let orphan = sqlx::query("INSERT INTO sync_jobs (filter_id, status) VALUES (99, 'completed')")
        .execute(&app.pool)
        .await;
    let bad_status = sqlx::query("INSERT INTO sync_jobs (filter_id, status) VALUES (1, 'running')")
        .execute(&app.pool)
        .await;

    assert!(orphan.unwrap_err().to_string().contains("FOREIGN KEY"));
    assert!(bad_status.unwrap_err().to_string().contains("CHECK"));
}

#[tokio::test]
async fn a_new_job_defaults_to_now_with_zero_counts() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.with_filters(&[(1, "Only")]).await;

    let (created_at, fetched, added, completed_at): (i64, i64, i64, Option<i64>) = sqlx::query_as(
        "INSERT INTO sync_jobs (filter_id, status) VALUES (1, 'processing')
         RETURNING created_at, total_fetched, total_added, completed_at",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - created_at).abs() <= 5);
    assert_eq!((fetched, added, completed_at), (0, 0, None));
}

/// Filters whose stored `overview` differs from what the views render from the tables now.
async fn stale_overviews(app: &crate::helpers::TestApp) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT f.id FROM filters f JOIN filter_overview_rows o ON o.id = f.id
         WHERE f.overview IS NOT o.row ORDER BY f.id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn each_filters_stored_overview_follows_every_write_to_it_and_its_newest_job() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.with_filters(&[(1, "One"), (2, "Two")]).await;
    let older = app.insert_job(1, "completed", 1_700_000_000).await;
    let newest = app.insert_job(1, "processing", 1_700_000_100).await;
    let writes = [
        format!("UPDATE sync_jobs SET total_fetched = 500, total_added = 480 WHERE id = {newest}"),
        format!("UPDATE sync_jobs SET total_added = 7 WHERE id = {older}"),
        format!("UPDATE sync_jobs SET status = 'completed', completed_at = 1700000200 WHERE id = {newest}"),
        "UPDATE filters SET name = 'Renamed', mode = 'additive', schedule_minutes = 60 WHERE id = 1".into(),
        "UPDATE filters SET brevo_list_id = 9, brevo_list_name = 'List' WHERE id = 2".into(),
        "UPDATE filters SET deleted_at = 1700000300 WHERE id = 2".into(),
        "INSERT INTO filters (id, name) VALUES (3, 'Three')".into(),
    ];
    for write in writes {
        sqlx::query(&write).execute(&app.pool).await.unwrap();
        assert_eq!(
            stale_overviews(&app).await,
            Vec::<i64>::new(),
            "after {write}"
        );
    }
    let overview: String = sqlx::query_scalar("SELECT overview FROM filters WHERE id = 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(overview.contains(r#""name":"Renamed""#), "{overview}");
    assert!(overview.contains(r#""total_fetched":500"#), "{overview}");
}

#[tokio::test]
async fn the_field_mapping_is_unset_until_saved_then_kept_in_order_and_replaced_whole() {
    use pipedrive_brevo_sync::{
        db::field_mapping,
        domain::{fields::MappingEntry, time::UnixTime},
    };
    let entry = |field: &str, attribute: &str| MappingEntry {
        pipedrive_field: field.into(),
        brevo_attribute: attribute.into(),
    };
    let app = spawn_app().await;
    assert_eq!(field_mapping::get(&app.pool).await.unwrap(), None);

    let first = [entry("phone", "SMS"), entry("first_name", "FIRSTNAME")];
    field_mapping::replace(&app.pool, &first, UnixTime(1_700_000_000))
        .await
        .unwrap();
    let saved = field_mapping::get(&app.pool).await.unwrap().unwrap();
    assert_eq!(
        (saved.entries.as_slice(), saved.saved_at),
        (&first[..], UnixTime(1_700_000_000))
    );

    field_mapping::replace(&app.pool, &[], UnixTime(1_700_000_100))
        .await
        .unwrap();
    let emptied = field_mapping::get(&app.pool).await.unwrap().unwrap();
    assert_eq!(emptied.entries, vec![], "saved empty is not unset");

    let twice = [entry("phone", "SMS"), entry("first_name", "sms")];
    let refused = field_mapping::replace(&app.pool, &twice, UnixTime(1_700_000_200)).await;
    assert!(refused.is_err(), "one attribute twice, in any case");
    assert_eq!(
        field_mapping::get(&app.pool).await.unwrap().unwrap(),
        emptied,
        "a refused save changes nothing"
    );
}

#[tokio::test]
async fn the_change_log_keeps_its_rows_through_its_rebuild_and_refuses_unknown_actions() {
    let dir = tempfile::tempdir().unwrap();
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.path().join("app.db"))
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let all = sqlx::migrate!("../migrations");
    let mut before_rebuild = sqlx::migrate!("../migrations");
    before_rebuild.migrations = all
        .iter()
        .filter(|m| m.version < 6)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before_rebuild.run(&pool).await.unwrap();
    for statement in [
        "INSERT INTO filters (id, name) VALUES (1, 'Kept')",
        "INSERT INTO sync_jobs (id, filter_id, status) VALUES (7, 1, 'completed')",
        "INSERT INTO sync_changes (job_id, id, action, email) VALUES (7, 1, 'added', 'a@x.org'), (7, 2, 'held', 'b@x.org')",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }

    all.run(&pool).await.unwrap();

    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, action, email FROM sync_changes WHERE job_id = 7 ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        rows,
        [
            (1, "added".to_owned(), "a@x.org".to_owned()),
            (2, "held".to_owned(), "b@x.org".to_owned())
        ]
    );
    let unknown =
        sqlx::query("INSERT INTO sync_changes (job_id, id, action) VALUES (7, 3, 'moved')")
            .execute(&pool)
            .await;
    assert!(unknown.unwrap_err().to_string().contains("CHECK"));
    sqlx::query("DELETE FROM sync_jobs WHERE id = 7")
        .execute(&pool)
        .await
        .unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM sync_changes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "a job's change log goes with it");
}
