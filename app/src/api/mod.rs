//! Server functions: the UI's door into the service layer. Each is a few lines: read the
//! request's tenant context, call the service, return its typed result.

pub mod account;
pub mod contacts;
