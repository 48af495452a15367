use leptos::prelude::*;

/// The landing page.
#[component]
pub fn HomePage() -> impl IntoView {
    // Set only once the WASM runs: the end-to-end tests use it to prove hydration.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    view! {
        <section class="hero">
            <h1>"Your leads, instantly."</h1>
            <p class="muted">"Search, sort and page through every contact in your workspace."</p>
            <button class="btn btn-ghost hydration-probe" data-testid="hydration-probe" disabled=move || !hydrated.get()>
                {move || if hydrated.get() { "Hydrated: yes" } else { "Hydrated: no" }}
            </button>
        </section>
    }
}
