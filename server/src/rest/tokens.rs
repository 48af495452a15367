//! `/api/v1/tokens`: API tokens of the caller's workspace.

use super::extract::{JsonBody, PathId, Tenant, text_field};
use app::domain::error::AppError;
use app::domain::field_errors::FieldErrors;
use app::domain::token::{ApiTokenView, CreatedToken, parse_token_name};
use app::server::service::tokens;
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

pub async fn create(State(state): State<AppState>, Tenant(ctx): Tenant, JsonBody(body): JsonBody) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let mut errors = FieldErrors::new();
    let raw = text_field(&body, "name", &mut errors);
    let name = errors.take("name", parse_token_name(raw));
    errors.into_result()?;
    let created = tokens::create(&state.db, &ctx, name.unwrap_or_default()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn list(State(state): State<AppState>, Tenant(ctx): Tenant) -> Result<Json<Vec<ApiTokenView>>, AppError> {
    Ok(Json(tokens::list(&state.db, &ctx).await?))
}

pub async fn revoke(State(state): State<AppState>, Tenant(ctx): Tenant, PathId(id): PathId) -> Result<StatusCode, AppError> {
    tokens::revoke(&state.db, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
