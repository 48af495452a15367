//! Proof that a request was authenticated into one tenant, and as whom. Its constructors are
//! private to the service layer: only authentication (and a job, as the member who started it)
//! makes one.

use crate::domain::account::Role;
use crate::domain::error::AppError;
use crate::domain::lead_event::{Actor, Via};
use crate::domain::permission::{Action, allowed};
use crate::domain::token::TokenScope;
use uuid::Uuid;

/// The API token a request came with: its name (for history) and what it may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenUse {
    pub name: String,
    pub scope: TokenScope,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantContext {
    tenant_id: Uuid,
    user_id: Uuid,
    role: Role,
    token: Option<TokenUse>,
    via: Via,
}

impl TenantContext {
    /// A signed-in session in the app.
    pub(super) fn new(tenant_id: Uuid, user_id: Uuid, role: Role) -> Self {
        Self {
            tenant_id,
            user_id,
            role,
            token: None,
            via: Via::Ui,
        }
    }

    /// A request with an API token.
    pub(super) fn with_token(tenant_id: Uuid, user_id: Uuid, role: Role, token: TokenUse) -> Self {
        Self {
            tenant_id,
            user_id,
            role,
            token: Some(token),
            via: Via::Api,
        }
    }

    /// The same caller, working through another door (a job).
    pub(super) fn via(mut self, via: Via) -> Self {
        self.via = via;
        self
    }

    pub fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }

    pub fn user_id(&self) -> Uuid {
        self.user_id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn via_door(&self) -> Via {
        self.via
    }

    /// Who to name in a contact's history.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user_id),
            token: self.token.as_ref().map(|t| t.name.clone()),
        }
    }

    /// Whether the caller may do `action` (its role, and a token's scope).
    pub fn may(&self, action: Action) -> bool {
        allowed(self.role, self.token.as_ref().map(|t| t.scope), action)
    }

    /// The one check every operation makes before touching data: 403 when not allowed.
    pub fn require(&self, action: Action) -> Result<(), AppError> {
        if self.may(action) {
            return Ok(());
        }
        let reason = match &self.token {
            Some(t) if t.scope == TokenScope::Read && self.role.may(action) => format!(
                "This token can only read; {} needs a write token",
                action.describe()
            ),
            _ => format!(
                "Your role ({}) cannot {}",
                self.role.as_str(),
                action.describe()
            ),
        };
        Err(AppError::Forbidden(reason))
    }
}
