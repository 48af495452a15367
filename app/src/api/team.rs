//! Members, invitations, API tokens, workspaces and the account, for the settings pages; and a
//! contact's history. Each a thin door into the same services as the REST API.

use crate::domain::account::{Role, TenantView};
use crate::domain::error::AppError;
use crate::domain::lead_event::LeadEvent;
use crate::domain::member::{CreatedInvitation, InvitationView, MemberView, WorkspaceView};
use crate::domain::token::{ApiTokenView, CreatedToken};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[server(input = Json)]
pub async fn list_members() -> Result<Vec<MemberView>, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::members::list(&state.db, &ctx).await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn set_member_role(user_id: Uuid, role: String) -> Result<MemberView, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            let role = Role::parse_input(&role).map_err(|m| AppError::invalid("role", m))?;
            crate::server::service::members::set_role(
                &state.db,
                &state.auth_cache,
                &ctx,
                user_id,
                role,
            )
            .await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn remove_member(user_id: Uuid) -> Result<(), AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::members::remove(&state.db, &state.auth_cache, &ctx, user_id)
                .await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn list_invitations() -> Result<Vec<InvitationView>, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::invitations::list(&state.db, &ctx).await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn invite(email: String, role: String) -> Result<CreatedInvitation, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            let new = crate::domain::member::NewInvitation::parse(&email, &role)?;
            let headers = use_context::<axum::http::request::Parts>()
                .map(|p| p.headers)
                .unwrap_or_default();
            let base = state.base_url(&headers);
            crate::server::service::invitations::create(&state.db, &state.mailer, &ctx, new, &base)
                .await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn revoke_invitation(id: Uuid) -> Result<(), AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::invitations::revoke(&state.db, &ctx, id).await
        }
        .await,
    )
}

/// What an invitation link offers, shown before joining.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub tenant: TenantView,
    pub role: Role,
    /// Whoever opens the link is signed in (else they sign in or up first).
    pub signed_in: bool,
}

#[server(input = Json)]
pub async fn preview_invitation(secret: String) -> Result<InvitationPreview, AppError> {
    crate::api::respond(
        async move {
            let state = crate::server::request_auth::app_state()?;
            let (tenant, role) =
                crate::server::service::invitations::peek(&state.db, &secret).await?;
            Ok(InvitationPreview {
                tenant,
                role,
                signed_in: crate::server::request_auth::current_auth().is_some(),
            })
        }
        .await,
    )
}

/// Accepts an invitation and moves this session into the workspace joined.
#[server(input = Json)]
pub async fn join_workspace(secret: String) -> Result<TenantView, AppError> {
    crate::api::respond(
        async move {
            use crate::server::request_auth::{app_state, current_auth};
            let state = app_state()?;
            let auth = current_auth().ok_or(AppError::Unauthorized)?;
            let tenant = crate::server::service::invitations::accept(
                &state.db,
                &auth.context,
                &auth.credential,
                &secret,
            )
            .await?;
            let signed = crate::server::service::auth::switch(
                &state.db,
                &state.auth_cache,
                &auth.context,
                &auth.credential,
                tenant.id,
            )
            .await?;
            crate::api::account::set_session_cookie(&signed.session);
            Ok(tenant)
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn list_workspaces() -> Result<Vec<WorkspaceView>, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::auth::workspaces(&state.db, &ctx).await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn switch_workspace(tenant_id: Uuid) -> Result<(), AppError> {
    crate::api::respond(
        async move {
            use crate::server::request_auth::{app_state, current_auth};
            let state = app_state()?;
            let auth = current_auth().ok_or(AppError::Unauthorized)?;
            let signed = crate::server::service::auth::switch(
                &state.db,
                &state.auth_cache,
                &auth.context,
                &auth.credential,
                tenant_id,
            )
            .await?;
            crate::api::account::set_session_cookie(&signed.session);
            Ok(())
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn list_tokens() -> Result<Vec<ApiTokenView>, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::tokens::list(&state.db, &ctx).await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn create_token(
    name: String,
    scope: String,
    expires: String,
) -> Result<CreatedToken, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            let new =
                crate::domain::token::NewToken::parse(&name, &scope, &expires, chrono::Utc::now())?;
            crate::server::service::tokens::create(&state.db, &ctx, new).await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn revoke_token(id: Uuid) -> Result<(), AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::tokens::revoke(&state.db, &state.auth_cache, &ctx, id).await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    crate::api::respond(
        async move {
            use crate::server::request_auth::{app_state, current_auth};
            let state = app_state()?;
            let auth = current_auth().ok_or(AppError::Unauthorized)?;
            let change = crate::domain::account::PasswordChange::parse(&current, &new)?;
            crate::server::service::auth::change_password(
                &state.db,
                &state.auth_cache,
                &auth.context,
                &auth.credential,
                change,
            )
            .await
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    crate::api::respond(
        async move {
            use crate::server::request_auth::{app_state, current_auth};
            let state = app_state()?;
            let auth = current_auth().ok_or(AppError::Unauthorized)?;
            crate::server::service::auth::sign_out_everywhere(
                &state.db,
                &state.auth_cache,
                &auth.context,
                &auth.credential,
            )
            .await?;
            Ok(())
        }
        .await,
    )
}

#[server(input = Json)]
pub async fn contact_events(id: Uuid) -> Result<Vec<LeadEvent>, AppError> {
    crate::api::respond(
        async move {
            let (state, ctx) = crate::server::request_auth::require_tenant()?;
            crate::server::service::lead_events::list(&state.db, &ctx, id).await
        }
        .await,
    )
}

/// Deletes the workspace (owners only), naming it to confirm; this session ends with it.
#[server(input = Json)]
pub async fn delete_workspace(name: String) -> Result<(), AppError> {
    crate::api::respond(
        async move {
            use crate::server::request_auth::{app_state, current_auth};
            let state = app_state()?;
            let auth = current_auth().ok_or(AppError::Unauthorized)?;
            crate::server::service::auth::delete_workspace(
                &state.db,
                &state.auth_cache,
                &auth.context,
                &auth.credential,
                &name,
            )
            .await
        }
        .await,
    )
}
