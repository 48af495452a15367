//! `/api/v1/auth/*`: sign-up, sign-in, sign-out, and who am I.

use super::extract::{Authenticated, ClientAddr, JsonBody, Tenant, object_of, text_field};
use super::openapi::{
    DeleteWorkspaceBody, ErrorBody, LoginBody, PasswordBody, ResetConfirmBody, ResetRequestBody,
    SignedInBody, SignupBody, SwitchBody,
};
use app::domain::account::{Login, Me, Password, PasswordChange, Signup, parse_reset_email};
use app::domain::error::AppError;
use app::domain::field_errors::FieldErrors;
use app::domain::member::WorkspaceView;
use app::server::service::auth::{self, SignedIn};
use app::server::service::password_reset;
use app::server::session_cookie;
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

fn signed_in(status: StatusCode, signed: SignedIn, headers: &HeaderMap) -> Response {
    let Me { user, tenant, .. } = signed.me;
    let cookie = session_cookie::set(&signed.session, session_cookie::is_https(headers));
    (
        status,
        [(header::SET_COOKIE, cookie)],
        Json(json!({ "user": user, "tenant": tenant })),
    )
        .into_response()
}

/// 204 with the session cookie cleared: what every way of ending a session answers.
fn signed_out(headers: &HeaderMap) -> Response {
    let cookie = session_cookie::clear(session_cookie::is_https(headers));
    (StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response()
}

#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth",
    request_body = SignupBody,
    responses((status = 201, description = "Workspace created and signed in (session cookie set)", body = SignedInBody),
        (status = 409, description = "Email already has an account", body = ErrorBody), (status = 429, description = "Too many sign-ups from this client; see Retry-After", body = ErrorBody), (status = 400, description = "Invalid input", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn signup(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    let (email, password, workspace) = (
        text_field(&body, "email", &mut errors),
        text_field(&body, "password", &mut errors),
        text_field(&body, "workspaceName", &mut errors),
    );
    errors.into_result()?;
    let input = Signup::parse(email, password, workspace)?;
    let signed =
        auth::signup_for_client(&state.db, &state.signup_throttle, client.0, input).await?;
    Ok(signed_in(StatusCode::CREATED, signed, &headers))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginBody,
    responses((status = 200, description = "Signed in (session cookie set)", body = SignedInBody),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 429, description = "Too many failures; see Retry-After", body = ErrorBody), (status = 400, description = "Invalid input", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    let (email, password) = (
        text_field(&body, "email", &mut errors),
        text_field(&body, "password", &mut errors),
    );
    errors.into_result()?;
    let input = Login::parse(email, password)?;
    let signed = auth::login(&state.db, &state.login_throttle, client.0, input).await?;
    Ok(signed_in(StatusCode::OK, signed, &headers))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    security(("session" = []), ("bearer" = [])),
    responses((status = 204, description = "Session revoked and cookie cleared"), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Authenticated(request): Authenticated,
) -> Result<Response, AppError> {
    auth::logout(
        &state.db,
        &state.auth_cache,
        &request.context,
        &request.credential,
    )
    .await?;
    Ok(signed_out(&headers))
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The signed-in user and workspace", body = Me), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, Tenant(ctx): Tenant) -> Result<Json<Me>, AppError> {
    Ok(Json(auth::me(&state.db, &ctx).await?))
}

#[utoipa::path(get, path = "/api/v1/auth/workspaces", tag = "auth",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The workspaces you belong to; `current` marks this session's", body = Vec<WorkspaceView>), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn workspaces(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
) -> Result<Json<Vec<WorkspaceView>>, AppError> {
    Ok(Json(auth::workspaces(&state.db, &ctx).await?))
}

#[utoipa::path(post, path = "/api/v1/auth/switch", tag = "auth",
    security(("session" = [])),
    request_body = SwitchBody,
    responses((status = 200, description = "This session now works in that workspace (a new session cookie is set)", body = SignedInBody),
        (status = 404, description = "Not a workspace of yours", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 400, description = "Invalid input", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn switch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Authenticated(request): Authenticated,
    JsonBody(body): JsonBody,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    object_of(&body, &["tenantId"], "a switch", &mut errors)?;
    let raw = text_field(&body, "tenantId", &mut errors);
    let tenant_id = errors.take(
        "tenantId",
        uuid::Uuid::parse_str(raw.trim()).map_err(|_| "must be a workspace id".to_owned()),
    );
    errors.into_result()?;
    let signed = auth::switch(
        &state.db,
        &state.auth_cache,
        &request.context,
        &request.credential,
        tenant_id.ok_or(AppError::Internal)?,
    )
    .await?;
    Ok(signed_in(StatusCode::OK, signed, &headers))
}

#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth",
    security(("session" = []), ("bearer" = [])),
    request_body = PasswordBody,
    responses((status = 204, description = "Changed; every other session of yours is signed out"),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 400, description = "Invalid input, or the current password is wrong", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn password(
    State(state): State<AppState>,
    Authenticated(request): Authenticated,
    JsonBody(body): JsonBody,
) -> Result<StatusCode, AppError> {
    let mut errors = FieldErrors::new();
    object_of(
        &body,
        &["currentPassword", "newPassword"],
        "a password change",
        &mut errors,
    )?;
    let (current, new) = (
        text_field(&body, "currentPassword", &mut errors),
        text_field(&body, "newPassword", &mut errors),
    );
    errors.into_result()?;
    let change = PasswordChange::parse(current, new)?;
    auth::change_password(
        &state.db,
        &state.auth_cache,
        &request.context,
        &request.credential,
        change,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/auth/logout-everywhere", tag = "auth",
    security(("session" = []), ("bearer" = [])),
    responses((status = 204, description = "Every session of yours, in every workspace, is signed out (tokens stay)"), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn logout_everywhere(
    State(state): State<AppState>,
    headers: HeaderMap,
    Authenticated(request): Authenticated,
) -> Result<Response, AppError> {
    auth::sign_out_everywhere(
        &state.db,
        &state.auth_cache,
        &request.context,
        &request.credential,
    )
    .await?;
    Ok(signed_out(&headers))
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth",
    request_body = ResetRequestBody,
    responses((status = 202, description = "If the address has an account, a link to reset its password is mailed (valid for an hour, once); the answer is the same either way"),
        (status = 404, description = "Mail is not set up on this server (`not_configured`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this client; see Retry-After", body = ErrorBody), (status = 400, description = "Invalid input", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn request_password_reset(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<StatusCode, AppError> {
    let mut errors = FieldErrors::new();
    object_of(&body, &["email"], "a reset request", &mut errors)?;
    let raw = text_field(&body, "email", &mut errors);
    let email = errors.take("email", parse_reset_email(raw));
    errors.into_result()?;
    password_reset::request(
        &state.db,
        &state.mailer,
        &state.signup_throttle,
        client.0,
        &email.unwrap_or_default(),
        &state.base_url(&headers),
    )
    .await?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "auth",
    request_body = ResetConfirmBody,
    responses((status = 204, description = "The password is changed and every session of that person is signed out"),
        (status = 404, description = "No such reset link", body = ErrorBody),
        (status = 410, description = "Used or expired", body = ErrorBody),
        (status = 400, description = "Invalid input", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn confirm_password_reset(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<StatusCode, AppError> {
    let mut errors = FieldErrors::new();
    object_of(
        &body,
        &["secret", "newPassword"],
        "a password reset",
        &mut errors,
    )?;
    let (secret, new) = (
        text_field(&body, "secret", &mut errors),
        text_field(&body, "newPassword", &mut errors),
    );
    if secret.trim().is_empty() {
        errors.add("secret", "is required");
    }
    let new = errors.take("newPassword", Password::parse(new));
    errors.into_result()?;
    let new = new.ok_or(AppError::Internal)?;
    password_reset::confirm(&state.db, &state.auth_cache, secret, new).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/workspace", tag = "auth",
    security(("session" = [])),
    request_body = DeleteWorkspaceBody,
    responses((status = 204, description = "The workspace and everything in it are gone; every member's access to it ends"),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 400, description = "The name does not match", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn delete_workspace(
    State(state): State<AppState>,
    headers: HeaderMap,
    Authenticated(request): Authenticated,
    JsonBody(body): JsonBody,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    object_of(&body, &["name"], "a deletion", &mut errors)?;
    let name = text_field(&body, "name", &mut errors);
    errors.into_result()?;
    auth::delete_workspace(
        &state.db,
        &state.auth_cache,
        &request.context,
        &request.credential,
        name,
    )
    .await?;
    Ok(signed_out(&headers))
}
