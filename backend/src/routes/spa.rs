//! The built dashboard: files from `STATIC_DIR`, with `index.html` for client-side routes.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::{
    body::MessageBody,
    dev::{fn_service, ServiceRequest, ServiceResponse},
    http::header::{self, HeaderValue},
    middleware::Next,
};

/// Serves `static_dir`; unknown paths get `index.html` so the SPA's router can take them.
pub fn files(static_dir: &Path) -> Files {
    let index: PathBuf = static_dir.join("index.html");
    Files::new("/", static_dir)
        .index_file("index.html")
        .default_handler(fn_service(move |req: ServiceRequest| {
            let index = index.clone();
            async move {
                let (req, _) = req.into_parts();
                let response = NamedFile::open_async(index).await?.into_response(&req);
                Ok(ServiceResponse::new(req, response))
            }
        }))
}

/// Vite puts a content hash in every asset name under `/assets/`, so those can be cached for
/// good; everything else (index.html above all) must be revalidated to pick up a new build.
pub async fn cache_policy(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let hashed_asset = req.path().starts_with("/assets/");
    let api = req.path().starts_with("/api/") || req.path() == "/api";
    let mut response = next.call(req).await?;
    if !api {
        let policy = if hashed_asset && response.status().is_success() {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    Ok(response)
}
