//! Sign-up, sign-in, sign-out, and turning a credential (session cookie or bearer token) into a
//! `TenantContext`. Credential look-ups run before any tenant is known, so they use the
//! connection's own role; everything after them runs in a tenant transaction.

use super::auth_cache::{AuthCache, Cached, session_key, token_key};
use super::crypto::{hash_password, new_secret, secret_hash, verify_password};
use super::tenant_context::{TenantContext, TokenUse};
use super::{now, tokens};
use crate::domain::account::{Login, Me, PasswordChange, Role, Signup, TenantView, UserView};
use crate::domain::email::email_key;
use crate::domain::error::AppError;
use crate::domain::member::WorkspaceView;
use crate::domain::token::TokenScope;
use crate::server::db::{once_more_if_lost, tenant_txn};
use crate::server::entity::{membership, session, tenant, user};
use crate::server::service::login_throttle::LoginThrottle;
use crate::server::service::signup_throttle::SignupThrottle;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr, TransactionTrait,
};
use secrecy::{ExposeSecret, SecretString};
use std::net::IpAddr;
use uuid::Uuid;

/// Sessions slide: each use pushes expiry to 30 days out (at most once a day, to spare writes).
pub const SESSION_LIFETIME: Duration = Duration::days(30);
const SESSION_REFRESH_AFTER: Duration = Duration::days(1);

/// How a request proved who it is. The secrets print as `[REDACTED]`.
#[derive(Clone, Debug)]
pub enum Credential {
    Session(SecretString),
    Bearer(SecretString),
}

/// A session secret to put in the cookie, and until when.
#[derive(Clone, Debug)]
pub struct IssuedSession {
    pub secret: SecretString,
    pub expires: DateTime<Utc>,
}

#[derive(Debug)]
pub struct SignedIn {
    pub context: TenantContext,
    pub me: Me,
    pub session: IssuedSession,
}

#[derive(Debug)]
pub struct Authenticated {
    pub context: TenantContext,
    /// Set when the session's expiry moved, so the cookie should be re-sent.
    pub refreshed: Option<IssuedSession>,
    /// When the token it came with expires, if it does.
    pub token_expires: Option<DateTime<Utc>>,
}

/// Signs up on behalf of a client: at most a few sign-ups a minute from one place, since each
/// costs a password hash and a new workspace.
pub async fn signup_for_client(
    db: &DatabaseConnection,
    throttle: &SignupThrottle,
    client: Option<IpAddr>,
    input: Signup,
) -> Result<SignedIn, AppError> {
    throttle
        .admit(client)
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    signup(db, input).await
}

/// Creates a workspace with its owner, signed in (the demo seed calls this directly).
pub async fn signup(db: &DatabaseConnection, input: Signup) -> Result<SignedIn, AppError> {
    let password_hash = hash_password(input.password.expose().to_owned()).await?;
    let created = now();
    let tenant = tenant::Model {
        id: Uuid::now_v7(),
        name: input.workspace_name,
        created,
    };
    let user = user::Model {
        id: Uuid::now_v7(),
        email_key: input.email.key(),
        email: input.email.into_inner(),
        password_hash,
        created,
    };
    let txn = db.begin().await?;
    tenant::ActiveModel::from(tenant.clone())
        .insert(&txn)
        .await?;
    if let Err(err) = user::ActiveModel::from(user.clone()).insert(&txn).await {
        return Err(match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::EmailTaken,
            _ => err.into(),
        });
    }
    membership::ActiveModel::from(membership::Model {
        tenant_id: tenant.id,
        user_id: user.id,
        role: Role::Owner.as_str().into(),
        created,
    })
    .insert(&txn)
    .await?;
    let session = insert_session(&txn, tenant.id, user.id).await?;
    txn.commit().await?;
    Ok(signed_in(tenant, user, Role::Owner, session))
}

