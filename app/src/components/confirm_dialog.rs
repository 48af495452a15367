use crate::components::modal::Modal;
use leptos::prelude::*;

/// Asks before something that cannot be undone.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: String,
    #[prop(into)] message: Signal<String>,
    #[prop(into)] confirm_label: String,
    on_confirm: Callback<()>,
    #[prop(into)] pending: Signal<bool>,
) -> impl IntoView {
    view! {
        <Modal open title test_id="confirm-dialog">
            <p class="confirm-message">{move || message.get()}</p>
            <div class="form-actions">
                <button type="button" class="btn btn-ghost" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="button" class="btn btn-danger" disabled=move || pending.get() on:click=move |_| on_confirm.run(())>
                    {confirm_label.clone()}
                </button>
            </div>
        </Modal>
    }
}
