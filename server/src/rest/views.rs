//! `/api/v1/views`: saved views of the caller's workspace.

use super::extract::{JsonBody, PathId, Tenant, object_of, text_field};
use super::openapi::{ErrorBody, ViewBody, ViewPatchBody};
use app::domain::error::AppError;
use app::domain::field_errors::FieldErrors;
use app::domain::saved_view::{SavedView, canonical_view_query, parse_view_name};
use app::server::service::saved_views;
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;

const FIELDS: [&str; 2] = ["name", "query"];

/// Reads `name` and `query` where present (both required on create), naming every bad one.
fn parse_body(body: &Value, creating: bool) -> Result<(Option<String>, Option<String>), AppError> {
    let mut errors = FieldErrors::new();
    let object = object_of(body, &FIELDS, "a view", &mut errors)?;
    let name = (creating || object.contains_key("name")).then(|| {
        let raw = text_field(body, "name", &mut errors);
        errors.take("name", parse_view_name(raw))
    });
    let query = (creating || object.contains_key("query")).then(|| {
        let raw = text_field(body, "query", &mut errors);
        errors.take("query", canonical_view_query(raw))
    });
    errors.into_result()?;
    Ok((name.flatten(), query.flatten()))
}

#[utoipa::path(get, path = "/api/v1/views", tag = "views",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The workspace's views, by name", body = Vec<SavedView>), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
) -> Result<Json<Vec<SavedView>>, AppError> {
    Ok(Json(saved_views::list(&state.db, &ctx).await?))
}

#[utoipa::path(post, path = "/api/v1/views", tag = "views",
    security(("session" = []), ("bearer" = [])),
    request_body = ViewBody,
    responses((status = 201, description = "Created; `query` in its canonical form", body = SavedView),
        (status = 409, description = "Another view of this workspace has this name (ignoring case)", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 400, description = "Invalid name or query; `fields` names it", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<SavedView>), AppError> {
    let (name, query) = parse_body(&body, true)?;
    let view = saved_views::create(
        &state.db,
        &ctx,
        name.unwrap_or_default(),
        query.unwrap_or_default(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(patch, path = "/api/v1/views/{id}", tag = "views",
    security(("session" = []), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "View id")),
    request_body = ViewPatchBody,
    responses((status = 200, description = "Renamed and/or given a new query", body = SavedView),
        (status = 404, description = "No such view in this workspace", body = ErrorBody),
        (status = 409, description = "Another view of this workspace has this name (ignoring case)", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 400, description = "Invalid name or query; `fields` names it", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(id): PathId,
    JsonBody(body): JsonBody,
) -> Result<Json<SavedView>, AppError> {
    let (name, query) = parse_body(&body, false)?;
    Ok(Json(
        saved_views::update(&state.db, &ctx, id, name, query).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/views/{id}", tag = "views",
    security(("session" = []), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "View id")),
    responses((status = 204, description = "Deleted"), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such view in this workspace", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(id): PathId,
) -> Result<StatusCode, AppError> {
    saved_views::delete(&state.db, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
