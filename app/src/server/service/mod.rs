//! The service layer: every operation on data, whichever door (REST or server function) it
//! comes through. Functions on tenant data take a `TenantContext`, which only authentication
//! produces, so a tenant-less query cannot be written.

pub mod auth;
mod crypto;
pub mod leads;
mod list_leads;
pub mod login_throttle;
pub mod tenant_context;
pub mod tokens;

pub use tenant_context::TenantContext;

use crate::server::db::tenant_txn;
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait};

/// A tenant transaction for work that reads before it writes. On SQLite a deferred transaction
/// that has read cannot become a writer once another connection has committed (SQLITE_BUSY at
/// once, whatever the busy timeout), so concurrent edits would fail; there it takes the write
/// lock at BEGIN instead, waiting its turn. (`tenant_txn` is a plain BEGIN on SQLite.)
pub(crate) async fn tenant_write_txn(db: &DatabaseConnection, ctx: &TenantContext) -> Result<DatabaseTransaction, DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        let immediate = TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() };
        return db.begin_with_options(immediate).await;
    }
    tenant_txn(db, ctx).await
}

/// Timestamps are kept at microsecond precision, PostgreSQL's, so what is returned equals what
/// is stored on both backends.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
