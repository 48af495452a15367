//! A tenant-filtered view of `leads` for reads on PostgreSQL.
//!
//! Under row-level security PostgreSQL only pushes "leakproof" conditions into index scans, and
//! `ILIKE` over the concatenated search text is not one: searches fell back to scanning every
//! row of the table. This view (running with its owner's rights) applies the very same tenant
//! predicate as the policy, as an ordinary condition, so the trigram index serves searches.
//! Writes still go to `leads` itself, under the policy.

use crate::sql::{Scripts, scripted_migration};

scripted_migration!();

const UP: Scripts = Scripts {
    postgres: r#"
CREATE VIEW tenant_leads AS
  SELECT * FROM leads WHERE tenant_id = current_setting('app.tenant_id', true)::uuid;
GRANT SELECT ON tenant_leads TO leads_app;
"#,
    // SQLite has no row-level security, so nothing stands in the index's way there.
    sqlite: "SELECT 1;",
};

const DOWN: Scripts = Scripts {
    postgres: "DROP VIEW tenant_leads;",
    sqlite: "SELECT 1;",
};
