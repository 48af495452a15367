//! Importing contacts from a CSV file: where each column goes, what happens to contacts that
//! already exist, and how one row becomes a validated contact. The import page (mapping
//! guesses) and the server (every row) share these rules.

use crate::domain::attributes::{Attributes, MAX_KEY_LEN, validate_key};
use crate::domain::email::EmailAddress;
use crate::domain::field_errors::FieldErrors;
use crate::domain::job::Job;
use crate::domain::lead::LeadStatus;
use crate::domain::lead_input::{
    LeadPatch, MAX_COMPANY, MAX_FIRST_LAST, MAX_NAME, NewLead, parse_score_text, parse_text,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Columns a file may have (a wider one is almost surely not a contact list).
pub const MAX_COLUMNS: usize = 500;
/// Headers of the error file's own columns; a re-imported error file ignores them.
pub const ERROR_COLUMNS: [&str; 3] = ["Error row", "Error field", "Error message"];

/// Where one column of the file goes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ColumnTarget {
    Email,
    FirstName,
    LastName,
    Name,
    Company,
    Status,
    Score,
    Attribute(String),
    Ignore,
}

impl ColumnTarget {
    /// The fixed targets, in the order the mapping menu lists them.
    pub const FIELDS: [ColumnTarget; 7] = [
        Self::Email,
        Self::FirstName,
        Self::LastName,
        Self::Name,
        Self::Company,
        Self::Status,
        Self::Score,
    ];

    /// As the API writes it: `email`, `firstName`, …, `attributes.<key>`, `ignore`.
    pub fn as_text(&self) -> String {
        match self {
            Self::Email => "email".into(),
            Self::FirstName => "firstName".into(),
            Self::LastName => "lastName".into(),
            Self::Name => "name".into(),
            Self::Company => "company".into(),
            Self::Status => "status".into(),
            Self::Score => "score".into(),
            Self::Attribute(key) => format!("attributes.{key}"),
            Self::Ignore => "ignore".into(),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Self::Email => "Email".into(),
            Self::FirstName => "First name".into(),
            Self::LastName => "Last name".into(),
            Self::Name => "Full name".into(),
            Self::Company => "Company".into(),
            Self::Status => "Status".into(),
            Self::Score => "Score".into(),
            Self::Attribute(key) => format!("Attribute “{key}”"),
            Self::Ignore => "Don't import".into(),
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if let Some(key) = raw.strip_prefix("attributes.") {
            validate_key(key)?;
            return Ok(Self::Attribute(key.to_owned()));
        }
        Self::FIELDS
            .into_iter()
            .chain([Self::Ignore])
            .find(|t| t.as_text() == raw)
            .ok_or_else(|| {
                format!(
                    "{raw:?} is not a target: use email, firstName, lastName, name, company, \
                     status, score, attributes.<key> or ignore"
                )
            })
    }

    /// A sensible target for a header as spreadsheets and other tools write it ("E-mail",
    /// "First Name", "Company name"…). Columns nobody names become attributes, so no data is
    /// dropped unless the user says so.
    pub fn guess(header: &str) -> Self {
        let header = header.trim();
        if let Some(key) = header.strip_prefix("attributes.") {
            return Self::parse(header).unwrap_or_else(|_| Self::attribute_named(key));
        }
        let folded: String = header
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        match folded.as_str() {
            "email" | "emailaddress" | "mail" | "emailaddr" | "primaryemail" | "workemail"
            | "contactemail" => Self::Email,
            "firstname" | "first" | "givenname" | "fname" | "forename" => Self::FirstName,
            "lastname" | "last" | "surname" | "familyname" | "lname" => Self::LastName,
            "name" | "fullname" | "contactname" | "displayname" => Self::Name,
            "company" | "companyname" | "organization" | "organisation" | "org" | "account"
            | "accountname" => Self::Company,
            "status" | "emailstatus" | "subscriptionstatus" | "leadstatus" => Self::Status,
            "score" | "leadscore" | "rating" => Self::Score,
            // What an export carries that an import cannot set, and the error file's own columns.
            "id" | "created" | "updated" | "createdat" | "updatedat" | "errorrow"
            | "errorfield" | "errormessage" => Self::Ignore,
            _ => Self::attribute_named(header),
        }
    }

    fn attribute_named(header: &str) -> Self {
        let key: String = header
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
            .take(MAX_KEY_LEN)
            .collect();
        let key = key.trim();
        if key.is_empty() {
            Self::Ignore
        } else {
            Self::Attribute(key.to_owned())
        }
    }
}

impl TryFrom<String> for ColumnTarget {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<ColumnTarget> for String {
    fn from(target: ColumnTarget) -> String {
        target.as_text()
    }
}

/// What happens to rows whose email a contact of the workspace already has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ImportMode {
    /// New contacts only; rows of existing ones are skipped.
    Create,
    /// Existing contacts only; rows of new ones are skipped.
    Update,
    /// Both.
    #[default]
    Upsert,
}

impl ImportMode {
    pub const ALL: [ImportMode; 3] = [Self::Upsert, Self::Create, Self::Update];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Upsert => "upsert",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == raw)
            .ok_or_else(|| "must be create, update or upsert".to_owned())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Create => "Add new contacts only",
            Self::Update => "Update existing contacts only",
            Self::Upsert => "Add new and update existing",
        }
    }
}

