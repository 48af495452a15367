//! Sign-up, sign-in, sign-out, and turning a credential (session cookie or bearer token) into a
//! `TenantContext`. Credential look-ups run before any tenant is known, so they use the
//! connection's own role; everything after them runs in a tenant transaction.

use super::auth_cache::{AuthCache, Cached, session_key, token_key};
use super::crypto::{hash_password, new_secret, secret_hash, verify_password};
use super::tenant_context::TenantContext;
use super::{now, tokens};
use crate::domain::account::{Login, Me, Role, Signup, TenantView, UserView};
use crate::domain::email::email_key;
use crate::domain::error::AppError;
use crate::server::db::tenant_txn;
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
            let found = session::Entity::find()
                .filter(session::Column::SecretHash.eq(secret_hash(secret.expose_secret())))
                .one(db)
                .await?;
            let current = now();
            let Some(found) = found.filter(|s| s.expires > current) else {
                return Err(AppError::Unauthorized);
            };
            let refreshed = if found.expires - current < SESSION_LIFETIME - SESSION_REFRESH_AFTER {
                let expires = current + SESSION_LIFETIME;
                let mut active: session::ActiveModel = found.clone().into();
                active.expires = Set(expires);
                active.update(db).await?;
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
            (found.tenant_id, found.user_id, None)
        }
    };
    let membership = membership::Entity::find_by_id((tenant_id, user_id))
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let role = Role::parse(&membership.role).unwrap_or(Role::Member);
    Ok(Authenticated {
        context: TenantContext::new(tenant_id, user_id, role),
        refreshed,
    })
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
        if fresh {
            return Ok(Authenticated {
                context: hit.context,
                refreshed: None,
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
