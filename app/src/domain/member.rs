//! A workspace's members and invitations, and the workspaces a person belongs to.

use crate::domain::account::{Role, TenantView};
use crate::domain::email::EmailAddress;
use crate::domain::field_errors::FieldErrors;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long an invitation link stays valid.
pub const INVITATION_DAYS: i64 = 7;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MemberView {
    pub user_id: Uuid,
    pub email: String,
    pub role: Role,
    pub joined: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvitationView {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub created: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

/// An invitation as created: the only time its link (with the secret) is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedInvitation {
    pub id: Uuid,
    pub link: String,
    pub expires: DateTime<Utc>,
    /// Whether the link was mailed to the invitee (only when mail is set up).
    pub mailed: bool,
}

/// A workspace the signed-in person belongs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WorkspaceView {
    pub tenant: TenantView,
    pub role: Role,
    /// The one this session is in.
    pub current: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NewInvitation {
    pub email: EmailAddress,
    pub role: Role,
}

impl NewInvitation {
    pub fn parse(email: &str, role: &str) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        let email = e.take("email", EmailAddress::parse(email));
        let role = e.take("role", Role::parse_input(role));
        e.into_result()?;
        Ok(Self {
            email: email.unwrap(),
            role: role.unwrap(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitations_need_an_address_and_a_role() {
        let e = NewInvitation::parse("nope", "boss").unwrap_err();
        assert!(e.get("email").is_some() && e.get("role").is_some());
        let ok = NewInvitation::parse(" Ann@Example.com ", "viewer").unwrap();
        assert_eq!(ok.role, Role::Viewer);
        assert_eq!(ok.email.key(), "ann@example.com");
    }
}
