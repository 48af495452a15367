use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Sends an anonymous visitor to the sign-in page, remembering where they wanted to go.
///
/// On the server this is a real `303 See Other`, whatever the request accepts: a 401 with a
/// `Location` is not followed by browsers, which would show an empty page until hydration.
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
    #[cfg(feature = "ssr")]
    {
        if let (Some(response), Ok(value)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            axum::http::HeaderValue::from_str(&target),
        ) {
            response.insert_header(axum::http::header::LOCATION, value);
            response.set_status(axum::http::StatusCode::SEE_OTHER);
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        let navigate = leptos_router::hooks::use_navigate();
        request_animation_frame(move || navigate(&target, Default::default()));
    }
}
