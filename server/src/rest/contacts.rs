//! `/api/v1/contacts` (also served as `/api/v1/leads`).

use super::extract::{JsonBody, PathId, Tenant};
use super::openapi::{ErrorBody, LeadBody};
use app::domain::error::AppError;
use app::domain::lead::Lead;
use app::domain::lead::LeadStatus;
use app::domain::lead_event::LeadEvent;
use app::domain::lead_input::{LeadPatch, NewLead};
use app::domain::list_query::{LeadPage, ListQuery};
use app::server::service::{lead_events, leads};
use app::server::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

fn with_etag(status: StatusCode, lead: Lead) -> Response {
    let etag = HeaderValue::from_str(&lead.etag()).ok();
    let mut response = (status, Json(lead)).into_response();
    if let Some(etag) = etag {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts",
    security(("session" = []), ("bearer" = [])),
    params(
        ("page" = Option<u32>, Query, description = "Page number, from 1 (default 1). Without a cursor, (page − 1) × limit may be at most 10,000 (deeper: follow nextCursor); with a cursor it only numbers the page in meta"),
        ("limit" = Option<u32>, Query, description = "Rows per page, 1–100 (default 20)"),
        ("search" = Option<String>, Query, description = "Case-insensitive substring of email, name or company; % _ \\ match literally; at most 200 characters"),
        ("status" = Option<LeadStatus>, Query, description = "Only this status"),
        ("filter" = Option<Vec<String>>, Query, explode, description = "A condition `field:op:value`, repeatable (AND-ed, at most 25). Fields: email, emailDomain, name, firstName, lastName, company, status, score, created, updated, attributes.<key>. Ops: eq, neq, lt, lte, gt, gte, between (a..b), in (comma list), contains, starts, empty, notempty, exists, notexists, after (on or after), before, lastdays. Dates are YYYY-MM-DD (UTC days) or RFC 3339. Text eq ignores case; attribute eq matches the string, and the number or boolean it spells; neq includes contacts without the attribute. E.g. `score:gte:70`, `status:in:active,bounced`, `attributes.plan:eq:pro`, `created:after:2026-01-01`"),
        ("sort" = Option<String>, Query, description = "updated (default), created, email, name, company or score; ties broken by id"),
        ("order" = Option<String>, Query, description = "asc or desc (default)"),
        ("cursor" = Option<String>, Query, description = "meta.nextCursor of the previous page: keyset paging at constant cost"),
    ),
    responses((status = 200, description = "One page; `total` is exact up to 10,000 matches", body = LeadPage),
        (status = 400, description = "A parameter is out of range; `fields` names it", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    RawQuery(raw): RawQuery,
) -> Result<Json<LeadPage>, AppError> {
    let query = ListQuery::from_query_string(raw.as_deref().unwrap_or(""))?;
    Ok(Json(leads::list(&state.db, &ctx, &query).await?))
}

#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts",
    security(("session" = []), ("bearer" = [])),
    request_body = LeadBody,
    responses((status = 201, description = "Created; ETag header set", body = Lead),
        (status = 409, description = "Email already used in this workspace (`existingId`)", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 400, description = "Invalid input", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    JsonBody(body): JsonBody,
) -> Result<Response, AppError> {
    let new = NewLead::from_json(&body)?;
    Ok(with_etag(
        StatusCode::CREATED,
        leads::create(&state.db, &ctx, new).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    security(("session" = []), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Contact id")),
    responses((status = 200, description = "The contact; ETag header set", body = Lead), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such contact in this workspace", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    Ok(with_etag(
        StatusCode::OK,
        leads::get(&state.db, &ctx, id).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts",
    security(("session" = []), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Contact id"),
        ("If-Match" = Option<String>, Header, description = "ETag the edit is based on")),
    request_body = LeadBody,
    responses((status = 200, description = "Updated; new ETag", body = Lead),
        (status = 404, description = "No such contact in this workspace", body = ErrorBody),
        (status = 409, description = "Email already used in this workspace", body = ErrorBody),
        (status = 412, description = "Changed since the If-Match ETag", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 400, description = "Invalid input", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(id): PathId,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, AppError> {
    let patch = LeadPatch::from_json(&body)?;
    let if_match = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    Ok(with_etag(
        StatusCode::OK,
        leads::update(&state.db, &ctx, id, patch, if_match).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts",
    security(("session" = []), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Contact id")),
    responses((status = 204, description = "Deleted"), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such contact in this workspace", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(id): PathId,
) -> Result<StatusCode, AppError> {
    leads::delete(&state.db, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}/events", tag = "contacts",
    security(("session" = []), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Contact id")),
    responses((status = 200, description = "The contact's history, newest first (at most 500 events); kept after it is deleted", body = Vec<LeadEvent>),
        (status = 404, description = "No such contact, and no history of one", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(id): PathId,
) -> Result<Json<Vec<LeadEvent>>, AppError> {
    Ok(Json(lead_events::list(&state.db, &ctx, id).await?))
}
