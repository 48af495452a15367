//! Saved views beside the contact table: each a link to its list with its count, renamed or
//! deleted in place; "Save view" keeps the list as it is now (filters, search, sort, page size).

use crate::api::views::{delete_view, list_views, rename_view, save_view};
use crate::components::list_controls::{group_thousands, url_pairs};
use crate::domain::error::AppError;
use crate::domain::query_string;
use crate::domain::saved_view::{CountedView, SavedView};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

/// `changes` is bumped whenever contacts change, so the counts follow.
#[component]
pub fn SavedViews(changes: RwSignal<u32>) -> impl IntoView {
    let query = use_query_map();
    let current = Memo::new(move |_| query_string::encode(url_pairs(&query.read())));
    let edits = RwSignal::new(0u32);
    // Loaded in the browser only: the page's first paint never waits on it, and a signed-out
    // visit (a redirect) starts no second request on the server.
    let views = RwSignal::new(None::<Result<Vec<CountedView>, AppError>>);
    Effect::new(move |_| {
        changes.track();
        edits.track();
        leptos::task::spawn_local(async move {
            views.set(Some(list_views().await));
        });
    });

    let naming = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let save = Action::new(|(name, query): &(String, String)| {
        let (name, query) = (name.clone(), query.clone());
        async move { save_view(name, query).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            naming.set(false);
            name.set(String::new());
            edits.update(|n| *n += 1);
        }
    });
    let save_error = move || {
        save.value().get().and_then(Result::err).map(|e: AppError| {
            e.fields()
                .and_then(|f| f.get("name").or(f.get("query")).map(str::to_owned))
                .unwrap_or_else(|| e.to_string())
        })
    };

    view! {
        <aside class="saved-views" aria-labelledby="saved-views-title" data-testid="saved-views">
            <div class="saved-views-header">
                <h2 id="saved-views-title" class="section-title">"Views"</h2>
                <button type="button" class="btn btn-ghost btn-small" data-testid="save-view"
                    aria-expanded=move || naming.get().to_string()
                    on:click=move |_| { save.value().set(None); naming.update(|n| *n = !*n) }>"Save view"</button>
            </div>
            <Show when=move || naming.get()>
                <form class="view-name-form" data-testid="save-view-form" on:submit=move |ev| {
                    ev.prevent_default();
                    save.dispatch((name.get_untracked(), current.get_untracked()));
                }>
                    <label for="view-name" class="visually-hidden">"View name"</label>
                    <input id="view-name" type="text" placeholder="Name this view" maxlength="100"
                        data-testid="view-name" prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))/>
                    <button type="submit" class="btn btn-primary btn-small" disabled=move || save.pending().get()>"Save"</button>
                    {move || save_error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                </form>
            </Show>
            {move || match views.get() {
                None => view! { <p class="muted">"Loading views…"</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted small" data-testid="no-views">"Filter the list, then save it as a view to come back to it."</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="view-list">
                        {list.into_iter().map(|counted| view! {
                            <ViewItem counted current on_change=Callback::new(move |_| edits.update(|n| *n += 1))/>
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Some(Err(err)) => view! { <p class="field-error" role="alert">{err.to_string()}</p> }.into_any(),
            }}
        </aside>
    }
}

fn count_label(counted: &CountedView) -> String {
    let plus = if counted.count_is_exact { "" } else { "+" };
    format!("{}{plus}", group_thousands(counted.count))
}

#[component]
fn ViewItem(counted: CountedView, current: Memo<String>, on_change: Callback<()>) -> impl IntoView {
    let SavedView { id, name, query } = counted.view.clone();
    let href = counted.view.href();
    let count = count_label(&counted);
    let is_current = Signal::derive(move || current.get() == query);
    let renaming = RwSignal::new(false);
    let new_name = RwSignal::new(name.clone());
    let rename = Action::new(move |name: &String| {
        let name = name.clone();
        async move { rename_view(id, name).await }
    });
    let remove = Action::new(move |id: &Uuid| {
        let id = *id;
        async move { delete_view(id).await }
    });
    Effect::new(move |_| {
        if matches!(rename.value().get(), Some(Ok(_)))
            || matches!(remove.value().get(), Some(Ok(())))
        {
            renaming.set(false);
            on_change.run(());
        }
    });
    let rename_error = move || {
        rename
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    let label = name.clone();
    view! {
        <li class="view-item" class:current=is_current data-testid="view-item">
            <Show when=move || renaming.get() fallback=move || view! {
                <a class="view-link" href=href.clone() aria-current=move || is_current.get().then_some("page")>
                    <span class="view-name">{label.clone()}</span>
                    <span class="view-count" data-testid="view-count">{count.clone()}</span>
                </a>
                <details class="menu">
                    <summary class="btn btn-ghost btn-small" aria-label=format!("Actions for view {}", label)>"⋯"</summary>
                    <div class="menu-items">
                        <button type="button" on:click=move |_| renaming.set(true)>"Rename"</button>
                        <button type="button" class="danger" on:click=move |_| { remove.dispatch(id); }>"Delete"</button>
                    </div>
                </details>
            }>
                <form class="view-name-form" on:submit=move |ev| { ev.prevent_default(); rename.dispatch(new_name.get_untracked()); }>
                    <label class="visually-hidden" for=format!("rename-{id}")>"New name"</label>
                    <input id=format!("rename-{id}") type="text" maxlength="100" data-testid="rename-view"
                        prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev))/>
                    <button type="submit" class="btn btn-primary btn-small">"Save"</button>
                    <button type="button" class="btn btn-ghost btn-small" on:click=move |_| renaming.set(false)>"Cancel"</button>
                    {move || rename_error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                </form>
            </Show>
        </li>
    }
}
