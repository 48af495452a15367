//! Runs a backend's SQL script statement by statement.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

pub struct Scripts {
    pub postgres: &'static str,
    pub sqlite: &'static str,
}

impl Scripts {
    pub async fn run(&self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let script = match conn.get_database_backend() {
            DatabaseBackend::Postgres => self.postgres,
            DatabaseBackend::Sqlite => self.sqlite,
            other => return Err(DbErr::Migration(format!("unsupported backend {other:?}"))),
        };
        crate::citus::execute_script(conn, script).await
    }
}

/// Declares `Migration` running `UP` and `DOWN` (both `Scripts`) of the calling module.
macro_rules! scripted_migration {
    () => {
        #[derive(sea_orm_migration::prelude::DeriveMigrationName)]
        pub struct Migration;

        #[async_trait::async_trait]
        impl sea_orm_migration::prelude::MigrationTrait for Migration {
            async fn up(
                &self,
                manager: &sea_orm_migration::prelude::SchemaManager,
            ) -> Result<(), sea_orm_migration::prelude::DbErr> {
                UP.run(manager).await
            }

            async fn down(
                &self,
                manager: &sea_orm_migration::prelude::SchemaManager,
            ) -> Result<(), sea_orm_migration::prelude::DbErr> {
                DOWN.run(manager).await
            }
        }
    };
}
pub(crate) use scripted_migration;
