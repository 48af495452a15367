//! Leads: create, read, edit (with optimistic concurrency), delete. Listing is in `list_leads`.

use super::lead_events::{self, Pending};
use super::now;
use super::tenant_context::TenantContext;
use crate::domain::attributes::Attributes;
use crate::domain::email::email_key;
use crate::domain::error::AppError;
use crate::domain::lead::{Lead, LeadStatus, join_names};
use crate::domain::lead_event::EventKind;
use crate::domain::lead_input::{LeadPatch, NewLead};
use crate::domain::list_query::{LeadPage, ListQuery};
use crate::domain::permission::Action;
use crate::server::db::{is_sharded, once_more_if_lost, tenant_txn, tenant_write_txn};
use crate::server::entity::lead;
use chrono::Duration;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect, Set, SqlErr, TryInsertResult,
};
use uuid::Uuid;

pub(super) fn to_lead(m: lead::Model) -> Lead {
    let opt = |s: String| (!s.is_empty()).then_some(s);
    Lead {
        id: m.id,
        tenant_id: m.tenant_id,
        email: m.email,
        name: opt(m.name),
        first_name: opt(m.first_name),
        last_name: opt(m.last_name),
        company: opt(m.company),
        status: LeadStatus::parse(&m.status).unwrap_or_default(),
        score: m.score,
        attributes: Attributes::from_json(&m.attributes).unwrap_or_default(),
        created: m.created,
        updated: m.updated,
    }
}

pub async fn list(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    query: &ListQuery,
) -> Result<LeadPage, AppError> {
    ctx.require(Action::ReadContacts)?;
    super::list_leads::list(db, ctx, query).await
}

pub async fn get(db: &DatabaseConnection, ctx: &TenantContext, id: Uuid) -> Result<Lead, AppError> {
    ctx.require(Action::ReadContacts)?;
    let txn = tenant_txn(db, ctx).await?;
    let found = lead::Entity::find_by_id((ctx.tenant_id(), id))
        .one(&txn)
        .await?;
    txn.commit().await?;
    found.map(to_lead).ok_or(AppError::NotFound)
}

/// The row of a new lead, created at `at`.
pub(super) fn new_row(
    ctx: &TenantContext,
    new: NewLead,
    at: chrono::DateTime<chrono::Utc>,
) -> lead::Model {
    lead::Model {
        tenant_id: ctx.tenant_id(),
        id: Uuid::now_v7(),
        email_key: new.email.key(),
        email: new.email.into_inner(),
        name: new.name.unwrap_or_default(),
        first_name: new.first_name.unwrap_or_default(),
        last_name: new.last_name.unwrap_or_default(),
        company: new.company.unwrap_or_default(),
        status: new.status.as_str().to_owned(),
        score: new.score,
        attributes: new.attributes.to_json(),
        created: at,
        updated: at,
    }
}

/// Creates a lead. A duplicate email is detected by the insert itself (it does nothing on
/// conflict; only then is the holder looked up), so a 409 costs little more than a 201.
pub async fn create(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    new: NewLead,
) -> Result<Lead, AppError> {
    ctx.require(Action::WriteContacts)?;
    let model = new_row(ctx, new, now());
    let inserted = if db.get_database_backend() == DbBackend::Postgres && !is_sharded() {
        // One statement, one round trip (a sharded cluster has no such function). Tried once
        // more on a dead connection: a first try that did commit shows as the holder below.
        once_more_if_lost(|| lead_events::insert_created(db, ctx, &model)).await?
    } else {
        let txn = tenant_txn(db, ctx).await?;
        let inserted = lead::Entity::insert(model.clone().into_active_model())
            .on_conflict_do_nothing_on([lead::Column::TenantId, lead::Column::EmailKey])
            .exec_without_returning(&txn)
            .await?;
        let inserted = matches!(inserted, TryInsertResult::Inserted(1));
        if inserted {
            let event = Pending::new(EventKind::Created, None, Some(&model));
            lead_events::record(&txn, ctx, vec![event]).await?;
        }
        txn.commit().await?;
        inserted
    };
    if inserted {
        return Ok(to_lead(model));
    }
    let txn = tenant_txn(db, ctx).await?;
    let existing_id = holder_of(&txn, ctx, &model.email_key).await?;
    txn.commit().await?;
    Err(match existing_id {
        // Written by a first try whose answer was lost with its connection.
        Some(existing_id) if existing_id == model.id => return Ok(to_lead(model)),
        Some(existing_id) => AppError::DuplicateEmail { existing_id },
        // The holder was deleted between the two statements: the address is free again.
        None => AppError::Conflict("the email was released while it was checked; try again".into()),
    })
}

/// The lead of this tenant whose email has this key, if any.
pub(super) async fn holder_of<C: ConnectionTrait>(
    conn: &C,
    ctx: &TenantContext,
    email_key: &str,
) -> Result<Option<Uuid>, AppError> {
    let found = lead::Entity::find()
        .select_only()
        .column(lead::Column::Id)
        .filter(lead::Column::TenantId.eq(ctx.tenant_id()))
        .filter(lead::Column::EmailKey.eq(email_key))
        .into_tuple::<Uuid>()
        .one(conn)
        .await?;
    Ok(found)
}

/// Applies a partial edit. `if_match` is the ETag the editor saw; a stale one is refused.
pub async fn update(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    patch: LeadPatch,
    if_match: Option<&str>,
) -> Result<Lead, AppError> {
    ctx.require(Action::WriteContacts)?;
    Ok(apply_patch(db, ctx, id, patch, if_match, false).await?.0)
}

