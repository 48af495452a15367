//! SeaORM entities, one per table. Only the service layer uses them.

pub mod api_token;
pub mod import_change;
pub mod import_error;
pub mod invitation;
pub mod job;
pub mod job_file;
pub mod lead;
pub mod lead_event;
pub mod membership;
pub mod password_reset;
pub mod saved_view;
pub mod session;
pub mod tenant;
pub mod user;
