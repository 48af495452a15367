//! CSV imports for the import page, over the same services as the REST API. The file itself
//! goes to `POST /api/v1/imports` (a streamed upload, which a server function is not).

use crate::domain::error::AppError;
use crate::domain::import::{Import, ImportPreview};
use crate::domain::job::Job;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

/// The columns, first rows and mapping guesses of a file, from its first bytes.
#[server(input = Json)]
pub async fn preview_import(sample: String) -> Result<ImportPreview, AppError> {
    crate::api::respond(
        async move {
            crate::server::request_auth::require_tenant()?;
            crate::server::service::import_file::preview(sample.as_bytes())
        }
        .await,
    )
}

/// The workspace's recent imports, newest first.
#[server(input = Json)]
pub async fn list_imports() -> Result<Vec<Import>, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::imports::list(&state.db, &ctx).await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn get_import(id: Uuid) -> Result<Import, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::imports::get(&state.db, &ctx, id).await
        }
        .await,
    )
}

/// Undoes an import (as a job): deletes what it created, restores what it updated, leaves
/// alone what changed since.
#[server(input = Json)]
pub async fn revert_import(id: Uuid) -> Result<Job, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::imports::revert(&state.db, &ctx, id).await
        }
        .await,
    )
}
