//! `GET /api/v1/openapi.json`.

use axum::Json;
use serde_json::{Value, json};

pub async fn document() -> Json<Value> {
    Json(json!({ "openapi": "3.1.0", "info": { "title": "Leads API", "version": env!("CARGO_PKG_VERSION") }, "paths": {} }))
}
