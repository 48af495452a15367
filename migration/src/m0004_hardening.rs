//! Hardening, in three parts.
//!
//! - Emails compare on a stored `email_key` (the address lower-cased by Rust's Unicode rules),
//!   unique per tenant for leads and globally for users. SQLite's `lower()` folds ASCII only, so
//!   comparing `lower(email)` let `Ünal@…` and `ünal@…` coexist and locked such users out.
//! - A name derived from first and last name (100 + 1 + 100 characters) fits the column.
//! - PostgreSQL: the tenant setting reads as NULL once a transaction has ended (never a cast
//!   error); `tenants` and `users` get policies too, and `users.password_hash` is not granted to
//!   the app role at all; the read view lists its columns.

use crate::sql::Scripts;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tenant the current transaction is confined to, or NULL (no rows) when none is set.
/// `current_setting` answers '' rather than NULL once a setting has been used in the session.
macro_rules! tenant_setting {
    () => {
        "nullif(current_setting('app.tenant_id', true), '')::uuid"
    };
}

const ADD_KEYS: Scripts = Scripts {
    postgres: r#"
ALTER TABLE users ADD COLUMN email_key varchar(255) NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN email_key varchar(255) NOT NULL DEFAULT '';
"#,
    sqlite: r#"
ALTER TABLE users ADD COLUMN email_key text NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN email_key text NOT NULL DEFAULT '';
"#,
};

/// The same on both backends: uniqueness moves from `lower(email)` to the key.
const INDEX_KEYS_SQL: &str = r#"
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_email_key ON users (email_key);
DROP INDEX leads_tenant_email_key;
CREATE UNIQUE INDEX leads_tenant_email_key ON leads (tenant_id, email_key);
"#;
const INDEX_KEYS: Scripts = Scripts {
    postgres: INDEX_KEYS_SQL,
    sqlite: INDEX_KEYS_SQL,
};

const POSTGRES_POLICIES: &str = concat!(
    r#"
DROP VIEW tenant_leads;
ALTER TABLE leads ALTER COLUMN name TYPE varchar(201);

ALTER POLICY tenant_isolation ON memberships
  USING (tenant_id = "#,
    tenant_setting!(),
    r#") WITH CHECK (tenant_id = "#,
    tenant_setting!(),
    r#");
ALTER POLICY tenant_isolation ON sessions
  USING (tenant_id = "#,
    tenant_setting!(),
    r#") WITH CHECK (tenant_id = "#,
    tenant_setting!(),
    r#");
ALTER POLICY tenant_isolation ON api_tokens
  USING (tenant_id = "#,
    tenant_setting!(),
    r#") WITH CHECK (tenant_id = "#,
    tenant_setting!(),
    r#");
ALTER POLICY tenant_isolation ON leads
  USING (tenant_id = "#,
    tenant_setting!(),
    r#") WITH CHECK (tenant_id = "#,
    tenant_setting!(),
    r#");

-- A tenant's work sees its own workspace and the users who are its members (memberships is
-- itself confined to the tenant), and never a password hash.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants TO leads_app USING (id = "#,
    tenant_setting!(),
    r#");
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_members ON users TO leads_app
  USING (id IN (SELECT user_id FROM memberships));
REVOKE SELECT ON users FROM leads_app;
GRANT SELECT (id, email, email_key, created) ON users TO leads_app;

-- The read path for lists and searches (see m0003): the same tenant predicate as the policy,
-- spelled as an ordinary condition so the trigram index serves searches. It is deliberately
-- not a security_barrier view: under a barrier PostgreSQL refuses every non-leakproof caller
-- condition (ILIKE among them) as an index condition, and searches scan the whole tenant. The
-- conditions callers add are ILIKE over bound patterns and comparisons that cannot raise
-- row-dependent errors, so evaluating them on another tenant's row reveals nothing.
CREATE VIEW tenant_leads AS
  SELECT tenant_id, id, email, email_key, name, first_name, last_name, company, status, score,
         attributes, created, updated
  FROM leads WHERE tenant_id = "#,
    tenant_setting!(),
    r#";
GRANT SELECT ON tenant_leads TO leads_app;
"#
);

/// The key of an email address: what uniqueness and sign-in compare. Must equal
/// `app::domain::email::email_key` (the app crate depends on this one, not the reverse).
fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Fills `email_key` for every existing row of `table`, in Rust, so both backends fold case
/// exactly as the app does.
async fn backfill(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT DISTINCT email FROM {table} WHERE email_key = ''"),
        ))
        .await?;
    // The key depends on the address alone, so every row with the same address gets the same one.
    let sql = match backend {
        DbBackend::Postgres => {
            format!("UPDATE {table} SET email_key = $1 WHERE email = $2 AND email_key = ''")
        }
        _ => format!("UPDATE {table} SET email_key = ? WHERE email = ? AND email_key = ''"),
    };
    for row in rows {
        let email: String = row.try_get_by_index(0)?;
        conn.execute_raw(Statement::from_sql_and_values(
            backend,
            &sql,
            [email_key(&email).into(), email.into()],
        ))
        .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ADD_KEYS.run(manager).await?;
        backfill(manager, "users").await?;
        backfill(manager, "leads").await?;
        INDEX_KEYS.run(manager).await?;
        let conn = manager.get_connection();
        if conn.get_database_backend() == DbBackend::Postgres {
            conn.execute_unprepared(POSTGRES_POLICIES).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m0004_hardening cannot be reverted: older versions compared emails unsafely".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn email_keys_fold_unicode_case() {
        assert_eq!(super::email_key(" Ünal@X.de "), "ünal@x.de");
    }
}
