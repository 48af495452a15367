use crate::api::account::{Signup, safe_next};
use crate::domain::query_string::encode_component;
use crate::pages::login::{field_error, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignupPage() -> impl IntoView {
    let action = ServerAction::<Signup>::new();
    let query = use_query_map();
    let next = move || safe_next(&query.read().get("next").unwrap_or_default());
    let error = move || action.value().get().and_then(Result::err);

    view! {
        <Title text="Create a workspace · Leads"/>
        <section class="auth-card">
            <h1>"Create your workspace"</h1>
            <p class="muted">"Your contacts stay in your workspace; no one else can see them."</p>
            <ActionForm action=action attr:class="stacked-form" attr:novalidate=true>
                <input type="hidden" name="next" value=next/>
                {move || form_error(error()).map(|m| view! { <div class="alert alert-error" role="alert" data-testid="form-error">{m}</div> })}
                <div class="field">
                    <label for="signup-workspace">"Workspace name"</label>
                    <input id="signup-workspace" name="workspace_name" type="text" autocomplete="organization" required/>
                    <p class="field-error">{move || field_error(error(), "workspaceName")}</p>
                </div>
                <div class="field">
                    <label for="signup-email">"Email"</label>
                    <input id="signup-email" name="email" type="email" autocomplete="username" required/>
                    <p class="field-error">{move || field_error(error(), "email")}</p>
                </div>
                <div class="field">
                    <label for="signup-password">"Password"</label>
                    <input id="signup-password" name="password" type="password" autocomplete="new-password" minlength="8" required/>
                    <p class="field-hint muted">"At least 8 characters."</p>
                    <p class="field-error">{move || field_error(error(), "password")}</p>
                </div>
                <button type="submit" class="btn btn-primary btn-block" disabled=move || action.pending().get()>"Create workspace"</button>
            </ActionForm>
            <p class="muted switch">
                "Already have one? "
                <a href=move || format!("/login?next={}", encode_component(&next()))>"Sign in"</a>
            </p>
        </section>
    }
}
