//! `create_lead`: a single contact and its `created` event in one statement, role switch and
//! tenant setting included, so a create through the API is one round trip to PostgreSQL
//! instead of four (BEGIN, the SETs, the INSERT, COMMIT). It runs in the caller's transaction
//! (a lone statement is its own), and what it sets lasts to that transaction's end, as the
//! `SET LOCAL`s of every other tenant transaction do: row-level security confines both inserts
//! exactly as it does elsewhere. Invoker's rights, not the owner's: `SET ROLE` is refused in a
//! security-definer function, and the caller must be allowed the app role anyway.
//!
//! Not on a sharded cluster, where tenant work keeps the plain transaction (the function would
//! run on the coordinator, whose tables are empty). Not on SQLite, which has no functions.
//! A column added to `leads` or `lead_events` later must be added here too.

use crate::citus::is_citus;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE FUNCTION create_lead(
  p_tenant_id uuid, p_id uuid, p_email text, p_email_key text, p_name text,
  p_first_name text, p_last_name text, p_company text, p_status text, p_score integer,
  p_attributes jsonb, p_at timestamptz, p_event_id uuid, p_actor_user_id uuid,
  p_actor_token text, p_via text, p_changes jsonb)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  SET LOCAL ROLE leads_app;
  PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
  WITH inserted AS (
    INSERT INTO leads (tenant_id, id, email, email_key, name, first_name, last_name, company,
                       status, score, attributes, created, updated)
    VALUES (p_tenant_id, p_id, p_email, p_email_key, p_name, p_first_name, p_last_name,
            p_company, p_status, p_score, p_attributes, p_at, p_at)
    ON CONFLICT (tenant_id, email_key) DO NOTHING
    RETURNING id)
  INSERT INTO lead_events (tenant_id, id, lead_id, at, kind, actor_user_id, actor_token, via,
                           changes)
  SELECT p_tenant_id, p_event_id, id, p_at, 'created', p_actor_user_id, p_actor_token, p_via,
         p_changes
  FROM inserted;
  -- False when the email was taken: then nothing was written.
  RETURN FOUND;
END
$$;
"#;

const DOWN: &str = "DROP FUNCTION IF EXISTS create_lead";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        if conn.get_database_backend() == DbBackend::Postgres && !is_citus(conn).await? {
            conn.execute_unprepared(UP).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        if conn.get_database_backend() == DbBackend::Postgres {
            conn.execute_unprepared(DOWN).await?;
        }
        Ok(())
    }
}
