//! The Content-Security-Policy of rendered pages. Inline scripts (hydration, resource data)
//! carry the per-response nonce; the WASM needs 'wasm-unsafe-eval'; nothing may frame us.

use axum::http::{HeaderValue, header};
use leptos::prelude::use_context;

pub fn set_content_security_policy() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    // `cargo leptos watch` reloads the page over a websocket on its own port.
    let reload = if std::env::var("LEPTOS_WATCH").is_ok() {
        " ws: wss:"
    } else {
        ""
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'{reload}; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}
