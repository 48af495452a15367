//! Bulk actions: on named ids at once (one transaction), or on everything a filter matches as a
//! job, chunk by chunk in id order, each chunk committed, progress recorded, cancellable.

use super::jobs::{self, ChunkWork};
use super::key_lookup::leads_in_workspace;
use super::lead_events::{self, Pending};
use super::leads::to_lead;
use super::list_leads::{filter, read_from_tenant_view};
use super::now;
use super::tenant_context::TenantContext;
use crate::domain::bulk::BulkAction;
use crate::domain::error::AppError;
use crate::domain::job::{Job, JobCounts};
use crate::domain::lead_event::{EventKind, FieldChange};
use crate::domain::list_query::ListQuery;
use crate::domain::permission::Action;
use crate::server::db::{tenant_txn, tenant_write_txn};
use crate::server::entity::lead;
use chrono::Duration;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

/// Contacts per chunk of a filter-wide run.
pub const BULK_CHUNK: u64 = 1000;

/// Applies `action` to the contacts among `ids` (others' and unknown ids match nothing), in
/// one transaction, and counts what happened.
pub async fn apply_to_ids(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    ids: &[Uuid],
    action: &BulkAction,
) -> Result<JobCounts, AppError> {
    ctx.require(Action::WriteContacts)?;
    let txn = tenant_write_txn(db, ctx).await?;
    let counts = apply(&txn, ctx, ids, action).await?;
    txn.commit().await?;
    Ok(counts)
}

async fn apply(
    txn: &DatabaseTransaction,
    ctx: &TenantContext,
    ids: &[Uuid],
    action: &BulkAction,
) -> Result<JobCounts, AppError> {
    let mut counts = JobCounts::default();
    if ids.is_empty() {
        return Ok(counts);
    }
    let backend = txn.get_database_backend();
    let mine = || leads_in_workspace(ctx, backend).and(lead::Column::Id.is_in(ids.iter().copied()));
    match action {
        BulkAction::Delete => {
            let gone = lead::Entity::delete_many()
                .filter(mine())
                .exec_with_returning(txn)
                .await?;
            counts.deleted = gone.len() as u64;
            let events = gone
                .iter()
                .map(|m| Pending::new(EventKind::Deleted, Some(m), None))
                .collect();
            lead_events::record(txn, ctx, events).await?;
        }
        BulkAction::SetStatus(status) => {
            let matched = lead::Entity::find().filter(mine()).count(txn).await?;
            // The rows that change, locked (on PostgreSQL; SQLite's write transaction is
            // exclusive) so that their history says what they changed from.
            let mut changing = lead::Entity::find()
                .select_only()
                .columns([lead::Column::Id, lead::Column::Status])
                .filter(mine())
                .filter(lead::Column::Status.ne(status.as_str()));
            if backend == sea_orm::DbBackend::Postgres {
                changing = changing.lock_exclusive();
            }
            let changing: Vec<(Uuid, String)> = changing.into_tuple().all(txn).await?;
            if !changing.is_empty() {
                // Set-based: one statement for the whole chunk, touching only rows that change.
                lead::Entity::update_many()
                    .col_expr(lead::Column::Status, Expr::value(status.as_str()))
                    .col_expr(lead::Column::Updated, Expr::value(now()))
                    .filter(leads_in_workspace(ctx, backend))
                    .filter(lead::Column::Id.is_in(changing.iter().map(|(id, _)| *id)))
                    .exec(txn)
                    .await?;
            }
            counts.updated = changing.len() as u64;
            counts.unchanged = matched.saturating_sub(counts.updated);
            let to = serde_json::Value::from(status.as_str());
            let events = changing
                .into_iter()
                .map(|(lead_id, from)| Pending {
                    lead_id,
                    kind: EventKind::BulkChanged,
                    changes: [(
                        "status".to_owned(),
                        FieldChange {
                            from: from.into(),
                            to: to.clone(),
                        },
                    )]
                    .into(),
                })
                .collect();
            lead_events::record(txn, ctx, events).await?;
        }
        BulkAction::SetAttribute { .. } | BulkAction::RemoveAttribute(_) => {
            let rows = lead::Entity::find().filter(mine()).all(txn).await?;
            let mut events = Vec::new();
            for mut row in rows {
                // Read, change, write only if nobody wrote in between; else read again.
                loop {
                    let mut attributes = to_lead(row.clone()).attributes;
                    let changed = match action {
                        BulkAction::SetAttribute { key, value } => {
                            attributes.set(key, value.clone())
                        }
                        BulkAction::RemoveAttribute(key) => Ok(attributes.remove(key)),
                        _ => Ok(false),
                    };
                    match changed {
                        Err(_) => counts.failed += 1,
                        Ok(false) => counts.unchanged += 1,
                        Ok(true) => {
                            let mut next = row.clone();
                            next.attributes = attributes.to_json();
                            let written = lead::Entity::update_many()
                                .col_expr(
                                    lead::Column::Attributes,
                                    Expr::value(attributes.to_json()),
                                )
                                .col_expr(
                                    lead::Column::Updated,
                                    Expr::value(Ord::max(
                                        now(),
                                        row.updated + Duration::microseconds(1),
                                    )),
                                )
                                .filter(lead::Column::TenantId.eq(ctx.tenant_id()))
                                .filter(lead::Column::Id.eq(row.id))
                                .filter(lead::Column::Updated.eq(row.updated))
                                .exec(txn)
                                .await?;
                            if written.rows_affected == 0 {
                                match lead::Entity::find_by_id((ctx.tenant_id(), row.id))
                                    .one(txn)
                                    .await?
                                {
                                    Some(fresh) => {
                                        row = fresh;
                                        continue;
                                    }
                                    None => break,
                                }
                            }
                            counts.updated += 1;
                            events.push(Pending::new(
                                EventKind::BulkChanged,
                                Some(&row),
                                Some(&next),
                            ));
                        }
                    }
                    break;
                }
            }
            lead_events::record(txn, ctx, events).await?;
        }
    }
    Ok(counts)
}

