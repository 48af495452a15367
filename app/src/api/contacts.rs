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
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            let query = crate::domain::list_query::ListQuery::from_query_string(&query)?;
            crate::server::service::leads::list(&state.db, &ctx, &query).await
        }
        .await,
    )
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
