//! The site's static files (WASM, JS, CSS, icons and their precompressed copies). The `leads`
//! binary embeds them and hands them over before it serves (server/leads), so that this library
//! compiles without them, beside the site's own build. Without that (tests, benches) they are read
//! from `target/site` of the workspace as they are asked for.

use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use leptos::WasmSplitManifest;
use leptos::prelude::{ArcStoredValue, provide_context};
use rust_embed::EmbeddedFile;
use std::collections::HashMap;
use std::path::{Component, Path as FsPath};
use std::sync::OnceLock;

/// A site file by its path under the site's root.
pub type Lookup = fn(&str) -> Option<EmbeddedFile>;

static EMBEDDED: OnceLock<Lookup> = OnceLock::new();

/// Serves the site from `lookup` (the binary's embedded copy) instead of from disk.
pub fn serve_embedded(lookup: Lookup) {
    let _ = EMBEDDED.set(lookup);
}

fn site_file(path: &str) -> Option<EmbeddedFile> {
    match EMBEDDED.get() {
        Some(lookup) => lookup(path),
        None => from_disk(path),
    }
}

/// A file under `target/site`, for plain relative paths only (no `..`, no root).
fn from_disk(path: &str) -> Option<EmbeddedFile> {
    const SITE_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site");
    let relative = FsPath::new(path);
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return None;
    }
    rust_embed::utils::read_file_from_fs(&FsPath::new(SITE_ROOT).join(relative)).ok()
}

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
        let file = site_file("pkg/__wasm_split_manifest.json")?;
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
    let Some(original) = site_file(path) else {
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
        .find_map(|(name, ext)| site_file(&format!("{path}{ext}")).map(|f| (f, Some(name))))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_under_the_site_are_read_from_disk() {
        // A root replaces the site's, so without the check this would be read whatever exists.
        assert!(FsPath::new("/etc/passwd").exists());
        assert!(from_disk("/etc/passwd").is_none());
        // `..` climbs out of the site (to the workspace's Cargo.toml, once target/site exists).
        assert!(from_disk("../../Cargo.toml").is_none());
        assert!(from_disk("pkg/../../../Cargo.toml").is_none());
    }
}
