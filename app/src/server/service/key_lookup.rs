//! The workspace condition for reads and writes of many contacts by key (ids, email keys).
//!
//! PostgreSQL plans `tenant_id = '…' AND key IN (…)` from the table's statistics of that
//! workspace. A workspace created since the last `ANALYZE` looks empty to them, so the planner
//! walks the whole workspace through another index and filters the keys instead of looking each
//! one up: an import into a new workspace read all of its rows again for every chunk (3,560 rows
//! per second over 200,000 rows, and slower with each chunk). Given as `(SELECT $1)`, the value
//! is hidden from the planner, which then prices the workspace at its average size and looks the
//! keys up in the unique index, whatever the statistics say. SQLite plans without them.

use super::tenant_context::TenantContext;
use crate::server::entity::lead;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, DbBackend};

/// `leads.tenant_id` is the context's workspace, for statements that name their rows by key.
pub(super) fn leads_in_workspace(ctx: &TenantContext, backend: DbBackend) -> SimpleExpr {
    if backend == DbBackend::Postgres {
        Expr::cust_with_values(
            r#""leads"."tenant_id" = (SELECT $1::uuid)"#,
            [ctx.tenant_id()],
        )
    } else {
        lead::Column::TenantId.eq(ctx.tenant_id())
    }
}
