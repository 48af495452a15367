//! Invitations: a single-use link with a random secret (stored hashed), valid for
//! `INVITATION_DAYS`, revocable, mailed when mail is set up. Accepting needs the invited
//! address's account, signed in.

use super::auth::Credential;
use super::crypto::{new_secret, secret_hash};
use super::mailer::Mailer;
use super::now;
use super::tenant_context::TenantContext;
use crate::domain::account::{Role, TenantView};
use crate::domain::error::AppError;
use crate::domain::member::{CreatedInvitation, INVITATION_DAYS, InvitationView, NewInvitation};
use crate::domain::permission::Action;
use crate::server::db::{tenant_txn, tenant_write_txn};
use crate::server::entity::{invitation, membership, tenant, user};
use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, SqlErr,
};
use uuid::Uuid;

/// The path of the page that accepts an invitation; the secret follows it.
pub const ACCEPT_PATH: &str = "/invite/";

fn view(m: invitation::Model) -> InvitationView {
    InvitationView {
        id: m.id,
        email: m.email,
        role: Role::parse(&m.role).unwrap_or(Role::Viewer),
        created: m.created,
        expires: m.expires,
    }
}

/// Invites `new.email` as `new.role`. `base_url` is the app's address as the invitee will
/// reach it (`https://leads.example.com`). An earlier pending invitation to the same address is
/// replaced.
pub async fn create(
    db: &DatabaseConnection,
    mailer: &Mailer,
    ctx: &TenantContext,
    new: NewInvitation,
    base_url: &str,
) -> Result<CreatedInvitation, AppError> {
    ctx.require(Action::ManageMembers)?;
    if new.role == Role::Owner && ctx.role() != Role::Owner {
        return Err(AppError::Forbidden(
            "Only an owner can invite another owner".into(),
        ));
    }
    let key = new.email.key();
    // Who has an account with this address is global, so it is asked as the connection's own
    // role; only whether they are already in this workspace is answered.
    if let Some(existing) = user::Entity::find()
        .filter(user::Column::EmailKey.eq(&key))
        .one(db)
        .await?
        && membership::Entity::find_by_id((ctx.tenant_id(), existing.id))
            .one(db)
            .await?
            .is_some()
    {
        return Err(AppError::Conflict(format!(
            "{} is already a member of this workspace",
            new.email.as_str()
        )));
    }
    let secret = new_secret();
    let created = now();
    let model = invitation::Model {
        tenant_id: ctx.tenant_id(),
        id: Uuid::now_v7(),
        email: new.email.as_str().to_owned(),
        email_key: key.clone(),
        role: new.role.as_str().to_owned(),
        secret_hash: secret_hash(&secret),
        invited_by: ctx.user_id(),
        created,
        expires: created + Duration::days(INVITATION_DAYS),
        accepted: None,
        accepted_by: None,
        revoked: None,
    };
    let txn = tenant_write_txn(db, ctx).await?;
    invitation::Entity::update_many()
        .col_expr(invitation::Column::Revoked, Expr::value(created))
        .filter(invitation::Column::TenantId.eq(ctx.tenant_id()))
        .filter(invitation::Column::EmailKey.eq(&key))
        .filter(invitation::Column::Accepted.is_null())
        .filter(invitation::Column::Revoked.is_null())
        .exec(&txn)
        .await?;
    invitation::ActiveModel::from(model.clone())
        .insert(&txn)
        .await?;
    let workspace = tenant::Entity::find_by_id(ctx.tenant_id())
        .one(&txn)
        .await?
        .map(|t| t.name)
        .unwrap_or_default();
    txn.commit().await?;

    let link = format!("{}{ACCEPT_PATH}{secret}", base_url.trim_end_matches('/'));
    let body = format!(
        "You are invited to join the workspace \"{workspace}\" on Leads as {role}.\n\n\
         Open this link to accept (it works once, until {expires}):\n{link}\n\n\
         If you did not expect this, ignore this message.\n",
        role = new.role.label().to_lowercase(),
        expires = model.expires.format("%Y-%m-%d %H:%M UTC"),
    );
    // The invitation stands even if the mail fails: the link is in the answer to copy.
    let mailed = match mailer
        .send(&model.email, &format!("Join {workspace} on Leads"), body)
        .await
    {
        Ok(sent) => sent,
        Err(e) => {
            tracing::warn!(error = %e, "could not mail an invitation");
            false
        }
    };
    Ok(CreatedInvitation {
        id: model.id,
        link,
        expires: model.expires,
        mailed,
    })
}

