//! The rendered bodies of the dashboard's list and change-log reads, reused until the
//! database changes.
//!
//! A busy dashboard asks for the same lists again and again; rendering 1,000 filters with
//! their newest jobs costs milliseconds, answering from memory microseconds. A body is served
//! only while SQLite's data version is the one read before it was rendered, so any commit
//! invalidates it before the next read: reads never see older data than without the cache.
//! Each body is also kept gzipped, from the first client that accepts that (every browser
//! does): the list of 1,000 filters is 460 kB as JSON and a sixteenth of that compressed.
//! A body is kept from the second read of its key on: most keys read once are never read
//! again (a change-log page at a random depth).

use std::{
    collections::{HashMap, HashSet},
    future::Future,
    io::Write,
    sync::{Arc, Mutex, OnceLock},
};

use actix_web::{
    http::header::{self, ContentType, HeaderValue},
    HttpRequest, HttpResponse,
};
use bytes::Bytes;
use flate2::{write::GzEncoder, Compression};
use serde::Serialize;

use crate::{
    db::{ChangeWatcher, DbError, SqlitePool},
    error::ApiError,
};

/// Distinct reads kept (list variants and pages); all are dropped when full, so a client
/// paging through old history cannot grow the cache.
const MAX_ENTRIES: usize = 32;

/// Keys remembered as read once; all are forgotten when full.
const MAX_SEEN_ONCE: usize = 256;

/// Render locks kept; all are dropped when full (a render holding one still finishes; at
/// worst a key is rendered twice at once).
const MAX_RENDER_LOCKS: usize = 256;

pub struct ReadCache {
    /// `None` for an in-memory database: every read renders.
    watcher: Option<ChangeWatcher>,
    entries: Mutex<Entries>,
    /// One render of a key at a time: after a commit, concurrent requests for the same list
    /// wait for one render instead of all rendering it, while renders of different keys (the
    /// pages of a change log) run side by side.
    rendering: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Default)]
struct Entries {
    data_version: i64,
    bodies: HashMap<String, Body>,
    /// The length of each key's last body, kept across versions: the next render of a list
    /// of hundreds of kilobytes is written into a buffer of that size at once, not one that
    /// doubles (and is copied) a dozen times.
    lengths: HashMap<String, usize>,
    /// Keys read once and not kept: only a key read again is worth keeping. A change-log
    /// page at a random depth is read once, and reading the data version to keep it cost
    /// more than a twentieth of its render.
    seen_once: HashSet<String>,
}

/// A rendered JSON body, and the same gzipped once a client accepts that.
#[derive(Clone)]
struct Body {
    json: Bytes,
    gzip: Arc<OnceLock<Option<Bytes>>>,
}

/// `value` as JSON, written into a buffer of `length_hint` bytes to begin with.
fn to_json(value: &impl Serialize, length_hint: usize) -> Result<Vec<u8>, ApiError> {
    let mut json = Vec::with_capacity(length_hint);
    serde_json::to_writer(&mut json, value).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(json)
}

impl Body {
    fn new(json: Vec<u8>) -> Self {
        Self {
            json: json.into(),
            gzip: Arc::default(),
        }
    }

    /// The fastest level: the body is rendered again after every commit, and JSON this
    /// repetitive shrinks almost as much as at the default level. `None` if compressing
    /// failed; the plain body is sent then.
    fn gzip(&self) -> Option<Bytes> {
        self.gzip
            .get_or_init(|| {
                let mut encoder =
                    GzEncoder::new(Vec::with_capacity(self.json.len() / 8), Compression::fast());
                encoder.write_all(&self.json).ok()?;
                encoder.finish().ok().map(Bytes::from)
            })
            .clone()
    }

    fn response(self, request: &HttpRequest) -> HttpResponse {
        let mut response = HttpResponse::Ok();
        response
            .content_type(ContentType::json())
            .insert_header((header::VARY, HeaderValue::from_static("accept-encoding")));
        match accepts_gzip(request).then(|| self.gzip()).flatten() {
            Some(gzip) => response
                .insert_header((header::CONTENT_ENCODING, HeaderValue::from_static("gzip")))
                .body(gzip),
            None => response.body(self.json),
        }
    }
}

