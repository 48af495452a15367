//! `/settings/tokens`: API tokens — create (name, scope, optional expiry; the secret is shown
//! once), see prefix and last use, revoke. Owners and admins see everyone's.

use crate::api::team::{create_token, list_members, list_tokens, revoke_token};
use crate::components::app_header::CurrentUser;
use crate::components::contact_table::short_date;
use crate::components::settings_nav::SettingsNav;
use crate::components::sign_in_redirect::SignInRedirect;
use crate::domain::account::Me;
use crate::domain::error::AppError;
use crate::domain::member::MemberView;
use crate::domain::permission::Action as Permission;
use crate::domain::token::{ApiTokenView, CreatedToken, TokenScope};
use crate::pages::login::{field_error, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use uuid::Uuid;

#[component]
pub fn TokensPage() -> impl IntoView {
    let CurrentUser(user) = expect_context::<CurrentUser>();
    view! {
        <Title text="API tokens · Settings · Leads"/>
        <Transition fallback=|| view! { <div class="loading" aria-busy="true">"Loading…"</div> }>
            {move || Suspend::new(async move {
                match user.await {
                    Some(me) => view! { <SettingsNav/><Tokens me/> }.into_any(),
                    None => view! { <SignInRedirect/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Tokens(me: Me) -> impl IntoView {
    let changes = RwSignal::new(0u32);
    let tokens = RwSignal::new(None::<Result<Vec<ApiTokenView>, AppError>>);
    let members = RwSignal::new(Vec::<MemberView>::new());
    let sees_all = me.role.may(Permission::ManageAllTokens);
    Effect::new(move |_| {
        changes.track();
        leptos::task::spawn_local(async move {
            tokens.set(Some(list_tokens().await));
            if sees_all {
                members.set(list_members().await.unwrap_or_default());
            }
        });
    });
    let owner_of = move |id: Uuid| {
        members.with(|m| m.iter().find(|m| m.user_id == id).map(|m| m.email.clone()))
    };
    let revoke = Action::new(|id: &Uuid| {
        let id = *id;
        async move { revoke_token(id).await }
    });
    Effect::new(move |_| {
        if matches!(revoke.value().get(), Some(Ok(()))) {
            changes.update(|n| *n += 1);
        }
    });
    let writes = me.role.may_create_scope(TokenScope::Write);

    view! {
        <CreateToken writes on_created=Callback::new(move |_| changes.update(|n| *n += 1))/>
        <section aria-labelledby="tokens-title">
            <h2 id="tokens-title" class="section-title">{if sees_all { "The workspace's tokens" } else { "Your tokens" }}</h2>
            {move || revoke.value().get().and_then(Result::err).map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })}
            {move || match tokens.get() {
                None => view! { <p class="muted">"Loading tokens…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted" data-testid="no-tokens">"No tokens yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="contact-table" data-testid="tokens-table">
                            <thead><tr>
                                <th scope="col">"Name"</th><th scope="col">"Token"</th><th scope="col">"Scope"</th>
                                {sees_all.then(|| view! { <th scope="col">"Member"</th> })}
                                <th scope="col">"Last used"</th><th scope="col">"Expires"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|t| {
                                    let user_id = t.user_id;
                                    view! {
                                        <tr data-testid="token-row">
                                            <td data-label="Name">{t.name.clone()}</td>
                                            <td data-label="Token"><code>{format!("{}…", t.prefix)}</code></td>
                                            <td data-label="Scope">{t.scope.as_str()}</td>
                                            {sees_all.then(|| view! { <td data-label="Member">{move || owner_of(user_id).unwrap_or_default()}</td> })}
                                            <td data-label="Last used">{t.last_used.map_or("Never".to_owned(), short_date)}</td>
                                            <td data-label="Expires">{t.expires.map_or("Never".to_owned(), short_date)}</td>
                                            <td class="cell-actions">
                                                <button type="button" class="btn btn-ghost btn-small" data-testid="revoke-token"
                                                    aria-label=format!("Revoke {}", t.name)
                                                    on:click=move |_| { revoke.dispatch(t.id); }>"Revoke"</button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn CreateToken(writes: bool, on_created: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new(if writes { "write" } else { "read" }.to_owned());
    let expires = RwSignal::new(String::new());
    let create = Action::new(|(n, s, e): &(String, String, String)| {
        let (n, s, e) = (n.clone(), s.clone(), e.clone());
        async move { create_token(n, s, e).await }
    });
    let created = RwSignal::new(None::<CreatedToken>);
    Effect::new(move |_| {
        if let Some(Ok(t)) = create.value().get() {
            created.set(Some(t));
            name.set(String::new());
            on_created.run(());
        }
    });
    let error = move || create.value().get().and_then(Result::err);
    view! {
        <section aria-labelledby="new-token-title">
            <h2 id="new-token-title" class="section-title">"New token"</h2>
            <form class="inline-form" data-testid="token-form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                created.set(None);
                create.dispatch((name.get_untracked(), scope.get_untracked(), expires.get_untracked()));
            }>
                <div class="field">
                    <label for="token-name">"Name"</label>
                    <input id="token-name" type="text" maxlength="100" data-testid="token-name"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    <p class="field-error">{move || field_error(error(), "name")}</p>
                </div>
                <div class="field">
                    <label for="token-scope">"Scope"</label>
                    <select id="token-scope" data-testid="token-scope" on:change=move |ev| scope.set(event_target_value(&ev))>
                        <option value="read" selected=!writes>"Read only"</option>
                        {writes.then(|| view! { <option value="write" selected=true>"Read and write"</option> })}
                    </select>
                    <p class="field-error">{move || field_error(error(), "scope")}</p>
                </div>
                <div class="field">
                    <label for="token-expires">"Expires (optional)"</label>
                    <input id="token-expires" type="date" data-testid="token-expires"
                        prop:value=move || expires.get() on:input=move |ev| expires.set(event_target_value(&ev))/>
                    <p class="field-error">{move || field_error(error(), "expires")}</p>
                </div>
                <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>"Create token"</button>
            </form>
            {move || form_error(error()).map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
            {move || created.get().map(|t| view! {
                <div class="alert alert-info" role="status" data-testid="new-token">
                    <p>{format!("Copy the token \"{}\" now: it is not shown again.", t.name)}</p>
                    <input class="link-box" type="text" readonly aria-label="New token" prop:value=t.token.clone()/>
                </div>
            })}
        </section>
    }
}
