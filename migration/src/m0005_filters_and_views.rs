//! Filters and saved views.
//!
//! - PostgreSQL: a GIN index on `attributes` (`jsonb_path_ops`: small, and serves the
//!   containment test `attributes @> {"plan":"pro"}` that attribute equality is written as).
//! - `saved_views`: a workspace's named list queries, unique by case-folded name, under the
//!   same row-level-security policy as every tenant table.

use crate::sql::{Scripts, scripted_migration};

scripted_migration!();

const UP: Scripts = Scripts {
    postgres: r#"
CREATE INDEX leads_attributes_idx ON leads USING gin (attributes jsonb_path_ops);

CREATE TABLE saved_views (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name varchar(100) NOT NULL,
  name_key varchar(100) NOT NULL,
  query varchar(8000) NOT NULL,
  created timestamptz NOT NULL,
  updated timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX saved_views_tenant_name_key ON saved_views (tenant_id, name_key);
GRANT SELECT, INSERT, UPDATE, DELETE ON saved_views TO leads_app;
ALTER TABLE saved_views ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON saved_views TO leads_app
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
"#,
    sqlite: r#"
CREATE TABLE saved_views (
  tenant_id blob NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id blob NOT NULL,
  name text NOT NULL,
  name_key text NOT NULL,
  query text NOT NULL,
  created text NOT NULL,
  updated text NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX saved_views_tenant_name_key ON saved_views (tenant_id, name_key);
"#,
};

const DOWN: Scripts = Scripts {
    postgres: "DROP TABLE saved_views; DROP INDEX leads_attributes_idx;",
    sqlite: "DROP TABLE saved_views;",
};
