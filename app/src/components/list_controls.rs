//! The contact list's controls. Every control writes the URL's query string, which is the one
//! source of truth: reload, back/forward and shared links restore the list exactly.

use crate::domain::lead::LeadStatus;
use crate::domain::list_query::{ListMeta, ListQuery, MAX_OFFSET, Order, SortField};
use crate::domain::query_string;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;

pub const PAGE_SIZES: [u32; 4] = [10, 20, 50, 100];
const SEARCH_DEBOUNCE_MS: u64 = 250;

/// The list parameters in the URL, as ordered pairs (unknown ones dropped; `filter` may
/// repeat, in its order).
pub fn url_pairs(map: &ParamsMap) -> Vec<(&'static str, String)> {
    let mut pairs = Vec::new();
    for &key in ListQuery::PARAMS.iter() {
        if key == "filter" {
            let all = map.get_all(key).unwrap_or_default();
            pairs.extend(all.into_iter().filter(|v| !v.is_empty()).map(|v| (key, v)));
        } else if let Some(v) = map.get(key).filter(|v| !v.is_empty()) {
            pairs.push((key, v));
        }
    }
    pairs
}

fn href_of(pairs: Vec<(&'static str, String)>) -> String {
    let qs = query_string::encode(pairs);
    if qs.is_empty() {
        "/contacts".to_owned()
    } else {
        format!("/contacts?{qs}")
    }
}

/// `/contacts?…` with these filter conditions instead of the URL's, back on page 1.
pub fn list_href_with_filters(map: &ParamsMap, filters: &[String]) -> String {
    let mut pairs = url_pairs(map);
    pairs.retain(|(k, _)| !matches!(*k, "filter" | "page" | "cursor"));
    pairs.extend(filters.iter().map(|f| ("filter", f.clone())));
    // Stable: the conditions keep their order among themselves.
    pairs.sort_by_key(|(k, _)| ListQuery::PARAMS.iter().position(|p| p == k));
    href_of(pairs)
}

/// `/contacts?…` with some parameters changed (`None` removes one). Changing anything but the
/// page sends the user back to page 1.
pub fn list_href(map: &ParamsMap, changes: &[(&'static str, Option<String>)]) -> String {
    let mut pairs = url_pairs(map);
    let resets_page = changes.iter().any(|(k, _)| *k != "page");
    pairs.retain(|(k, _)| {
        !changes.iter().any(|(c, _)| c == k) && *k != "cursor" && !(resets_page && *k == "page")
    });
    pairs.extend(
        changes
            .iter()
            .filter_map(|(k, v)| v.clone().map(|v| (*k, v))),
    );
    pairs.sort_by_key(|(k, _)| ListQuery::PARAMS.iter().position(|p| p == k));
    href_of(pairs)
}

/// "1,234".
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1–20 of 1,234", or "of 10,000+" when the total is a lower bound.
pub fn range_summary(meta: &ListMeta, shown: usize) -> String {
    if shown == 0 {
        return "0 contacts".to_owned();
    }
    let first = (meta.page as u64 - 1) * meta.limit as u64 + 1;
    let last = first + shown as u64 - 1;
    let total = group_thousands(meta.total);
    let total = if meta.total_is_estimate {
        format!("about {total}")
    } else if meta.total_is_exact {
        total
    } else {
        format!("{total}+")
    };
    format!(
        "{}–{} of {total}",
        group_thousands(first),
        group_thousands(last),
    )
}

#[component]
pub fn SearchBox() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let text = RwSignal::new(query.get_untracked().get("search").unwrap_or_default());
    // Back/forward or a link changed the URL: show its search.
    Effect::new(move |_| {
        let from_url = query.read().get("search").unwrap_or_default();
        if from_url.trim() != text.get_untracked().trim() {
            text.set(from_url);
        }
    });
    let pending: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    let on_input = move |ev| {
        let value = event_target_value(&ev);
        text.set(value.clone());
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let navigate = navigate.clone();
        let handle = set_timeout_with_handle(
            move || {
                let trimmed = value.trim();
                let href = list_href(
                    &query.get_untracked(),
                    &[("search", (!trimmed.is_empty()).then(|| trimmed.to_owned()))],
                );
                navigate(
                    &href,
                    NavigateOptions {
                        replace: true,
                        scroll: false,
                        ..Default::default()
                    },
                );
            },
            std::time::Duration::from_millis(SEARCH_DEBOUNCE_MS),
        )
        .ok();
        pending.set_value(handle);
    };
    view! {
        <form class="search" method="get" action="/contacts" role="search" on:submit=|ev| ev.prevent_default()>
            <label for="contact-search" class="visually-hidden">"Search contacts"</label>
            <input
                id="contact-search"
                name="search"
                type="search"
                placeholder="Search name, email or company"
                autocomplete="off"
                prop:value=move || text.get()
                on:input=on_input
            />
        </form>
    }
}

#[component]
pub fn StatusFilter() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let current = move || query.read().get("status").unwrap_or_default();
    let on_change = move |ev| {
        let value = event_target_value(&ev);
        let href = list_href(
            &query.get_untracked(),
            &[("status", (!value.is_empty()).then_some(value))],
        );
        navigate(
            &href,
            NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    };
    view! {
        <label class="inline-field">
            <span>"Status"</span>
            <select name="status" data-testid="status-filter" prop:value=current on:change=on_change>
                <option value="">"All"</option>
                {LeadStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// A column header that sorts by its field: first click descending for time and score,
/// ascending for text; clicking the sorted column flips the order.
#[component]
pub fn SortHeader(field: SortField, #[prop(into)] label: String) -> impl IntoView {
    let query = use_query_map();
    let current = move || {
        let q = query.read();
        let sort = q
            .get("sort")
            .unwrap_or_else(|| SortField::default().as_str().to_owned());
        let order = q
            .get("order")
            .unwrap_or_else(|| Order::default().as_str().to_owned());
        (sort == field.as_str()).then_some(order)
    };
    let href = move || {
        let natural = match field {
            SortField::Updated | SortField::Created | SortField::Score => Order::Desc,
            _ => Order::Asc,
        };
        let next = match current().as_deref() {
            Some("asc") => Order::Desc,
            Some(_) => Order::Asc,
            None => natural,
        };
        list_href(
            &query.read(),
            &[
                ("sort", Some(field.as_str().to_owned())),
                ("order", Some(next.as_str().to_owned())),
            ],
        )
    };
    let aria_sort = move || match current().as_deref() {
        Some("asc") => "ascending",
        Some(_) => "descending",
        None => "none",
    };
    let arrow = move || match current().as_deref() {
        Some("asc") => "▲",
        Some(_) => "▼",
        None => "",
    };
    view! {
        <th aria-sort=aria_sort scope="col">
            <a class="sort-link" href=href data-testid=format!("sort-{}", field.as_str())>
                {label}
                <span class="sort-arrow" aria-hidden="true">{arrow}</span>
            </a>
        </th>
    }
}

#[component]
pub fn Pager(meta: ListMeta, shown: usize) -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let page = meta.page;
    let pages = meta.total_pages.max(1);
    let has_next = meta.next_cursor.is_some();
    let prev_href = move || {
        list_href(
            &query.read(),
            &[("page", (page > 2).then(|| (page - 1).to_string()))],
        )
    };
    // Next follows the keyset cursor: page 5,000 costs what page 2 does. The page number
    // rides along for display only.
    let next_cursor = meta.next_cursor.clone();
    let next_href = move || {
        list_href(
            &query.read(),
            &[
                ("page", Some((page + 1).to_string())),
                ("cursor", next_cursor.clone()),
            ],
        )
    };
    // Back within page-number reach is an ordinary link; from deeper, the browser's history.
    let prev_by_history = (page as u64).saturating_sub(2) * meta.limit as u64 > MAX_OFFSET;
    let limit = meta.limit;
    let on_size = move |ev| {
        let value = event_target_value(&ev);
        let href = list_href(
            &query.get_untracked(),
            &[("limit", (value != "20").then_some(value))],
        );
        navigate(
            &href,
            NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    };
    let pages_label = if meta.total_is_estimate {
        format!("about {}", group_thousands(pages))
    } else if meta.total_is_exact {
        group_thousands(pages)
    } else {
        format!("{}+", group_thousands(pages))
    };
    view! {
        <div class="pager">
            <span class="range" data-testid="range-summary">{range_summary(&meta, shown)}</span>
            <label class="inline-field">
                <span>"Rows"</span>
                <select name="limit" data-testid="page-size" prop:value=limit.to_string() on:change=on_size>
                    {PAGE_SIZES.into_iter().map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                </select>
            </label>
            <span class="muted">{format!("Page {} of {pages_label}", group_thousands(page as u64))}</span>
            {if prev_by_history {
                view! {
                    <button type="button" class="btn btn-ghost btn-small" data-testid="prev-page" on:click=|_| {
                        let _ = window().history().and_then(|h| h.back());
                    }>"← Prev"</button>
                }.into_any()
            } else {
                view! {
                    <a class="btn btn-ghost btn-small" class:disabled=page <= 1 aria-disabled=(page <= 1).to_string()
                        href=prev_href data-testid="prev-page">"← Prev"</a>
                }.into_any()
            }}
            <a class="btn btn-ghost btn-small" class:disabled=!has_next aria-disabled=(!has_next).to_string()
                href=next_href data-testid="next-page">"Next →"</a>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(1234), "1,234");
        assert_eq!(group_thousands(10_000), "10,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn summary_marks_lower_bounds() {
        let meta = ListMeta {
            total: 10_000,
            page: 2,
            limit: 20,
            total_pages: 500,
            total_is_exact: false,
            total_is_estimate: false,
            next_cursor: None,
        };
        assert_eq!(range_summary(&meta, 20), "21–40 of 10,000+");
        let estimated = ListMeta {
            total: 125_000,
            total_is_estimate: true,
            ..meta
        };
        assert_eq!(range_summary(&estimated, 20), "21–40 of about 125,000");
    }
}
