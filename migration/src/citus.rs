//! Citus (distributed PostgreSQL) helpers for migrations.
//!
//! On a Citus coordinator (a database with the `citus` extension) m0008 shards every tenant table
//! by `tenant_id`, co-located with `leads`, and copies the global tables (`tenants`, `users`) to
//! every node as reference tables. Elsewhere (plain PostgreSQL, SQLite) none of this runs.
//!
//! # A new tenant table, in a later migration
//!
//! - Its primary key and every unique index must contain `tenant_id` (Citus refuses others);
//!   lead with it, as the existing tables do. Foreign keys may point at `tenants`/`users`, or at
//!   another tenant table through a key that includes `tenant_id`.
//! - Its policy is the usual `tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid`;
//!   no subqueries (Citus refuses them in policies on distributed tables).
//! - After creating it (and its grants and policy), run [`distribute_if_citus`] for it; the SQL
//!   checks for Citus itself, so it may follow the PostgreSQL script unconditionally:
//!
//! ```ignore
//! async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
//!     UP.run(manager).await?; // a `Scripts`: statement by statement on Citus
//!     if manager.get_database_backend() == DbBackend::Postgres {
//!         manager.get_connection()
//!             .execute_unprepared(&crate::distribute_if_citus("notes"))
//!             .await?;
//!     }
//!     Ok(())
//! }
//! ```
//!
//! Later `ALTER TABLE`, `CREATE INDEX` and `CREATE POLICY` on a distributed table reach every
//! shard by themselves, but only one statement per query string: Citus forwards some DDL to the
//! workers as the whole string it came in (citusdata/citus#6608), and a worker refuses several
//! commands there. Run PostgreSQL scripts through [`crate::sql::Scripts`] or
//! [`execute_script`], which send them statement by statement on Citus. A new *global* table
//! becomes a reference table instead ([`reference_if_citus`]).

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// The table every tenant table is co-located with: one tenant's rows of all tables live on the
/// same node, so joins and transactions within a tenant stay on one node.
pub const COLOCATE_WITH: &str = "leads";

/// Whether the connection's database is a Citus coordinator (has the `citus` extension).
pub async fn is_citus(conn: &impl ConnectionTrait) -> Result<bool, DbErr> {
    if conn.get_database_backend() != DbBackend::Postgres {
        return Ok(false);
    }
    let row = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')",
        ))
        .await?;
    row.map_or(Ok(false), |r| r.try_get_by_index(0))
}

