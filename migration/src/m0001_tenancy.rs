//! Workspaces (tenants), users, memberships, sessions and API tokens.

use crate::sql::{Scripts, scripted_migration};

scripted_migration!();

const UP: Scripts = Scripts {
    postgres: r#"
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leads_app') THEN
    CREATE ROLE leads_app NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
-- A non-superuser owner needs membership to switch to the role.
DO $$ BEGIN
  EXECUTE format('GRANT leads_app TO %I', current_user);
EXCEPTION WHEN OTHERS THEN NULL;
END $$;

CREATE TABLE tenants (
  id uuid PRIMARY KEY,
  name varchar(100) NOT NULL,
  created timestamptz NOT NULL
);

CREATE TABLE users (
  id uuid PRIMARY KEY,
  email varchar(255) NOT NULL,
  password_hash text NOT NULL,
  created timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE memberships (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role varchar(16) NOT NULL CHECK (role IN ('owner', 'member')),
  created timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE sessions (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  secret_hash varchar(64) NOT NULL,
  created timestamptz NOT NULL,
  expires timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX sessions_secret_hash_key ON sessions (secret_hash);

CREATE TABLE api_tokens (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name varchar(100) NOT NULL,
  secret_hash varchar(64) NOT NULL,
  prefix varchar(16) NOT NULL,
  created timestamptz NOT NULL,
  last_used timestamptz,
  revoked timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX api_tokens_secret_hash_key ON api_tokens (secret_hash);

-- Request work runs as leads_app with app.tenant_id set for the transaction; the policies
-- confine it to that tenant. Authentication (finding a session or token by its hash) runs
-- before a tenant is known, as the connecting role.
GRANT SELECT ON tenants, users TO leads_app;
GRANT SELECT ON memberships TO leads_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions, api_tokens TO leads_app;
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON memberships TO leads_app
  USING (tenant_id = current_setting('app.tenant_id', true)::uuid)
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true)::uuid);
CREATE POLICY tenant_isolation ON sessions TO leads_app
  USING (tenant_id = current_setting('app.tenant_id', true)::uuid)
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true)::uuid);
CREATE POLICY tenant_isolation ON api_tokens TO leads_app
  USING (tenant_id = current_setting('app.tenant_id', true)::uuid)
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true)::uuid);
"#,
    sqlite: r#"
CREATE TABLE tenants (
  id blob PRIMARY KEY,
  name text NOT NULL,
  created text NOT NULL
);

CREATE TABLE users (
  id blob PRIMARY KEY,
  email text NOT NULL,
  password_hash text NOT NULL,
  created text NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE memberships (
  tenant_id blob NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id blob NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'member')),
  created text NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE sessions (
  tenant_id blob NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id blob NOT NULL,
  user_id blob NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  secret_hash text NOT NULL,
  created text NOT NULL,
  expires text NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX sessions_secret_hash_key ON sessions (secret_hash);

CREATE TABLE api_tokens (
  tenant_id blob NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id blob NOT NULL,
  user_id blob NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name text NOT NULL,
  secret_hash text NOT NULL,
  prefix text NOT NULL,
  created text NOT NULL,
  last_used text,
  revoked text,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX api_tokens_secret_hash_key ON api_tokens (secret_hash);
"#,
};

const DOWN: Scripts = Scripts {
    postgres: "DROP TABLE api_tokens; DROP TABLE sessions; DROP TABLE memberships; DROP TABLE users; DROP TABLE tenants;",
    sqlite: "DROP TABLE api_tokens; DROP TABLE sessions; DROP TABLE memberships; DROP TABLE users; DROP TABLE tenants;",
};
