use crate::components::list_controls::SortHeader;
use crate::components::status_badge::StatusBadge;
use crate::domain::lead::Lead;
use crate::domain::list_query::SortField;
use leptos::prelude::*;

/// "Nov 24, 2026". Spelled out rather than `format("%b %-d, %Y")`, which would bring chrono's
/// format-string machinery into the WASM client.
pub fn short_date(at: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Datelike;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {}, {}",
        MONTHS[at.month0() as usize],
        at.day(),
        at.year()
    )
}

/// The contacts table. Sorting and paging are links (they work before hydration); the row
/// menu's Delete asks the page to confirm through `on_delete`.
#[component]
pub fn ContactTable(rows: Vec<Lead>, on_delete: Callback<Lead>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="contact-table" data-testid="contact-table">
                <thead>
                    <tr>
                        <SortHeader field=SortField::Name label="Name"/>
                        <SortHeader field=SortField::Email label="Email"/>
                        <SortHeader field=SortField::Company label="Company"/>
                        <th scope="col">"Status"</th>
                        <SortHeader field=SortField::Score label="Score"/>
                        <SortHeader field=SortField::Created label="Added"/>
                        <SortHeader field=SortField::Updated label="Updated"/>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|lead| {
                        let href = format!("/contacts/{}", lead.id);
                        let edit_href = format!("/contacts/{}?edit=1", lead.id);
                        let for_delete = lead.clone();
                        view! {
                            <tr data-testid="contact-row" data-id=lead.id.to_string()>
                                <td class="cell-name" data-label="Name">{lead.display_name().unwrap_or_else(|| "—".to_owned())}</td>
                                <td data-label="Email"><a href=href>{lead.email.clone()}</a></td>
                                <td data-label="Company">{lead.company.clone().unwrap_or_else(|| "—".to_owned())}</td>
                                <td data-label="Status"><StatusBadge status=lead.status/></td>
                                <td class="cell-number" data-label="Score">{lead.score}</td>
                                <td data-label="Added">{short_date(lead.created)}</td>
                                <td data-label="Updated">{short_date(lead.updated)}</td>
                                <td class="cell-actions">
                                    <details class="menu">
                                        <summary class="btn btn-ghost btn-small" aria-label="Actions">"⋯"</summary>
                                        <div class="menu-items">
                                            <a href=edit_href>"Edit"</a>
                                            <button type="button" class="danger" on:click=move |ev| {
                                                use leptos::wasm_bindgen::JsCast;
                                                // Close the menu before the dialog opens.
                                                let menu = ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok()).and_then(|el| el.closest("details").ok().flatten());
                                                if let Some(menu) = menu {
                                                    let _ = menu.remove_attribute("open");
                                                }
                                                on_delete.run(for_delete.clone());
                                            }>"Delete"</button>
                                        </div>
                                    </details>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_date_reads_like_a_person_wrote_it() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-04T23:59:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(super::short_date(at), "Nov 4, 2026");
    }
}
