use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// Sends an anonymous visitor to the sign-in page, remembering where they wanted to go.
#[component]
pub fn SignInRedirect() -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    let search = location.search.get_untracked();
    let search = search.trim_start_matches('?');
    let here = if search.is_empty() {
        path
    } else {
        format!("{path}?{search}")
    };
    let target = format!(
        "/login?next={}",
        crate::domain::query_string::encode_component(&here)
    );
    view! { <Redirect path=target/> }
}
