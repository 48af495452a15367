//! The contact list's parameters: paging, search, filter, sort and the keyset cursor.
//! Parsed from query-string pairs by both the REST API and the UI (whose URL holds them).

use crate::domain::field_errors::FieldErrors;
use crate::domain::filter::{self, FilterCondition};
use crate::domain::lead::LeadStatus;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;
pub const MAX_SEARCH: usize = 200;
/// Totals are counted exactly up to this many matches; beyond it they are a lower bound.
pub const EXACT_TOTAL_CAP: u64 = 10_000;
/// The deepest row page numbers reach (`OFFSET` costs what it skips); deeper pages follow
/// `nextCursor`, whose cost does not grow with depth.
pub const MAX_OFFSET: u64 = 10_000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortField {
    #[default]
    Updated,
    Created,
    Email,
    Name,
    Company,
    Score,
}

impl SortField {
    pub const ALL: [SortField; 6] = [
        Self::Updated,
        Self::Created,
        Self::Email,
        Self::Name,
        Self::Company,
        Self::Score,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Updated => "updated",
            Self::Created => "created",
            Self::Email => "email",
            Self::Name => "name",
            Self::Company => "company",
            Self::Score => "score",
        }
    }

    fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                "must be one of updated, created, email, name, company, score".to_owned()
            })
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    Asc,
    #[default]
    Desc,
}

impl Order {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }

    fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "asc" => Ok(Self::Asc),
            "desc" => Ok(Self::Desc),
            _ => Err("must be asc or desc".into()),
        }
    }
}

/// The last row's sort key, so the next page starts right after it whatever was added since.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SortKey {
    Text(String),
    Int(i64),
    /// Microseconds since the epoch.
    Time(i64),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    pub sort: SortField,
    pub order: Order,
    pub key: SortKey,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Decodes a cursor and checks that its key could have come from a row in its sort order,
    /// so a hand-made one cannot reach the database as a value of the wrong type.
    pub fn decode(raw: &str) -> Result<Self, String> {
        URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Self>(&bytes).ok())
            .filter(Self::key_fits_sort)
            .ok_or_else(|| "is not a cursor this API issued".to_owned())
    }

    fn key_fits_sort(&self) -> bool {
        match (self.sort, &self.key) {
            (SortField::Updated | SortField::Created, SortKey::Time(us)) => {
                chrono::DateTime::from_timestamp_micros(*us).is_some()
            }
            (SortField::Email | SortField::Name | SortField::Company, SortKey::Text(text)) => {
                text.chars().count() <= 255 && !text.chars().any(char::is_control)
            }
            (SortField::Score, SortKey::Int(score)) => i32::try_from(*score).is_ok(),
            _ => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListQuery {
    pub page: u32,
    pub limit: u32,
    pub search: Option<String>,
    pub status: Option<LeadStatus>,
    /// AND-ed conditions, in the order they were written.
    pub filters: Vec<FilterCondition>,
    pub sort: SortField,
    pub order: Order,
    pub cursor: Option<Cursor>,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            page: 1,
            limit: DEFAULT_LIMIT,
            search: None,
            status: None,
            filters: Vec::new(),
            sort: SortField::default(),
            order: Order::default(),
            cursor: None,
        }
    }
}

fn parse_number(raw: &str, min: u32, max: u32) -> Result<u32, String> {
    let value: u64 = raw
        .trim()
        .parse()
        .map_err(|_| format!("must be a whole number from {min} to {max}"))?;
    if value < min as u64 || value > max as u64 {
        return Err(format!("must be a whole number from {min} to {max}"));
    }
    Ok(value as u32)
}

impl ListQuery {
    pub const PARAMS: [&'static str; 8] = [
        "page", "limit", "search", "status", "filter", "sort", "order", "cursor",
    ];

