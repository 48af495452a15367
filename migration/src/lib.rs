//! Schema migrations, embedded in the server and run at start.
//!
//! Each migration is raw SQL per backend: the PostgreSQL schema uses features SQLite lacks
//! (row-level security, JSONB, pg_trgm indexes), and spelling both out keeps each readable.

pub use sea_orm_migration::prelude::*;

mod m0001_tenancy;
mod m0002_leads;
mod m0003_tenant_leads_view;
mod m0004_hardening;
mod m0005_filters_and_views;
mod m0006_jobs;
mod m0007_imports;
mod m0008_citus;
mod m0009_job_queue;
mod m0010_teams;
mod m0011_create_lead_function;
mod sql;

pub mod citus;
pub use citus::{distribute_if_citus, reference_if_citus};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_tenancy::Migration),
            Box::new(m0002_leads::Migration),
            Box::new(m0003_tenant_leads_view::Migration),
            Box::new(m0004_hardening::Migration),
            Box::new(m0005_filters_and_views::Migration),
            Box::new(m0006_jobs::Migration),
            Box::new(m0007_imports::Migration),
            Box::new(m0008_citus::Migration),
            Box::new(m0009_job_queue::Migration),
            Box::new(m0010_teams::Migration),
            Box::new(m0011_create_lead_function::Migration),
        ]
    }
}

/// The non-superuser role request work switches to on PostgreSQL, so row-level security holds
/// even when `DATABASE_URL` logs in as a superuser or as the tables' owner.
pub const APP_ROLE: &str = "leads_app";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_names_are_their_file_names() {
        // Applied migrations are recorded by name: renaming one would re-run it.
        let names: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        assert_eq!(
            names,
            [
                "m0001_tenancy",
                "m0002_leads",
                "m0003_tenant_leads_view",
                "m0004_hardening",
                "m0005_filters_and_views",
                "m0006_jobs",
                "m0007_imports",
                "m0008_citus",
                "m0009_job_queue",
                "m0010_teams",
                "m0011_create_lead_function",
            ]
        );
    }
}
