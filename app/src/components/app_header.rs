use crate::api::account::Logout;
use crate::api::team::{list_workspaces, switch_workspace};
use crate::domain::account::{Me, TenantView};
use crate::domain::member::WorkspaceView;
use leptos::prelude::*;
use leptos_router::components::A;

/// The signed-in user, fetched once per page and shared through context.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Option<Me>>);

pub fn provide_current_user() {
    let location = leptos_router::hooks::use_location();
    // Re-asked on navigation, so signing in or out shows at once in the header.
    let user = Resource::new(
        move || location.pathname.get(),
        |_| async move { crate::api::account::current_user().await.ok().flatten() },
    );
    provide_context(CurrentUser(user));
}

/// The product name, the main navigation, the workspace name and the sign-out control.
#[component]
pub fn AppHeader() -> impl IntoView {
    let CurrentUser(user) = expect_context::<CurrentUser>();
    let logout = ServerAction::<Logout>::new();

    view! {
        <header class="app-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"L"</span>
                "Leads"
            </A>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match user.await {
                        Some(me) => view! {
                            <nav class="main-nav">
                                <A href="/contacts">"Contacts"</A>
                                <A href="/settings/members">"Settings"</A>
                            </nav>
                            <div class="account">
                                <WorkspaceSwitcher current=me.tenant.clone()/>
                                <span class="muted user-email">{me.user.email}</span>
                                <ActionForm action=logout>
                                    <button type="submit" class="btn btn-ghost btn-small">"Sign out"</button>
                                </ActionForm>
                            </div>
                        }.into_any(),
                        None => view! {
                            <nav class="main-nav">
                                <A href="/login">"Sign in"</A>
                                <A href="/signup" attr:class="btn btn-small">"Create workspace"</A>
                            </nav>
                        }.into_any(),
                    }
                })}
            </Transition>
        </header>
    }
}

/// The current workspace's name; a menu to switch when the person belongs to several (the list
/// is asked for in the browser, after the page).
#[component]
fn WorkspaceSwitcher(current: TenantView) -> impl IntoView {
    let others = RwSignal::new(Vec::<WorkspaceView>::new());
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(list) = list_workspaces().await {
                others.set(list);
            }
        });
    });
    let switch = Action::new(|id: &uuid::Uuid| {
        let id = *id;
        async move { switch_workspace(id).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = switch.value().get() {
            // A full load: every list on the page belongs to the other workspace.
            let _ = window().location().set_href("/contacts");
        }
    });
    let name = current.name.clone();
    view! {
        <Show when=move || others.with(|o| o.len() > 1) fallback=move || view! {
            <span class="workspace" data-testid="workspace-name">{name.clone()}</span>
        }>
            <label class="visually-hidden" for="workspace-switch">"Workspace"</label>
            <select id="workspace-switch" class="workspace-switch" data-testid="workspace-switch"
                on:change=move |ev| {
                    if let Ok(id) = uuid::Uuid::parse_str(&event_target_value(&ev)) {
                        switch.dispatch(id);
                    }
                }>
                {move || others.get().into_iter().map(|w| view! {
                    <option value=w.tenant.id.to_string() selected=w.current>{w.tenant.name.clone()}</option>
                }).collect_view()}
            </select>
            <span class="visually-hidden" data-testid="workspace-name">{current.name.clone()}</span>
        </Show>
    }
}
