//! Bulk actions and jobs for the contacts page, over the same services as the REST API.

use crate::domain::bulk::BulkAction;
use crate::domain::error::AppError;
use crate::domain::job::{Job, JobCounts};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

/// Applies `action` to the selected contacts, at once.
#[server(input = Json)]
pub async fn bulk_on_ids(ids: Vec<Uuid>, action: BulkAction) -> Result<JobCounts, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            if ids.len() > crate::domain::bulk::MAX_BULK_IDS {
                return Err(AppError::invalid(
                    "ids",
                    "too many; select all matching instead",
                ));
            }
            crate::server::service::bulk::apply_to_ids(&state.db, &ctx, &ids, &action).await
        }
        .await,
    )
}

/// Starts `action` on everything the list's query string matches, as a job.
#[server(input = Json)]
pub async fn bulk_on_filter(query: String, action: BulkAction) -> Result<Job, AppError> {
    crate::api::respond(
        async move {
            use crate::domain::list_query::ListQuery;
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            let list = ListQuery::from_query_string(&query)?;
            let canonical = crate::domain::query_string::encode(list.to_pairs());
            crate::server::service::bulk::start_for_filter(&state.db, &ctx, list, canonical, action)
                .await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn get_job(id: Uuid) -> Result<Job, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::jobs::get(&state.db, &ctx, id).await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn cancel_job(id: Uuid) -> Result<Job, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::jobs::cancel(&state.db, &ctx, id).await
        }
        .await,
    )
}