/// Pending invitations: neither accepted, revoked nor expired.
pub async fn list(
    db: &DatabaseConnection,
    ctx: &TenantContext,
) -> Result<Vec<InvitationView>, AppError> {
    ctx.require(Action::ReadInvitations)?;
    let txn = tenant_txn(db, ctx).await?;
    let rows = invitation::Entity::find()
        .filter(invitation::Column::TenantId.eq(ctx.tenant_id()))
        .filter(invitation::Column::Accepted.is_null())
        .filter(invitation::Column::Revoked.is_null())
        .filter(invitation::Column::Expires.gt(now()))
        .order_by_desc(invitation::Column::Created)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows.into_iter().map(view).collect())
}

pub async fn revoke(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
) -> Result<(), AppError> {
    ctx.require(Action::ManageMembers)?;
    let txn = tenant_write_txn(db, ctx).await?;
    let gone = invitation::Entity::update_many()
        .col_expr(invitation::Column::Revoked, Expr::value(now()))
        .filter(invitation::Column::TenantId.eq(ctx.tenant_id()))
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::Accepted.is_null())
        .filter(invitation::Column::Revoked.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// What an invitation link leads to, for the page that accepts it (no secret needed twice).
pub async fn peek(db: &DatabaseConnection, secret: &str) -> Result<(TenantView, Role), AppError> {
    let found = usable(db, secret).await?;
    let tenant = tenant::Entity::find_by_id(found.tenant_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        TenantView {
            id: tenant.id,
            name: tenant.name,
        },
        Role::parse(&found.role).unwrap_or(Role::Viewer),
    ))
}

/// The invitation a secret opens, if it can still be used.
async fn usable(db: &DatabaseConnection, secret: &str) -> Result<invitation::Model, AppError> {
    // Before a tenant is known, like a token look-up: as the connection's own role.
    let found = invitation::Entity::find()
        .filter(invitation::Column::SecretHash.eq(secret_hash(secret.trim())))
        .one(db)
        .await?
        .filter(|i| i.revoked.is_none())
        .ok_or(AppError::NotFound)?;
    if found.accepted.is_some() {
        return Err(AppError::Gone("This invitation was already used".into()));
    }
    if found.expires <= now() {
        return Err(AppError::Gone(
            "This invitation has expired; ask for a new one".into(),
        ));
    }
    Ok(found)
}

/// Joins the caller (signed in with a session, with the invited address) to the invitation's
/// workspace. Their session stays where it is; switching is a separate step.
pub async fn accept(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    credential: &Credential,
    secret: &str,
) -> Result<TenantView, AppError> {
    super::auth::session_only(credential, "accept an invitation")?;
    let found = usable(db, secret).await?;
    let me = user::Entity::find_by_id(ctx.user_id())
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if me.email_key != found.email_key {
        return Err(AppError::Forbidden(format!(
            "This invitation is for {}; sign in with that address to accept it",
            found.email
        )));
    }
    let role = Role::parse(&found.role).unwrap_or(Role::Viewer);
    // The work happens in the invited workspace, as the invitee in their new role.
    let there = TenantContext::new(found.tenant_id, ctx.user_id(), role);
    let txn = tenant_write_txn(db, &there).await?;
    let taken = invitation::Entity::update_many()
        .col_expr(invitation::Column::Accepted, Expr::value(now()))
        .col_expr(invitation::Column::AcceptedBy, Expr::value(ctx.user_id()))
        .filter(invitation::Column::TenantId.eq(found.tenant_id))
        .filter(invitation::Column::Id.eq(found.id))
        .filter(invitation::Column::Accepted.is_null())
        .filter(invitation::Column::Revoked.is_null())
        .exec(&txn)
        .await?;
    if taken.rows_affected == 0 {
        return Err(AppError::Gone("This invitation was already used".into()));
    }
    let joined = membership::ActiveModel::from(membership::Model {
        tenant_id: found.tenant_id,
        user_id: ctx.user_id(),
        role: role.as_str().to_owned(),
        created: now(),
    })
    .insert(&txn)
    .await;
    if let Err(err) = joined {
        return Err(match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                AppError::Conflict("You are already a member of this workspace".into())
            }
            _ => err.into(),
        });
    }
    let tenant = tenant::Entity::find_by_id(found.tenant_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    txn.commit().await?;
    Ok(TenantView {
        id: tenant.id,
        name: tenant.name,
    })
}
