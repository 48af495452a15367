//! A lead (contact) as the API and the UI see it.

use crate::domain::attributes::Attributes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum LeadStatus {
    #[default]
    Active,
    Bounced,
    Unsubscribed,
}

impl LeadStatus {
    pub const ALL: [LeadStatus; 3] = [Self::Active, Self::Bounced, Self::Unsubscribed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Bounced => "bounced",
            Self::Unsubscribed => "unsubscribed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Bounced => "Bounced",
            Self::Unsubscribed => "Unsubscribed",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| "must be one of active, bounced, unsubscribed".to_owned())
    }
}

impl fmt::Display for LeadStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Lead {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub status: LeadStatus,
    pub score: i32,
    /// Custom key/value attributes: string, number or boolean values.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub attributes: Attributes,
    #[serde(deserialize_with = "rfc3339")]
    pub created: DateTime<Utc>,
    #[serde(deserialize_with = "rfc3339")]
    pub updated: DateTime<Utc>,
}

/// Timestamps are always RFC 3339; chrono's dedicated parser for it is far smaller in WASM than
/// the general one its `Deserialize` uses.
fn rfc3339<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    DateTime::parse_from_rfc3339(&raw)
        .map(|t| t.to_utc())
        .map_err(serde::de::Error::custom)
}

impl Lead {
    /// The name to show: first + last, else `name`, else none.
    pub fn display_name(&self) -> Option<String> {
        join_names(self.first_name.as_deref(), self.last_name.as_deref())
            .or_else(|| self.name.clone())
    }

    /// A version tag for optimistic concurrency (HTTP `ETag`, and the edit form).
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.updated.timestamp_micros())
    }
}

/// "First Last", either alone, or none when both are empty.
pub fn join_names(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let joined = [first.unwrap_or(""), last.unwrap_or("")]
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!joined.is_empty()).then_some(joined)
}
