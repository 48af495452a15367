use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="empty-state">
            <h1>"Not found"</h1>
            <p class="muted">"There is nothing at this address, or it belongs to another workspace."</p>
            <a class="btn" href="/contacts">"Back to contacts"</a>
        </section>
    }
}
