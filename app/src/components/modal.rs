use leptos::prelude::*;

/// A modal dialog: focus moves into it when it opens and back to where it was when it closes;
/// Escape, the close button and the backdrop dismiss it.
#[component]
pub fn Modal(
    open: RwSignal<bool>,
    #[prop(into)] title: String,
    #[prop(into, default = "modal".to_string())] test_id: String,
    children: ChildrenFn,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let previous: StoredValue<Option<web_sys::HtmlElement>, LocalStorage> =
            StoredValue::new_local(None);
        Effect::new(move |_| {
            if open.get() {
                previous.set_value(
                    document()
                        .active_element()
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
                );
                request_animation_frame(move || {
                    if let Some(el) = dialog.get_untracked() {
                        let first = el
                            .query_selector("input, select, textarea, button:not(.modal-close)")
                            .ok()
                            .flatten();
                        if let Some(first) =
                            first.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                        {
                            let _ = first.focus();
                        }
                    }
                });
            } else if let Some(el) = previous.get_value() {
                let _ = el.focus();
                previous.set_value(None);
            }
        });
    }
    let close = move || open.set(false);
    // Escape closes it wherever focus is (a button that was disabled while saving drops focus
    // to the body, outside the dialog).
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && open.get_untracked() {
            ev.prevent_default();
            open.set(false);
        }
    });
    on_cleanup(move || escape.remove());
    let title_id = format!("{test_id}-title");
    view! {
        <Show when=move || open.get()>
            <div class="modal-backdrop" on:click=move |_| close()></div>
            <div
                class="modal"
                role="dialog"
                aria-modal="true"
                aria-labelledby=title_id.clone()
                data-testid=test_id.clone()
                node_ref=dialog
            >
                <div class="modal-header">
                    <h2 id=title_id.clone()>{title.clone()}</h2>
                    <button type="button" class="modal-close" aria-label="Close" on:click=move |_| close()>"×"</button>
                </div>
                {children()}
            </div>
        </Show>
    }
}
