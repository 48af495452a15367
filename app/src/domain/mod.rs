//! Plain types shared by the server and the WASM client. Each value type can only be built by
//! parsing, so everything downstream takes already-valid data.

pub mod account;
pub mod attributes;
pub mod bulk;
pub mod email;
pub mod error;
pub mod field_errors;
pub mod filter;
pub mod import;
pub mod job;
pub mod lead;
pub mod lead_event;
pub mod lead_input;
pub mod list_query;
pub mod member;
pub mod permission;
pub mod query_string;
pub mod saved_view;
pub mod token;
