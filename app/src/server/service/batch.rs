//! The batch API: up to `MAX_BATCH` contacts created or upserted in one request, each item
//! on its own (one bad item never fails the others), answered in order.

use super::leads::{self, apply_patch};
use super::tenant_context::TenantContext;
use crate::domain::error::AppError;
use crate::domain::lead_input::{LeadPatch, NewLead};
use crate::domain::permission::Action;
use crate::server::db::tenant_txn;
use sea_orm::DatabaseConnection;
use serde_json::Value;
use uuid::Uuid;

pub const MAX_BATCH: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchMode {
    /// New contacts only: an email already in the workspace is that item's 409.
    Create,
    /// Create, or edit the contact holding the email (only the fields the item gives).
    Upsert,
}

impl BatchMode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "create" => Ok(Self::Create),
            "upsert" => Ok(Self::Upsert),
            _ => Err("must be create or upsert".into()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemStatus {
    Created,
    Updated,
    Unchanged,
    Error,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Unchanged => "unchanged",
            Self::Error => "error",
        }
    }
}

#[derive(Debug)]
pub struct ItemResult {
    pub status: ItemStatus,
    pub id: Option<Uuid>,
    pub error: Option<AppError>,
}

impl ItemResult {
    fn ok(status: ItemStatus, id: Uuid) -> Self {
        Self {
            status,
            id: Some(id),
            error: None,
        }
    }

    fn failed(error: AppError) -> Self {
        Self {
            status: ItemStatus::Error,
            id: None,
            error: Some(error),
        }
    }
}

async fn holder(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    key: &str,
) -> Result<Option<Uuid>, AppError> {
    let txn = tenant_txn(db, ctx).await?;
    let found = leads::holder_of(&txn, ctx, key).await?;
    txn.commit().await?;
    Ok(found)
}

async fn one(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    mode: BatchMode,
    item: &Value,
) -> Result<ItemResult, AppError> {
    let new = NewLead::from_json(item)?;
    if mode == BatchMode::Upsert {
        let key = new.email.key();
        if let Some(id) = holder(db, ctx, &key).await? {
            let patch = LeadPatch::from_json(item)?;
            let (lead, changed) = apply_patch(db, ctx, id, patch, None, true).await?;
            let status = if changed {
                ItemStatus::Updated
            } else {
                ItemStatus::Unchanged
            };
            return Ok(ItemResult::ok(status, lead.id));
        }
    }
    let lead = leads::create(db, ctx, new).await?;
    Ok(ItemResult::ok(ItemStatus::Created, lead.id))
}

/// Runs every item in order. Only a database that is down ends the batch early (an error
/// for the whole request): an item's own problem is that item's result.
pub async fn run(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    mode: BatchMode,
    items: &[Value],
) -> Result<Vec<ItemResult>, AppError> {
    ctx.require(Action::WriteContacts)?;
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        match one(db, ctx, mode, item).await {
            Ok(result) => results.push(result),
            Err(e @ (AppError::Unavailable | AppError::TimedOut | AppError::Internal)) => {
                return Err(e);
            }
            Err(e) => results.push(ItemResult::failed(e)),
        }
    }
    Ok(results)
}
