//! Extractors that turn a request into typed input, every failure a JSON `AppError`.

use app::domain::error::AppError;
use app::server::request_auth::RequestAuth;
use app::server::service::TenantContext;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde_json::Value;
use uuid::Uuid;

/// The whole authentication (sign-out needs the credential itself); 401 without one.
pub struct Authenticated(pub RequestAuth);

impl<S: Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<RequestAuth>()
            .cloned()
            .map(Authenticated)
            .ok_or(AppError::Unauthorized)
    }
}

/// The caller's address as the server resolved it (trusting only configured proxies).
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<app::server::client_ip::ClientIp>()
                .map(|c| c.0),
        ))
    }
}

/// The caller's tenant; 401 when the request carried no valid credential.
pub struct Tenant(pub TenantContext);

impl<S: Send + Sync> FromRequestParts<S> for Tenant {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Authenticated(auth) = Authenticated::from_request_parts(parts, state).await?;
        Ok(Tenant(auth.context))
    }
}

/// A JSON body: 415 for another content type, 413 when too large, 400 when not JSON.
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !is_json(req.headers()) {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge {
                    limit_bytes: crate::security::MAX_BODY_BYTES,
                }
            } else {
                AppError::MalformedBody(rejection.body_text())
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| AppError::MalformedBody(e.to_string()))
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| mime.trim().to_ascii_lowercase())
        .is_some_and(|mime| {
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
}

/// Reads a string field of a JSON object, as `""` when absent, or names it as the wrong type.
pub fn text_field<'a>(
    body: &'a Value,
    field: &str,
    errors: &mut app::domain::field_errors::FieldErrors,
) -> &'a str {
    match body.get(field) {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s,
        Some(_) => {
            errors.add(field, "must be a string");
            ""
        }
    }
}

/// The body as a JSON object whose keys are all among `fields`; each other key is recorded in
/// `errors` as not a field of `what`.
pub fn object_of<'a>(
    body: &'a Value,
    fields: &[&str],
    what: &str,
    errors: &mut app::domain::field_errors::FieldErrors,
) -> Result<&'a serde_json::Map<String, Value>, AppError> {
    let object = body
        .as_object()
        .ok_or_else(|| AppError::invalid("body", "must be a JSON object"))?;
    for key in object.keys().filter(|k| !fields.contains(&k.as_str())) {
        errors.add(key.as_str(), format!("is not a field of {what}"));
    }
    Ok(object)
}

/// An id in the path. A malformed id names nothing that exists: 404, like an unknown one.
pub struct PathId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| AppError::NotFound)?;
        Uuid::parse_str(&raw)
            .map(PathId)
            .map_err(|_| AppError::NotFound)
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

pub async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