/// Applies a partial edit and says whether it changed anything. With `skip_unchanged`, an
/// edit that changes nothing writes nothing (the contact keeps its `updated` and ETag).
pub(super) async fn apply_patch(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    patch: LeadPatch,
    if_match: Option<&str>,
    skip_unchanged: bool,
) -> Result<(Lead, bool), AppError> {
    let txn = tenant_write_txn(db, ctx).await?;
    let current = lead::Entity::find_by_id((ctx.tenant_id(), id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = to_lead(current.clone());
    if if_match.is_some_and(|tag| tag != "*" && tag != before.etag()) {
        return Err(AppError::PreconditionFailed);
    }
    let mut next = patched(&current, patch);
    if skip_unchanged && next == current {
        txn.commit().await?;
        return Ok((before, false));
    }
    // Strictly increasing, so every change gets a new ETag even within one microsecond.
    next.updated = Ord::max(now(), current.updated + Duration::microseconds(1));

    if next.email_key != current.email_key
        && let Some(existing_id) = holder_of(&txn, ctx, &next.email_key).await?
    {
        return Err(AppError::DuplicateEmail { existing_id });
    }

    let result = write_row(&txn, ctx, &next, before.updated).await;
    match result {
        Ok(r) if r.rows_affected == 1 => {
            let event = Pending::new(EventKind::Updated, Some(&current), Some(&next));
            lead_events::record(&txn, ctx, vec![event]).await?;
            txn.commit().await?;
            Ok((to_lead(next), true))
        }
        Ok(_) => Err(AppError::PreconditionFailed),
        // Another edit took the address between the check above and this write.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            drop(txn);
            let txn = tenant_txn(db, ctx).await?;
            let holder = holder_of(&txn, ctx, &next.email_key).await?;
            txn.commit().await?;
            Err(holder.map_or(AppError::PreconditionFailed, |existing_id| {
                AppError::DuplicateEmail { existing_id }
            }))
        }
        Err(err) => Err(err.into()),
    }
}

/// Writes every column of `next` over the row, provided the row still has the `updated` the
/// caller read (so the check and the write are atomic against a concurrent edit).
pub(super) async fn write_row<C: ConnectionTrait>(
    conn: &C,
    ctx: &TenantContext,
    next: &lead::Model,
    read_updated: chrono::DateTime<chrono::Utc>,
) -> Result<sea_orm::UpdateResult, sea_orm::DbErr> {
    let mut active = next.clone().into_active_model();
    active.email = Set(next.email.clone());
    active.email_key = Set(next.email_key.clone());
    active.name = Set(next.name.clone());
    active.first_name = Set(next.first_name.clone());
    active.last_name = Set(next.last_name.clone());
    active.company = Set(next.company.clone());
    active.status = Set(next.status.clone());
    active.score = Set(next.score);
    active.attributes = Set(next.attributes.clone());
    active.updated = Set(next.updated);
    lead::Entity::update_many()
        .set(active)
        .filter(lead::Column::TenantId.eq(ctx.tenant_id()))
        .filter(lead::Column::Id.eq(next.id))
        .filter(lead::Column::Updated.eq(read_updated))
        .exec(conn)
        .await
}

/// The row with an edit applied (its `updated` untouched).
pub(super) fn patched(current: &lead::Model, patch: LeadPatch) -> lead::Model {
    let mut next = current.clone();
    let names_touched = patch.first_name.is_some() || patch.last_name.is_some();
    if let Some(email) = patch.email {
        next.email = email.into_inner();
    }
    if let Some(v) = patch.first_name {
        next.first_name = v.unwrap_or_default();
    }
    if let Some(v) = patch.last_name {
        next.last_name = v.unwrap_or_default();
    }
    match patch.name {
        Some(v) => next.name = v.unwrap_or_default(),
        // Keep `name` in step with first/last when only they change.
        None if names_touched => {
            if let Some(joined) = join_names(Some(&next.first_name), Some(&next.last_name)) {
                next.name = joined;
            } else if join_names(Some(&current.first_name), Some(&current.last_name)).as_deref()
                == Some(current.name.as_str())
            {
                next.name = String::new();
            }
        }
        None => {}
    }
    if let Some(v) = patch.company {
        next.company = v.unwrap_or_default();
    }
    if let Some(v) = patch.status {
        next.status = v.as_str().to_owned();
    }
    if let Some(v) = patch.score {
        next.score = v;
    }
    if let Some(v) = patch.attributes {
        next.attributes = v.to_json();
    }
    next.email_key = email_key(&next.email);
    next
}

pub async fn delete(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
) -> Result<(), AppError> {
    ctx.require(Action::WriteContacts)?;
    let txn = tenant_txn(db, ctx).await?;
    let gone = lead::Entity::delete_many()
        .filter(lead::Column::TenantId.eq(ctx.tenant_id()))
        .filter(lead::Column::Id.eq(id))
        .exec_with_returning(&txn)
        .await?;
    let events = gone
        .iter()
        .map(|m| Pending::new(EventKind::Deleted, Some(m), None))
        .collect::<Vec<_>>();
    if events.is_empty() {
        return Err(AppError::NotFound);
    }
    lead_events::record(&txn, ctx, events).await?;
    txn.commit().await?;
    Ok(())
}
