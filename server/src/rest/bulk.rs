//! `POST /api/v1/contacts/bulk`: one action on named contacts (at once) or on everything a
//! filter matches (as a job).

use super::extract::{JsonBody, Tenant, object_of};
use super::openapi::{BulkBody, BulkIdsResult, ErrorBody};
use app::domain::bulk::{BulkAction, MAX_BULK_IDS};
use app::domain::error::AppError;
use app::domain::field_errors::FieldErrors;
use app::domain::job::Job;
use app::domain::list_query::ListQuery;
use app::domain::query_string;
use app::server::service::bulk;
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use uuid::Uuid;

#[utoipa::path(post, path = "/api/v1/contacts/bulk", tag = "contacts",
    security(("session" = []), ("bearer" = [])),
    request_body = BulkBody,
    responses((status = 200, description = "`ids`: done, with counts (ids of other workspaces or unknown ones match nothing)", body = BulkIdsResult),
        (status = 202, description = "`filter`: started as a job; follow it at /api/v1/jobs/{id}", body = Job),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 400, description = "Invalid ids, filter or action; `fields` names it", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn bulk(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    JsonBody(body): JsonBody,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    let object = object_of(
        &body,
        &["ids", "filter", "action"],
        "a bulk action",
        &mut errors,
    )?;
    let action = errors.take(
        "action",
        object
            .get("action")
            .map_or(Err("is required".into()), BulkAction::from_json),
    );
    enum Target {
        Ids(Vec<Uuid>),
        Filter(ListQuery, String),
    }
    let target = match (object.get("ids"), object.get("filter")) {
        (Some(Value::Array(ids)), None) if ids.len() <= MAX_BULK_IDS => {
            let parsed: Option<Vec<Uuid>> = ids
                .iter()
                .map(|v| v.as_str().and_then(|s| Uuid::parse_str(s).ok()))
                .collect();
            errors.take(
                "ids",
                parsed
                    .map(Target::Ids)
                    .ok_or_else(|| "must be contact ids".to_owned()),
            )
        }
        (Some(Value::Array(_)), None) => errors.take(
            "ids",
            Err(format!("at most {MAX_BULK_IDS}; select by filter for more")),
        ),
        (None, Some(Value::String(raw))) => {
            let raw = raw.trim().trim_start_matches('?');
            match ListQuery::from_query_string(raw) {
                Ok(query) => {
                    let canonical = query_string::encode(query.to_pairs());
                    Some(Target::Filter(query, canonical))
                }
                Err(e) => errors.take("filter", Err(e.summary())),
            }
        }
        (Some(_), Some(_)) => errors.take("ids", Err("give ids or filter, not both".into())),
        (Some(_), None) => errors.take("ids", Err("must be an array of contact ids".into())),
        (None, Some(_)) => errors.take("filter", Err("must be the list's query string".into())),
        (None, None) => errors.take("ids", Err("give ids or filter".into())),
    };
    errors.into_result()?;
    let (Some(action), Some(target)) = (action, target) else {
        return Err(AppError::Internal);
    };
    Ok(match target {
        Target::Ids(ids) => {
            let counts = bulk::apply_to_ids(&state.db, &ctx, &ids, &action).await?;
            (StatusCode::OK, Json(json!({ "counts": counts }))).into_response()
        }
        Target::Filter(query, canonical) => {
            let job = bulk::start_for_filter(&state.db, &ctx, query, canonical, action).await?;
            (StatusCode::ACCEPTED, Json(job)).into_response()
        }
    })
}
