//! The site's static files (WASM, JS, CSS, icons), embedded in the release binary so that it runs
//! alone. cargo-leptos writes them, precompressed, before it compiles the server; in debug builds
//! `rust-embed` reads them from disk instead, so `cargo leptos watch` sees fresh files. The path is
//! relative to this crate, i.e. `target/site` of the workspace.

use app::lazy_pages::ChunkManifest;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use leptos::prelude::provide_context;
use rust_embed::RustEmbed;
use std::sync::OnceLock;

#[derive(RustEmbed)]
#[folder = "../target/site"]
#[allow_missing = true]
struct Site;

/// `GET /pkg/{*path}`.
pub async fn pkg(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&format!("pkg/{path}"), &headers)
}

/// Gives the page being rendered the chunks of each lazily loaded page (the embedded split
/// manifest), so that its HTML preloads them wherever the binary runs.
pub fn provide_chunk_manifest() {
    static MANIFEST: OnceLock<Option<ChunkManifest>> = OnceLock::new();
    let manifest = MANIFEST.get_or_init(|| {
        let file = Site::get("pkg/__wasm_split_manifest.json")?;
        ChunkManifest::parse(&file.data)
            .inspect_err(|e| tracing::warn!(error = %e, "the WASM split manifest is unreadable"))
            .ok()
    });
    if let Some(manifest) = manifest {
        provide_context(manifest.clone());
    }
}

/// `GET /favicon.svg`.
pub async fn favicon(headers: HeaderMap) -> Response {
    serve("favicon.svg", &headers)
}

fn accepts(headers: &HeaderMap, encoding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|e| {
            e.split(';')
                .next()
                .is_some_and(|name| name.trim() == encoding)
        })
}

fn serve(path: &str, headers: &HeaderMap) -> Response {
    let Some(original) = Site::get(path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!(
        "\"{}\"",
        original
            .metadata
            .sha256_hash()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let (file, encoding) = [("br", ".br"), ("gzip", ".gz")]
        .into_iter()
        .filter(|(name, _)| accepts(headers, name))
        .find_map(|(name, ext)| Site::get(&format!("{path}{ext}")).map(|f| (f, Some(name))))
        .unwrap_or((original, None));
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let mut response = Response::new(Body::from(file.data.into_owned()));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(mime.as_ref())
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // File names carry no content hash, so browsers revalidate (cheaply, by ETag) on every load.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(encoding) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}
