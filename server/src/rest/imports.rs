//! `/api/v1/imports`: upload a CSV file to import (a job), follow it, download its error file,
//! undo it.

use super::extract::{PathId, Tenant};
use super::openapi::ErrorBody;
use app::domain::error::AppError;
use app::domain::import::{Import, ImportOptions};
use app::domain::job::Job;
use app::server::service::imports::{self, Upload};
use app::server::state::AppState;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, stream};
use std::io::Write;

/// The `options` part is a small JSON document.
const MAX_OPTIONS_BYTES: usize = 64 * 1024;

fn part_error(e: MultipartError, limit_bytes: usize) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge { limit_bytes }
    } else {
        AppError::MalformedBody(e.body_text())
    }
}

#[utoipa::path(post, path = "/api/v1/imports", tag = "imports",
    security(("session" = []), ("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "Part `file`: the CSV file (UTF-8, with or without BOM; comma, semicolon or tab separated; a header row). Part `options` (optional): JSON `{\"mode\": \"create\"|\"update\"|\"upsert\", \"attributes\": \"merge\"|\"replace\", \"mapping\": {\"<header>\": \"email\"|\"firstName\"|\"lastName\"|\"name\"|\"company\"|\"status\"|\"score\"|\"attributes.<key>\"|\"ignore\"}}`; headers it leaves out are guessed"),
    responses((status = 202, description = "Started; follow `job` at /api/v1/imports/{id}", body = Import),
        (status = 400, description = "Bad options, an unreadable file, a mapping without email; `fields` names it", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 413, description = "File over the import limit (256 MiB unless configured)", body = ErrorBody),
        (status = 415, description = "Not multipart/form-data", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    request: Request,
) -> Result<Response, AppError> {
    let limit = state.import_max_bytes;
    let mut multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|_| AppError::NotMultipart)?;
    let mut file = None;
    let mut options = ImportOptions::default();
    while let Some(mut part) = multipart
        .next_field()
        .await
        .map_err(|e| part_error(e, limit))?
    {
        match part.name().unwrap_or("") {
            "file" if file.is_none() => {
                let name = part.file_name().unwrap_or("contacts.csv").to_owned();
                let mut spool = tempfile::tempfile().map_err(|e| {
                    tracing::error!(error = %e, "cannot create a file for an upload");
                    AppError::Internal
                })?;
                // Chunks go to the page cache as they arrive: memory stays flat whatever the size.
                while let Some(chunk) = part.chunk().await.map_err(|e| part_error(e, limit))? {
                    spool.write_all(&chunk).map_err(|e| {
                        tracing::error!(error = %e, "cannot write an upload");
                        AppError::Internal
                    })?;
                }
                file = Some((spool, name));
            }
            "file" => return Err(AppError::invalid("file", "send one file per import")),
            "options" => {
                let raw = part.bytes().await.map_err(|e| part_error(e, limit))?;
                if raw.len() > MAX_OPTIONS_BYTES {
                    return Err(AppError::invalid("options", "must be at most 64 KiB"));
                }
                let value: serde_json::Value = serde_json::from_slice(&raw)
                    .map_err(|e| AppError::invalid("options", format!("is not JSON: {e}")))?;
                options = ImportOptions::from_json(&value)?;
            }
            other => {
                return Err(AppError::invalid(
                    other,
                    "is not a known part: send `file` and, optionally, `options`",
                ));
            }
        }
    }
    let Some((file, file_name)) = file else {
        return Err(AppError::invalid(
            "file",
            "is required: the CSV file to import",
        ));
    };
    let import = imports::start(
        &state.db,
        &ctx,
        Upload {
            file,
            file_name,
            options,
        },
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(import)).into_response())
}

#[utoipa::path(get, path = "/api/v1/imports", tag = "imports",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The workspace's recent imports, newest first", body = Vec<Import>),
        (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
) -> Result<Json<Vec<Import>>, AppError> {
    Ok(Json(imports::list(&state.db, &ctx).await?))
}

#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports",
    security(("session" = []), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The import's id")),
    responses((status = 200, description = "The import and its job", body = Import),
        (status = 404, description = "No such import in this workspace", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(id): PathId,
) -> Result<Json<Import>, AppError> {
    Ok(Json(imports::get(&state.db, &ctx, id).await?))
}

#[utoipa::path(post, path = "/api/v1/imports/{id}/revert", tag = "imports",
    security(("session" = []), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The import's id")),
    responses((status = 202, description = "Undo started as a job: contacts the import created are deleted, those it updated restored; contacts changed since are left alone (counted as skipped)", body = Job),
        (status = 409, description = "The import is still running, or was already undone", body = ErrorBody),
        (status = 404, description = "No such import in this workspace", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn revert(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    let job = imports::revert(&state.db, &ctx, id).await?;
    Ok((StatusCode::ACCEPTED, Json(job)).into_response())
}

#[utoipa::path(get, path = "/api/v1/imports/{id}/errors", tag = "imports",
    security(("session" = []), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The import's id")),
    responses((status = 200, description = "The rows the import did not take, as CSV: `Error row` (the row's number, the header being row 1), `Error field`, `Error message`, then the row's own cells under the file's header. Fix them and import this file again: the error columns are ignored", content_type = "text/csv"),
        (status = 404, description = "No such import in this workspace", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn errors(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    let header = imports::csv_line(&imports::error_header(&state.db, &ctx, id).await?)?;
    // Where the stream stands: the last row sent, or None once all is out.
    let body = stream::try_unfold(Some(0i64), move |at| {
        let (db, ctx) = (state.db.clone(), ctx.clone());
        async move {
            let Some(after) = at else {
                return Ok::<_, AppError>(None);
            };
            let (csv, next) = imports::error_rows(&db, &ctx, id, after).await?;
            Ok(Some((Bytes::from(csv), next)))
        }
    });
    let body = stream::iter([Ok::<_, AppError>(Bytes::from(header))]).chain(body);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"import-{id}-errors.csv\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
