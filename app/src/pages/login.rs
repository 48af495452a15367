use crate::api::account::{Login, safe_next};
use crate::domain::error::AppError;
use crate::domain::query_string::encode_component;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The message of one field from a server error, if it concerns that field.
pub fn field_error(error: Option<AppError>, field: &str) -> Option<String> {
    error.and_then(|e| e.fields().and_then(|f| f.get(field).map(str::to_owned)))
}

/// A server error that concerns no single field (wrong password, too many attempts…).
pub fn form_error(error: Option<AppError>) -> Option<String> {
    error
        .filter(|e| e.fields().is_none())
        .map(|e| e.to_string())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || safe_next(&query.read().get("next").unwrap_or_default());
    let error = move || action.value().get().and_then(Result::err);

    view! {
        <Title text="Sign in · Leads"/>
        <section class="auth-card">
            <h1>"Sign in"</h1>
            <p class="muted">"Welcome back. Sign in to your workspace."</p>
            <ActionForm action=action attr:class="stacked-form" attr:novalidate=true>
                <input type="hidden" name="next" value=next/>
                {move || form_error(error()).map(|m| view! { <div class="alert alert-error" role="alert" data-testid="form-error">{m}</div> })}
                <div class="field">
                    <label for="login-email">"Email"</label>
                    <input id="login-email" name="email" type="email" autocomplete="username" required/>
                    <p class="field-error">{move || field_error(error(), "email")}</p>
                </div>
                <div class="field">
                    <label for="login-password">"Password"</label>
                    <input id="login-password" name="password" type="password" autocomplete="current-password" required/>
                    <p class="field-error">{move || field_error(error(), "password")}</p>
                </div>
                <button type="submit" class="btn btn-primary btn-block" disabled=move || action.pending().get()>"Sign in"</button>
            </ActionForm>
            <p class="muted switch"><a href="/forgot-password">"Forgot your password?"</a></p>
            <p class="muted switch">
                "No workspace yet? "
                <a href=move || format!("/signup?next={}", encode_component(&next()))>"Create one"</a>
            </p>
        </section>
    }
}