/// How many contacts a query matches, exactly (a job's total).
async fn exact_total(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    query: &ListQuery,
) -> Result<u64, AppError> {
    let backend = db.get_database_backend();
    let mut select = Query::select()
        .expr(SimpleExpr::from(Expr::cust("COUNT(*)")))
        .from(lead::Entity)
        .cond_where(filter(ctx, query, backend))
        .to_owned();
    read_from_tenant_view(&mut select, backend);
    let txn = tenant_txn(db, ctx).await?;
    let row = txn.query_one(&select).await?.ok_or(AppError::Internal)?;
    txn.commit().await?;
    let count: i64 = row.try_get_by_index(0)?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// The next chunk of matching ids after `after`, in id order.
async fn next_ids(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    query: &ListQuery,
    after: Option<Uuid>,
) -> Result<Vec<Uuid>, AppError> {
    let backend = db.get_database_backend();
    let mut select = lead::Entity::find()
        .select_only()
        .column(lead::Column::Id)
        .filter(filter(ctx, query, backend));
    if let Some(after) = after {
        select = select.filter(lead::Column::Id.gt(after));
    }
    let mut select = select.order_by_asc(lead::Column::Id).limit(BULK_CHUNK);
    read_from_tenant_view(QuerySelect::query(&mut select), backend);
    let txn = tenant_txn(db, ctx).await?;
    let ids = select.into_tuple::<Uuid>().all(&txn).await?;
    txn.commit().await?;
    Ok(ids)
}

/// Starts `action` on everything `query` matches, as a job; answers at once with the job.
pub async fn start_for_filter(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    query: ListQuery,
    query_string: String,
    action: BulkAction,
) -> Result<Job, AppError> {
    ctx.require(Action::WriteContacts)?;
    let total = exact_total(db, ctx, &query).await?;
    let params = serde_json::json!({ "filter": query_string, "action": action.to_json() });
    jobs::create(db, ctx, Uuid::now_v7(), action.kind(), params, total, None).await
}

/// A claimed filter-wide job: what `start_for_filter` recorded, run.
pub(super) async fn run_job(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    params: &serde_json::Value,
) -> Result<bool, AppError> {
    let filter = params
        .get("filter")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    let query = ListQuery::from_query_string(filter)?;
    let action = params
        .get("action")
        .ok_or_else(|| AppError::invalid("action", "is missing"))
        .and_then(|a| BulkAction::from_json(a).map_err(|e| AppError::invalid("action", e)))?;
    run(db, ctx, id, &query, &action).await
}

/// The job's loop: chunk after chunk of matching ids, in id order (so no two chunks share a
/// contact). Ok(false) when it stopped on a cancel request.
async fn run(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    query: &ListQuery,
    action: &BulkAction,
) -> Result<bool, AppError> {
    if !jobs::record_progress(db, ctx, id, 0, &JobCounts::default()).await? {
        return Ok(false);
    }
    // Ids are read one chunk ahead, on a task of their own, while earlier chunks are applied.
    let (tx, feed) = tokio::sync::mpsc::channel(1);
    let (db2, ctx2, query, action) = (db.clone(), ctx.clone(), query.clone(), action.clone());
    tokio::spawn(async move {
        let mut after = None;
        loop {
            let ids = match next_ids(&db2, &ctx2, &query, after).await {
                Ok(ids) => ids,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            };
            let Some(last) = ids.last().copied() else {
                return;
            };
            after = Some(last);
            let (db, ctx, action) = (db2.clone(), ctx2.clone(), action.clone());
            let work: ChunkWork = Box::pin(async move {
                let n = ids.len() as u64;
                apply_to_ids(&db, &ctx, &ids, &action)
                    .await
                    .map(|chunk| (n, chunk))
            });
            // A closed channel means the job stopped (cancelled or failed).
            if tx.send(Ok(work)).await.is_err() {
                return;
            }
        }
    });
    jobs::run_chunks(db, ctx, id, feed).await
}
