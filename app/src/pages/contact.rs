use crate::api::contacts::{delete_contact, get_contact, update_contact};
use crate::components::app_header::CurrentUser;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::contact_form::ContactForm;
use crate::components::contact_history::ContactHistory;
use crate::components::contact_table::short_date;
use crate::components::modal::Modal;
use crate::components::sign_in_redirect::SignInRedirect;
use crate::components::status_badge::StatusBadge;
use crate::domain::error::AppError;
use crate::domain::lead_input::LeadForm;
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use uuid::Uuid;

/// `/contacts/{id}`: every field of one contact; edit (guarded by its ETag) and delete.
#[component]
pub fn ContactPage() -> impl IntoView {
    let CurrentUser(user) = expect_context::<CurrentUser>();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|raw| Uuid::parse_str(&raw).ok())
    });
    let contact = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_contact(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );

    let editing = RwSignal::new(use_query_map().get_untracked().get("edit").is_some());
    let update = Action::new(|(id, etag, form): &(Uuid, String, LeadForm)| {
        let (id, etag, form) = (*id, etag.clone(), form.clone());
        async move { update_contact(id, etag, form).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(lead)) = update.value().get() {
            editing.set(false);
            contact.set(Some(Ok(lead)));
        }
    });
    let update_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let edits = Signal::derive(move || update.version().get() as u32);

    let confirm_open = RwSignal::new(false);
    let remove = Action::new(|id: &Uuid| {
        let id = *id;
        async move { delete_contact(id).await }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            navigate("/contacts", NavigateOptions::default());
        }
    });

    view! {
        <Transition fallback=|| view! { <div class="loading" aria-busy="true">"Loading contact…"</div> }>
            {move || Suspend::new(async move {
                let can_write = user
                    .await
                    .is_none_or(|me| me.role.may(crate::domain::permission::Action::WriteContacts));
                match contact.await {
                    Ok(lead) => {
                        let title = lead.display_name().unwrap_or_else(|| lead.email.clone());
                        let initial = LeadForm::from(&lead);
                        let (lead_id, etag) = (lead.id, lead.etag());
                        let attributes = initial.attributes.clone();
                        let dash = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
                        view! {
                            <Title text=format!("{title} · Leads")/>
                            <a class="back-link" href="/contacts">"← Contacts"</a>
                            <div class="page-header">
                                <h1 data-testid="contact-title">{title}</h1>
                                {can_write.then(|| view! {
                                <div class="actions">
                                    <button type="button" class="btn" data-testid="edit-contact" on:click=move |_| {
                                        update.value().set(None);
                                        editing.set(true);
                                    }>"Edit"</button>
                                    <button type="button" class="btn btn-danger" data-testid="delete-contact" on:click=move |_| confirm_open.set(true)>"Delete"</button>
                                </div>
                                })}
                            </div>
                            <dl class="detail-grid" data-testid="contact-details">
                                <dt>"Email"</dt><dd data-testid="detail-email">{lead.email.clone()}</dd>
                                <dt>"Name"</dt><dd data-testid="detail-name">{dash(lead.name.clone())}</dd>
                                <dt>"First name"</dt><dd>{dash(lead.first_name.clone())}</dd>
                                <dt>"Last name"</dt><dd>{dash(lead.last_name.clone())}</dd>
                                <dt>"Company"</dt><dd data-testid="detail-company">{dash(lead.company.clone())}</dd>
                                <dt>"Status"</dt><dd><StatusBadge status=lead.status/></dd>
                                <dt>"Score"</dt><dd data-testid="detail-score">{lead.score}</dd>
                                <dt>"Added"</dt><dd>{short_date(lead.created)}</dd>
                                <dt>"Updated"</dt><dd>{short_date(lead.updated)}</dd>
                            </dl>
                            <h2 class="section-title">"Custom attributes"</h2>
                            {if attributes.is_empty() {
                                view! { <p class="muted">"None yet."</p> }.into_any()
                            } else {
                                view! {
                                    <dl class="detail-grid" data-testid="contact-attributes">
                                        {attributes.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                                    </dl>
                                }.into_any()
                            }}
                            <ContactHistory id=lead_id changes=edits/>
                            <Modal open=editing title="Edit contact" test_id="edit-contact-modal">
                                <ContactForm
                                    initial=initial.clone()
                                    submit_label="Save changes"
                                    on_submit=Callback::new({
                                        let etag = etag.clone();
                                        move |form: LeadForm| { update.dispatch((lead_id, etag.clone(), form)); }
                                    })
                                    pending=update.pending()
                                    server_error=update_error
                                    on_cancel=Callback::new(move |_| editing.set(false))
                                />
                            </Modal>
                            <ConfirmDialog
                                open=confirm_open
                                title="Delete contact"
                                message=Signal::derive(move || "Delete this contact? This cannot be undone.".to_owned())
                                confirm_label="Delete"
                                on_confirm=Callback::new(move |_| { remove.dispatch(lead_id); })
                                pending=remove.pending()
                            />
                        }.into_any()
                    }
                    Err(AppError::Unauthorized) => view! { <SignInRedirect/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound/> }.into_any(),
                    Err(err) => view! {
                        <div class="empty-state error-state" role="alert">
                            <h2>"Couldn't load this contact"</h2>
                            <p class="muted">{err.to_string()}</p>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
