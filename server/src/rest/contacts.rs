//! `/api/v1/contacts` (also served as `/api/v1/leads`).

use super::extract::{JsonBody, PathId, QueryPairs, Tenant};
use app::domain::error::AppError;
use app::domain::lead::Lead;
use app::domain::lead_input::{LeadPatch, NewLead};
use app::domain::list_query::{LeadPage, ListQuery};
use app::server::service::leads;
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;
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

pub async fn list(State(state): State<AppState>, Tenant(ctx): Tenant, QueryPairs(pairs): QueryPairs) -> Result<Json<LeadPage>, AppError> {
    let query = ListQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    Ok(Json(leads::list(&state.db, &ctx, &query).await?))
}

pub async fn create(State(state): State<AppState>, Tenant(ctx): Tenant, JsonBody(body): JsonBody) -> Result<Response, AppError> {
    let new = NewLead::from_json(&body)?;
    Ok(with_etag(StatusCode::CREATED, leads::create(&state.db, &ctx, new).await?))
}

pub async fn get(State(state): State<AppState>, Tenant(ctx): Tenant, PathId(id): PathId) -> Result<Response, AppError> {
    Ok(with_etag(StatusCode::OK, leads::get(&state.db, &ctx, id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(id): PathId,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, AppError> {
    let patch = LeadPatch::from_json(&body)?;
    let if_match = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()).map(str::trim);
    Ok(with_etag(StatusCode::OK, leads::update(&state.db, &ctx, id, patch, if_match).await?))
}

pub async fn delete(State(state): State<AppState>, Tenant(ctx): Tenant, PathId(id): PathId) -> Result<StatusCode, AppError> {
    leads::delete(&state.db, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
