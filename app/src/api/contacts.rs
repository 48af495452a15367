//! Contact operations for the pages, over the same service as the REST API.

use crate::domain::error::AppError;
use crate::domain::lead::Lead;
use crate::domain::lead_input::LeadForm;
use crate::domain::list_query::LeadPage;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

/// Lists contacts for a query string exactly as it appears in the page's URL.
#[server(input = Json)]
pub async fn list_contacts(query: String) -> Result<LeadPage, AppError> {
    crate::api::respond(
        async move {
            use crate::domain::list_query::ListQuery;
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            let pairs: Vec<(String, String)> = serde_urlencoded_pairs(&query);
            let query = ListQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
            crate::server::service::leads::list(&state.db, &ctx, &query).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn serde_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    axum::http::Uri::try_from(format!("/?{query}"))
        .ok()
        .and_then(|uri| axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri).ok())
        .map(|q| q.0)
        .unwrap_or_default()
}

#[server(input = Json)]
pub async fn get_contact(id: Uuid) -> Result<Lead, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::leads::get(&state.db, &ctx, id).await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn create_contact(form: LeadForm) -> Result<Lead, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            let new = form.validate()?;
            crate::server::service::leads::create(&state.db, &ctx, new).await
        }
        .await,
    )
}

/// Saves the edit form. `etag` is the version the form was opened on: a newer change wins a 412.
#[server(input = Json)]
pub async fn update_contact(id: Uuid, etag: String, form: LeadForm) -> Result<Lead, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            let patch = form.validate_patch()?;
            crate::server::service::leads::update(&state.db, &ctx, id, patch, Some(&etag)).await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn delete_contact(id: Uuid) -> Result<(), AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::leads::delete(&state.db, &ctx, id).await
        }
        .await,
    )
}
