//! Validated input for creating and editing a lead, parsed from API JSON or from the UI form.
//! Both paths share the field rules below, so the browser shows exactly the server's errors.

use crate::domain::attributes::Attributes;
use crate::domain::email::EmailAddress;
use crate::domain::field_errors::FieldErrors;
use crate::domain::lead::{Lead, LeadStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const MAX_FIRST_LAST: usize = 100;
/// Room for a name derived from the longest first and last names ("First Last").
pub const MAX_NAME: usize = 2 * MAX_FIRST_LAST + 1;
pub const MAX_COMPANY: usize = 200;
pub const SCORE_RANGE: std::ops::RangeInclusive<i64> = -1_000_000..=1_000_000;

/// Every field a create or edit body may carry (the OpenAPI document is checked against it).
pub const KNOWN_FIELDS: [&str; 8] = [
    "email",
    "name",
    "firstName",
    "lastName",
    "company",
    "status",
    "score",
    "attributes",
];

/// A new lead. Empty optional text is `None`.
#[derive(Clone, Debug, PartialEq)]
pub struct NewLead {
    pub email: EmailAddress,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub status: LeadStatus,
    pub score: i32,
    pub attributes: Attributes,
}

/// A partial edit: `None` leaves a field alone; `Some(None)` clears an optional one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LeadPatch {
    pub email: Option<EmailAddress>,
    pub name: Option<Option<String>>,
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub company: Option<Option<String>>,
    pub status: Option<LeadStatus>,
    pub score: Option<i32>,
    pub attributes: Option<Attributes>,
}

/// What the contact form holds: every field as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadForm {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub status: String,
    pub score: String,
    pub attributes: Vec<(String, String)>,
    /// The attributes the contact had when an edit form was opened (empty for a new one).
    #[serde(default)]
    pub previous_attributes: Attributes,
}

pub fn parse_text(raw: &str, max: usize) -> Result<Option<String>, String> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

pub fn parse_score_text(raw: &str) -> Result<i32, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(0);
    }
    let value: i64 = trimmed
        .parse()
        .map_err(|_| "must be a whole number".to_owned())?;
    score_in_range(value)
}

fn score_in_range(value: i64) -> Result<i32, String> {
    if SCORE_RANGE.contains(&value) {
        Ok(value as i32)
    } else {
        Err(format!(
            "must be between {} and {}",
            SCORE_RANGE.start(),
            SCORE_RANGE.end()
        ))
    }
}

fn json_text(value: &Value, max: usize) -> Result<Option<String>, String> {
    match value {
        Value::String(s) => parse_text(s, max),
        Value::Null => Ok(None),
        _ => Err("must be a string".into()),
    }
}

fn json_email(value: &Value) -> Result<EmailAddress, String> {
    match value {
        Value::String(s) => EmailAddress::parse(s),
        Value::Null => Err("is required".into()),
        _ => Err("must be a string".into()),
    }
}

fn json_status(value: &Value) -> Result<LeadStatus, String> {
    match value {
        Value::String(s) => LeadStatus::parse(s),
        _ => Err("must be one of active, bounced, unsubscribed".into()),
    }
}

fn json_score(value: &Value) -> Result<i32, String> {
    match value.as_i64() {
        Some(n) => score_in_range(n),
        None => Err("must be a whole number".into()),
    }
}

fn json_object(body: &Value) -> Result<&Map<String, Value>, FieldErrors> {
    let Value::Object(map) = body else {
        return Err(FieldErrors::single("body", "must be a JSON object"));
    };
    let mut errors = FieldErrors::new();
    for key in map.keys() {
        if !KNOWN_FIELDS.contains(&key.as_str()) {
            errors.add(key.clone(), "is not a known field");
        }
    }
    errors.into_result()?;
    Ok(map)
}

impl NewLead {
    pub fn from_json(body: &Value) -> Result<Self, FieldErrors> {
        let map = json_object(body)?;
        let mut e = FieldErrors::new();
        let get = |k: &str| map.get(k).unwrap_or(&Value::Null);
        let email = e.take("email", json_email(get("email")));
        let name = e.take("name", json_text(get("name"), MAX_NAME));
        let first_name = e.take("firstName", json_text(get("firstName"), MAX_FIRST_LAST));
        let last_name = e.take("lastName", json_text(get("lastName"), MAX_FIRST_LAST));
        let company = e.take("company", json_text(get("company"), MAX_COMPANY));
        let status = match map.get("status") {
            None => Some(LeadStatus::default()),
            Some(v) => e.take("status", json_status(v)),
        };
        let score = match map.get("score") {
            None => Some(0),
            Some(v) => e.take("score", json_score(v)),
        };
        let attributes = match map.get("attributes") {
            None | Some(Value::Null) => Some(Attributes::empty()),
            Some(v) => e.take("attributes", Attributes::from_json(v)),
        };
        e.into_result()?;
        Ok(Self::assemble(
            email.unwrap(),
            name.unwrap(),
            first_name.unwrap(),
            last_name.unwrap(),
            company.unwrap(),
            status.unwrap(),
            score.unwrap(),
            attributes.unwrap(),
        ))
    }