    /// Parses query-string pairs. Unknown parameters are rejected too: a typo must not be ignored.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, FieldErrors> {
        let mut q = ListQuery::default();
        let mut e = FieldErrors::new();
        let mut cursor_raw = None;
        let mut filters = Vec::new();
        for (key, value) in pairs {
            match key {
                "page" => {
                    q.page = e
                        .take("page", parse_number(value, 1, 1_000_000))
                        .unwrap_or(1)
                }
                "limit" => {
                    q.limit = e
                        .take("limit", parse_number(value, 1, MAX_LIMIT))
                        .unwrap_or(DEFAULT_LIMIT)
                }
                "search" => {
                    let trimmed = value.trim();
                    if trimmed.chars().count() > MAX_SEARCH {
                        e.add("search", format!("must be at most {MAX_SEARCH} characters"));
                    } else if trimmed.chars().any(char::is_control) {
                        e.add("search", "must not contain control characters");
                    } else if !trimmed.is_empty() {
                        q.search = Some(trimmed.to_owned());
                    }
                }
                "status" if value.is_empty() => {}
                "status" => q.status = e.take("status", LeadStatus::parse(value)),
                "filter" if value.is_empty() => {}
                "filter" => filters.push(value),
                "sort" => q.sort = e.take("sort", SortField::parse(value)).unwrap_or_default(),
                "order" => q.order = e.take("order", Order::parse(value)).unwrap_or_default(),
                "cursor" if value.is_empty() => {}
                "cursor" => cursor_raw = Some(value),
                other => e.add(other, "is not a known parameter"),
            }
        }
        q.filters = e
            .take("filter", filter::parse_all(filters))
            .unwrap_or_default();
        if let Some(raw) = cursor_raw {
            match Cursor::decode(raw) {
                Ok(c) if c.sort != q.sort || c.order != q.order => {
                    e.add("cursor", "belongs to another sort order")
                }
                // With a cursor, `page` only numbers the page for display.
                Ok(c) => q.cursor = Some(c),
                Err(m) => e.add("cursor", m),
            }
        }
        if q.cursor.is_none() && q.offset() > MAX_OFFSET {
            e.add(
                "page",
                format!(
                    "is too deep for page numbers (page × limit may reach {MAX_OFFSET} rows): follow meta.nextCursor"
                ),
            );
        }
        e.into_result()?;
        Ok(q)
    }

    /// Parses a raw query string (as in a URL, without `?`): the REST API's and the contacts
    /// page's one way in.
    #[cfg(feature = "ssr")]
    pub fn from_query_string(raw: &str) -> Result<Self, FieldErrors> {
        let pairs = query_pairs(raw)?;
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The query as URL pairs, in `PARAMS` order, leaving out defaults and the cursor: what
    /// a saved view keeps and a link to the list carries.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(search) = &self.search {
            pairs.push(("search", search.clone()));
        }
        if let Some(status) = self.status {
            pairs.push(("status", status.as_str().to_owned()));
        }
        pairs.extend(self.filters.iter().map(|f| ("filter", f.encode())));
        if self.sort != SortField::default() {
            pairs.push(("sort", self.sort.as_str().to_owned()));
        }
        if self.order != Order::default() {
            pairs.push(("order", self.order.as_str().to_owned()));
        }
        if self.limit != DEFAULT_LIMIT {
            pairs.push(("limit", self.limit.to_string()));
        }
        pairs
    }

    /// Whether rows are searched or filtered beyond workspace and status (what needs the trigram
    /// and attribute indexes, and may take long to count).
    pub fn is_searched(&self) -> bool {
        self.search.is_some() || !self.filters.is_empty()
    }

    pub fn offset(&self) -> u64 {
        (self.page as u64 - 1) * self.limit as u64
    }
}

/// A raw query string's decoded pairs, in order.
#[cfg(feature = "ssr")]
pub fn query_pairs(raw: &str) -> Result<Vec<(String, String)>, FieldErrors> {
    serde_urlencoded::from_str(raw)
        .map_err(|_| FieldErrors::single("query", "is not a valid query string"))
}

