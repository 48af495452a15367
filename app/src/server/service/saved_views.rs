//! Saved views: list (with live counts), create, rename or re-point, delete. Names are unique
//! per workspace without case; another workspace's view is "not found".

use super::now;
use super::tenant_context::TenantContext;
use crate::domain::error::AppError;
use crate::domain::list_query::ListQuery;
use crate::domain::permission::Action;
use crate::domain::saved_view::{CountedView, MAX_VIEWS, SavedView, view_name_key};
use crate::server::db::{tenant_txn, tenant_write_txn};
use crate::server::entity::saved_view;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Set, TryInsertResult,
};
use uuid::Uuid;

fn to_view(m: saved_view::Model) -> SavedView {
    SavedView {
        id: m.id,
        name: m.name,
        query: m.query,
    }
}

pub async fn list(
    db: &DatabaseConnection,
    ctx: &TenantContext,
) -> Result<Vec<SavedView>, AppError> {
    ctx.require(Action::ReadContacts)?;
    let txn = tenant_txn(db, ctx).await?;
    let rows = saved_view::Entity::find()
        .filter(saved_view::Column::TenantId.eq(ctx.tenant_id()))
        .order_by_asc(saved_view::Column::NameKey)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows.into_iter().map(to_view).collect())
}

/// Every view with its count, in one transaction.
pub async fn list_counted(
    db: &DatabaseConnection,
    ctx: &TenantContext,
) -> Result<Vec<CountedView>, AppError> {
    ctx.require(Action::ReadContacts)?;
    let views = list(db, ctx).await?;
    let txn = tenant_txn(db, ctx).await?;
    let mut counted = Vec::with_capacity(views.len());
    for view in views {
        // Stored queries were checked when saved; one that no longer reads (after a change of
        // the filter language) counts as empty rather than failing the whole list.
        let (count, count_is_exact) = match ListQuery::from_query_string(&view.query) {
            Ok(query) => super::list_leads::total(&txn, ctx, &query).await?,
            Err(_) => (0, true),
        };
        counted.push(CountedView {
            view,
            count,
            count_is_exact,
        });
    }
    txn.commit().await?;
    Ok(counted)
}

async fn name_taken<C: ConnectionTrait>(
    conn: &C,
    ctx: &TenantContext,
    name_key: &str,
    except: Option<Uuid>,
) -> Result<bool, AppError> {
    let mut find = saved_view::Entity::find()
        .filter(saved_view::Column::TenantId.eq(ctx.tenant_id()))
        .filter(saved_view::Column::NameKey.eq(name_key));
    if let Some(id) = except {
        find = find.filter(saved_view::Column::Id.ne(id));
    }
    Ok(find.count(conn).await? > 0)
}

/// `name` and `query` already parsed (`parse_view_name`, `canonical_view_query`).
pub async fn create(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    name: String,
    query: String,
) -> Result<SavedView, AppError> {
    ctx.require(Action::ManageViews)?;
    let at = now();
    let model = saved_view::Model {
        tenant_id: ctx.tenant_id(),
        id: Uuid::now_v7(),
        name_key: view_name_key(&name),
        name,
        query,
        created: at,
        updated: at,
    };
    let txn = tenant_write_txn(db, ctx).await?;
    let held = saved_view::Entity::find()
        .filter(saved_view::Column::TenantId.eq(ctx.tenant_id()))
        .count(&txn)
        .await?;
    if held >= MAX_VIEWS as u64 {
        return Err(AppError::invalid(
            "name",
            format!("a workspace keeps at most {MAX_VIEWS} views; delete one first"),
        ));
    }
    let inserted = saved_view::Entity::insert(model.clone().into_active_model())
        .on_conflict_do_nothing_on([saved_view::Column::TenantId, saved_view::Column::NameKey])
        .exec_without_returning(&txn)
        .await?;
    if !matches!(inserted, TryInsertResult::Inserted(1)) {
        return Err(AppError::ViewNameTaken);
    }
    txn.commit().await?;
    Ok(to_view(model))
}

/// Renames a view and/or gives it a new query.
pub async fn update(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    name: Option<String>,
    query: Option<String>,
) -> Result<SavedView, AppError> {
    ctx.require(Action::ManageViews)?;
    let txn = tenant_write_txn(db, ctx).await?;
    let current = saved_view::Entity::find_by_id((ctx.tenant_id(), id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut active = current.clone().into_active_model();
    if let Some(name) = name {
        let key = view_name_key(&name);
        if name_taken(&txn, ctx, &key, Some(id)).await? {
            return Err(AppError::ViewNameTaken);
        }
        active.name_key = Set(key);
        active.name = Set(name);
    }
    if let Some(query) = query {
        active.query = Set(query);
    }
    active.updated = Set(now());
    let saved = active.update(&txn).await?;
    txn.commit().await?;
    Ok(to_view(saved))
}

pub async fn delete(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
) -> Result<(), AppError> {
    ctx.require(Action::ManageViews)?;
    let txn = tenant_txn(db, ctx).await?;
    let gone = saved_view::Entity::delete_many()
        .filter(saved_view::Column::TenantId.eq(ctx.tenant_id()))
        .filter(saved_view::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
