use crate::components::list_controls::SortHeader;
use crate::components::status_badge::StatusBadge;
use crate::domain::lead::Lead;
use crate::domain::list_query::SortField;
use leptos::prelude::*;
use std::collections::BTreeSet;
use uuid::Uuid;

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
/// menu's Delete asks the page to confirm through `on_delete`. The checkboxes fill
/// `selection`: shift-click selects a range, the header box the whole page.
#[component]
pub fn ContactTable(
    rows: Vec<Lead>,
    on_delete: Callback<Lead>,
    selection: RwSignal<BTreeSet<Uuid>>,
    /// Whether the row menu (edit, delete) is offered: not to a read-only role.
    #[prop(into, default = Signal::stored(true))]
    can_write: Signal<bool>,
) -> impl IntoView {
    let page_ids: Vec<Uuid> = rows.iter().map(|l| l.id).collect();
    let last_clicked = StoredValue::new(None::<usize>);
    let all_ids = page_ids.clone();
    let page_selected =
        move || !all_ids.is_empty() && all_ids.iter().all(|id| selection.read().contains(id));
    let header_ids = page_ids.clone();
    let toggle_page = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        selection.update(|s| {
            for id in &header_ids {
                if on {
                    s.insert(*id);
                } else {
                    s.remove(id);
                }
            }
        });
    };
    view! {
        <div class="table-wrap">
            <table class="contact-table" data-testid="contact-table">
                <thead>
                    <tr>
                        <th scope="col" class="cell-select">
                            <input type="checkbox" aria-label="Select all contacts on this page" data-testid="select-page"
                                prop:checked=page_selected on:change=toggle_page/>
                        </th>
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
                    {rows.into_iter().enumerate().map(|(index, lead)| {
                        let id = lead.id;
                        let ids = page_ids.clone();
                        let on_pick = move |ev: leptos::ev::MouseEvent| {
                            let on = !selection.read_untracked().contains(&id);
                            // Shift-click: the range from the last box clicked takes this box's new state.
                            let range = match last_clicked.get_value() {
                                Some(from) if ev.shift_key() => from.min(index)..=from.max(index),
                                _ => index..=index,
                            };
                            selection.update(|s| {
                                for id in &ids[range] {
                                    if on {
                                        s.insert(*id);
                                    } else {
                                        s.remove(id);
                                    }
                                }
                            });
                            last_clicked.set_value(Some(index));
                        };
                        let label = format!("Select {}", lead.email);
                        let href = format!("/contacts/{}", lead.id);
                        let edit_href = format!("/contacts/{}?edit=1", lead.id);
                        // Stored: the row menu may be rendered more than once (shown, hidden, shown).
                        let for_delete = StoredValue::new(lead.clone());
                        view! {
                            <tr data-testid="contact-row" data-id=lead.id.to_string() class:selected=move || selection.read().contains(&id)>
                                <td class="cell-select">
                                    <input type="checkbox" aria-label=label data-testid="select-row"
                                        prop:checked=move || selection.read().contains(&id)
                                        on:click=on_pick/>
                                </td>
                                <td class="cell-name" data-label="Name">{lead.display_name().unwrap_or_else(|| "—".to_owned())}</td>
                                <td data-label="Email"><a href=href>{lead.email.clone()}</a></td>
                                <td data-label="Company">{lead.company.clone().unwrap_or_else(|| "—".to_owned())}</td>
                                <td data-label="Status"><StatusBadge status=lead.status/></td>
                                <td class="cell-number" data-label="Score">{lead.score}</td>
                                <td data-label="Added">{short_date(lead.created)}</td>
                                <td data-label="Updated">{short_date(lead.updated)}</td>
                                <td class="cell-actions">
                                    <Show when=move || can_write.get()>
                                    <details class="menu">
                                        <summary class="btn btn-ghost btn-small" aria-label="Actions">"⋯"</summary>
                                        <div class="menu-items">
                                            <a href=edit_href.clone()>"Edit"</a>
                                            <button type="button" class="danger" on:click=move |ev| {
                                                use leptos::wasm_bindgen::JsCast;
                                                // Close the menu before the dialog opens.
                                                let menu = ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok()).and_then(|el| el.closest("details").ok().flatten());
                                                if let Some(menu) = menu {
                                                    let _ = menu.remove_attribute("open");
                                                }
                                                on_delete.run(for_delete.get_value());
                                            }>"Delete"</button>
                                        </div>
                                    </details>
                                    </Show>
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
