//! Saved views: a workspace's named list queries (filter, search, sort, page size), kept as the
//! list's own query string so a view opens as a link.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MAX_VIEW_NAME: usize = 100;
/// Views one workspace may keep: the list beside the table stays readable and cheap to count.
pub const MAX_VIEWS: usize = 100;
pub const MAX_VIEW_QUERY: usize = 8000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SavedView {
    pub id: Uuid,
    pub name: String,
    /// The list's query string, without `?`, e.g. `filter=score%3Agte%3A70&sort=score`.
    pub query: String,
}

impl SavedView {
    pub fn href(&self) -> String {
        if self.query.is_empty() {
            "/contacts".to_owned()
        } else {
            format!("/contacts?{}", self.query)
        }
    }
}

/// A view with how many contacts match it now (exact up to the list's total cap).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountedView {
    pub view: SavedView,
    pub count: u64,
    pub count_is_exact: bool,
}

pub fn parse_view_name(raw: &str) -> Result<String, String> {
    crate::domain::lead_input::parse_text(raw, MAX_VIEW_NAME)?
        .ok_or_else(|| "is required".to_owned())
}

/// The names two views may not share: compared without case.
pub fn view_name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Checks a view's query as the list would read it and writes it in its one canonical form
/// (known parameters in order, defaults, page and cursor left out). A bad one is refused
/// naming what is wrong in it.
#[cfg(feature = "ssr")]
pub fn canonical_view_query(raw: &str) -> Result<String, String> {
    use crate::domain::list_query::ListQuery;
    let raw = raw.trim().trim_start_matches('?');
    if raw.len() > MAX_VIEW_QUERY {
        return Err(format!("must be at most {MAX_VIEW_QUERY} characters"));
    }
    let query = ListQuery::from_query_string(raw).map_err(|e| e.summary())?;
    Ok(crate::domain::query_string::encode(query.to_pairs()))
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn view_queries_are_checked_and_made_canonical() {
        assert_eq!(
            canonical_view_query("?sort=score&filter=score%3Agte%3A70&page=3&order=desc").unwrap(),
            "filter=score%3Agte%3A70&sort=score"
        );
        assert_eq!(canonical_view_query("").unwrap(), "");
        let err = canonical_view_query("filter=score:gte:x").unwrap_err();
        assert!(err.starts_with("filter:"), "{err}");
        assert!(canonical_view_query("bogus=1").is_err());
    }

    #[test]
    fn names_are_required_and_bounded() {
        assert_eq!(parse_view_name("  Hot leads ").unwrap(), "Hot leads");
        assert!(parse_view_name("  ").is_err());
        assert!(parse_view_name(&"x".repeat(101)).is_err());
        assert_eq!(view_name_key(" Hot Leads"), "hot leads");
    }
}
