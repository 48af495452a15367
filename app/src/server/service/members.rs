//! A workspace's members: who they are, their roles, and leaving or being removed. Removal
//! revokes the member's sessions and tokens for the workspace in the same transaction.

use super::auth_cache::AuthCache;
use super::now;
use super::tenant_context::TenantContext;
use crate::domain::account::Role;
use crate::domain::error::AppError;
use crate::domain::member::MemberView;
use crate::domain::permission::Action;
use crate::server::db::{tenant_txn, tenant_write_txn};
use crate::server::entity::{api_token, membership, session, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

pub async fn list(
    db: &DatabaseConnection,
    ctx: &TenantContext,
) -> Result<Vec<MemberView>, AppError> {
    ctx.require(Action::ReadMembers)?;
    let txn = tenant_txn(db, ctx).await?;
    let members = membership::Entity::find()
        .filter(membership::Column::TenantId.eq(ctx.tenant_id()))
        .order_by_asc(membership::Column::Created)
        .all(&txn)
        .await?;
    // Users on their own, by id (not joined to a tenant table: see m0008 for why).
    let emails: Vec<(Uuid, String)> = user::Entity::find()
        .select_only()
        .columns([user::Column::Id, user::Column::Email])
        .filter(user::Column::Id.is_in(members.iter().map(|m| m.user_id)))
        .into_tuple()
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(members
        .into_iter()
        .map(|m| MemberView {
            email: emails
                .iter()
                .find(|(id, _)| *id == m.user_id)
                .map(|(_, e)| e.clone())
                .unwrap_or_default(),
            user_id: m.user_id,
            role: Role::parse(&m.role).unwrap_or(Role::Viewer),
            joined: m.created,
        })
        .collect())
}

/// The workspace's owners, locked until the transaction ends on PostgreSQL, so that two
/// concurrent demotions cannot leave it with none (SQLite's write transaction is exclusive).
async fn owners<C: ConnectionTrait>(conn: &C, ctx: &TenantContext) -> Result<Vec<Uuid>, AppError> {
    let mut query = membership::Entity::find()
        .select_only()
        .column(membership::Column::UserId)
        .filter(membership::Column::TenantId.eq(ctx.tenant_id()))
        .filter(membership::Column::Role.eq(Role::Owner.as_str()));
    if conn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    Ok(query.into_tuple().all(conn).await?)
}

/// Only an owner may make someone an owner or change an owner's role; the last owner stays.
fn check_owner_rules(
    ctx: &TenantContext,
    current: Role,
    next: Option<Role>,
    owners: &[Uuid],
) -> Result<(), AppError> {
    let touches_owner = current == Role::Owner || next == Some(Role::Owner);
    if touches_owner && ctx.role() != Role::Owner {
        return Err(AppError::Forbidden(
            "Only an owner can grant the owner role or change an owner".into(),
        ));
    }
    if current == Role::Owner && next != Some(Role::Owner) && owners.len() <= 1 {
        return Err(AppError::Conflict(
            "A workspace needs an owner: make someone else owner first".into(),
        ));
    }
    Ok(())
}

pub async fn set_role(
    db: &DatabaseConnection,
    cache: &AuthCache,
    ctx: &TenantContext,
    user_id: Uuid,
    role: Role,
) -> Result<MemberView, AppError> {
    ctx.require(Action::ManageMembers)?;
    let txn = tenant_write_txn(db, ctx).await?;
    let owners = owners(&txn, ctx).await?;
    let found = membership::Entity::find_by_id((ctx.tenant_id(), user_id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let current = Role::parse(&found.role).unwrap_or(Role::Viewer);
    check_owner_rules(ctx, current, Some(role), &owners)?;
    let mut active: membership::ActiveModel = found.clone().into();
    active.role = Set(role.as_str().to_owned());
    active.update(&txn).await?;
    let (_, email): (Uuid, String) = user::Entity::find_by_id(user_id)
        .select_only()
        .columns([user::Column::Id, user::Column::Email])
        .into_tuple()
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    txn.commit().await?;
    // The new role applies from the member's next request (in this process).
    cache.forget_member(ctx.tenant_id(), user_id);
    Ok(MemberView {
        user_id,
        email,
        role,
        joined: found.created,
    })
}

/// Removes a member (or lets the caller leave): their sessions end and their tokens are revoked
/// for this workspace, at once.
pub async fn remove(
    db: &DatabaseConnection,
    cache: &AuthCache,
    ctx: &TenantContext,
    user_id: Uuid,
) -> Result<(), AppError> {
    if user_id != ctx.user_id() {
        ctx.require(Action::ManageMembers)?;
    }
    let txn = tenant_write_txn(db, ctx).await?;
    let owners = owners(&txn, ctx).await?;
    let found = membership::Entity::find_by_id((ctx.tenant_id(), user_id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let current = Role::parse(&found.role).unwrap_or(Role::Viewer);
    check_owner_rules(ctx, current, None, &owners)?;
    membership::Entity::delete_many()
        .filter(membership::Column::TenantId.eq(ctx.tenant_id()))
        .filter(membership::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    session::Entity::delete_many()
        .filter(session::Column::TenantId.eq(ctx.tenant_id()))
        .filter(session::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    api_token::Entity::update_many()
        .col_expr(api_token::Column::Revoked, Expr::value(now()))
        .filter(api_token::Column::TenantId.eq(ctx.tenant_id()))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::Revoked.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    cache.forget_member(ctx.tenant_id(), user_id);
    Ok(())
}
