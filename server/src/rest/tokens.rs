//! `/api/v1/tokens`: API tokens of the caller's workspace.

use super::extract::{JsonBody, PathId, Tenant, text_field};
use super::openapi::{ErrorBody, TokenBody};
use app::domain::error::AppError;
use app::domain::field_errors::FieldErrors;
use app::domain::token::{ApiTokenView, CreatedToken, parse_token_name};
use app::server::service::tokens;
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens",
    security(("session" = []), ("bearer" = [])),
    request_body = TokenBody,
    responses((status = 201, description = "Created; the secret is shown only here", body = CreatedToken), (status = 401, description = "Not signed in", body = ErrorBody), (status = 400, description = "Invalid input", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let mut errors = FieldErrors::new();
    let raw = text_field(&body, "name", &mut errors);
    let name = errors.take("name", parse_token_name(raw));
    errors.into_result()?;
    let created = tokens::create(&state.db, &ctx, name.unwrap_or_default()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "Live tokens, without secrets", body = Vec<ApiTokenView>), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
) -> Result<Json<Vec<ApiTokenView>>, AppError> {
    Ok(Json(tokens::list(&state.db, &ctx).await?))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    security(("session" = []), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Token id")),
    responses((status = 204, description = "Revoked; it stops working at once"), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such token in this workspace", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(id): PathId,
) -> Result<StatusCode, AppError> {
    tokens::revoke(&state.db, &state.auth_cache, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
