//! Server functions: the UI's door into the service layer. Each is a few lines: read the
//! request's tenant context, call the service, return its typed result.

pub mod account;
pub mod bulk;
pub mod contacts;
pub mod imports;
pub mod team;
pub mod views;

/// Gives a failed server function the HTTP status its error has in the REST API (instead of a
/// blanket 500), so logs and browsers see a 401 or 409 for what it is. A plain form post (no
/// WASM yet) is left alone: Leptos answers it with a redirect back to the form.
#[cfg(feature = "ssr")]
pub(crate) fn respond<T>(
    result: Result<T, crate::domain::error::AppError>,
) -> Result<T, crate::domain::error::AppError> {
    use leptos::prelude::use_context;
    let form_post = use_context::<axum::http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false);
    if let Err(err) = &result
        && !form_post
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
    {
        response.set_status(err.status());
    }
    result
}
