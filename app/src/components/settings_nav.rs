//! The tabs of the settings pages.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn SettingsNav() -> impl IntoView {
    view! {
        <div class="page-header">
            <h1>"Settings"</h1>
        </div>
        <nav class="settings-nav" aria-label="Settings">
            <A href="/settings/members">"Members"</A>
            <A href="/settings/tokens">"API tokens"</A>
            <A href="/settings/account">"Account"</A>
        </nav>
    }
}