    /// A new lead from an email and the fields an import row gives (the rest default).
    pub fn from_patch(email: EmailAddress, fields: LeadPatch, attributes: Attributes) -> Self {
        Self::assemble(
            email,
            fields.name.flatten(),
            fields.first_name.flatten(),
            fields.last_name.flatten(),
            fields.company.flatten(),
            fields.status.unwrap_or_default(),
            fields.score.unwrap_or(0),
            attributes,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        email: EmailAddress,
        name: Option<String>,
        first_name: Option<String>,
        last_name: Option<String>,
        company: Option<String>,
        status: LeadStatus,
        score: i32,
        attributes: Attributes,
    ) -> Self {
        let name = name.or_else(|| {
            crate::domain::lead::join_names(first_name.as_deref(), last_name.as_deref())
        });
        Self {
            email,
            name,
            first_name,
            last_name,
            company,
            status,
            score,
            attributes,
        }
    }
}

/// The edit form, filled in with a lead's current values.
impl From<&Lead> for LeadForm {
    fn from(lead: &Lead) -> Self {
        Self {
            email: lead.email.clone(),
            first_name: lead.first_name.clone().unwrap_or_default(),
            last_name: lead.last_name.clone().unwrap_or_default(),
            company: lead.company.clone().unwrap_or_default(),
            status: lead.status.as_str().to_owned(),
            score: lead.score.to_string(),
            previous_attributes: lead.attributes.clone(),
            attributes: lead
                .attributes
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_form_text()))
                .collect(),
        }
    }
}

impl LeadForm {
    /// The same rules as the API, applied to what the form holds. Field keys match the API's.
    pub fn validate(&self) -> Result<NewLead, FieldErrors> {
        let mut e = FieldErrors::new();
        let email = e.take("email", EmailAddress::parse(&self.email));
        let first_name = e.take("firstName", parse_text(&self.first_name, MAX_FIRST_LAST));
        let last_name = e.take("lastName", parse_text(&self.last_name, MAX_FIRST_LAST));
        let company = e.take("company", parse_text(&self.company, MAX_COMPANY));
        let status = if self.status.is_empty() {
            Some(LeadStatus::default())
        } else {
            e.take("status", LeadStatus::parse(&self.status))
        };
        let score = e.take("score", parse_score_text(&self.score));
        let attributes = e.take(
            "attributes",
            Attributes::from_rows(&self.attributes, &self.previous_attributes),
        );
        e.into_result()?;
        Ok(NewLead::assemble(
            email.unwrap(),
            None,
            first_name.unwrap(),
            last_name.unwrap(),
            company.unwrap(),
            status.unwrap(),
            score.unwrap(),
            attributes.unwrap(),
        ))
    }

    /// The form's content as a full replacement edit.
    pub fn validate_patch(&self) -> Result<LeadPatch, FieldErrors> {
        let new = self.validate()?;
        Ok(LeadPatch {
            email: Some(new.email),
            name: None,
            first_name: Some(new.first_name),
            last_name: Some(new.last_name),
            company: Some(new.company),
            status: Some(new.status),
            score: Some(new.score),
            attributes: Some(new.attributes),
        })
    }
}

