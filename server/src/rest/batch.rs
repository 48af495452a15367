//! `POST /api/v1/contacts/batch`: many contacts in one request, one result per item.

use super::extract::{JsonBody, Tenant, object_of};
use super::openapi::{BatchBody, BatchResponse, ErrorBody};
use app::domain::error::AppError;
use app::domain::field_errors::FieldErrors;
use app::server::service::batch::{self, BatchMode, MAX_BATCH};
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

#[utoipa::path(post, path = "/api/v1/contacts/batch", tag = "contacts",
    security(("session" = []), ("bearer" = [])),
    request_body = BatchBody,
    responses((status = 200, description = "One result per item, in order: `created`, `updated`, `unchanged` or `error` (with the error a single request would get). Items succeed or fail on their own.", body = BatchResponse),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 400, description = "The batch itself is malformed (mode, items, size)", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn batch(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, AppError> {
    let mut errors = FieldErrors::new();
    let object = object_of(&body, &["mode", "items"], "a batch", &mut errors)?;
    let mode = match object.get("mode") {
        None | Some(Value::Null) => Some(BatchMode::Create),
        Some(Value::String(raw)) => errors.take("mode", BatchMode::parse(raw)),
        Some(_) => errors.take("mode", Err("must be create or upsert".into())),
    };
    let items = match object.get("items") {
        Some(Value::Array(items)) if items.len() <= MAX_BATCH => Some(items.as_slice()),
        Some(Value::Array(_)) => {
            errors.take("items", Err(format!("at most {MAX_BATCH} per batch")))
        }
        _ => errors.take("items", Err("must be an array of contacts".into())),
    };
    errors.into_result()?;
    let (Some(mode), Some(items)) = (mode, items) else {
        return Err(AppError::Internal);
    };
    let results = batch::run(&state.db, &ctx, mode, items).await?;
    let results: Vec<Value> = results
        .into_iter()
        .enumerate()
        .map(|(index, r)| {
            let mut out = json!({ "index": index, "status": r.status.as_str() });
            if let Some(id) = r.id {
                out["id"] = json!(id);
            }
            if let Some(error) = r.error {
                out["error"] = error.to_json()["error"].clone();
            }
            out
        })
        .collect();
    Ok(Json(json!({ "results": results })))
}
