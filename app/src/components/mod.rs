//! Reusable pieces of the UI.

pub mod app_header;
pub mod bulk_bar;
pub mod confirm_dialog;
pub mod contact_form;
pub mod contact_history;
pub mod contact_table;
pub mod filter_bar;
pub mod list_controls;
pub mod modal;
pub mod saved_views;
pub mod settings_nav;
pub mod sign_in_redirect;
pub mod status_badge;