/// Signs in. `client` is the caller's address as far as it can be trusted (see `client_ip`).
pub async fn login(
    db: &DatabaseConnection,
    throttle: &LoginThrottle,
    client: Option<IpAddr>,
    input: Login,
) -> Result<SignedIn, AppError> {
    let attempt = throttle
        .begin(&input.email, client)
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    let found = user::Entity::find()
        .filter(user::Column::EmailKey.eq(email_key(&input.email)))
        .one(db)
        .await?;
    let ok = verify_password(
        input.password,
        found.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let Some(user) = found.filter(|_| ok) else {
        // The failure reserved by `begin` stays counted.
        return Err(AppError::BadCredentials);
    };
    throttle.succeeded(attempt);
    let Some(membership) = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user.id))
        .order_by_asc(membership::Column::Created)
        .one(db)
        .await?
    else {
        return Err(AppError::BadCredentials);
    };
    let tenant = tenant::Entity::find_by_id(membership.tenant_id)
        .one(db)
        .await?
        .ok_or(AppError::BadCredentials)?;
    let role = Role::parse(&membership.role).unwrap_or(Role::Member);
    let session = insert_session(db, tenant.id, user.id).await?;
    Ok(signed_in(tenant, user, role, session))
}

fn me_of(tenant: tenant::Model, user: user::Model, role: Role) -> Me {
    Me {
        user: UserView {
            id: user.id,
            email: user.email,
        },
        tenant: TenantView {
            id: tenant.id,
            name: tenant.name,
        },
        role,
    }
}

fn signed_in(
    tenant: tenant::Model,
    user: user::Model,
    role: Role,
    session: IssuedSession,
) -> SignedIn {
    SignedIn {
        context: TenantContext::new(tenant.id, user.id, role),
        me: me_of(tenant, user, role),
        session,
    }
}

async fn insert_session<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    user_id: Uuid,
) -> Result<IssuedSession, AppError> {
    let secret = new_secret();
    let created = now();
    let expires = created + SESSION_LIFETIME;
    session::ActiveModel::from(session::Model {
        tenant_id,
        id: Uuid::now_v7(),
        user_id,
        secret_hash: secret_hash(&secret),
        created,
        expires,
    })
    .insert(conn)
    .await?;
    Ok(IssuedSession {
        secret: secret.into(),
        expires,
    })
}

/// The only way to obtain a `TenantContext` for a request.
pub async fn authenticate(
    db: &DatabaseConnection,
    credential: &Credential,
) -> Result<Authenticated, AppError> {
    let (tenant_id, user_id, refreshed) = match credential {
        Credential::Session(secret) => {
            // Reads, and a refresh that may be repeated: each is tried once more on a
            // connection that died unseen (see `db::once_more_if_lost`).
            let hash = secret_hash(secret.expose_secret());
            let found = once_more_if_lost(|| {
                session::Entity::find()
                    .filter(session::Column::SecretHash.eq(hash.as_str()))
                    .one(db)
            })
            .await?;
            let current = now();
            let Some(found) = found.filter(|s| s.expires > current) else {
                return Err(AppError::Unauthorized);
            };
            let refreshed = if found.expires - current < SESSION_LIFETIME - SESSION_REFRESH_AFTER {
                let expires = current + SESSION_LIFETIME;
                once_more_if_lost(|| {
                    let mut active: session::ActiveModel = found.clone().into();
                    active.expires = Set(expires);
                    active.update(db)
                })
                .await?;
                Some(IssuedSession {
                    secret: secret.clone(),
                    expires,
                })
            } else {
                None
            };
            (found.tenant_id, found.user_id, refreshed)
        }
        Credential::Bearer(token) => {
            let found = tokens::find_active(db, token.expose_secret())
                .await?
                .ok_or(AppError::Unauthorized)?;
            let used = TokenUse {
                name: found.name,
                scope: TokenScope::parse(&found.scope).unwrap_or(TokenScope::Read),
            };
            let role = role_in(db, found.tenant_id, found.user_id).await?;
            return Ok(Authenticated {
                context: TenantContext::with_token(found.tenant_id, found.user_id, role, used),
                refreshed: None,
                token_expires: found.expires,
            });
        }
    };
    let role = role_in(db, tenant_id, user_id).await?;
    Ok(Authenticated {
        context: TenantContext::new(tenant_id, user_id, role),
        refreshed,
        token_expires: None,
    })
}

/// A member's role in a workspace; 401 once they are no longer in it.
async fn role_in(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    user_id: Uuid,
) -> Result<Role, AppError> {
    let membership =
        once_more_if_lost(|| membership::Entity::find_by_id((tenant_id, user_id)).one(db))
            .await?
            .ok_or(AppError::Unauthorized)?;
    // An unknown role (a newer version's) gets the least rights.
    Ok(Role::parse(&membership.role).unwrap_or(Role::Viewer))
}