impl LeadPatch {
    pub fn from_json(body: &Value) -> Result<Self, FieldErrors> {
        let map = json_object(body)?;
        let mut e = FieldErrors::new();
        let mut patch = LeadPatch::default();
        if let Some(v) = map.get("email") {
            patch.email = e.take("email", json_email(v));
        }
        if let Some(v) = map.get("name") {
            patch.name = e.take("name", json_text(v, MAX_NAME));
        }
        if let Some(v) = map.get("firstName") {
            patch.first_name = e.take("firstName", json_text(v, MAX_FIRST_LAST));
        }
        if let Some(v) = map.get("lastName") {
            patch.last_name = e.take("lastName", json_text(v, MAX_FIRST_LAST));
        }
        if let Some(v) = map.get("company") {
            patch.company = e.take("company", json_text(v, MAX_COMPANY));
        }
        if let Some(v) = map.get("status") {
            patch.status = e.take("status", json_status(v));
        }
        if let Some(v) = map.get("score") {
            patch.score = e.take("score", json_score(v));
        }
        if let Some(v) = map.get("attributes") {
            patch.attributes = match v {
                Value::Null => Some(Attributes::empty()),
                v => e.take("attributes", Attributes::from_json(v)),
            };
        }
        e.into_result()?;
        Ok(patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn name_is_derived_from_first_and_last() {
        let lead = NewLead::from_json(
            &json!({"email": "a@b.co", "firstName": "Ada", "lastName": "Lovelace"}),
        )
        .unwrap();
        assert_eq!(lead.name.as_deref(), Some("Ada Lovelace"));
        let lead = NewLead::from_json(&json!({"email": "a@b.co", "name": "Countess"})).unwrap();
        assert_eq!(
            (lead.name.as_deref(), lead.first_name),
            (Some("Countess"), None)
        );
    }

    #[test]
    fn collects_an_error_per_field() {
        let err = NewLead::from_json(&json!({"email": "nope", "status": "gone", "score": "high", "attributes": [], "extra": 1})).unwrap_err();
        assert!(err.get("extra").is_some(), "unknown fields are named");
        let err = NewLead::from_json(
            &json!({"email": "nope", "status": "gone", "score": 1.5, "attributes": []}),
        )
        .unwrap_err();
        for field in ["email", "status", "score", "attributes"] {
            assert!(
                err.get(field).is_some(),
                "{field} should be flagged: {err:?}"
            );
        }
    }

    #[test]
    fn patch_distinguishes_absent_from_null() {
        let patch = LeadPatch::from_json(&json!({"company": null, "score": 5})).unwrap();
        assert_eq!(patch.company, Some(None));
        assert_eq!(patch.name, None);
        assert_eq!(patch.score, Some(5));
        assert!(LeadPatch::from_json(&json!({"email": null})).is_err());
        assert!(LeadPatch::from_json(&json!({"status": null})).is_err());
    }

    #[test]
    fn a_lead_round_trips_through_its_edit_form() {
        let new = NewLead::from_json(&json!({"email": "a@b.co", "firstName": "Ada", "company": "X", "status": "bounced", "score": 3, "attributes": {"plan": "pro", "seats": 4}})).unwrap();
        let lead = Lead {
            id: uuid::Uuid::nil(),
            tenant_id: uuid::Uuid::nil(),
            email: new.email.as_str().to_owned(),
            name: new.name.clone(),
            first_name: new.first_name.clone(),
            last_name: new.last_name.clone(),
            company: new.company.clone(),
            status: new.status,
            score: new.score,
            attributes: new.attributes.clone(),
            created: chrono::DateTime::UNIX_EPOCH,
            updated: chrono::DateTime::UNIX_EPOCH,
        };
        let patch = LeadForm::from(&lead).validate_patch().unwrap();
        assert_eq!(patch.email, Some(new.email));
        assert_eq!(
            (patch.company, patch.status, patch.score),
            (Some(new.company), Some(new.status), Some(new.score))
        );
        // Unchanged values keep their type.
        assert_eq!(
            patch.attributes.unwrap().to_json(),
            json!({"plan": "pro", "seats": 4})
        );
        // A changed value is what was typed: text.
        let mut form = LeadForm::from(&lead);
        form.attributes[1].1 = "5".into();
        assert_eq!(
            form.validate().unwrap().attributes.to_json(),
            json!({"plan": "pro", "seats": "5"})
        );
    }

    #[test]
    fn form_and_api_agree() {
        let form = LeadForm {
            email: " X@Y.CO ".into(),
            first_name: "Ada".into(),
            score: "7".into(),
            ..Default::default()
        };
        let from_form = form.validate().unwrap();
        let from_api =
            NewLead::from_json(&json!({"email": " X@Y.CO ", "firstName": "Ada", "score": 7}))
                .unwrap();
        assert_eq!(from_form, from_api);
        let bad = LeadForm {
            email: "x".into(),
            score: "1e3".into(),
            ..Default::default()
        };
        let errors = bad.validate().unwrap_err();
        assert!(errors.get("email").is_some() && errors.get("score").is_some());
    }
}
