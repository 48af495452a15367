//! Sign-up and sign-in input, and the signed-in identity the API returns.

use crate::domain::email::EmailAddress;
use crate::domain::field_errors::FieldErrors;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MIN_PASSWORD: usize = 8;
pub const MAX_PASSWORD: usize = 256;
pub const MAX_WORKSPACE_NAME: usize = 100;

/// A member's role in a workspace, most powerful first. What each may do is in
/// `domain::permission`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Role {
    Owner,
    Admin,
    Member,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    /// Parses a role given by a user (an invitation, a role change).
    pub fn parse_input(raw: &str) -> Result<Self, String> {
        Self::parse(raw.trim())
            .ok_or_else(|| "must be one of owner, admin, member, viewer".to_owned())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Admin => "Admin",
            Self::Member => "Member",
            Self::Viewer => "Viewer",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TenantView {
    pub id: Uuid,
    pub name: String,
}

/// Who is signed in, in which workspace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Me {
    pub user: UserView,
    pub tenant: TenantView,
    pub role: Role,
}

/// A password that met the length rules; never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let len = raw.chars().count();
        if len < MIN_PASSWORD {
            return Err(format!("must be at least {MIN_PASSWORD} characters"));
        }
        if len > MAX_PASSWORD {
            return Err(format!("must be at most {MAX_PASSWORD} characters"));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

pub fn parse_workspace_name(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("is required".into());
    }
    if trimmed.chars().count() > MAX_WORKSPACE_NAME || trimmed.chars().any(char::is_control) {
        return Err(format!(
            "must be at most {MAX_WORKSPACE_NAME} printable characters"
        ));
    }
    Ok(trimmed.to_owned())
}

#[derive(Debug)]
pub struct Signup {
    pub email: EmailAddress,
    pub password: Password,
    pub workspace_name: String,
}

impl Signup {
    pub fn parse(email: &str, password: &str, workspace_name: &str) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        let email = e.take("email", EmailAddress::parse(email));
        let password = e.take("password", Password::parse(password));
        let workspace_name = e.take("workspaceName", parse_workspace_name(workspace_name));
        e.into_result()?;
        Ok(Self {
            email: email.unwrap(),
            password: password.unwrap(),
            workspace_name: workspace_name.unwrap(),
        })
    }
}

/// A password change: the current password (checked by the server) and a new one.
#[derive(Debug)]
pub struct PasswordChange {
    pub current: Password,
    pub new: Password,
}

impl PasswordChange {
    pub fn parse(current: &str, new: &str) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        // The current one was valid when set; only its presence is checked here.
        if current.is_empty() {
            e.add("currentPassword", "is required");
        }
        let new = e.take("newPassword", Password::parse(new));
        e.into_result()?;
        Ok(Self {
            current: Password(current.to_owned()),
            new: new.unwrap(),
        })
    }
}

/// The address a password reset is asked for: only bounded, like sign-in's (its shape says
/// nothing about whether it has an account).
pub fn parse_reset_email(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("is required".into());
    }
    if trimmed.chars().count() > crate::domain::email::MAX_EMAIL_LEN
        || trimmed.chars().any(char::is_control)
    {
        return Err("is not an email address".into());
    }
    Ok(trimmed.to_owned())
}

/// Sign-in input is only checked for presence and size: rules on its shape would leak which
/// accounts exist. The size cap also bounds what the sign-in throttle keeps per attempt.
pub struct Login {
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("email", &self.email)
            .field("password", &"***")
            .finish()
    }
}

impl Login {
    pub fn parse(email: &str, password: &str) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        if email.trim().is_empty() {
            e.add("email", "is required");
        } else if email.trim().chars().count() > crate::domain::email::MAX_EMAIL_LEN {
            e.add(
                "email",
                format!(
                    "must be at most {} characters",
                    crate::domain::email::MAX_EMAIL_LEN
                ),
            );
        } else if email.chars().any(char::is_control) {
            e.add("email", "must not contain control characters");
        }
        if password.is_empty() {
            e.add("password", "is required");
        }
        if password.chars().count() > MAX_PASSWORD {
            e.add(
                "password",
                format!("must be at most {MAX_PASSWORD} characters"),
            );
        }
        e.into_result()?;
        Ok(Self {
            email: email.trim().to_owned(),
            password: password.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signup_reports_every_field() {
        let err = Signup::parse("bad", "short", "  ").unwrap_err();
        for field in ["email", "password", "workspaceName"] {
            assert!(err.get(field).is_some());
        }
        let ok = Signup::parse(" A@Example.com", "long enough", " Acme ").unwrap();
        assert_eq!(
            (ok.email.as_str(), ok.workspace_name.as_str()),
            ("A@example.com", "Acme")
        );
    }

    #[test]
    fn login_is_bounded_and_never_prints_its_password() {
        let long = format!("{}@example.com", "a".repeat(300));
        assert!(
            Login::parse(&long, "pw")
                .unwrap_err()
                .get("email")
                .is_some()
        );
        assert!(
            Login::parse("a\u{0}@b.co", "pw")
                .unwrap_err()
                .get("email")
                .is_some()
        );
        let login = Login::parse("a@b.co", "hunter22").unwrap();
        assert!(!format!("{login:?}").contains("hunter22"));
    }

    #[test]
    fn password_is_not_printed() {
        assert_eq!(
            format!("{:?}", Password::parse("secret-password").unwrap()),
            "Password(***)"
        );
    }
}
