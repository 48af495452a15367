//! Signing in and out from the pages. The forms post here directly, so they work before
//! hydration too; success redirects to the page that was asked for.

use crate::domain::account::Me;
use crate::domain::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Only paths on this site may be redirected to, so `?next=` cannot send anyone elsewhere.
/// Browsers drop tabs and line breaks from a `Location` and read `\` as `/`, so `/\t/evil`
/// would become `//evil`: only printable ASCII is allowed (anything else arrives
/// percent-encoded from a real link), and the path may not start with two slashes.
pub fn safe_next(next: &str) -> String {
    let printable = next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if printable && next.starts_with('/') && !next.starts_with("//") {
        next.to_owned()
    } else {
        "/contacts".to_owned()
    }
}

#[server(input = Json)]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    crate::api::respond(
        async move {
            use crate::server::request_auth::{app_state, current_auth};
            let Some(auth) = current_auth() else {
                return Ok(None);
            };
            let state = app_state()?;
            crate::server::service::auth::me(&state.db, &auth.context)
                .await
                .map(Some)
        }
        .await,
    )
}

#[server]
pub async fn login(email: String, password: String, next: String) -> Result<(), AppError> {
    crate::api::respond(
        async move {
            use crate::domain::account::Login;
            use crate::server::request_auth::app_state;
            let state = app_state()?;
            let input = Login::parse(&email, &password)?;
            let client = crate::server::request_auth::client_ip();
            let signed = crate::server::service::auth::login(
                &state.db,
                &state.login_throttle,
                client,
                input,
            )
            .await?;
            finish_sign_in(&signed.session, &next);
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn signup(
    email: String,
    password: String,
    workspace_name: String,
    next: String,
) -> Result<(), AppError> {
    crate::api::respond(
        async move {
            use crate::domain::account::Signup;
            use crate::server::request_auth::app_state;
            let state = app_state()?;
            let input = Signup::parse(&email, &password, &workspace_name)?;
            let signed = crate::server::service::auth::signup_for_client(
                &state.db,
                &state.signup_throttle,
                crate::server::request_auth::client_ip(),
                input,
            )
            .await?;
            finish_sign_in(&signed.session, &next);
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    crate::api::respond(
        async move {
            use crate::server::request_auth::{app_state, current_auth};
            let state = app_state()?;
            if let Some(auth) = current_auth() {
                crate::server::service::auth::logout(
                    &state.db,
                    &state.auth_cache,
                    &auth.context,
                    &auth.credential,
                )
                .await?;
            }
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.append_header(
                    axum::http::header::SET_COOKIE,
                    crate::server::session_cookie::clear(is_https()),
                );
            }
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

/// Mails a password-reset link to the address, if it has an account.
#[server(input = Json)]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    crate::api::respond(
        async move {
            use crate::server::request_auth::{app_state, client_ip};
            let state = app_state()?;
            let email = crate::domain::account::parse_reset_email(&email)
                .map_err(|m| AppError::invalid("email", m))?;
            let headers = use_context::<axum::http::request::Parts>()
                .map(|p| p.headers)
                .unwrap_or_default();
            crate::server::service::password_reset::request(
                &state.db,
                &state.mailer,
                &state.signup_throttle,
                client_ip(),
                &email,
                &state.base_url(&headers),
            )
            .await
        }
        .await,
    )
}

/// Sets a new password with a reset link's secret.
#[server(input = Json)]
pub async fn reset_password(secret: String, new_password: String) -> Result<(), AppError> {
    crate::api::respond(
        async move {
            let state = crate::server::request_auth::app_state()?;
            let new = crate::domain::account::Password::parse(&new_password)
                .map_err(|m| AppError::invalid("newPassword", m))?;
            crate::server::service::password_reset::confirm(
                &state.db,
                &state.auth_cache,
                &secret,
                new,
            )
            .await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn is_https() -> bool {
    use_context::<axum::http::request::Parts>()
        .is_some_and(|p| crate::server::session_cookie::is_https(&p.headers))
}

#[cfg(feature = "ssr")]
fn finish_sign_in(session: &crate::server::service::auth::IssuedSession, next: &str) {
    set_session_cookie(session);
    leptos_axum::redirect(&safe_next(next));
}

#[cfg(feature = "ssr")]
pub(crate) fn set_session_cookie(session: &crate::server::service::auth::IssuedSession) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.append_header(
            axum::http::header::SET_COOKIE,
            crate::server::session_cookie::set(session, is_https()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/contacts?page=2"), "/contacts?page=2");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "/\u{7f}",
            "/caf\u{e9}",
            "contacts",
            "",
        ] {
            assert_eq!(safe_next(bad), "/contacts");
        }
    }
}
