//! Jobs: long work (bulk actions on a whole filter) as rows a workspace can follow and cancel.
//! Under the same row-level-security policy as every tenant table.

use crate::sql::{Scripts, scripted_migration};

scripted_migration!();

const UP: Scripts = Scripts {
    postgres: r#"
CREATE TABLE jobs (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  kind varchar(32) NOT NULL,
  state varchar(16) NOT NULL
    CONSTRAINT jobs_state_check CHECK (state IN ('queued', 'running', 'cancelling', 'done', 'failed', 'cancelled', 'interrupted')),
  started_by uuid NOT NULL,
  params jsonb NOT NULL DEFAULT '{}'::jsonb,
  done bigint NOT NULL DEFAULT 0,
  total bigint NOT NULL DEFAULT 0,
  counts jsonb NOT NULL DEFAULT '{}'::jsonb,
  message varchar(1000) NOT NULL DEFAULT '',
  created timestamptz NOT NULL,
  finished timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX jobs_unfinished_idx ON jobs (state) WHERE finished IS NULL;
GRANT SELECT, INSERT, UPDATE, DELETE ON jobs TO leads_app;
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobs TO leads_app
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
"#,
    sqlite: r#"
CREATE TABLE jobs (
  tenant_id blob NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id blob NOT NULL,
  kind text NOT NULL,
  state text NOT NULL
    CONSTRAINT jobs_state_check CHECK (state IN ('queued', 'running', 'cancelling', 'done', 'failed', 'cancelled', 'interrupted')),
  started_by blob NOT NULL,
  params text NOT NULL DEFAULT '{}',
  done integer NOT NULL DEFAULT 0,
  total integer NOT NULL DEFAULT 0,
  counts text NOT NULL DEFAULT '{}',
  message text NOT NULL DEFAULT '',
  created text NOT NULL,
  finished text,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX jobs_unfinished_idx ON jobs (state) WHERE finished IS NULL;
"#,
};

const DOWN: Scripts = Scripts {
    postgres: "DROP TABLE jobs;",
    sqlite: "DROP TABLE jobs;",
};
