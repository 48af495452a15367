//! `AppError` to HTTP, in one place: status code, JSON body, and a log line for server faults
//! (whose cause is logged, never shown to the client).

use crate::domain::error::AppError;
use crate::server::db::{self, sqlx_error};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sea_orm::DbErr;
use serde_json::{Value, json};

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation { .. } | Self::MalformedBody(_) | Self::Transport(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::DuplicateEmail { .. }
            | Self::EmailTaken
            | Self::ViewNameTaken
            | Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unauthorized | Self::BadCredentials => StatusCode::UNAUTHORIZED,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::CrossSiteRequest | Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Gone(_) => StatusCode::GONE,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::UnsupportedMediaType | Self::NotMultipart => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unavailable | Self::TimedOut => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            // Not a fault of the server: the feature is absent here, like an unknown route.
            Self::NotConfigured(_) => StatusCode::NOT_FOUND,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "validation",
            Self::DuplicateEmail { .. } => "duplicate_email",
            Self::EmailTaken => "email_taken",
            Self::ViewNameTaken => "view_name_taken",
            Self::Conflict(_) => "conflict",
            Self::Unauthorized => "unauthorized",
            Self::BadCredentials => "invalid_credentials",
            Self::RateLimited { .. } => "rate_limited",
            Self::CrossSiteRequest => "cross_site_request",
            Self::Forbidden(_) => "forbidden",
            Self::Gone(_) => "gone",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PreconditionFailed => "precondition_failed",
            Self::UnsupportedMediaType | Self::NotMultipart => "unsupported_media_type",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::MalformedBody(_) | Self::Transport(_) => "bad_request",
            Self::Unavailable => "unavailable",
            Self::TimedOut => "timeout",
            Self::Internal => "internal",
            Self::NotConfigured(_) => "not_configured",
        }
    }

    pub fn to_json(&self) -> Value {
        let mut error = json!({ "code": self.code(), "message": self.to_string() });
        match self {
            Self::Validation { fields, .. } => error["fields"] = json!(fields),
            Self::DuplicateEmail { existing_id } => error["existingId"] = json!(existing_id),
            _ => {}
        }
        json!({ "error": error })
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), axum::Json(self.to_json())).into_response();
        if let Self::RateLimited { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

/// Faults that say the database is away or shedding load, not that the query was wrong: a lost
/// connection (`db::is_connection_lost`), one that could not be had, and a full server.
fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error as E;
    if db::is_connection_lost(err) || matches!(err, DbErr::Conn(_) | DbErr::ConnectionAcquire(_)) {
        return true;
    }
    match sqlx_error(err) {
        Some(E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed | E::Tls(_)) => true,
        // insufficient resources
        Some(E::Database(db)) => db.code().is_some_and(|code| code.starts_with("53")),
        _ => false,
    }
}

/// A statement cancelled by its time limit (PostgreSQL's `query_canceled`).
fn is_timeout(err: &DbErr) -> bool {
    matches!(sqlx_error(err), Some(sea_orm::sqlx::Error::Database(db))
        if db.code().is_some_and(|code| code == "57014"))
}

/// A database fault is the server's problem, never the client's: 503 when the database cannot be
/// reached or a statement ran out of time, 500 otherwise, logged with its cause (the request span
/// carries the request id).
impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if is_timeout(&err) {
            tracing::warn!(error = %err, "statement timed out");
            Self::TimedOut
        } else if is_unavailable(&err) {
            if db::is_connection_lost(&err) {
                db::note_lost_connection();
            }
            tracing::error!(error = %err, "database unavailable");
            Self::Unavailable
        } else {
            tracing::error!(error = %err, "database fault");
            Self::Internal
        }
    }
}