/// For an existing contact: whether the file's attributes join its own or replace them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum AttributeMode {
    #[default]
    Merge,
    Replace,
}

impl AttributeMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Merge => "merge",
            Self::Replace => "replace",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "merge" => Ok(Self::Merge),
            "replace" => Ok(Self::Replace),
            _ => Err("must be merge or replace".into()),
        }
    }
}

/// The options sent with a file. A header the mapping does not name gets its guess.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportOptions {
    pub mode: ImportMode,
    pub attributes: AttributeMode,
    pub mapping: BTreeMap<String, ColumnTarget>,
}

impl ImportOptions {
    /// Parses the `options` part of an upload, naming each bad entry.
    #[cfg(feature = "ssr")]
    pub fn from_json(value: &serde_json::Value) -> Result<Self, FieldErrors> {
        use serde_json::Value;
        let Value::Object(map) = value else {
            return Err(FieldErrors::single("options", "must be a JSON object"));
        };
        let mut e = FieldErrors::new();
        for key in map.keys() {
            if !matches!(key.as_str(), "mode" | "attributes" | "mapping") {
                e.add(key.clone(), "is not a known option");
            }
        }
        let text = |v: &Value| v.as_str().map(str::to_owned).ok_or("must be a string");
        let mode = match map.get("mode") {
            None => Some(ImportMode::default()),
            Some(v) => e.take(
                "mode",
                text(v)
                    .map_err(String::from)
                    .and_then(|s| ImportMode::parse(&s)),
            ),
        };
        let attributes = match map.get("attributes") {
            None => Some(AttributeMode::default()),
            Some(v) => e.take(
                "attributes",
                text(v)
                    .map_err(String::from)
                    .and_then(|s| AttributeMode::parse(&s)),
            ),
        };
        let mut mapping = BTreeMap::new();
        match map.get("mapping") {
            None | Some(Value::Null) => {}
            Some(Value::Object(entries)) => {
                for (header, target) in entries {
                    let parsed = match target {
                        Value::String(s) => ColumnTarget::parse(s),
                        _ => Err("must be a string".into()),
                    };
                    if let Some(t) = e.take(&format!("mapping.{header}"), parsed) {
                        mapping.insert(header.clone(), t);
                    }
                }
            }
            Some(_) => e.add("mapping", "must be an object of header → target"),
        }
        e.into_result()?;
        Ok(Self {
            mode: mode.unwrap_or_default(),
            attributes: attributes.unwrap_or_default(),
            mapping,
        })
    }

    /// Each column's target: the mapping's, else the guess. Refuses a mapping that names a
    /// column the file lacks, a field fed by two columns, and a file without an email column.
    pub fn resolve(&self, headers: &[String]) -> Result<Vec<ColumnTarget>, FieldErrors> {
        let mut e = FieldErrors::new();
        for header in self.mapping.keys() {
            if !headers.iter().any(|h| h.trim() == header.trim()) {
                e.add(
                    format!("mapping.{header}"),
                    "the file has no column with this header",
                );
            }
        }
        let targets: Vec<ColumnTarget> = headers
            .iter()
            .map(|h| {
                self.mapping
                    .iter()
                    .find(|(k, _)| k.trim() == h.trim())
                    .map_or_else(|| ColumnTarget::guess(h), |(_, t)| t.clone())
            })
            .collect();
        let mut seen: BTreeMap<&ColumnTarget, &str> = BTreeMap::new();
        for (target, header) in targets.iter().zip(headers) {
            if *target == ColumnTarget::Ignore {
                continue;
            }
            if let Some(first) = seen.insert(target, header) {
                e.add(
                    "mapping",
                    format!(
                        "{} comes from two columns, {first:?} and {header:?}; ignore one",
                        target.as_text()
                    ),
                );
            }
        }
        if !targets.contains(&ColumnTarget::Email) {
            e.add(
                "mapping",
                "no column is mapped to email, which matches and identifies contacts",
            );
        }
        e.into_result()?;
        Ok(targets)
    }
}

