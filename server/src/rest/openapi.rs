//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document, generated from the handlers'
//! `#[utoipa::path]` annotations and the domain types. The request-body schemas below describe
//! what the handlers parse by hand (to name every bad field); a test checks them against the
//! parsers' field lists.

use app::domain::account::{Me, Role, TenantView, UserView};
use app::domain::import::{AttributeMode, Import, ImportMode};
use app::domain::job::{Job, JobCounts, JobProgress, JobState};
use app::domain::lead::{Lead, LeadStatus};
use app::domain::lead_event::{Actor, EventKind, FieldChange, LeadEvent, Via};
use app::domain::list_query::{LeadPage, ListMeta};
use app::domain::member::{CreatedInvitation, InvitationView, MemberView, WorkspaceView};
use app::domain::saved_view::SavedView;
use app::domain::token::{ApiTokenView, CreatedToken, TokenScope};
use axum::Json;
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

// The patterns state the parsers' rules in a form clients (and API fuzzers) can generate from:
// text without control characters, names that are not blank, and the email shapes accepted.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignupBody {
    /// Trimmed; the domain is lower-cased. Unique across accounts, ignoring case.
    #[schema(format = Email, max_length = 255, pattern = r"^[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9]+(-[A-Za-z0-9]+)*(\.[A-Za-z0-9]+(-[A-Za-z0-9]+)*)*\.[A-Za-z]{2,24}$")]
    pub email: String,
    #[schema(min_length = 8, max_length = 256)]
    pub password: String,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F]*[^\u0000-\u001F\u007F\s][^\u0000-\u001F\u007F]*$"
    )]
    pub workspace_name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = r"^[^\u0000-\u001F\u007F]*[^\u0000-\u001F\u007F\s][^\u0000-\u001F\u007F]*$"
    )]
    pub email: String,
    #[schema(min_length = 1, max_length = 256)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct SignedInBody {
    pub user: UserView,
    pub tenant: TenantView,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F]*[^\u0000-\u001F\u007F\s][^\u0000-\u001F\u007F]*$"
    )]
    pub name: String,
    /// `read` (any write is refused with 403) or `write` (default; what the member's role allows).
    pub scope: Option<TokenScope>,
    /// When it stops working: a date (`2027-01-31`, the end of that day, UTC) or an RFC 3339
    /// time, in the future. Default: never.
    #[schema(format = DateTime)]
    pub expires: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    pub role: Role,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationBody {
    #[schema(format = Email, max_length = 255, pattern = r"^[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9]+(-[A-Za-z0-9]+)*(\.[A-Za-z0-9]+(-[A-Za-z0-9]+)*)*\.[A-Za-z]{2,24}$")]
    pub email: String,
    pub role: Role,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// The secret at the end of the invitation link.
    #[schema(min_length = 1, max_length = 200)]
    pub secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct AcceptedBody {
    pub tenant: TenantView,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SwitchBody {
    pub tenant_id: uuid::Uuid,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordBody {
    #[schema(min_length = 1, max_length = 256)]
    pub current_password: String,
    #[schema(min_length = 8, max_length = 256)]
    pub new_password: String,
}

/// The workspace's name, exactly, to confirm its deletion.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteWorkspaceBody {
    #[schema(max_length = 100)]
    pub name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequestBody {
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = r"^[^\u0000-\u001F\u007F]*[^\u0000-\u001F\u007F\s][^\u0000-\u001F\u007F]*$"
    )]
    pub email: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResetConfirmBody {
    /// The secret at the end of the mailed link.
    #[schema(min_length = 1, max_length = 200)]
    pub secret: String,
    #[schema(min_length = 8, max_length = 256)]
    pub new_password: String,
}

/// A custom attribute's value: text of at most 1,000 characters (no control characters but
/// tab and line breaks), a number or a boolean.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum AttributeValueBody {
    Text(String),
    Number(f64),
    Flag(bool),
}

/// A contact to create, or (for PATCH) the fields to change: absent leaves a field alone,
/// `null` clears an optional one, `attributes` replaces the whole object. Unknown fields are
/// refused.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LeadBody {
    /// Required on create. Unique within the workspace, ignoring case.
    #[schema(format = Email, max_length = 255, pattern = r"^[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9]+(-[A-Za-z0-9]+)*(\.[A-Za-z0-9]+(-[A-Za-z0-9]+)*)*\.[A-Za-z]{2,24}$")]
    pub email: String,
    /// Derived from firstName and lastName when not given.
    #[schema(max_length = 201, pattern = r"^[^\u0000-\u001F\u007F]*$")]
    pub name: Option<String>,
    #[schema(max_length = 100, pattern = r"^[^\u0000-\u001F\u007F]*$")]
    pub first_name: Option<String>,
    #[schema(max_length = 100, pattern = r"^[^\u0000-\u001F\u007F]*$")]
    pub last_name: Option<String>,
    #[schema(max_length = 200, pattern = r"^[^\u0000-\u001F\u007F]*$")]
    pub company: Option<String>,
    pub status: Option<LeadStatus>,
    /// Default 0.
    #[schema(minimum = -1_000_000, maximum = 1_000_000)]
    pub score: Option<i32>,
    /// At most 50 keys of 1–64 letters, digits, `_ - .` or space.
    pub attributes: Option<std::collections::BTreeMap<String, AttributeValueBody>>,
}

