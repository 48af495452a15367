//! Teams: four roles, members the app itself manages, invitations, scoped and expiring API
//! tokens, each contact's history (`lead_events`), and password-reset links. Same row-level
//! security as every tenant table; on Citus the new tenant tables are sharded with the others
//! and `password_resets` (global, like `users`) is a reference table.

use crate::citus::{distribute_if_citus, execute_script, reference_if_citus};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES: &str = r#"
ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_role_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_role_check
  CHECK (role IN ('owner', 'admin', 'member', 'viewer'));
GRANT INSERT, UPDATE, DELETE ON memberships TO leads_app;

-- Column and constraint apart, the constraint named: Citus refuses them in one command.
ALTER TABLE api_tokens ADD COLUMN scope varchar(8) NOT NULL DEFAULT 'write';
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read', 'write'));
ALTER TABLE api_tokens ADD COLUMN expires timestamptz;

CREATE TABLE invitations (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  email varchar(255) NOT NULL,
  email_key varchar(255) NOT NULL,
  role varchar(16) NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  secret_hash varchar(64) NOT NULL,
  invited_by uuid NOT NULL,
  created timestamptz NOT NULL,
  expires timestamptz NOT NULL,
  accepted timestamptz,
  accepted_by uuid,
  revoked timestamptz,
  PRIMARY KEY (tenant_id, id)
);
-- Looked up by its secret before a tenant is known; unique with tenant_id for Citus's sake.
CREATE UNIQUE INDEX invitations_secret_hash_key ON invitations (secret_hash, tenant_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON invitations TO leads_app;
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invitations TO leads_app
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- No foreign key to leads: a contact's history outlives it (its last event says it was deleted).
CREATE TABLE lead_events (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  lead_id uuid NOT NULL,
  at timestamptz NOT NULL,
  kind varchar(16) NOT NULL,
  actor_user_id uuid,
  actor_token varchar(100),
  via varchar(16) NOT NULL,
  changes jsonb NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX lead_events_lead_idx ON lead_events (tenant_id, lead_id, id);
GRANT SELECT, INSERT ON lead_events TO leads_app;
ALTER TABLE lead_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_events TO leads_app
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
-- A person's, not a workspace's: read and written only before any tenant is known, as the
-- connection's own role (the app role gets no grant on it).
CREATE TABLE password_resets (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  secret_hash varchar(64) NOT NULL,
  created timestamptz NOT NULL,
  expires timestamptz NOT NULL,
  used timestamptz
);
CREATE UNIQUE INDEX password_resets_secret_hash_key ON password_resets (secret_hash);
"#;

/// SQLite cannot change a CHECK constraint in place: the small `memberships` table is rebuilt.
const SQLITE: &str = r#"
CREATE TABLE memberships_next (
  tenant_id blob NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id blob NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  created text NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
INSERT INTO memberships_next (tenant_id, user_id, role, created)
  SELECT tenant_id, user_id, role, created FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_next RENAME TO memberships;
CREATE INDEX memberships_user_idx ON memberships (user_id);

ALTER TABLE api_tokens ADD COLUMN scope text NOT NULL DEFAULT 'write'
  CHECK (scope IN ('read', 'write'));
ALTER TABLE api_tokens ADD COLUMN expires text;

CREATE TABLE invitations (
  tenant_id blob NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id blob NOT NULL,
  email text NOT NULL,
  email_key text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  secret_hash text NOT NULL,
  invited_by blob NOT NULL,
  created text NOT NULL,
  expires text NOT NULL,
  accepted text,
  accepted_by blob,
  revoked text,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX invitations_secret_hash_key ON invitations (secret_hash, tenant_id);

CREATE TABLE lead_events (
  tenant_id blob NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id blob NOT NULL,
  lead_id blob NOT NULL,
  at text NOT NULL,
  kind text NOT NULL,
  actor_user_id blob,
  actor_token text,
  via text NOT NULL,
  changes text NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX lead_events_lead_idx ON lead_events (tenant_id, lead_id, id);
CREATE TABLE password_resets (
  id blob PRIMARY KEY,
  user_id blob NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  secret_hash text NOT NULL,
  created text NOT NULL,
  expires text NOT NULL,
  used text
);
CREATE UNIQUE INDEX password_resets_secret_hash_key ON password_resets (secret_hash);
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        match conn.get_database_backend() {
            DbBackend::Postgres => {
                execute_script(conn, POSTGRES).await?;
                for table in ["invitations", "lead_events"] {
                    conn.execute_unprepared(&distribute_if_citus(table)).await?;
                }
                conn.execute_unprepared(&reference_if_citus("password_resets"))
                    .await?;
            }
            _ => {
                conn.execute_unprepared(SQLITE).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m0010_teams cannot be reverted: roles beyond owner and member would be lost".into(),
        ))
    }
}
