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
    pub created: DateTime<Utc>,
    pub last_used: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub id: Uuid,
    pub name: String,
    pub token: String,
}

pub fn parse_token_name(raw: &str) -> Result<String, String> {
    crate::domain::lead_input::parse_text(raw, MAX_TOKEN_NAME)?
        .ok_or_else(|| "is required".to_owned())
}
