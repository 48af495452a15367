//! Saved views and the filter bar's attribute keys, for the contacts page.

use crate::domain::error::AppError;
use crate::domain::saved_view::{CountedView, SavedView};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

/// The workspace's views, by name, each with its current count.
#[server(input = Json)]
pub async fn list_views() -> Result<Vec<CountedView>, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::saved_views::list_counted(&state.db, &ctx).await
        }
        .await,
    )
}

/// Saves the list's current query string under `name`.
#[server(input = Json)]
pub async fn save_view(name: String, query: String) -> Result<SavedView, AppError> {
    use crate::domain::field_errors::FieldErrors;
    use crate::domain::saved_view::{canonical_view_query, parse_view_name};
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            let mut errors = FieldErrors::new();
            let name = errors.take("name", parse_view_name(&name));
            let query = errors.take("query", canonical_view_query(&query));
            errors.into_result()?;
            crate::server::service::saved_views::create(
                &state.db,
                &ctx,
                name.unwrap_or_default(),
                query.unwrap_or_default(),
            )
            .await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn rename_view(id: Uuid, name: String) -> Result<SavedView, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            let name = crate::domain::saved_view::parse_view_name(&name)
                .map_err(|m| AppError::invalid("name", m))?;
            crate::server::service::saved_views::update(&state.db, &ctx, id, Some(name), None).await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn delete_view(id: Uuid) -> Result<(), AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::saved_views::delete(&state.db, &ctx, id).await
        }
        .await,
    )
}

/// Attribute keys in use in the workspace, for the filter bar's field list.
#[server(input = Json)]
pub async fn attribute_keys() -> Result<Vec<String>, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::attribute_keys::recent(&state.db, &ctx).await
        }
        .await,
    )
}
