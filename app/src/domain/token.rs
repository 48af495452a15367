//! API tokens as listed (never with their secret) and as created (the one time it is shown).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MAX_TOKEN_NAME: usize = 100;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiTokenView {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scope: TokenScope,
    /// The member it acts as.
    pub user_id: Uuid,
    pub created: DateTime<Utc>,
    pub last_used: Option<DateTime<Utc>>,
    pub expires: Option<DateTime<Utc>>,
}

/// What a token may do: `read` only reads (any write is a 403), `write` whatever its member's
/// role allows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum TokenScope {
    Read,
    #[default]
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            _ => Err("must be read or write".into()),
        }
    }
}

/// A token to create: checked once here for the REST API and the settings page alike.
#[derive(Clone, Debug, PartialEq)]
pub struct NewToken {
    pub name: String,
    pub scope: TokenScope,
    pub expires: Option<DateTime<Utc>>,
}

impl NewToken {
    /// `expires` is an RFC 3339 time or a date (the end of that day, UTC); it must be in the
    /// future as of `now`. An empty scope means `write`, what tokens were before scopes.
    pub fn parse(
        name: &str,
        scope: &str,
        expires: &str,
        now: DateTime<Utc>,
    ) -> Result<Self, crate::domain::field_errors::FieldErrors> {
        let mut e = crate::domain::field_errors::FieldErrors::new();
        let name = e.take("name", parse_token_name(name));
        let scope = if scope.trim().is_empty() {
            Some(TokenScope::Write)
        } else {
            e.take("scope", TokenScope::parse(scope))
        };
        let expires = e.take("expires", parse_expiry(expires, now));
        e.into_result()?;
        Ok(Self {
            name: name.unwrap_or_default(),
            scope: scope.unwrap_or_default(),
            expires: expires.flatten(),
        })
    }
}

fn parse_expiry(raw: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let at = if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        t.with_timezone(&Utc)
    } else if let Ok(d) = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        d.and_hms_opt(23, 59, 59)
            .map(|t| t.and_utc())
            .ok_or("is not a date")?
    } else {
        return Err("must be a date (2027-01-31) or a time (2027-01-31T12:00:00Z)".into());
    };
    if at <= now {
        return Err("must be in the future".into());
    }
    Ok(Some(at))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub id: Uuid,
    pub name: String,
    pub scope: TokenScope,
    pub expires: Option<DateTime<Utc>>,
    pub token: String,
}

pub fn parse_token_name(raw: &str) -> Result<String, String> {
    crate::domain::lead_input::parse_text(raw, MAX_TOKEN_NAME)?
        .ok_or_else(|| "is required".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_tokens_default_to_write_and_expire_in_the_future() {
        let now = "2026-01-01T00:00:00Z".parse().unwrap();
        let t = NewToken::parse("ci", "", "", now).unwrap();
        assert_eq!((t.scope, t.expires), (TokenScope::Write, None));
        let t = NewToken::parse("ci", "read", "2026-02-01", now).unwrap();
        assert_eq!(t.scope, TokenScope::Read);
        assert_eq!(t.expires.unwrap().to_rfc3339(), "2026-02-01T23:59:59+00:00");
        let e = NewToken::parse("", "admin", "2025-01-01", now).unwrap_err();
        for field in ["name", "scope", "expires"] {
            assert!(e.get(field).is_some(), "{field}");
        }
    }
}