/// Whether `Accept-Encoding` lists gzip (or `*`) without `q=0`.
fn accepts_gzip(request: &HttpRequest) -> bool {
    request
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|param| {
                param
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

impl ReadCache {
    pub fn open(pool: &SqlitePool) -> Result<Self, DbError> {
        Ok(Self {
            watcher: ChangeWatcher::open(pool)?,
            entries: Mutex::default(),
            rendering: Default::default(),
        })
    }

    /// A 200 JSON response to `request` of what `render` returns, or of its earlier result
    /// for the same `key` when nothing was committed since.
    pub async fn json<T, F, Fut>(
        &self,
        request: &HttpRequest,
        key: String,
        render: F,
    ) -> Result<HttpResponse, ApiError>
    where
        T: Serialize,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        self.rendered(request, key, |length_hint| async move {
            to_json(&render().await?, length_hint)
        })
        .await
    }

    /// As [`Self::json`], for a body that `render` writes as JSON itself, into a buffer of
    /// the length it is given to begin with.
    pub async fn rendered<F, Fut>(
        &self,
        request: &HttpRequest,
        key: String,
        render: F,
    ) -> Result<HttpResponse, ApiError>
    where
        F: FnOnce(usize) -> Fut,
        Fut: Future<Output = Result<Vec<u8>, ApiError>>,
    {
        let Some(watcher) = &self.watcher else {
            return Ok(Body::new(render(0).await?).response(request));
        };
        if self.first_read(&key) {
            let body = render(self.length_hint(&key)).await?;
            return Ok(Body::new(body).response(request));
        }
        // Read before rendering: a commit after this point changes the version, so the body
        // rendered below can never be served for a newer state than it shows.
        let data_version = watcher.data_version()?;
        if let Some(body) = self.lookup(data_version, &key) {
            return Ok(body.response(request));
        }
        let render_lock = self.render_lock(&key);
        let _rendering = render_lock.lock().await;
        if let Some(body) = self.lookup(data_version, &key) {
            return Ok(body.response(request));
        }
        let body = Body::new(render(self.length_hint(&key)).await?);
        self.store(data_version, key, body.clone());
        Ok(body.response(request))
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .expect("the cache lock is never poisoned")
    }

    /// Whether `key` was neither kept before (its length is known from then on, across
    /// commits) nor read before; remembers that it was read.
    fn first_read(&self, key: &str) -> bool {
        let mut entries = self.entries();
        if entries.lengths.contains_key(key) || entries.seen_once.contains(key) {
            return false;
        }
        if entries.seen_once.len() >= MAX_SEEN_ONCE {
            entries.seen_once.clear();
        }
        entries.seen_once.insert(key.to_owned());
        true
    }

    fn render_lock(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .rendering
            .lock()
            .expect("the render locks' lock is never poisoned");
        if locks.len() >= MAX_RENDER_LOCKS && !locks.contains_key(key) {
            locks.clear();
        }
        locks.entry(key.to_owned()).or_default().clone()
    }

    fn length_hint(&self, key: &str) -> usize {
        let entries = self.entries();
        // A little room: a list grows a little between renders.
        entries
            .lengths
            .get(key)
            .map_or(0, |length| length + length / 16)
    }

    fn lookup(&self, data_version: i64, key: &str) -> Option<Body> {
        let entries = self.entries();
        (entries.data_version == data_version)
            .then(|| entries.bodies.get(key).cloned())
            .flatten()
    }

    fn store(&self, data_version: i64, key: String, body: Body) {
        let mut entries = self.entries();
        if entries.data_version != data_version || entries.bodies.len() >= MAX_ENTRIES {
            entries.data_version = data_version;
            entries.bodies.clear();
        }
        if entries.lengths.len() >= MAX_ENTRIES && !entries.lengths.contains_key(&key) {
            entries.lengths.clear();
        }
        entries.lengths.insert(key.clone(), body.json.len());
        entries.bodies.insert(key, body);
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn accepts(value: &str) -> bool {
        accepts_gzip(
            &TestRequest::default()
                .insert_header((header::ACCEPT_ENCODING, value))
                .to_http_request(),
        )
    }

    /// Renders `key` through `cache`, counting the renders.
    async fn read(cache: &ReadCache, key: &str, renders: &std::cell::Cell<u32>) -> Bytes {
        let request = TestRequest::default().to_http_request();
        let response = cache
            .rendered(&request, key.to_owned(), |_| async {
                renders.set(renders.get() + 1);
                Ok(format!("[{}]", renders.get()).into_bytes())
            })
            .await
            .unwrap();
        actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap()
    }

    #[actix_web::test]
    async fn a_key_is_kept_from_its_second_read_until_a_commit() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("a.db").display());
        let pool = crate::db::connect(&url).await.unwrap();
        let cache = ReadCache::open(&pool).unwrap();
        let renders = std::cell::Cell::new(0);

        assert_eq!(read(&cache, "page", &renders).await, "[1]");
        assert_eq!(read(&cache, "page", &renders).await, "[2]");
        assert_eq!(read(&cache, "page", &renders).await, "[2]");
        assert_eq!(read(&cache, "other", &renders).await, "[3]");

        sqlx::query("INSERT INTO filters (id, name) VALUES (1, 'New')")
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(read(&cache, "page", &renders).await, "[4]");
        assert_eq!(read(&cache, "page", &renders).await, "[4]");
    }

    #[test]
    fn gzip_is_sent_only_to_clients_that_accept_it() {
        assert!(accepts("gzip, deflate, br, zstd"));
        assert!(accepts("br;q=1.0, GZIP;q=0.5"));
        assert!(accepts("*"));
        assert!(!accepts("gzip;q=0, br"));
        assert!(!accepts("identity"));
        assert!(!accepts_gzip(&TestRequest::default().to_http_request()));
    }
}
