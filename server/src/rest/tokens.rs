//! `/api/v1/tokens`: API tokens of the caller's workspace.

use super::extract::{JsonBody, PathId, Tenant, object_of, text_field};
use super::openapi::{ErrorBody, TokenBody};
use app::domain::error::AppError;
use app::domain::field_errors::FieldErrors;
use app::domain::token::{ApiTokenView, CreatedToken, NewToken};
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
    object_of(&body, &["name", "scope", "expires"], "a token", &mut errors)?;
    let (name, scope, expires) = (
        text_field(&body, "name", &mut errors),
        text_field(&body, "scope", &mut errors),
        text_field(&body, "expires", &mut errors),
    );
    errors.into_result()?;
    let new = NewToken::parse(name, scope, expires, chrono::Utc::now())?;
    let created = tokens::create(&state.db, &ctx, new).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "Live tokens, without secrets: everyone's for owners and admins, else your own", body = Vec<ApiTokenView>), (status = 401, description = "Not signed in", body = ErrorBody)))]
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