impl PartialOrd for ColumnTarget {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ColumnTarget {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_text().cmp(&other.as_text())
    }
}

/// One row of the file, validated: its email, the fields it gives (empty cells give nothing,
/// so an import never blanks what a contact has), and its attributes as text.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportRow {
    pub email: EmailAddress,
    pub fields: LeadPatch,
    pub attributes: Vec<(String, String)>,
}

impl ImportRow {
    /// Validates one row by the same rules as the API. `None` for a row of empty cells.
    pub fn parse(targets: &[ColumnTarget], cells: &[&str]) -> Option<Result<Self, FieldErrors>> {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return None;
        }
        let mut e = FieldErrors::new();
        if cells.len() > targets.len() {
            e.add(
                "row",
                format!(
                    "has {} cells but the header has {} columns (an unquoted separator?)",
                    cells.len(),
                    targets.len()
                ),
            );
            return Some(Err(e));
        }
        let mut email = None;
        let mut fields = LeadPatch::default();
        let mut attributes = Vec::new();
        for (target, cell) in targets.iter().zip(cells) {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            match target {
                ColumnTarget::Email => email = e.take("email", EmailAddress::parse(cell)),
                ColumnTarget::FirstName => {
                    fields.first_name = e.take("firstName", parse_text(cell, MAX_FIRST_LAST))
                }
                ColumnTarget::LastName => {
                    fields.last_name = e.take("lastName", parse_text(cell, MAX_FIRST_LAST))
                }
                ColumnTarget::Name => fields.name = e.take("name", parse_text(cell, MAX_NAME)),
                ColumnTarget::Company => {
                    fields.company = e.take("company", parse_text(cell, MAX_COMPANY))
                }
                ColumnTarget::Status => {
                    fields.status = e.take("status", LeadStatus::parse(&cell.to_lowercase()))
                }
                ColumnTarget::Score => fields.score = e.take("score", parse_score_text(cell)),
                ColumnTarget::Attribute(key) => attributes.push((key.clone(), cell.to_owned())),
                ColumnTarget::Ignore => {}
            }
        }
        if email.is_none() && e.get("email").is_none() {
            e.add("email", "is required");
        }
        // Checks the values (length, control characters, how many) as the API would.
        e.take(
            "attributes",
            Attributes::from_rows(&attributes, &Attributes::empty()),
        );
        if let Err(errors) = e.into_result() {
            return Some(Err(errors));
        }
        Some(Ok(Self {
            email: email?,
            fields,
            attributes,
        }))
    }

    /// The row as a new contact.
    pub fn to_new_lead(&self) -> Result<NewLead, String> {
        let attributes = Attributes::from_rows(&self.attributes, &Attributes::empty())?;
        Ok(NewLead::from_patch(
            self.email.clone(),
            self.fields.clone(),
            attributes,
        ))
    }

    /// The attributes an existing contact ends up with. Text equal to what a value already
    /// reads as keeps that value's type (a re-imported export leaves numbers numbers).
    pub fn attributes_for(
        &self,
        existing: &Attributes,
        mode: AttributeMode,
    ) -> Result<Attributes, String> {
        match mode {
            AttributeMode::Replace => Attributes::from_rows(&self.attributes, existing),
            AttributeMode::Merge => {
                let mut merged = existing.clone();
                let given = Attributes::from_rows(&self.attributes, existing)?;
                for (key, value) in given.iter() {
                    merged.set(key, value.clone())?;
                }
                Ok(merged)
            }
        }
    }
}

/// A first look at a file, for the import page: its columns, a few rows, the guesses.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub guesses: Vec<ColumnTarget>,
    /// The separator found: `,`, `;` or a tab.
    pub delimiter: String,
}

/// An import as its history lists it: the job, and what it was asked to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Import {
    pub job: Job,
    pub file_name: String,
    pub mode: ImportMode,
    pub attributes: AttributeMode,
    /// Rows in the error file (bad rows and duplicates within the file).
    pub error_rows: u64,
    /// The job that undid this import, once asked.
    pub reverted_by: Option<Uuid>,
}

