//! Proof that a request was authenticated into one tenant. Its constructor is private to the
//! service layer: only `auth::authenticate`, `auth::signup` and `auth::login` make one.

use crate::domain::account::Role;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantContext {
    tenant_id: Uuid,
    user_id: Uuid,
    role: Role,
}

impl TenantContext {
    pub(super) fn new(tenant_id: Uuid, user_id: Uuid, role: Role) -> Self {
        Self {
            tenant_id,
            user_id,
            role,
        }
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
}
