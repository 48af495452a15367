//! A contact's history: one event per change, saying what changed (old → new), who did it and
//! through which door.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum EventKind {
    Created,
    Updated,
    Deleted,
    /// Created or updated by an import.
    Imported,
    /// Changed by a bulk action.
    BulkChanged,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
            Self::Imported => "imported",
            Self::BulkChanged => "bulk_changed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Created,
            Self::Updated,
            Self::Deleted,
            Self::Imported,
            Self::BulkChanged,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Created => "Created",
            Self::Updated => "Edited",
            Self::Deleted => "Deleted",
            Self::Imported => "Imported",
            Self::BulkChanged => "Changed in bulk",
        }
    }
}

/// Which door a change came through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Via {
    /// The app in a browser (a session).
    #[default]
    Ui,
    /// The REST API with a token.
    Api,
    /// An import job.
    Import,
    /// A bulk-action job.
    Bulk,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ui => "ui",
            Self::Api => "api",
            Self::Import => "import",
            Self::Bulk => "bulk",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Ui, Self::Api, Self::Import, Self::Bulk]
            .into_iter()
            .find(|v| v.as_str() == raw)
    }
}

/// Who made a change: a member, and the token's name when it came with one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Actor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// One field's change. `null` on a side means the field was empty (or the contact absent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldChange {
    /// Any JSON value: text, a number, a boolean, or null.
    pub from: Value,
    pub to: Value,
}

/// Field name (`email`, `status`, …, `attributes.<key>`) → its change.
pub type Changes = BTreeMap<String, FieldChange>;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LeadEvent {
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub actor: Actor,
    pub via: Via,
    pub changes: Changes,
}
