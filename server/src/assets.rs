//! The site's static files (WASM, JS, CSS, icons), embedded in the release binary so that it runs
//! alone. cargo-leptos writes them, precompressed, before it compiles the server; in debug builds
//! `rust-embed` reads them from disk instead, so `cargo leptos watch` sees fresh files. The path is
//! relative to this crate, i.e. `target/site` of the workspace.

use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use leptos::WasmSplitManifest;
use leptos::prelude::{ArcStoredValue, provide_context};
use rust_embed::RustEmbed;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(RustEmbed)]
#[folder = "../target/site"]
#[allow_missing = true]
struct Site;

/// `GET /pkg/{*path}`.
pub async fn pkg(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&format!("pkg/{path}"), &headers)
}

/// Tells the page being rendered which WASM chunks each lazily loaded page needs, so that the HTML
/// preloads them beside the main bundle instead of after it. Leptos looks for the manifest on disk
/// under the site root; this reads the embedded copy, so the binary preloads wherever it runs.
pub fn provide_split_manifest() {
    static MANIFEST: OnceLock<Option<WasmSplitManifest>> = OnceLock::new();
    let manifest = MANIFEST.get_or_init(|| {
        let file = Site::get("pkg/__wasm_split_manifest.json")?;
        let preloads: HashMap<String, Vec<String>> = serde_json::from_slice(&file.data).ok()?;
        Some(WasmSplitManifest(ArcStoredValue::new((
            "/pkg".to_string(),
            preloads,
            // The loader's name while file hashing is off, as it is here (the default).
            "__wasm_split.______________________.js".to_string(),
        ))))
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