/// `authenticate`, answered from `cache` while its entry is fresh (no database round trip).
/// A session due for its sliding refresh still goes to the database, which refreshes it.
pub async fn authenticate_cached(
    db: &DatabaseConnection,
    cache: &AuthCache,
    credential: &Credential,
) -> Result<Authenticated, AppError> {
    let key = cache_key(credential);
    if let Some(hit) = cache.get(&key) {
        let current = now();
        let fresh = match hit.session_expires {
            None => true,
            Some(expires) => {
                expires > current && expires - current >= SESSION_LIFETIME - SESSION_REFRESH_AFTER
            }
        };
        if hit.token_expires.is_some_and(|t| t <= current) {
            cache.forget(&key);
            return Err(AppError::Unauthorized);
        }
        if fresh {
            return Ok(Authenticated {
                context: hit.context,
                refreshed: None,
                token_expires: hit.token_expires,
            });
        }
    }
    let found = authenticate(db, credential).await?;
    let session_expires = match credential {
        Credential::Session(_) => Some(
            found
                .refreshed
                .as_ref()
                .map(|s| s.expires)
                .unwrap_or_else(|| now() + SESSION_LIFETIME - SESSION_REFRESH_AFTER),
        ),
        Credential::Bearer(_) => None,
    };
    cache.put(
        key,
        Cached {
            context: found.context.clone(),
            session_expires,
            token_expires: found.token_expires,
        },
    );
    Ok(found)
}

/// The cache key of a credential: its kind and stored hash.
pub fn cache_key(credential: &Credential) -> String {
    match credential {
        Credential::Session(secret) => session_key(&secret_hash(secret.expose_secret())),
        Credential::Bearer(token) => token_key(&secret_hash(token.expose_secret())),
    }
}

