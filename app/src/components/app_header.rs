use crate::api::account::Logout;
use crate::domain::account::Me;
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
                            </nav>
                            <div class="account">
                                <span class="workspace" data-testid="workspace-name">{me.tenant.name}</span>
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