/// Runs a SQL script: on Citus one statement at a time (see the module comment), elsewhere in
/// one round trip. Inside a migration both run in its transaction.
pub async fn execute_script(conn: &impl ConnectionTrait, script: &str) -> Result<(), DbErr> {
    if is_citus(conn).await? {
        // A transaction that changed a distributed table over parallel connections may not
        // then change a reference table (a new foreign key to `tenants` does): one at a time.
        conn.execute_unprepared("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
            .await?;
        for statement in statements(script) {
            conn.execute_unprepared(statement).await?;
        }
    } else {
        conn.execute_unprepared(script).await?;
    }
    Ok(())
}

/// The statements of a script: split at semicolons outside quotes, dollar-quoted bodies and
/// comments; those holding nothing but blanks and comments are dropped.
pub fn statements(script: &str) -> Vec<&str> {
    let bytes = script.as_bytes();
    let (mut out, mut start, mut has_code, mut i) = (Vec::new(), 0, false, 0);
    let find = |from: usize, needle: &str| {
        script[from..]
            .find(needle)
            .map_or(bytes.len(), |at| from + at + needle.len())
    };
    while i < bytes.len() {
        let next = bytes.get(i + 1).copied();
        match bytes[i] {
            b'-' if next == Some(b'-') => i = find(i, "\n"),
            b'/' if next == Some(b'*') => i = find(i + 2, "*/"),
            // A doubled quote inside is two adjacent literals to this scan, which is the same.
            quote @ (b'\'' | b'"') => {
                has_code = true;
                i = find(i + 1, if quote == b'"' { "\"" } else { "'" });
            }
            // `$tag$ … $tag$` (tag possibly empty); `$1` is a parameter, not a quote.
            b'$' => {
                has_code = true;
                let tag_len = script[i + 1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(bytes.len() - i - 1);
                let is_tag = bytes.get(i + 1 + tag_len) == Some(&b'$')
                    && !next.is_some_and(|c| c.is_ascii_digit());
                i = if is_tag {
                    let tag = &script[i..i + tag_len + 2];
                    find(i + tag.len(), tag)
                } else {
                    i + 1
                };
            }
            b';' => {
                if has_code {
                    out.push(script[start..i].trim());
                }
                (start, has_code, i) = (i + 1, false, i + 1);
            }
            c => {
                has_code |= !c.is_ascii_whitespace();
                i += 1;
            }
        }
    }
    if has_code {
        out.push(script[start..].trim());
    }
    out
}

/// SQL (a `DO` block) that shards the tenant table `table` by `tenant_id`, co-located with
/// `leads`, when the database has Citus and the table is not distributed yet; a no-op anywhere
/// else, so it can follow any PostgreSQL script.
pub fn distribute_if_citus(table: &str) -> String {
    let colocation = if table == COLOCATE_WITH {
        String::new()
    } else {
        format!(", colocate_with => '{COLOCATE_WITH}'")
    };
    // A table with a foreign key to a reference table is already in pg_dist_partition, as a
    // "Citus local" table on the coordinator (partmethod 'n'): only hash-partitioned counts.
    if_citus_and_not(
        table,
        "partmethod = 'h'",
        &format!("PERFORM create_distributed_table('{table}', 'tenant_id'{colocation});"),
    )
}

/// SQL (a `DO` block) that makes the global table `table` a reference table (a copy on every
/// node) when the database has Citus and the table is not one yet; a no-op anywhere else.
pub fn reference_if_citus(table: &str) -> String {
    if_citus_and_not(
        table,
        "partmethod = 'n' AND repmodel = 't'",
        &format!("PERFORM create_reference_table('{table}');"),
    )
}

/// `action` when the database has Citus and `table`'s row in `pg_dist_partition` (if any) does
/// not match `done`.
fn if_citus_and_not(table: &str, done: &str, action: &str) -> String {
    assert!(
        !table.is_empty()
            && table
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "table name {table:?} must be a plain lower-case identifier"
    );
    // Nested IFs: PL/pgSQL only parses a statement when it reaches it, and pg_dist_partition
    // exists only where Citus does.
    format!(
        r#"
DO $citus$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    IF NOT EXISTS (SELECT 1 FROM pg_dist_partition
                   WHERE logicalrelid = '{table}'::regclass AND {done}) THEN
      {action}
    END IF;
  END IF;
END $citus$;
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_tables_colocate_with_leads() {
        let sql = distribute_if_citus("saved_views");
        assert!(sql.contains(
            "create_distributed_table('saved_views', 'tenant_id', colocate_with => 'leads')"
        ));
        assert!(
            distribute_if_citus("leads")
                .contains("create_distributed_table('leads', 'tenant_id');")
        );
        assert!(reference_if_citus("users").contains("create_reference_table('users')"));
    }

    #[test]
    fn scripts_split_at_top_level_semicolons_only() {
        let script = r#"
-- a comment; not a statement
CREATE TABLE t (a text DEFAULT 'x;y''z;', "b;c" int); /* also; not */
DO $$ BEGIN PERFORM 1; END $$;
DO $body$ BEGIN RAISE NOTICE '$$;'; END $body$;
SELECT $1::int;
-- trailing comment only
"#;
        assert_eq!(
            statements(script),
            [
                "-- a comment; not a statement\nCREATE TABLE t (a text DEFAULT 'x;y''z;', \"b;c\" int)",
                "/* also; not */\nDO $$ BEGIN PERFORM 1; END $$",
                "DO $body$ BEGIN RAISE NOTICE '$$;'; END $body$",
                "SELECT $1::int",
            ]
        );
        assert!(statements("  \n-- nothing\n").is_empty());
        assert_eq!(statements("SELECT 1"), ["SELECT 1"]);
    }

    #[test]
    #[should_panic(expected = "plain lower-case identifier")]
    fn table_names_are_plain_identifiers() {
        distribute_if_citus("leads'); DROP TABLE leads; --");
    }
}
