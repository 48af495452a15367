//! `/api/v1/jobs`: long work of the caller's workspace, followed and cancelled.

use super::extract::{PathId, Tenant};
use super::openapi::ErrorBody;
use app::domain::error::AppError;
use app::domain::job::Job;
use app::server::service::jobs;
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;

#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The workspace's 50 most recent jobs, newest first", body = Vec<Job>), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
) -> Result<Json<Vec<Job>>, AppError> {
    Ok(Json(jobs::list(&state.db, &ctx).await?))
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs",
    security(("session" = []), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Job id")),
    responses((status = 200, description = "The job: state, progress, counts", body = Job), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such job in this workspace", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(id): PathId,
) -> Result<Json<Job>, AppError> {
    Ok(Json(jobs::get(&state.db, &ctx, id).await?))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/cancel", tag = "jobs",
    security(("session" = []), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Job id")),
    responses((status = 200, description = "Cancelling (it stops after the chunk in hand), or already finished: the job as it stands", body = Job), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such job in this workspace", body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(id): PathId,
) -> Result<Json<Job>, AppError> {
    Ok(Json(jobs::cancel(&state.db, &ctx, id).await?))
}
