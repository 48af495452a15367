//! `/settings/account`: change the password (other sessions are signed out), sign out
//! everywhere.

use crate::api::team::{change_password, delete_workspace, sign_out_everywhere};
use crate::components::app_header::CurrentUser;
use crate::components::settings_nav::SettingsNav;
use crate::components::sign_in_redirect::SignInRedirect;
use crate::pages::login::{field_error, form_error};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let CurrentUser(user) = expect_context::<CurrentUser>();
    view! {
        <Title text="Account · Settings · Leads"/>
        <Transition fallback=|| view! { <div class="loading" aria-busy="true">"Loading…"</div> }>
            {move || Suspend::new(async move {
                match user.await {
                    Some(me) => view! {
                        <SettingsNav/>
                        <p class="muted">"Signed in as " <strong>{me.user.email}</strong></p>
                        <PasswordForm/>
                        <SignOutEverywhere/>
                        {(me.role == crate::domain::account::Role::Owner).then(|| view! {
                            <DeleteWorkspace name=me.tenant.name.clone()/>
                        })}
                    }.into_any(),
                    None => view! { <SignInRedirect/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let change = Action::new(|(c, n): &(String, String)| {
        let (c, n) = (c.clone(), n.clone());
        async move { change_password(c, n).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            current.set(String::new());
            new.set(String::new());
        }
    });
    let error = move || change.value().get().and_then(Result::err);
    view! {
        <section aria-labelledby="password-title">
            <h2 id="password-title" class="section-title">"Change password"</h2>
            <form class="stacked-form narrow" data-testid="password-form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                change.dispatch((current.get_untracked(), new.get_untracked()));
            }>
                <div class="field">
                    <label for="current-password">"Current password"</label>
                    <input id="current-password" type="password" autocomplete="current-password"
                        prop:value=move || current.get() on:input=move |ev| current.set(event_target_value(&ev))/>
                    <p class="field-error">{move || field_error(error(), "currentPassword")}</p>
                </div>
                <div class="field">
                    <label for="new-password">"New password"</label>
                    <input id="new-password" type="password" autocomplete="new-password" minlength="8"
                        prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev))/>
                    <p class="field-hint">"At least 8 characters. Your other sessions will be signed out."</p>
                    <p class="field-error">{move || field_error(error(), "newPassword")}</p>
                </div>
                {move || form_error(error()).map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
                {move || matches!(change.value().get(), Some(Ok(()))).then(|| view! {
                    <div class="alert alert-info" role="status" data-testid="password-changed">"Password changed. Other sessions were signed out."</div>
                })}
                <button type="submit" class="btn btn-primary" disabled=move || change.pending().get()>"Change password"</button>
            </form>
        </section>
    }
}

#[component]
fn SignOutEverywhere() -> impl IntoView {
    let out = Action::new(|_: &()| sign_out_everywhere());
    Effect::new(move |_| {
        if let Some(Ok(())) = out.value().get() {
            // The session is gone: a full load lands on the sign-in page.
            let _ = window().location().set_href("/login");
        }
    });
    view! {
        <section aria-labelledby="everywhere-title">
            <h2 id="everywhere-title" class="section-title">"Sessions"</h2>
            <p class="muted">"Signs you out on every device, this one included. API tokens keep working."</p>
            {move || out.value().get().and_then(Result::err).map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })}
            <button type="button" class="btn btn-danger" data-testid="sign-out-everywhere"
                disabled=move || out.pending().get() on:click=move |_| { out.dispatch(()); }>"Sign out everywhere"</button>
        </section>
    }
}

/// Owners only: the workspace and everything in it, after typing its name.
#[component]
fn DeleteWorkspace(name: String) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let delete = Action::new(|name: &String| {
        let name = name.clone();
        async move { delete_workspace(name).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            let _ = window().location().set_href("/login");
        }
    });
    let error = move || delete.value().get().and_then(Result::err);
    let hint = format!(
        "Type “{name}” to confirm. Every contact, its history, the members' access and the API tokens go with it; this cannot be undone."
    );
    view! {
        <section aria-labelledby="delete-title">
            <h2 id="delete-title" class="section-title">"Delete this workspace"</h2>
            <form class="stacked-form narrow" data-testid="delete-workspace" novalidate on:submit=move |ev| {
                ev.prevent_default();
                delete.dispatch(typed.get_untracked());
            }>
                <div class="field">
                    <label for="delete-name">"Workspace name"</label>
                    <input id="delete-name" type="text" autocomplete="off"
                        prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                    <p class="field-hint">{hint}</p>
                    <p class="field-error">{move || field_error(error(), "name")}</p>
                </div>
                {move || form_error(error()).map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
                <button type="submit" class="btn btn-danger" disabled=move || delete.pending().get()>"Delete workspace"</button>
            </form>
        </section>
    }
}
