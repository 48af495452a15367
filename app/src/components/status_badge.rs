use crate::domain::lead::LeadStatus;
use leptos::prelude::*;

/// Green for active, red for bounced, grey for unsubscribed.
#[component]
pub fn StatusBadge(status: LeadStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-{}", status.as_str())>{status.label()}</span> }
}
