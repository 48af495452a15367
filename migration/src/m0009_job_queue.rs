//! Jobs as a queue several server instances share: which instance runs a job and when it last
//! reported, and the files imports work from, kept in the database so that any instance can
//! run them. Same row-level security as every tenant table.

use crate::citus::{distribute_if_citus, execute_script};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES: &str = r#"
ALTER TABLE jobs ADD COLUMN claimed_by uuid;
ALTER TABLE jobs ADD COLUMN heartbeat timestamptz;
CREATE INDEX jobs_queued_idx ON jobs (created) WHERE state = 'queued';
CREATE TABLE job_files (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  job_id uuid NOT NULL,
  seq integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (tenant_id, job_id, seq)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON job_files TO leads_app;
ALTER TABLE job_files ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON job_files TO leads_app
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
"#;

const SQLITE: &str = r#"
ALTER TABLE jobs ADD COLUMN claimed_by blob;
ALTER TABLE jobs ADD COLUMN heartbeat text;
CREATE INDEX jobs_queued_idx ON jobs (created) WHERE state = 'queued';
CREATE TABLE job_files (
  tenant_id blob NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  job_id blob NOT NULL,
  seq integer NOT NULL,
  data blob NOT NULL,
  PRIMARY KEY (tenant_id, job_id, seq)
);
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        match conn.get_database_backend() {
            DbBackend::Postgres => {
                // Statement by statement on Citus, which forwards DDL as the whole string.
                execute_script(conn, POSTGRES).await?;
                conn.execute_unprepared(&distribute_if_citus("job_files"))
                    .await?;
            }
            _ => {
                conn.execute_unprepared(SQLITE).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DROP TABLE job_files; DROP INDEX jobs_queued_idx; \
                 ALTER TABLE jobs DROP COLUMN heartbeat; ALTER TABLE jobs DROP COLUMN claimed_by;",
            )
            .await?;
        Ok(())
    }
}
