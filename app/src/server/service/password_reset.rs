//! Password reset by mail: a single-use link (256 random bits, stored as its SHA-256) valid for
//! an hour. Only when mail is set up; the answer never says whether an address has an account.

use super::auth_cache::AuthCache;
use super::crypto::{hash_password, new_secret, secret_hash};
use super::mailer::Mailer;
use super::now;
use super::signup_throttle::SignupThrottle;
use crate::domain::account::Password;
use crate::domain::email::email_key;
use crate::domain::error::AppError;
use crate::server::entity::{password_reset, session, user};
use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use std::net::IpAddr;
use uuid::Uuid;

/// How long a reset link works.
pub const RESET_LIFETIME: Duration = Duration::hours(1);
/// The path of the page that sets the new password; the secret follows it.
pub const RESET_PATH: &str = "/reset-password/";

fn not_set_up() -> AppError {
    AppError::NotConfigured("Password reset by email is not set up on this server".into())
}

/// Mails a reset link to `email` if it has an account. Answers the same either way. At most a
/// few requests a minute from one client (the sign-up limit), so nobody can flood an inbox.
pub async fn request(
    db: &DatabaseConnection,
    mailer: &Mailer,
    throttle: &SignupThrottle,
    client: Option<IpAddr>,
    email: &str,
    base_url: &str,
) -> Result<(), AppError> {
    if !mailer.is_enabled() {
        return Err(not_set_up());
    }
    throttle
        .admit(client)
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    let Some(found) = user::Entity::find()
        .filter(user::Column::EmailKey.eq(email_key(email)))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let secret = new_secret();
    let created = now();
    password_reset::ActiveModel::from(password_reset::Model {
        id: Uuid::now_v7(),
        user_id: found.id,
        secret_hash: secret_hash(&secret),
        created,
        expires: created + RESET_LIFETIME,
        used: None,
    })
    .insert(db)
    .await?;
    let link = format!("{}{RESET_PATH}{secret}", base_url.trim_end_matches('/'));
    let body = format!(
        "Someone asked to reset the password of your Leads account.\n\n\
         To choose a new one, open this link within an hour (it works once):\n{link}\n\n\
         If it was not you, ignore this message: your password stays as it is.\n"
    );
    if let Err(e) = mailer
        .send(&found.email, "Reset your Leads password", body)
        .await
    {
        tracing::warn!(error = %e, "could not mail a password reset");
        return Err(AppError::Unavailable);
    }
    Ok(())
}

/// Sets a new password with a reset link's secret; every session of the person ends.
pub async fn confirm(
    db: &DatabaseConnection,
    cache: &AuthCache,
    secret: &str,
    new: Password,
) -> Result<(), AppError> {
    let found = password_reset::Entity::find()
        .filter(password_reset::Column::SecretHash.eq(secret_hash(secret.trim())))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if found.used.is_some() {
        return Err(AppError::Gone("This reset link was already used".into()));
    }
    if found.expires <= now() {
        return Err(AppError::Gone(
            "This reset link has expired; ask for a new one".into(),
        ));
    }
    let password_hash = hash_password(new.expose().to_owned()).await?;
    let txn = db.begin().await?;
    let taken = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::Used, Expr::value(now()))
        .filter(password_reset::Column::Id.eq(found.id))
        .filter(password_reset::Column::Used.is_null())
        .exec(&txn)
        .await?;
    if taken.rows_affected == 0 {
        return Err(AppError::Gone("This reset link was already used".into()));
    }
    let person = user::Entity::find_by_id(found.user_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut active: user::ActiveModel = person.into();
    active.password_hash = Set(password_hash);
    active.update(&txn).await?;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(found.user_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    cache.forget_user(found.user_id);
    Ok(())
}
