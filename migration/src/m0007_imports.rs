//! Imports: what each import changed (so it can be undone) and the rows it could not take (the
//! error file). The import itself is a job; these hang off its id. Same row-level security as
//! every tenant table.

use crate::sql::{Scripts, scripted_migration};

scripted_migration!();

const UP: Scripts = Scripts {
    postgres: r#"
CREATE TABLE import_changes (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  import_id uuid NOT NULL,
  lead_id uuid NOT NULL,
  -- The contact before the import touched it; NULL when the import created it.
  before jsonb,
  -- The contact's `updated` as the import left it: a later edit shows as a different value.
  written timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, import_id, lead_id)
);
CREATE TABLE import_errors (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  import_id uuid NOT NULL,
  row_number bigint NOT NULL,
  fields varchar(1000) NOT NULL,
  message text NOT NULL,
  cells jsonb NOT NULL,
  PRIMARY KEY (tenant_id, import_id, row_number)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON import_changes, import_errors TO leads_app;
ALTER TABLE import_changes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON import_changes TO leads_app
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE import_errors ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON import_errors TO leads_app
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
"#,
    sqlite: r#"
CREATE TABLE import_changes (
  tenant_id blob NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  import_id blob NOT NULL,
  lead_id blob NOT NULL,
  before text,
  written text NOT NULL,
  PRIMARY KEY (tenant_id, import_id, lead_id)
);
CREATE TABLE import_errors (
  tenant_id blob NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  import_id blob NOT NULL,
  row_number integer NOT NULL,
  fields text NOT NULL,
  message text NOT NULL,
  cells text NOT NULL,
  PRIMARY KEY (tenant_id, import_id, row_number)
);
"#,
};

const DOWN: Scripts = Scripts {
    postgres: "DROP TABLE import_errors; DROP TABLE import_changes;",
    sqlite: "DROP TABLE import_errors; DROP TABLE import_changes;",
};
