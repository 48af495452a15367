//! Request-wide guards: who is calling (auth), where the call comes from (CSRF), how large it
//! is, and the security headers every response carries.

use app::domain::error::AppError;
use app::server::client_ip::ClientIp;
use app::server::request_auth::RequestAuth;
use app::server::service::auth::{self, Credential};
use app::server::session_cookie;
use app::server::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

pub const MAX_BODY_BYTES: usize = 1024 * 1024;

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg" || path == "/healthz"
}

/// Resolves the client's address once (see `app::server::client_ip`), for the throttles.
pub async fn resolve_client_ip(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let ip = state.trusted_proxies.client_ip(peer.ip(), req.headers());
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}

/// Turns a panic in a handler into the API's JSON 500 (logged), instead of a dropped connection.
pub fn panic_as_json(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = detail, "request handler panicked");
    AppError::Internal.into_response()
}

/// Resolves the session cookie or bearer token once, into a `RequestAuth` extension. An invalid
/// credential leaves the request anonymous (routes then answer 401); a database fault is 503.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if is_static_asset(req.uri().path()) {
        return next.run(req).await;
    }
    let credential = match bearer(req.headers()) {
        Some(token) => Some(Credential::Bearer(token.into())),
        None => session_cookie::read(req.headers()).map(|s| Credential::Session(s.into())),
    };
    let secure = session_cookie::is_https(req.headers());
    let mut refreshed = None;
    if let Some(credential) = credential {
        match auth::authenticate_cached(&state.db, &state.auth_cache, &credential).await {
            Ok(found) => {
                refreshed = found.refreshed;
                req.extensions_mut().insert(RequestAuth {
                    context: found.context,
                    credential,
                });
            }
            Err(AppError::Unauthorized) => {}
            Err(err) => return err.into_response(),
        }
    }
    let mut response = next.run(req).await;
    if let Some(session) = refreshed
        && !response.headers().contains_key(header::SET_COOKIE)
    {
        response
            .headers_mut()
            .append(header::SET_COOKIE, session_cookie::set(&session, secure));
    }
    response
}

/// Refuses state-changing requests that a browser sent from another site. Bearer-token requests
/// are exempt: a browser never attaches those by itself.
pub async fn reject_cross_site(req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && bearer(req.headers()).is_none() && is_cross_site(req.headers()) {
        return AppError::CrossSiteRequest.into_response();
    }
    next.run(req).await
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v == "cross-site" || v == "same-site")
    {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if origin == "null" {
        return true;
    }
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(origin);
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    !origin_host.eq_ignore_ascii_case(host)
}

/// A request's body limit: an import's upload may be as large as configured; every other body
/// is at most `MAX_BODY_BYTES`.
fn body_limit(req: &Request, import_max_bytes: usize) -> usize {
    let path = req.uri().path().trim_end_matches('/');
    if req.method() == Method::POST && path == "/api/v1/imports" {
        import_max_bytes
    } else {
        MAX_BODY_BYTES
    }
}

/// Answers 413 (as JSON) before reading a body whose declared length is over its limit; a body
/// without a length is cut off at the same size as it is read.
pub async fn limit_body(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = body_limit(&req, state.import_max_bytes);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return AppError::PayloadTooLarge { limit_bytes: limit }.into_response();
    }
    let req = req.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    next.run(req).await
}

/// The timeout layer answers with a bare status; give it the API's JSON error like any other.
pub async fn timeout_as_json(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if response.status() == axum::http::StatusCode::SERVICE_UNAVAILABLE
        && !response.headers().contains_key(header::CONTENT_TYPE)
    {
        return AppError::TimedOut.into_response();
    }
    response
}

/// Headers on every response. Pages set their own Content-Security-Policy (with the script
/// nonce, in `app::shell`); everything else gets a locked-down one.
pub async fn security_headers(req: Request<Body>, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    response
}
