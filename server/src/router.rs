//! The whole HTTP surface: health probes, the REST API, the Leptos pages and server functions,
//! the embedded site assets, and the layers around them all.

use crate::{assets, page_owner, rest, security};
use app::server::state::AppState;
use app::{App, shell};
use axum::extract::State;
use axum::http::{HeaderName, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router, middleware};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use serde_json::json;
use std::sync::OnceLock;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match app::server::db::is_ready(&state.db).await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "reason": "database is not answering" })),
            )
        }
    }
}

/// What every rendered page gets besides the app state: a CSP nonce and the WASM chunk manifest.
fn page_context() {
    leptos::nonce::provide_nonce();
    assets::provide_split_manifest();
    page_owner::remember_render_owner();
}

/// The page routes, listed once per process. Listing renders the app while holding every
/// resource load in the process suspended (a global switch in the router), so a second listing
/// while another router serves pages (tests and benches build many in one process) leaves the
/// pages that router is rendering waiting forever.
fn page_routes() -> Vec<AxumRouteListing> {
    static PAGES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    PAGES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build(state: AppState) -> Router {
    build_with_timeout(state, REQUEST_TIMEOUT)
}

/// The router with another request timeout (tests use a short one).
pub fn build_with_timeout(state: AppState, timeout: Duration) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let pages = page_routes();
    let options = state.leptos_options.clone();

    Router::new()
        .leptos_routes_with_context(&state, pages, page_context, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(page_context, shell))
        // The pages (and server functions) only: the routes below are added after it.
        .layer(middleware::from_fn(page_owner::scope))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/pkg/{*path}", get(assets::pkg))
        .route("/favicon.svg", get(assets::favicon))
        .nest("/api/v1", rest::routes())
        // Innermost first: each `.layer` wraps everything above it.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::authenticate,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::resolve_client_ip,
        ))
        .layer(middleware::from_fn(security::reject_cross_site))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::limit_body,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(middleware::from_fn(security::timeout_as_json))
        .layer(CatchPanicLayer::custom(security::panic_as_json))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(security::security_headers))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", id, method = %req.method(), path = %req.uri().path())
            }),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}
