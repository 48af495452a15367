//! Bulk actions: one change applied to many contacts, chosen by id or by a whole filter.

use crate::domain::attributes::{AttributeValue, validate_key, validate_value};
use crate::domain::lead::LeadStatus;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Ids one request may name; beyond that, select by filter (which runs as a job).
pub const MAX_BULK_IDS: usize = 1000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum BulkAction {
    Delete,
    SetStatus(LeadStatus),
    SetAttribute { key: String, value: AttributeValue },
    RemoveAttribute(String),
}

impl BulkAction {
    /// `{"delete":true} | {"setStatus":"bounced"} | {"setAttribute":{"key","value"}} |
    /// {"removeAttribute":"key"}`.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let shape = "must be one of {\"delete\":true}, {\"setStatus\":…}, {\"setAttribute\":{\"key\",\"value\"}} or {\"removeAttribute\":…}";
        let Some(object) = value.as_object().filter(|o| o.len() == 1) else {
            return Err(shape.into());
        };
        let (name, arg) = object.iter().next().ok_or(shape)?;
        match (name.as_str(), arg) {
            ("delete", Value::Bool(true)) => Ok(Self::Delete),
            ("setStatus", Value::String(s)) => LeadStatus::parse(s).map(Self::SetStatus),
            ("setAttribute", Value::Object(o)) => {
                let key = o
                    .get("key")
                    .and_then(Value::as_str)
                    .ok_or("setAttribute needs a key")?;
                validate_key(key)?;
                if o.keys().any(|k| k != "key" && k != "value") {
                    return Err("setAttribute takes only key and value".into());
                }
                let value = validate_value(key, o.get("value").unwrap_or(&Value::Null))?;
                Ok(Self::SetAttribute {
                    key: key.to_owned(),
                    value,
                })
            }
            ("removeAttribute", Value::String(key)) => {
                validate_key(key)?;
                Ok(Self::RemoveAttribute(key.clone()))
            }
            _ => Err(shape.into()),
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            Self::Delete => serde_json::json!({ "delete": true }),
            Self::SetStatus(s) => serde_json::json!({ "setStatus": s.as_str() }),
            Self::SetAttribute { key, value } => {
                serde_json::json!({ "setAttribute": { "key": key, "value": value } })
            }
            Self::RemoveAttribute(key) => serde_json::json!({ "removeAttribute": key }),
        }
    }

    /// The job kind a filter-wide run of this action has.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Delete => "bulk.delete",
            Self::SetStatus(_) => "bulk.setStatus",
            Self::SetAttribute { .. } => "bulk.setAttribute",
            Self::RemoveAttribute(_) => "bulk.removeAttribute",
        }
    }

    /// "Delete", "Set status to Bounced", … for confirmations.
    pub fn describe(&self) -> String {
        match self {
            Self::Delete => "Delete".into(),
            Self::SetStatus(s) => format!("Set status to {}", s.label()),
            Self::SetAttribute { key, value } => format!("Set {key} to {}", value.to_form_text()),
            Self::RemoveAttribute(key) => format!("Remove {key}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn actions_parse_and_round_trip() {
        for raw in [
            json!({ "delete": true }),
            json!({ "setStatus": "bounced" }),
            json!({ "setAttribute": { "key": "plan", "value": "pro" } }),
            json!({ "setAttribute": { "key": "seats", "value": 5 } }),
            json!({ "removeAttribute": "plan" }),
        ] {
            let action = BulkAction::from_json(&raw).unwrap();
            assert_eq!(action.to_json(), raw);
        }
    }

    #[test]
    fn nonsense_is_refused() {
        for raw in [
            json!({}),
            json!({ "delete": false }),
            json!({ "delete": true, "setStatus": "active" }),
            json!({ "setStatus": "gone" }),
            json!({ "setAttribute": { "key": "", "value": 1 } }),
            json!({ "setAttribute": { "key": "a", "value": [1] } }),
            json!({ "setAttribute": { "key": "a", "value": "x\u{0}" } }),
            json!({ "removeAttribute": 5 }),
            json!("delete"),
        ] {
            assert!(BulkAction::from_json(&raw).is_err(), "{raw}");
        }
    }
}
