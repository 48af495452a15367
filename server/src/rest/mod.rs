//! The JSON REST API under `/api/v1`. Handlers only translate HTTP to typed values and back;
//! the work is in `app::server::service`.

mod auth;
mod batch;
mod bulk;
mod contacts;
mod export;
mod extract;
mod imports;
mod jobs;
mod members;
pub mod openapi;
mod tokens;
mod views;

use app::server::state::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    let contacts = || {
        Router::new()
            .route("/", get(contacts::list).post(contacts::create))
            .route("/export", get(export::export))
            .route("/batch", post(batch::batch))
            .route("/bulk", post(bulk::bulk))
            .route(
                "/{id}",
                get(contacts::get)
                    .patch(contacts::update)
                    .delete(contacts::delete),
            )
            .route("/{id}/events", get(contacts::events))
    };
    Router::new()
        .route("/auth/signup", post(auth::signup))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me))
        .route("/auth/workspaces", get(auth::workspaces))
        .route("/auth/switch", post(auth::switch))
        .route("/auth/password", post(auth::password))
        .route("/auth/logout-everywhere", post(auth::logout_everywhere))
        .route("/workspace", axum::routing::delete(auth::delete_workspace))
        .route("/auth/password-reset", post(auth::request_password_reset))
        .route(
            "/auth/password-reset/confirm",
            post(auth::confirm_password_reset),
        )
        .route("/members", get(members::list))
        .route(
            "/members/{id}",
            axum::routing::patch(members::update).delete(members::remove),
        )
        .route(
            "/invitations",
            get(members::invitations_list).post(members::invite),
        )
        .route("/invitations/accept", post(members::accept))
        .route("/invitations/{id}", axum::routing::delete(members::revoke))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route(
            "/imports",
            get(imports::list)
                .post(imports::create)
                // The upload's own limit is applied by `security::limit_body`.
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/imports/{id}", get(imports::get))
        .route("/imports/{id}/errors", get(imports::errors))
        .route("/imports/{id}/revert", post(imports::revert))
        .route("/jobs", get(jobs::list))
        .route("/jobs/{id}", get(jobs::get))
        .route("/jobs/{id}/cancel", post(jobs::cancel))
        .route("/views", get(views::list).post(views::create))
        .route(
            "/views/{id}",
            axum::routing::patch(views::update).delete(views::delete),
        )
        // The seed named the collection both ways; both stay served.
        .nest("/contacts", contacts())
        .nest("/leads", contacts())
        .route("/openapi.json", get(openapi::document))
        .fallback(extract::not_found)
        .method_not_allowed_fallback(extract::method_not_allowed)
}
