use leptos::prelude::*;

/// The product name and the main navigation, on every page.
#[component]
pub fn AppHeader() -> impl IntoView {
    view! {
        <header class="app-header">
            <a class="brand" href="/">"Leads"</a>
            <nav class="main-nav">
                <a href="/contacts">"Contacts"</a>
            </nav>
        </header>
    }
}