/// Signs out: revokes the session the request came with. A bearer token is not a sign-in, so
/// it stays valid (tokens are revoked through their own route).
pub async fn logout(
    db: &DatabaseConnection,
    cache: &AuthCache,
    ctx: &TenantContext,
    credential: &Credential,
) -> Result<(), AppError> {
    let Credential::Session(secret) = credential else {
        return Ok(());
    };
    cache.forget(&cache_key(credential));
    let txn = tenant_txn(db, ctx).await?;
    session::Entity::delete_many()
        .filter(session::Column::TenantId.eq(ctx.tenant_id()))
        .filter(session::Column::SecretHash.eq(secret_hash(secret.expose_secret())))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn me(db: &DatabaseConnection, ctx: &TenantContext) -> Result<Me, AppError> {
    let txn = tenant_txn(db, ctx).await?;
    let tenant = tenant::Entity::find_by_id(ctx.tenant_id())
        .one(&txn)
        .await?
        .ok_or(AppError::Unauthorized)?;
    // Only the columns the app role may read: the password hash is not granted to it.
    let (id, email) = user::Entity::find_by_id(ctx.user_id())
        .select_only()
        .columns([user::Column::Id, user::Column::Email])
        .into_tuple::<(Uuid, String)>()
        .one(&txn)
        .await?
        .ok_or(AppError::Unauthorized)?;
    txn.commit().await?;
    Ok(Me {
        user: UserView { id, email },
        tenant: TenantView {
            id: tenant.id,
            name: tenant.name,
        },
        role: ctx.role(),
    })
}

/// The workspaces the caller belongs to, the current one marked.
pub async fn workspaces(
    db: &DatabaseConnection,
    ctx: &TenantContext,
) -> Result<Vec<WorkspaceView>, AppError> {
    // Across tenants, so as the connection's own role (like authentication), by the caller's
    // own user id only.
    let memberships = membership::Entity::find()
        .filter(membership::Column::UserId.eq(ctx.user_id()))
        .order_by_asc(membership::Column::Created)
        .all(db)
        .await?;
    let tenants = tenant::Entity::find()
        .filter(tenant::Column::Id.is_in(memberships.iter().map(|m| m.tenant_id)))
        .all(db)
        .await?;
    Ok(memberships
        .into_iter()
        .filter_map(|m| {
            let t = tenants.iter().find(|t| t.id == m.tenant_id)?;
            Some(WorkspaceView {
                tenant: TenantView {
                    id: t.id,
                    name: t.name.clone(),
                },
                role: Role::parse(&m.role).unwrap_or(Role::Viewer),
                current: t.id == ctx.tenant_id(),
            })
        })
        .collect())
}

/// Moves a session to another of the caller's workspaces: a new session there, the old one
/// revoked. Sessions only: a token belongs to one workspace.
pub async fn switch(
    db: &DatabaseConnection,
    cache: &AuthCache,
    ctx: &TenantContext,
    credential: &Credential,
    tenant_id: Uuid,
) -> Result<SignedIn, AppError> {
    session_only(credential, "switch workspaces (a token belongs to one)")?;
    let role = match role_in(db, tenant_id, ctx.user_id()).await {
        Err(AppError::Unauthorized) => return Err(AppError::NotFound),
        other => other?,
    };
    let tenant = tenant::Entity::find_by_id(tenant_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let user = user::Entity::find_by_id(ctx.user_id())
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let session = insert_session(db, tenant.id, user.id).await?;
    logout(db, cache, ctx, credential).await?;
    Ok(signed_in(tenant, user, role, session))
}

/// Changes the caller's password after checking the current one; every other session of theirs,
/// in every workspace, is signed out (the one making the change stays).
pub async fn change_password(
    db: &DatabaseConnection,
    cache: &AuthCache,
    ctx: &TenantContext,
    credential: &Credential,
    change: PasswordChange,
) -> Result<(), AppError> {
    session_only(credential, "change the password")?;
    let user = user::Entity::find_by_id(ctx.user_id())
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let ok = verify_password(
        change.current.expose().to_owned(),
        Some(user.password_hash.clone()),
    )
    .await?;
    if !ok {
        return Err(AppError::invalid(
            "currentPassword",
            "is not your current password",
        ));
    }
    let password_hash = hash_password(change.new.expose().to_owned()).await?;
    let keep = match credential {
        Credential::Session(secret) => Some(secret_hash(secret.expose_secret())),
        Credential::Bearer(_) => None,
    };
    let txn = db.begin().await?;
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(password_hash);
    active.update(&txn).await?;
    let mut others =
        session::Entity::delete_many().filter(session::Column::UserId.eq(ctx.user_id()));
    if let Some(keep) = keep {
        others = others.filter(session::Column::SecretHash.ne(keep));
    }
    others.exec(&txn).await?;
    txn.commit().await?;
    cache.forget_user(ctx.user_id());
    Ok(())
}

/// Signs the caller out of every session, in every workspace.
pub async fn sign_out_everywhere(
    db: &DatabaseConnection,
    cache: &AuthCache,
    ctx: &TenantContext,
    credential: &Credential,
) -> Result<u64, AppError> {
    session_only(credential, "sign out everywhere")?;
    let gone = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(ctx.user_id()))
        .exec(db)
        .await?;
    cache.forget_user(ctx.user_id());
    Ok(gone.rows_affected)
}

/// Account actions are for the person at the keyboard, never for a token.
pub fn session_only(credential: &Credential, what: &str) -> Result<(), AppError> {
    match credential {
        Credential::Session(_) => Ok(()),
        Credential::Bearer(_) => Err(AppError::Forbidden(format!(
            "Only a signed-in session can {what}, not an API token"
        ))),
    }
}

/// Deletes the caller's workspace and everything in it (contacts, history, members' access,
/// tokens, jobs, imports): owners only, from a session, naming the workspace to confirm.
pub async fn delete_workspace(
    db: &DatabaseConnection,
    cache: &AuthCache,
    ctx: &TenantContext,
    credential: &Credential,
    confirm_name: &str,
) -> Result<(), AppError> {
    ctx.require(crate::domain::permission::Action::DeleteWorkspace)?;
    session_only(credential, "delete a workspace")?;
    let tenant = tenant::Entity::find_by_id(ctx.tenant_id())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if confirm_name.trim() != tenant.name {
        return Err(AppError::invalid(
            "name",
            "must be the workspace's name, exactly, to confirm",
        ));
    }
    // Every tenant table's rows go with it (their foreign keys cascade).
    tenant::Entity::delete_by_id(tenant.id).exec(db).await?;
    cache.forget_tenant(tenant.id);
    Ok(())
}
