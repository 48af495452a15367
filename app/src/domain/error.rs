//! The one error type of the application. The server maps it to HTTP once (`server::http_error`);
//! server functions carry it to the browser as is, so the UI can show field errors inline.

use crate::domain::field_errors::FieldErrors;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

// Externally tagged on the wire (serde's default): an internally tagged enum would pull serde's
// buffering machinery into the WASM client. The REST API's JSON is built in `http_error`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Validation {
        message: String,
        fields: FieldErrors,
    },
    #[error("A contact with this email already exists")]
    DuplicateEmail { existing_id: Uuid },
    #[error("An account with this email already exists")]
    EmailTaken,
    #[error("A view with this name already exists")]
    ViewNameTaken,
    /// The request fights the state of what it names (undoing an import twice, say).
    #[error("{0}")]
    Conflict(String),
    #[error("Sign in to continue")]
    Unauthorized,
    #[error("Wrong email or password")]
    BadCredentials,
    /// Signed in, but the role (or the token's scope) does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// It existed, but is used up or expired (an invitation link).
    #[error("{0}")]
    Gone(String),
    #[error("Too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("This request must come from the app itself")]
    CrossSiteRequest,
    #[error("Not found")]
    NotFound,
    #[error("This route does not accept that method")]
    MethodNotAllowed,
    #[error("This contact was changed since you opened it — reload to see the changes")]
    PreconditionFailed,
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    #[error("Send the file as multipart/form-data, in a part named `file`")]
    NotMultipart,
    #[error("The request body is larger than {limit_bytes} bytes")]
    PayloadTooLarge { limit_bytes: usize },
    #[error("The request body is not valid JSON: {0}")]
    MalformedBody(String),
    #[error("The request took too long; try again shortly")]
    TimedOut,
    #[error("The database is unavailable; try again shortly")]
    Unavailable,
    /// A feature this server is not set up for (mail, say).
    #[error("{0}")]
    NotConfigured(String),
    #[error("Something went wrong on our side")]
    Internal,
    #[error("{0}")]
    Transport(String),
}

impl AppError {
    pub fn validation(fields: FieldErrors) -> Self {
        Self::Validation {
            message: fields.summary(),
            fields,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::validation(FieldErrors::single(field, message))
    }

    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            Self::Validation { fields, .. } => Some(fields),
            _ => None,
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(fields: FieldErrors) -> Self {
        Self::validation(fields)
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}
