//! The service layer: every operation on data, whichever door (REST or server function) it
//! comes through. Functions on tenant data take a `TenantContext`, which only authentication
//! produces, so a tenant-less query cannot be written.

pub mod attribute_keys;
pub mod auth;
pub mod auth_cache;
pub mod batch;
pub mod bulk;
mod crypto;
pub mod export;
mod filter_sql;
pub mod import_file;
pub mod imports;
pub mod invitations;
pub mod jobs;
mod key_lookup;
pub mod lead_events;
pub mod leads;
mod list_leads;
pub mod login_throttle;
pub mod mailer;
pub mod members;
pub mod password_reset;
pub mod saved_views;
pub mod signup_throttle;
pub mod tenant_context;
pub mod tokens;

pub use list_leads::{COUNT_BUDGET_MS, contains_pattern, set_count_budget_ms};
pub use tenant_context::TenantContext;

/// Timestamps are kept at microsecond precision, PostgreSQL's, so what is returned equals what
/// is stored on both backends.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
