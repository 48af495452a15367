//! `/invite/{secret}`: what an invitation offers, and joining it. A signed-out visitor signs in
//! or creates an account first, and comes back here.

use crate::api::team::{join_workspace, preview_invitation};
use crate::domain::error::AppError;
use crate::domain::query_string::encode_component;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map};

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let secret = move || params.read().get("secret").unwrap_or_default();
    let preview = Resource::new(
        secret,
        |secret| async move { preview_invitation(secret).await },
    );
    let join = Action::new(|secret: &String| {
        let secret = secret.clone();
        async move { join_workspace(secret).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = join.value().get() {
            // A full load: the header, the workspace and every list are the new workspace's.
            let _ = window().location().set_href("/contacts");
        }
    });
    let here = use_location().pathname.get_untracked();

    view! {
        <Title text="Invitation · Leads"/>
        <section class="auth-card" data-testid="invitation">
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the invitation…"</p> }>
                {move || {
                    let here = here.clone();
                    Suspend::new(async move {
                        match preview.await {
                            Ok(p) => {
                                let next = encode_component(&here);
                                view! {
                                    <h1>{format!("Join {}", p.tenant.name)}</h1>
                                    <p class="muted">{format!("You are invited as {}.", p.role.label().to_lowercase())}</p>
                                    {if p.signed_in {
                                        view! {
                                            {move || join.value().get().and_then(Result::err).map(|e| view! {
                                                <div class="alert alert-error" role="alert" data-testid="join-error">{e.to_string()}</div>
                                            })}
                                            <button type="button" class="btn btn-primary btn-block" data-testid="join-workspace"
                                                disabled=move || join.pending().get()
                                                on:click=move |_| { join.dispatch(secret()); }>{format!("Join {}", p.tenant.name)}</button>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <p>"Sign in with the address the invitation was sent to, or create an account with it, then come back to this page."</p>
                                            <p class="switch">
                                                <a class="btn btn-primary" href=format!("/login?next={next}")>"Sign in"</a>
                                                " "
                                                <a class="btn" href=format!("/signup?next={next}")>"Create an account"</a>
                                            </p>
                                        }.into_any()
                                    }}
                                }.into_any()
                            }
                            Err(AppError::Gone(message)) => view! {
                                <h1>"Invitation unavailable"</h1>
                                <p role="alert">{message}</p>
                            }.into_any(),
                            Err(_) => view! {
                                <h1>"Invitation not found"</h1>
                                <p role="alert">"This link is not valid: it may have been revoked or mistyped. Ask for a new invitation."</p>
                            }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}
