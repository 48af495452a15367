//! `/settings/members`: who is in the workspace and with which role; invitations. Owners and
//! admins change roles, remove members and invite; everyone else sees the list (and may leave).

use crate::api::team::{
    invite, list_invitations, list_members, remove_member, revoke_invitation, set_member_role,
};
use crate::components::app_header::CurrentUser;
use crate::components::contact_table::short_date;
use crate::components::settings_nav::SettingsNav;
use crate::components::sign_in_redirect::SignInRedirect;
use crate::domain::account::{Me, Role};
use crate::domain::error::AppError;
use crate::domain::member::{CreatedInvitation, InvitationView, MemberView};
use crate::domain::permission::Action as Permission;
use crate::pages::login::{field_error, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use uuid::Uuid;

#[component]
pub fn MembersPage() -> impl IntoView {
    let CurrentUser(user) = expect_context::<CurrentUser>();
    view! {
        <Title text="Members · Settings · Leads"/>
        <Transition fallback=|| view! { <div class="loading" aria-busy="true">"Loading…"</div> }>
            {move || Suspend::new(async move {
                match user.await {
                    Some(me) => view! { <SettingsNav/><Members me/> }.into_any(),
                    None => view! { <SignInRedirect/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Members(me: Me) -> impl IntoView {
    let manages = me.role.may(Permission::ManageMembers);
    let changes = RwSignal::new(0u32);
    // Loaded in the browser, after the first paint.
    let members = RwSignal::new(None::<Result<Vec<MemberView>, AppError>>);
    let pending = RwSignal::new(None::<Result<Vec<InvitationView>, AppError>>);
    Effect::new(move |_| {
        changes.track();
        leptos::task::spawn_local(async move {
            members.set(Some(list_members().await));
            if manages {
                pending.set(Some(list_invitations().await));
            }
        });
    });

    let set_role = Action::new(|(id, role): &(Uuid, String)| {
        let (id, role) = (*id, role.clone());
        async move { set_member_role(id, role).await.map(|_| ()) }
    });
    let remove = Action::new(|id: &Uuid| {
        let id = *id;
        async move { remove_member(id).await }
    });
    let revoke = Action::new(|id: &Uuid| {
        let id = *id;
        async move { revoke_invitation(id).await }
    });
    Effect::new(move |_| {
        if matches!(set_role.value().get(), Some(Ok(())))
            || matches!(remove.value().get(), Some(Ok(())))
            || matches!(revoke.value().get(), Some(Ok(())))
        {
            changes.update(|n| *n += 1);
        }
    });
    let action_error = move || {
        [
            set_role.value().get(),
            remove.value().get(),
            revoke.value().get(),
        ]
        .into_iter()
        .flatten()
        .find_map(Result::err)
        .map(|e| e.to_string())
    };
    let my_id = me.user.id;

    view! {
        <section aria-labelledby="members-title">
            <h2 id="members-title" class="section-title">"Members"</h2>
            {move || action_error().map(|m| view! { <div class="alert alert-error" role="alert" data-testid="members-error">{m}</div> })}
            {move || match members.get() {
                None => view! { <p class="muted">"Loading members…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="contact-table" data-testid="members-table">
                            <thead><tr><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Joined"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|m| {
                                    let (id, email) = (m.user_id, m.email.clone());
                                    let is_me = id == my_id;
                                    let role_cell = if manages {
                                        view! {
                                            <select aria-label=format!("Role of {email}") data-testid="member-role"
                                                on:change=move |ev| { set_role.dispatch((id, event_target_value(&ev))); }>
                                                {Role::ALL.into_iter().map(|r| view! {
                                                    <option value=r.as_str() selected=r == m.role>{r.label()}</option>
                                                }).collect_view()}
                                            </select>
                                        }.into_any()
                                    } else {
                                        view! { <span>{m.role.label()}</span> }.into_any()
                                    };
                                    let remove_label = if is_me { "Leave" } else { "Remove" };
                                    view! {
                                        <tr data-testid="member-row">
                                            <td data-label="Email">{m.email.clone()}{is_me.then(|| view! { <span class="muted">" (you)"</span> })}</td>
                                            <td data-label="Role">{role_cell}</td>
                                            <td data-label="Joined">{short_date(m.joined)}</td>
                                            <td class="cell-actions">
                                                {(manages || is_me).then(|| view! {
                                                    <button type="button" class="btn btn-ghost btn-small" data-testid="remove-member"
                                                        aria-label=format!("{remove_label} {}", m.email)
                                                        on:click=move |_| { remove.dispatch(id); }>{remove_label}</button>
                                                })}
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
        {manages.then(|| view! {
            <InviteForm on_invited=Callback::new(move |_| changes.update(|n| *n += 1))/>
            <section aria-labelledby="pending-title">
                <h2 id="pending-title" class="section-title">"Pending invitations"</h2>
                {move || match pending.get() {
                    None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="field-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! { <p class="muted" data-testid="no-invitations">"No pending invitations."</p> }.into_any(),
                    Some(Ok(list)) => view! {
                        <ul class="plain-list" data-testid="invitations">
                            {list.into_iter().map(|i| view! {
                                <li class="plain-item">
                                    <span>{i.email.clone()}</span>
                                    <span class="muted">{format!("{} · expires {}", i.role.label(), short_date(i.expires))}</span>
                                    <button type="button" class="btn btn-ghost btn-small" aria-label=format!("Revoke the invitation to {}", i.email)
                                        on:click=move |_| { revoke.dispatch(i.id); }>"Revoke"</button>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </section>
        })}
    }
}

#[component]
fn InviteForm(on_invited: Callback<()>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let role = RwSignal::new("member".to_owned());
    let send = Action::new(|(email, role): &(String, String)| {
        let (email, role) = (email.clone(), role.clone());
        async move { invite(email, role).await }
    });
    let created = RwSignal::new(None::<CreatedInvitation>);
    Effect::new(move |_| {
        if let Some(Ok(c)) = send.value().get() {
            created.set(Some(c));
            email.set(String::new());
            on_invited.run(());
        }
    });
    let error = move || send.value().get().and_then(Result::err);
    view! {
        <section aria-labelledby="invite-title">
            <h2 id="invite-title" class="section-title">"Invite someone"</h2>
            <form class="inline-form" data-testid="invite-form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                created.set(None);
                send.dispatch((email.get_untracked(), role.get_untracked()));
            }>
                <div class="field">
                    <label for="invite-email">"Email"</label>
                    <input id="invite-email" type="email" required data-testid="invite-email"
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                    <p class="field-error">{move || field_error(error(), "email")}</p>
                </div>
                <div class="field">
                    <label for="invite-role">"Role"</label>
                    <select id="invite-role" data-testid="invite-role" on:change=move |ev| role.set(event_target_value(&ev))>
                        {Role::ALL.into_iter().map(|r| view! {
                            <option value=r.as_str() selected=r == Role::Member>{r.label()}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error">{move || field_error(error(), "role")}</p>
                </div>
                <button type="submit" class="btn btn-primary" disabled=move || send.pending().get()>"Invite"</button>
            </form>
            {move || form_error(error()).map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
            {move || created.get().map(|c| view! {
                <div class="alert alert-info" role="status" data-testid="invitation-link">
                    <p>{if c.mailed { "Invitation mailed. The link, in case it helps:" } else { "Send this link to the person you invited; it works once, for 7 days:" }}</p>
                    <input class="link-box" type="text" readonly aria-label="Invitation link" prop:value=c.link.clone()/>
                </div>
            })}
        </section>
    }
}