/// Up to 1,000 contacts, each as `POST /api/v1/contacts` takes one.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    /// `create` (default): an email already in the workspace is that item's error;
    /// `upsert`: such an item edits that contact (only the fields it gives).
    #[schema(pattern = "^(create|upsert)$")]
    pub mode: Option<String>,
    #[schema(max_items = 1000)]
    pub items: Vec<LeadBody>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchItemResult {
    pub index: u32,
    /// created, updated, unchanged or error
    pub status: String,
    pub id: Option<uuid::Uuid>,
    pub error: Option<ErrorDetail>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchResponse {
    pub results: Vec<BatchItemResult>,
}

/// One action on contacts chosen by `ids` (at most 1,000; done at once) or by `filter` (the
/// list's query string, e.g. `filter=status%3Aeq%3Abounced`; run as a job).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    #[schema(max_items = 1000)]
    pub ids: Option<Vec<uuid::Uuid>>,
    #[schema(max_length = 8000)]
    pub filter: Option<String>,
    /// `{"delete":true}`, `{"setStatus":"bounced"}`, `{"setAttribute":{"key":"plan","value":"pro"}}`
    /// or `{"removeAttribute":"plan"}`.
    #[schema(value_type = Object)]
    pub action: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct BulkIdsResult {
    pub counts: JobCounts,
}

/// A saved view to create.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewBody {
    /// Unique in the workspace, ignoring case.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F]*[^\u0000-\u001F\u007F\s][^\u0000-\u001F\u007F]*$"
    )]
    pub name: String,
    /// The contact list's query string (as `GET /api/v1/contacts` takes it), e.g.
    /// `filter=score%3Agte%3A70&sort=score`. Stored in canonical form; page and cursor dropped.
    #[schema(max_length = 8000)]
    pub query: String,
}

/// What to change in a saved view: either field or both.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewPatchBody {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F]*[^\u0000-\u001F\u007F\s][^\u0000-\u001F\u007F]*$"
    )]
    pub name: Option<String>,
    #[schema(max_length = 8000)]
    pub query: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// validation, duplicate_email, email_taken, view_name_taken, unauthorized, invalid_credentials, rate_limited,
    /// cross_site_request, not_found, precondition_failed, unsupported_media_type,
    /// payload_too_large, bad_request, unavailable or internal.
    pub code: String,
    pub message: String,
    /// For `validation`: a message per bad field or parameter.
    #[schema(value_type = Option<Object>)]
    pub fields: Option<serde_json::Value>,
    /// For `duplicate_email`: the contact that already has the email.
    #[serde(rename = "existingId")]
    pub existing_id: Option<uuid::Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                app::server::session_cookie::COOKIE_NAME,
            ))),
        );
    }
}

/// Every authenticated operation can be refused by role or token scope: 403 `forbidden`.
struct Forbidden;

impl Modify for Forbidden {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, ResponseBuilder, content::ContentBuilder};
        let forbidden = ResponseBuilder::new()
            .description("Your role, or the token's scope, does not allow this")
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build();
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    op.responses
                        .responses
                        .entry("403".into())
                        .or_insert_with(|| RefOr::T(forbidden.clone()));
                }
            }
        }
    }
}

/// The collection is served under `/leads` as well as `/contacts`.
struct LeadsAlias;

impl Modify for LeadsAlias {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let aliases: Vec<_> = openapi
            .paths
            .paths
            .iter()
            .filter_map(|(path, item)| {
                path.strip_prefix("/api/v1/contacts")
                    .map(|rest| (format!("/api/v1/leads{rest}"), item.clone()))
            })
            .collect();
        openapi.paths.paths.extend(aliases);
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Leads API", description = "Contacts of a workspace, over JSON. Authenticate with the session cookie or `Authorization: Bearer <token>`."),
    paths(
        super::auth::signup,
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::auth::workspaces,
        super::auth::switch,
        super::auth::password,
        super::auth::logout_everywhere,
        super::auth::delete_workspace,
        super::auth::request_password_reset,
        super::auth::confirm_password_reset,
        super::members::list,
        super::members::update,
        super::members::remove,
        super::members::invite,
        super::members::invitations_list,
        super::members::revoke,
        super::members::accept,
        super::tokens::create,
        super::tokens::list,
        super::tokens::revoke,
        super::contacts::list,
        super::contacts::create,
        super::contacts::get,
        super::contacts::update,
        super::contacts::delete,
        super::contacts::events,
        super::export::export,
        super::batch::batch,
        super::bulk::bulk,
        super::imports::create,
        super::imports::list,
        super::imports::get,
        super::imports::errors,
        super::imports::revert,
        super::jobs::list,
        super::jobs::get,
        super::jobs::cancel,
        super::views::list,
        super::views::create,
        super::views::update,
        super::views::delete,
    ),
    components(schemas(
        Lead, LeadStatus, LeadPage, ListMeta, Me, Role, UserView, TenantView, ApiTokenView, CreatedToken,
        SignupBody, LoginBody, SignedInBody, TokenBody, LeadBody, AttributeValueBody, ErrorBody, ErrorDetail,
        SavedView, ViewBody, ViewPatchBody, BatchBody, BatchItemResult, BatchResponse,
        BulkBody, BulkIdsResult, Job, JobCounts, JobProgress, JobState,
        Import, ImportMode, AttributeMode,
        TokenScope, MemberView, InvitationView, CreatedInvitation, WorkspaceView, RoleBody, InvitationBody,
        AcceptBody, AcceptedBody, SwitchBody, PasswordBody, ResetRequestBody, ResetConfirmBody, DeleteWorkspaceBody, LeadEvent, EventKind, Via, Actor, FieldChange,
    )),
    modifiers(&Security, &LeadsAlias, &Forbidden),
    tags((name = "auth"), (name = "tokens"), (name = "members"), (name = "contacts"), (name = "views"), (name = "imports"), (name = "jobs")),
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
