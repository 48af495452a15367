//! `/api/v1/members` and `/api/v1/invitations`: who is in the workspace, and who is asked in.

use super::extract::{Authenticated, JsonBody, PathId, Tenant, object_of, text_field};
use super::openapi::{AcceptBody, AcceptedBody, ErrorBody, InvitationBody, RoleBody};
use app::domain::account::Role;
use app::domain::error::AppError;
use app::domain::field_errors::FieldErrors;
use app::domain::member::{CreatedInvitation, InvitationView, MemberView, NewInvitation};
use app::server::service::{invitations, members};
use app::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

#[utoipa::path(get, path = "/api/v1/members", tag = "members",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The workspace's members, oldest first", body = Vec<MemberView>), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
) -> Result<Json<Vec<MemberView>>, AppError> {
    Ok(Json(members::list(&state.db, &ctx).await?))
}

#[utoipa::path(patch, path = "/api/v1/members/{userId}", tag = "members",
    security(("session" = []), ("bearer" = [])),
    params(("userId" = uuid::Uuid, Path, description = "The member's user id")),
    request_body = RoleBody,
    responses((status = 200, description = "The member with the new role; it applies from their next request", body = MemberView),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 409, description = "That would leave the workspace without an owner", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 400, description = "Invalid input", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(user_id): PathId,
    JsonBody(body): JsonBody,
) -> Result<Json<MemberView>, AppError> {
    let mut errors = FieldErrors::new();
    object_of(&body, &["role"], "a member", &mut errors)?;
    let raw = text_field(&body, "role", &mut errors);
    let role = errors.take("role", Role::parse_input(raw));
    errors.into_result()?;
    let role = role.ok_or(AppError::Internal)?;
    Ok(Json(
        members::set_role(&state.db, &state.auth_cache, &ctx, user_id, role).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/members/{userId}", tag = "members",
    security(("session" = []), ("bearer" = [])),
    params(("userId" = uuid::Uuid, Path, description = "The member's user id (your own: leave)")),
    responses((status = 204, description = "Removed; their sessions and tokens for this workspace stop working at once"),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 409, description = "The last owner cannot leave", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(user_id): PathId,
) -> Result<StatusCode, AppError> {
    members::remove(&state.db, &state.auth_cache, &ctx, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/invitations", tag = "members",
    security(("session" = []), ("bearer" = [])),
    request_body = InvitationBody,
    responses((status = 201, description = "Created; `link` (with its secret) is shown only here, and mailed when mail is set up", body = CreatedInvitation),
        (status = 409, description = "Already a member", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 400, description = "Invalid input", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn invite(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<CreatedInvitation>), AppError> {
    let mut errors = FieldErrors::new();
    object_of(&body, &["email", "role"], "an invitation", &mut errors)?;
    let (email, role) = (
        text_field(&body, "email", &mut errors),
        text_field(&body, "role", &mut errors),
    );
    errors.into_result()?;
    let new = NewInvitation::parse(email, role)?;
    let base = state.base_url(&headers);
    let created = invitations::create(&state.db, &state.mailer, &ctx, new, &base).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/invitations", tag = "members",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "Pending invitations, newest first", body = Vec<InvitationView>), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn invitations_list(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
) -> Result<Json<Vec<InvitationView>>, AppError> {
    Ok(Json(invitations::list(&state.db, &ctx).await?))
}

#[utoipa::path(delete, path = "/api/v1/invitations/{id}", tag = "members",
    security(("session" = []), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Invitation id")),
    responses((status = 204, description = "Revoked; its link no longer works"),
        (status = 404, description = "No such pending invitation", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    PathId(id): PathId,
) -> Result<StatusCode, AppError> {
    invitations::revoke(&state.db, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "members",
    security(("session" = [])),
    request_body = AcceptBody,
    responses((status = 200, description = "Joined; switch to it with /auth/switch", body = AcceptedBody),
        (status = 404, description = "No such invitation", body = ErrorBody),
        (status = 410, description = "Used or expired", body = ErrorBody),
        (status = 409, description = "Already a member", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 400, description = "Invalid input", body = ErrorBody), (status = 415, description = "Body is not JSON", body = ErrorBody), (status = 413, description = "Body over 1 MiB", body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    Authenticated(auth): Authenticated,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, AppError> {
    let mut errors = FieldErrors::new();
    object_of(&body, &["secret"], "an acceptance", &mut errors)?;
    let secret = text_field(&body, "secret", &mut errors);
    if secret.trim().is_empty() {
        errors.add("secret", "is required");
    }
    errors.into_result()?;
    let tenant = invitations::accept(&state.db, &auth.context, &auth.credential, secret).await?;
    Ok(Json(json!({ "tenant": tenant })))
}
