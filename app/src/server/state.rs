//! What every request handler and server function reaches: the database and the login throttle.

use crate::server::service::login_throttle::LoginThrottle;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub leptos_options: LeptosOptions,
    pub login_throttle: Arc<LoginThrottle>,
}

impl AppState {
    pub fn new(db: DatabaseConnection, leptos_options: LeptosOptions) -> Self {
        Self {
            db,
            leptos_options,
            login_throttle: Arc::new(LoginThrottle::default()),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
