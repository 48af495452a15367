//! `/forgot-password` (ask for a reset link by mail) and `/reset-password/{secret}` (choose the
//! new password).

use crate::api::account::{request_password_reset, reset_password};
use crate::domain::error::AppError;
use crate::pages::login::{field_error, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let send = Action::new(|email: &String| {
        let email = email.clone();
        async move { request_password_reset(email).await }
    });
    let error = move || send.value().get().and_then(Result::err);
    view! {
        <Title text="Reset your password · Leads"/>
        <section class="auth-card">
            <h1>"Reset your password"</h1>
            <p class="muted">"Enter your account's address: a link to choose a new password is mailed to it."</p>
            {move || matches!(send.value().get(), Some(Ok(()))).then(|| view! {
                <div class="alert alert-info" role="status" data-testid="reset-sent">
                    "If that address has an account, the link is on its way. It works once, for an hour."
                </div>
            })}
            <form class="stacked-form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                send.dispatch(email.get_untracked());
            }>
                {move || form_error(error()).map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
                <div class="field">
                    <label for="reset-email">"Email"</label>
                    <input id="reset-email" type="email" autocomplete="username" required
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                    <p class="field-error">{move || field_error(error(), "email")}</p>
                </div>
                <button type="submit" class="btn btn-primary btn-block" disabled=move || send.pending().get()>"Mail me a link"</button>
            </form>
            <p class="muted switch"><a href="/login">"Back to sign in"</a></p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let secret = move || params.read().get("secret").unwrap_or_default();
    let new = RwSignal::new(String::new());
    let reset = Action::new(|(secret, new): &(String, String)| {
        let (secret, new) = (secret.clone(), new.clone());
        async move { reset_password(secret, new).await }
    });
    let error = move || reset.value().get().and_then(Result::err);
    view! {
        <Title text="Choose a new password · Leads"/>
        <section class="auth-card">
            <h1>"Choose a new password"</h1>
            {move || match reset.value().get() {
                Some(Ok(())) => view! {
                    <div class="alert alert-info" role="status" data-testid="reset-done">
                        "Your password is changed and you are signed out everywhere. "
                        <a href="/login">"Sign in"</a>
                    </div>
                }.into_any(),
                Some(Err(AppError::NotFound)) => view! {
                    <div class="alert alert-error" role="alert">"This link is not valid. Ask for a new one."</div>
                }.into_any(),
                _ => ().into_any(),
            }}
            <form class="stacked-form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                reset.dispatch((secret(), new.get_untracked()));
            }>
                {move || form_error(error().filter(|e| *e != AppError::NotFound)).map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
                <div class="field">
                    <label for="reset-new-password">"New password"</label>
                    <input id="reset-new-password" type="password" autocomplete="new-password" minlength="8"
                        prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev))/>
                    <p class="field-hint">"At least 8 characters."</p>
                    <p class="field-error">{move || field_error(error(), "newPassword")}</p>
                </div>
                <button type="submit" class="btn btn-primary btn-block" disabled=move || reset.pending().get()>"Set the new password"</button>
            </form>
        </section>
    }
}
