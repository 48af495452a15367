//! The authentication a request carried, resolved once per request by the server's auth layer
//! and stored in the request's extensions for REST handlers and server functions alike.

use crate::domain::error::AppError;
use crate::server::service::TenantContext;
use crate::server::service::auth::Credential;
use crate::server::state::AppState;

#[derive(Clone, Debug)]
pub struct RequestAuth {
    pub context: TenantContext,
    pub credential: Credential,
}

/// For server functions: the app state and the caller's tenant, or 401.
pub fn require_tenant() -> Result<(AppState, TenantContext), AppError> {
    let state = leptos::prelude::use_context::<AppState>().ok_or(AppError::Internal)?;
    let parts =
        leptos::prelude::use_context::<axum::http::request::Parts>().ok_or(AppError::Internal)?;
    let auth = parts
        .extensions
        .get::<RequestAuth>()
        .ok_or(AppError::Unauthorized)?;
    Ok((state, auth.context.clone()))
}

/// For server functions and pages: who is signed in, if anyone.
pub fn current_auth() -> Option<RequestAuth> {
    leptos::prelude::use_context::<axum::http::request::Parts>()?
        .extensions
        .get::<RequestAuth>()
        .cloned()
}

/// For server functions: the caller's address, as resolved by the server (see `client_ip`).
pub fn client_ip() -> Option<std::net::IpAddr> {
    leptos::prelude::use_context::<axum::http::request::Parts>()?
        .extensions
        .get::<crate::server::client_ip::ClientIp>()
        .map(|c| c.0)
}

/// For server functions that need no tenant (sign-in, sign-up).
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or(AppError::Internal)
}