/// Paging facts returned with a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ListMeta {
    pub total: u64,
    pub page: u32,
    pub limit: u32,
    pub total_pages: u64,
    pub total_is_exact: bool,
    /// The total is the database's estimate (counting would have taken too long): show it as
    /// "about N".
    #[serde(default)]
    pub total_is_estimate: bool,
    pub next_cursor: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LeadPage {
    pub data: Vec<crate::domain::lead::Lead>,
    pub meta: ListMeta,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn defaults() {
        assert_eq!(ListQuery::from_pairs([]).unwrap(), ListQuery::default());
    }

    #[test]
    fn names_each_bad_parameter() {
        for (key, value) in [
            ("page", "0"),
            ("page", "x"),
            ("limit", "101"),
            ("limit", "0"),
            ("limit", "-1"),
            ("status", "gone"),
            ("sort", "phone"),
            ("order", "up"),
            ("cursor", "%%%"),
            ("page", "502"),
            ("filter", "score:gte:x"),
            ("filter", "nope"),
            ("bogus", "1"),
        ] {
            let err = ListQuery::from_pairs([(key, value)]).unwrap_err();
            assert!(
                err.get(key).is_some(),
                "{key}={value} should be rejected naming {key}"
            );
        }
        let long = "x".repeat(201);
        assert!(
            ListQuery::from_pairs([("search", long.as_str())])
                .unwrap_err()
                .get("search")
                .is_some()
        );
    }

    #[test]
    fn cursor_must_match_sort() {
        let cursor = Cursor {
            sort: SortField::Email,
            order: Order::Asc,
            key: SortKey::Text("a@b.co".into()),
            id: Uuid::nil(),
        }
        .encode();
        assert!(ListQuery::from_pairs([("cursor", cursor.as_str())]).is_err());
        let q = ListQuery::from_pairs([
            ("sort", "email"),
            ("order", "asc"),
            ("cursor", cursor.as_str()),
        ])
        .unwrap();
        assert!(q.cursor.is_some());
    }

    #[test]
    fn cursor_key_must_fit_its_sort() {
        let forged = |sort, key| {
            Cursor {
                sort,
                order: Order::Asc,
                key,
                id: Uuid::nil(),
            }
            .encode()
        };
        for (sort, key) in [
            (SortField::Email, SortKey::Int(5)),
            (SortField::Score, SortKey::Text("a".into())),
            (SortField::Score, SortKey::Int(i64::MAX)),
            (SortField::Updated, SortKey::Text("2026-01-01".into())),
            (SortField::Updated, SortKey::Time(i64::MAX)),
            (SortField::Name, SortKey::Text("a\u{0}b".into())),
            (SortField::Company, SortKey::Time(1)),
        ] {
            assert!(
                Cursor::decode(&forged(sort, key.clone())).is_err(),
                "{sort:?} with {key:?} must be refused"
            );
        }
        assert!(Cursor::decode(&forged(SortField::Score, SortKey::Int(-3))).is_ok());
        assert!(Cursor::decode(&forged(SortField::Created, SortKey::Time(0))).is_ok());
    }

    proptest! {
        /// What the page encodes (`query_string::encode`) the server decodes to the same query.
        #[cfg(feature = "ssr")]
        #[test]
        fn query_strings_round_trip(page in 1u32..=101, limit in 1u32..=100, search in "[a-z%_&=+ ]{0,20}", sort in 0usize..6, asc: bool) {
            let order = if asc { Order::Asc } else { Order::Desc };
            let pairs = [
                ("page", page.to_string()),
                ("limit", limit.to_string()),
                ("search", search.clone()),
                ("status", "bounced".to_owned()),
                ("sort", SortField::ALL[sort].as_str().to_owned()),
                ("order", order.as_str().to_owned()),
            ];
            let parsed = ListQuery::from_query_string(&crate::domain::query_string::encode(pairs)).unwrap();
            let search = Some(search.trim().to_owned()).filter(|s| !s.is_empty());
            let expected = ListQuery { page, limit, search, status: Some(LeadStatus::Bounced), filters: vec![], sort: SortField::ALL[sort], order, cursor: None };
            prop_assert_eq!(parsed, expected);
        }
    }
}
