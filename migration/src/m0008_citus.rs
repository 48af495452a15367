//! Scale-out on Citus: when the database is a Citus coordinator (it has the `citus` extension),
//! shard every tenant table by `tenant_id`, co-located with `leads`, and make `tenants` and
//! `users` reference tables. On plain PostgreSQL and SQLite it does nothing.
//!
//! Also, on Citus only:
//! - `leads_app` may log in: Citus opens worker connections as the current role, which inside a
//!   tenant transaction is `leads_app` (`SET LOCAL ROLE`).
//! - `citus.propagate_set_commands = 'local'` for the database, so each transaction's
//!   `SET LOCAL app.tenant_id` reaches the workers, where row-level security and the
//!   `tenant_leads` view evaluate it (without it they see no rows at all, silently).
//! - The session and API-token hashes are unique together with `tenant_id` rather than alone
//!   (a distributed table's unique keys must contain it); the hash still leads the index, so
//!   sign-in lookups use it (they fan out to every shard: the tenant is not known yet).
//! - The `users` policy asks a function whether the user is a member of the tenant: Citus refuses
//!   subqueries in policies. It is one single-shard query per row, so as the app role read
//!   `users` on its own (by id), not joined to a tenant table: such a join is pushed down to the
//!   workers, where a query inside a shard query is refused (an error, never wrong rows).
//!
//! `pg_trgm` needs nothing here: m0002 created it on the coordinator, which propagates it.
//! How a later tenant table gets distributed: see [`crate::citus`].

use crate::citus::{distribute_if_citus, execute_script, is_citus, reference_if_citus};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Global tables: a full copy on every node, so tenant tables keep their foreign keys to them.
const REFERENCE_TABLES: [&str; 2] = ["tenants", "users"];

/// Every table with a `tenant_id`; `leads` first, the others are co-located with it.
const TENANT_TABLES: [&str; 8] = [
    "leads",
    "memberships",
    "sessions",
    "api_tokens",
    "saved_views",
    "jobs",
    "import_changes",
    "import_errors",
];

/// Before distributing; every statement may run again.
const PREPARE: &str = r#"
ALTER ROLE leads_app LOGIN;
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET citus.propagate_set_commands = local', current_database());
END $$;

DROP INDEX IF EXISTS sessions_secret_hash_key;
CREATE UNIQUE INDEX sessions_secret_hash_key ON sessions (secret_hash, tenant_id);
DROP INDEX IF EXISTS api_tokens_secret_hash_key;
CREATE UNIQUE INDEX api_tokens_secret_hash_key ON api_tokens (secret_hash, tenant_id);

CREATE OR REPLACE FUNCTION leads_tenant_has_member(member uuid) RETURNS boolean
  LANGUAGE plpgsql STABLE AS $$
DECLARE
  -- A variable, not the expression, in the query: a bound value routes it to one shard.
  tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
BEGIN
  RETURN EXISTS (SELECT 1 FROM memberships WHERE tenant_id = tenant AND user_id = member);
END $$;
DROP POLICY IF EXISTS tenant_members ON users;
CREATE POLICY tenant_members ON users TO leads_app USING (leads_tenant_has_member(id));
"#;

/// After distributing: converting a table recreates the views on it, without their grants.
const FINISH: &str = "GRANT SELECT ON tenant_leads TO leads_app;";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        if !is_citus(conn).await? {
            return Ok(());
        }
        execute_script(conn, PREPARE).await?;
        for table in REFERENCE_TABLES {
            conn.execute_unprepared(&reference_if_citus(table)).await?;
        }
        for table in TENANT_TABLES {
            conn.execute_unprepared(&distribute_if_citus(table)).await?;
        }
        conn.execute_unprepared(FINISH).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if is_citus(manager.get_connection()).await? {
            return Err(DbErr::Migration(
                "m0008_citus cannot be reverted: undistributing moves every row back to the \
                 coordinator; do it by hand with undistribute_table() if it is really meant"
                    .into(),
            ));
        }
        Ok(())
    }
}
