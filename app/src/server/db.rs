//! Connecting, migrating, and the transactions every query runs in.
//!
//! Tenant work runs in `tenant_txn`: on PostgreSQL it switches to the non-superuser `leads_app`
//! role and sets `app.tenant_id` for the transaction, so row-level security confines every
//! statement to that tenant even if a query forgot its filter.

use crate::server::service::tenant_context::TenantContext;
use migration::{APP_ROLE, Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::time::Duration;

pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if url.starts_with("sqlite:") { 8 } else { 32 })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    Database::connect(options).await
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// A transaction confined to the context's tenant (see the module comment).
pub async fn tenant_txn(
    db: &DatabaseConnection,
    ctx: &TenantContext,
) -> Result<DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // The tenant id is a typed Uuid, so formatting it into the statement cannot inject SQL.
        txn.execute_unprepared(&format!(
            "SET LOCAL ROLE {APP_ROLE}; SELECT set_config('app.tenant_id', '{}', true)",
            ctx.tenant_id()
        ))
        .await?;
    }
    Ok(txn)
}

/// A tenant transaction for work that reads before it writes. On SQLite a deferred transaction
/// that has read cannot become a writer once another connection has committed (SQLITE_BUSY at
/// once, whatever the busy timeout), so concurrent edits would fail; there it takes the write
/// lock at BEGIN instead, waiting its turn.
pub async fn tenant_write_txn(
    db: &DatabaseConnection,
    ctx: &TenantContext,
) -> Result<DatabaseTransaction, DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        let immediate = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        return db.begin_with_options(immediate).await;
    }
    tenant_txn(db, ctx).await
}

/// True when the database answers a trivial query (for `/readyz`).
pub async fn is_ready(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}
