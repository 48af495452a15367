#![recursion_limit = "256"]
//! Process concerns of the `leads` server: configuration, start-up, the router and its layers.
//! The application itself (pages, server functions, services) lives in the `app` crate.

pub mod assets;
pub mod config;
pub mod memory;
pub mod page_owner;
pub mod rest;
pub mod router;
pub mod security;
pub mod startup;
pub mod telemetry;