impl Import {
    pub fn can_revert(&self) -> bool {
        self.job.state.is_finished()
            && self.reverted_by.is_none()
            && self.job.counts.created + self.job.counts.updated > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn guesses_follow_common_spellings() {
        let cases = [
            ("E-mail", ColumnTarget::Email),
            (" Email Address ", ColumnTarget::Email),
            ("First Name", ColumnTarget::FirstName),
            ("last_name", ColumnTarget::LastName),
            ("Company name", ColumnTarget::Company),
            ("STATUS", ColumnTarget::Status),
            ("Lead Score", ColumnTarget::Score),
            ("attributes.plan", ColumnTarget::Attribute("plan".into())),
            ("Phone #", ColumnTarget::Attribute("Phone".into())),
            ("created", ColumnTarget::Ignore),
            ("Error message", ColumnTarget::Ignore),
            ("###", ColumnTarget::Ignore),
        ];
        for (header, want) in cases {
            assert_eq!(ColumnTarget::guess(header), want, "{header}");
        }
    }

    #[test]
    fn targets_round_trip_as_text() {
        for t in ColumnTarget::FIELDS
            .into_iter()
            .chain([ColumnTarget::Ignore, ColumnTarget::Attribute("a b".into())])
        {
            assert_eq!(ColumnTarget::parse(&t.as_text()), Ok(t));
        }
        assert!(ColumnTarget::parse("attributes.").is_err());
        assert!(ColumnTarget::parse("phone").is_err());
    }

    #[test]
    fn resolve_needs_an_email_column_and_one_column_per_field() {
        let options = ImportOptions::default();
        assert!(options.resolve(&headers(&["Name", "Company"])).is_err());
        let twice = options.resolve(&headers(&["Email", "E-mail"])).unwrap_err();
        assert!(twice.get("mapping").unwrap().contains("two columns"));
        let mut options = ImportOptions::default();
        options
            .mapping
            .insert("E-mail".into(), ColumnTarget::Ignore);
        assert_eq!(
            options.resolve(&headers(&["Email", "E-mail"])).unwrap(),
            vec![ColumnTarget::Email, ColumnTarget::Ignore]
        );
        options.mapping.insert("Nope".into(), ColumnTarget::Ignore);
        assert!(
            options
                .resolve(&headers(&["Email", "E-mail"]))
                .unwrap_err()
                .get("mapping.Nope")
                .is_some()
        );
    }

    #[test]
    fn rows_validate_like_the_api_and_empty_cells_give_nothing() {
        let targets = vec![
            ColumnTarget::Email,
            ColumnTarget::FirstName,
            ColumnTarget::Status,
            ColumnTarget::Score,
            ColumnTarget::Attribute("plan".into()),
        ];
        let row = ImportRow::parse(&targets, &["Ada@Example.com", "Ada", "Bounced", "", "pro"])
            .unwrap()
            .unwrap();
        assert_eq!(row.fields.first_name, Some(Some("Ada".into())));
        assert_eq!(row.fields.status, Some(LeadStatus::Bounced));
        assert_eq!(row.fields.score, None);
        assert_eq!(row.attributes, vec![("plan".into(), "pro".into())]);

        let bad = ImportRow::parse(&targets, &["nope", "", "gone", "1.5"])
            .unwrap()
            .unwrap_err();
        assert!(bad.get("email").is_some() && bad.get("status").is_some());
        assert!(bad.get("score").is_some());
        assert!(ImportRow::parse(&targets, &["", " ", ""]).is_none());
        assert!(
            ImportRow::parse(&targets, &["a@b.co", "", "", "", "", "extra"])
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn merge_keeps_other_attributes_and_types() {
        let existing =
            Attributes::from_json(&serde_json::json!({"seats": 5, "plan": "free"})).unwrap();
        let targets = vec![
            ColumnTarget::Email,
            ColumnTarget::Attribute("seats".into()),
            ColumnTarget::Attribute("plan".into()),
        ];
        let row = ImportRow::parse(&targets, &["a@b.co", "5", "pro"])
            .unwrap()
            .unwrap();
        let merged = row.attributes_for(&existing, AttributeMode::Merge).unwrap();
        assert_eq!(
            merged.to_json(),
            serde_json::json!({"seats": 5, "plan": "pro"})
        );
        let only = ImportRow::parse(&targets[..2], &["a@b.co", "6"])
            .unwrap()
            .unwrap();
        assert_eq!(
            only.attributes_for(&existing, AttributeMode::Replace)
                .unwrap()
                .to_json(),
            serde_json::json!({"seats": "6"})
        );
    }
}
