//! Leads (contacts). Absent text fields are stored as '' so keyset sorting needs no NULL
//! handling; the service maps '' to "not set" at its boundary.

use crate::sql::{Scripts, scripted_migration};

scripted_migration!();

const UP: Scripts = Scripts {
    postgres: r#"
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE leads (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  email varchar(255) NOT NULL,
  name varchar(200) NOT NULL DEFAULT '',
  first_name varchar(100) NOT NULL DEFAULT '',
  last_name varchar(100) NOT NULL DEFAULT '',
  company varchar(200) NOT NULL DEFAULT '',
  status varchar(16) NOT NULL DEFAULT 'active'
    CONSTRAINT leads_status_check CHECK (status IN ('active', 'bounced', 'unsubscribed')),
  score integer NOT NULL DEFAULT 0,
  attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
  created timestamptz NOT NULL,
  updated timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX leads_tenant_email_key ON leads (tenant_id, lower(email));
CREATE INDEX leads_updated_idx ON leads (tenant_id, updated, id);
CREATE INDEX leads_created_idx ON leads (tenant_id, created, id);
CREATE INDEX leads_email_idx ON leads (tenant_id, email, id);
CREATE INDEX leads_name_idx ON leads (tenant_id, name, id);
CREATE INDEX leads_company_idx ON leads (tenant_id, company, id);
CREATE INDEX leads_score_idx ON leads (tenant_id, score, id);
CREATE INDEX leads_status_idx ON leads (tenant_id, status, updated, id);
CREATE INDEX leads_search_idx ON leads
  USING gin ((email || ' ' || name || ' ' || company) gin_trgm_ops);

GRANT SELECT, INSERT, UPDATE, DELETE ON leads TO leads_app;
ALTER TABLE leads ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON leads TO leads_app
  USING (tenant_id = current_setting('app.tenant_id', true)::uuid)
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true)::uuid);
"#,
    sqlite: r#"
CREATE TABLE leads (
  tenant_id blob NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id blob NOT NULL,
  email text NOT NULL,
  name text NOT NULL DEFAULT '',
  first_name text NOT NULL DEFAULT '',
  last_name text NOT NULL DEFAULT '',
  company text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'active'
    CONSTRAINT leads_status_check CHECK (status IN ('active', 'bounced', 'unsubscribed')),
  score integer NOT NULL DEFAULT 0,
  attributes text NOT NULL DEFAULT '{}',
  created text NOT NULL,
  updated text NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX leads_tenant_email_key ON leads (tenant_id, lower(email));
CREATE INDEX leads_updated_idx ON leads (tenant_id, updated, id);
CREATE INDEX leads_created_idx ON leads (tenant_id, created, id);
CREATE INDEX leads_email_idx ON leads (tenant_id, email, id);
CREATE INDEX leads_name_idx ON leads (tenant_id, name, id);
CREATE INDEX leads_company_idx ON leads (tenant_id, company, id);
CREATE INDEX leads_score_idx ON leads (tenant_id, score, id);
CREATE INDEX leads_status_idx ON leads (tenant_id, status, updated, id);
"#,
};

const DOWN: Scripts = Scripts {
    postgres: "DROP TABLE leads;",
    sqlite: "DROP TABLE leads;",
};
