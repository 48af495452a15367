//! Server-only code (feature `ssr`): the service layer and what it stands on. The WASM build
//! never sees this module tree.

pub mod client_ip;
pub mod db;
pub mod entity;
pub mod http_error;
pub mod page_headers;
pub mod request_auth;
pub mod seed;
pub mod service;
pub mod session_cookie;
pub mod state;
