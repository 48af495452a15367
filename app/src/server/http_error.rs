//! `AppError` to HTTP, in one place: status code, JSON body, and a log line for server faults
//! (whose cause is logged, never shown to the client).

use crate::domain::error::AppError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sea_orm::{DbErr, RuntimeErr};
use serde_json::{Value, json};

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation { .. } | Self::MalformedBody(_) | Self::Transport(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::DuplicateEmail { .. } | Self::EmailTaken => StatusCode::CONFLICT,
            Self::Unauthorized | Self::BadCredentials => StatusCode::UNAUTHORIZED,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::CrossSiteRequest => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unavailable | Self::TimedOut => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "validation",
            Self::DuplicateEmail { .. } => "duplicate_email",
            Self::EmailTaken => "email_taken",
            Self::Unauthorized => "unauthorized",
            Self::BadCredentials => "invalid_credentials",
            Self::RateLimited { .. } => "rate_limited",
            Self::CrossSiteRequest => "cross_site_request",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PreconditionFailed => "precondition_failed",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::MalformedBody(_) | Self::Transport(_) => "bad_request",
            Self::Unavailable => "unavailable",
            Self::TimedOut => "timeout",
            Self::Internal => "internal",
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

/// A database fault is the server's problem, never the client's: 503 when the database cannot be
/// reached, 500 otherwise, logged with its cause (the request span carries the request id).
impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        let unreachable = matches!(&err, DbErr::Conn(_) | DbErr::ConnectionAcquire(_))
            || matches!(&err, DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e))
            if matches!(e.as_ref(), sea_orm::sqlx::Error::Io(_) | sea_orm::sqlx::Error::PoolTimedOut | sea_orm::sqlx::Error::PoolClosed));
        if unreachable {
            tracing::error!(error = %err, "database unavailable");
            Self::Unavailable
        } else {
            tracing::error!(error = %err, "database fault");
            Self::Internal
        }
    }
}
