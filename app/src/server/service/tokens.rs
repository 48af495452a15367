//! API tokens: created with a secret shown once, listed without it, revoked at once.

use super::auth_cache::{AuthCache, token_key};
use super::crypto::{new_secret, secret_hash};
use super::now;
use super::tenant_context::TenantContext;
use crate::domain::error::AppError;
use crate::domain::permission::Action;
use crate::domain::token::{ApiTokenView, CreatedToken, NewToken, TokenScope};
use crate::server::db::{once_more_if_lost, tenant_txn, tenant_write_txn};
use crate::server::entity::api_token;
use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

const TOKEN_PREFIX: &str = "leads_";
const VISIBLE_PREFIX_LEN: usize = 12;
/// `last_used` is a hint, not an audit log: write it at most once a minute per token.
const LAST_USED_GRANULARITY: Duration = Duration::minutes(1);

fn view(model: api_token::Model) -> ApiTokenView {
    ApiTokenView {
        id: model.id,
        name: model.name,
        prefix: model.prefix,
        scope: TokenScope::parse(&model.scope).unwrap_or(TokenScope::Read),
        user_id: model.user_id,
        created: model.created,
        last_used: model.last_used,
        expires: model.expires,
    }
}

/// Creates a token acting as the caller. A role that cannot write gets only `read` tokens.
pub async fn create(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    new: NewToken,
) -> Result<CreatedToken, AppError> {
    ctx.require(Action::ManageOwnTokens)?;
    if !ctx.role().may_create_scope(new.scope) {
        return Err(AppError::Forbidden(format!(
            "Your role ({}) can only create read tokens",
            ctx.role().as_str()
        )));
    }
    let token = format!("{TOKEN_PREFIX}{}", new_secret());
    let model = api_token::Model {
        tenant_id: ctx.tenant_id(),
        id: Uuid::now_v7(),
        user_id: ctx.user_id(),
        name: new.name,
        secret_hash: secret_hash(&token),
        prefix: token[..VISIBLE_PREFIX_LEN].to_owned(),
        created: now(),
        last_used: None,
        revoked: None,
        scope: new.scope.as_str().to_owned(),
        expires: new.expires,
    };
    let txn = tenant_txn(db, ctx).await?;
    api_token::ActiveModel::from(model.clone())
        .insert(&txn)
        .await?;
    txn.commit().await?;
    Ok(CreatedToken {
        id: model.id,
        name: model.name,
        scope: new.scope,
        expires: model.expires,
        token,
    })
}

/// Live tokens: everyone's for those who manage all tokens, else the caller's own.
pub async fn list(
    db: &DatabaseConnection,
    ctx: &TenantContext,
) -> Result<Vec<ApiTokenView>, AppError> {
    // Every member may see their own tokens: no check beyond being signed in.
    let txn = tenant_txn(db, ctx).await?;
    let mut query = api_token::Entity::find()
        .filter(api_token::Column::TenantId.eq(ctx.tenant_id()))
        .filter(api_token::Column::Revoked.is_null());
    if !ctx.may(Action::ManageAllTokens) {
        query = query.filter(api_token::Column::UserId.eq(ctx.user_id()));
    }
    let rows = query
        .order_by_desc(api_token::Column::Created)
        .order_by_desc(api_token::Column::Id)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows.into_iter().map(view).collect())
}

pub async fn revoke(
    db: &DatabaseConnection,
    cache: &AuthCache,
    ctx: &TenantContext,
    id: Uuid,
) -> Result<(), AppError> {
    // Whose token it is decides the rest; a read-only token may revoke none.
    ctx.require(Action::ManageOwnTokens)?;
    let txn = tenant_write_txn(db, ctx).await?;
    let found = api_token::Entity::find_by_id((ctx.tenant_id(), id))
        .filter(api_token::Column::Revoked.is_null())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = found.user_id == ctx.user_id();
    let action = if own {
        Action::ManageOwnTokens
    } else {
        Action::ManageAllTokens
    };
    // Another member's token is invisible to a role that may not manage it (as in the list).
    if !own && !ctx.role().may(action) {
        return Err(AppError::NotFound);
    }
    ctx.require(action)?;
    let key = token_key(&found.secret_hash);
    let mut active: api_token::ActiveModel = found.into();
    active.revoked = Set(Some(now()));
    active.update(&txn).await?;
    txn.commit().await?;
    // Refused from the very next request on (in this process; others within the cache's TTL).
    cache.forget(&key);
    Ok(())
}

/// Finds a live token by its secret (authentication, before a tenant is known).
pub(super) async fn find_active(
    db: &DatabaseConnection,
    token: &str,
) -> Result<Option<api_token::Model>, AppError> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    // Tried once more on a connection that died unseen, as the session's lookup is.
    let hash = secret_hash(token);
    let found = once_more_if_lost(|| {
        api_token::Entity::find()
            .filter(api_token::Column::SecretHash.eq(hash.as_str()))
            .filter(api_token::Column::Revoked.is_null())
            .one(db)
    })
    .await?;
    let current = now();
    let found = found.filter(|m| m.expires.is_none_or(|t| t > current));
    if let Some(model) = &found
        && model
            .last_used
            .is_none_or(|t| current - t > LAST_USED_GRANULARITY)
    {
        once_more_if_lost(|| {
            let mut active: api_token::ActiveModel = model.clone().into();
            active.last_used = Set(Some(current));
            active.update(db)
        })
        .await?;
    }
    Ok(found)
}
