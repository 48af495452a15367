//! The custom attribute keys a workspace uses, for the filter bar's field list. Read from the
//! most recently updated contacts (a sample, so the cost stays flat at a million rows).

use super::tenant_context::TenantContext;
use crate::domain::error::AppError;
use crate::domain::permission::Action;
use crate::server::db::tenant_txn;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

const SAMPLE_ROWS: u32 = 2000;
const MAX_KEYS: u32 = 200;

pub async fn recent(db: &DatabaseConnection, ctx: &TenantContext) -> Result<Vec<String>, AppError> {
    ctx.require(Action::ReadContacts)?;
    let backend = db.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        format!(
            "SELECT DISTINCT k FROM (SELECT attributes FROM tenant_leads WHERE tenant_id = $1 \
             ORDER BY updated DESC LIMIT {SAMPLE_ROWS}) s, jsonb_object_keys(s.attributes) k \
             ORDER BY k LIMIT {MAX_KEYS}"
        )
    } else {
        format!(
            "SELECT DISTINCT j.key FROM (SELECT attributes FROM leads WHERE tenant_id = ? \
             ORDER BY updated DESC LIMIT {SAMPLE_ROWS}) s, json_each(s.attributes) j \
             ORDER BY j.key LIMIT {MAX_KEYS}"
        )
    };
    let txn = tenant_txn(db, ctx).await?;
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [ctx.tenant_id().into()],
        ))
        .await?;
    txn.commit().await?;
    rows.iter()
        .map(|row| row.try_get_by_index::<String>(0).map_err(AppError::from))
        .collect()
}
