use crate::api::contacts::{create_contact, delete_contact, list_contacts};
use crate::components::app_header::CurrentUser;
use crate::components::bulk_bar::{BulkBar, JobProgress, counts_summary};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::contact_form::ContactForm;
use crate::components::contact_table::ContactTable;
use crate::components::filter_bar::FilterBar;
use crate::components::list_controls::{Pager, SearchBox, StatusFilter, url_pairs};
use crate::components::modal::Modal;
use crate::components::saved_views::SavedViews;
use crate::components::sign_in_redirect::SignInRedirect;
use crate::domain::error::AppError;
use crate::domain::filter::FilterCondition;
use crate::domain::job::Job;
use crate::domain::lead::Lead;
use crate::domain::lead_input::LeadForm;
use crate::domain::permission::Action as Permission;
use crate::domain::query_string;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/contacts`: search, filter, sort and page through the workspace's contacts; add, edit and
/// delete them. The first paint is server-rendered with the data in it.
#[component]
pub fn ContactsPage() -> impl IntoView {
    let query = use_query_map();
    let query_string = Memo::new(move |_| query_string::encode(url_pairs(&query.read())));
    // Bumped after a change, so the list is fetched again without a reload.
    let changes = RwSignal::new(0u32);
    let contacts = Resource::new(
        move || (query_string.get(), changes.get()),
        |(qs, _)| list_contacts(qs),
    );

    // What the signed-in role may do, once known in the browser. Until then everything is
    // offered (no second streaming boundary on this page); a viewer's write controls then go,
    // and the server refuses such writes anyway.
    let CurrentUser(user) = expect_context::<CurrentUser>();
    let role = RwSignal::new(None::<crate::domain::account::Role>);
    Effect::new(move |_| {
        if let Some(Some(me)) = user.get() {
            role.set(Some(me.role));
        }
    });
    let may = move |action: Permission| role.get().is_none_or(|r| r.may(action));

    // Bulk selection: ids on this page, or everything the list matches.
    let selection = RwSignal::new(std::collections::BTreeSet::<uuid::Uuid>::new());
    let all_matching = RwSignal::new(false);
    let job = RwSignal::new(None::<Job>);
    Effect::new(move |_| {
        query_string.track();
        selection.set(Default::default());
        all_matching.set(false);
    });
    // What "all matching" means, in words, for the confirmation.
    let filter_label = Signal::derive(move || {
        let q = query.read();
        let mut parts: Vec<String> = q
            .get_all("filter")
            .unwrap_or_default()
            .iter()
            .filter_map(|raw| FilterCondition::parse(raw).ok().map(|c| c.describe()))
            .collect();
        if let Some(status) = q.get("status").filter(|s| !s.is_empty()) {
            parts.push(format!("Status is {status}"));
        }
        if let Some(search) = q.get("search").filter(|s| !s.trim().is_empty()) {
            parts.push(format!("search “{}”", search.trim()));
        }
        parts.join(", ")
    });

    let adding = RwSignal::new(false);
    let create = Action::new(|form: &LeadForm| {
        let form = form.clone();
        async move { create_contact(form).await }
    });
    let notice = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(lead)) = create.value().get() {
            adding.set(false);
            notice.set(Some(format!("Added {}", lead.email)));
            changes.update(|n| *n += 1);
        }
    });
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));

    let deleting = RwSignal::new(None::<Lead>);
    let confirm_open = RwSignal::new(false);
    let remove = Action::new(|id: &uuid::Uuid| {
        let id = *id;
        async move { delete_contact(id).await }
    });
    Effect::new(move |_| {
        if let Some(result) = remove.value().get() {
            confirm_open.set(false);
            match result {
                Ok(()) => notice.set(
                    deleting
                        .get_untracked()
                        .map(|l| format!("Deleted {}", l.email)),
                ),
                Err(e) => notice.set(Some(e.to_string())),
            }
            changes.update(|n| *n += 1);
        }
    });
    let ask_delete = Callback::new(move |lead: Lead| {
        deleting.set(Some(lead));
        confirm_open.set(true);
    });
    let delete_message = Signal::derive(move || {
        deleting
            .get()
            .map(|l| format!("Delete {}? This cannot be undone.", l.email))
            .unwrap_or_default()
    });

    view! {
        <Title text="Contacts · Leads"/>
        <div class="page-header">
            <h1>"Contacts"</h1>
            <div class="page-actions">
            <Show when=move || may(Permission::ExportContacts)>
                <a class="btn btn-ghost" data-testid="export-csv" download
                    href=move || {
                        let qs = query_string.get();
                        if qs.is_empty() { "/api/v1/contacts/export".to_owned() } else { format!("/api/v1/contacts/export?{qs}") }
                    }>"Export CSV"</a>
            </Show>
            <Show when=move || may(Permission::ImportContacts)>
                <a class="btn btn-ghost" data-testid="import-link" href="/contacts/import">"Import"</a>
            </Show>
            <Show when=move || may(Permission::WriteContacts)>
                <button type="button" class="btn btn-primary" data-testid="add-contact" on:click=move |_| {
                    create.value().set(None);
                    adding.set(true);
                }>"+ Add Contact"</button>
            </Show>
            </div>
        </div>
        <div class="contacts-layout">
        <SavedViews changes/>
        <div class="contacts-main">
        <div class="toolbar">
            <SearchBox/>
            <StatusFilter/>
        </div>
        <FilterBar/>
        <JobProgress job on_finished=Callback::new(move |done: Job| {
            notice.set(Some(format!("{}: {}", done.title(), counts_summary(&done.counts))));
            changes.update(|n| *n += 1);
        })/>
        {move || notice.get().map(|n| view! { <div class="alert alert-info" role="status" data-testid="notice">{n}</div> })}
        <Transition fallback=|| view! { <div class="loading" aria-busy="true">"Loading contacts…"</div> }>
            {move || Suspend::new(async move {
                match contacts.await {
                    Ok(page) if page.data.is_empty() && page.meta.total == 0 => {
                        let filtered = !query_string.get_untracked().is_empty();
                        view! {
                            <div class="empty-state" data-testid="empty-state">
                                {if filtered {
                                    view! {
                                        <h2>"No contacts match"</h2>
                                        <p class="muted">"Try another search or filter."</p>
                                        <a class="btn btn-ghost" href="/contacts">"Clear filters"</a>
                                    }.into_any()
                                } else {
                                    view! {
                                        <h2>"No contacts yet — add your first"</h2>
                                        <p class="muted">"Contacts you add here or through the API appear in this table."</p>
                                    }.into_any()
                                }}
                            </div>
                        }.into_any()
                    }
                    Ok(page) => {
                        let shown = page.data.len();
                        view! {
                            <Show when=move || may(Permission::WriteContacts)>
                            <BulkBar
                                selection
                                all_matching
                                page_rows=shown
                                total=page.meta.total
                                total_is_exact=page.meta.total_is_exact
                                query=Signal::derive(move || query_string.get())
                                filter_label
                                job
                                on_done=Callback::new(move |message: String| {
                                    notice.set(Some(message));
                                    changes.update(|n| *n += 1);
                                })
                            />
                            </Show>
                            <ContactTable rows=page.data on_delete=ask_delete selection
                                can_write=Signal::derive(move || may(Permission::WriteContacts))/>
                            <Pager meta=page.meta shown/>
                        }.into_any()
                    }
                    Err(AppError::Unauthorized) => view! { <SignInRedirect/> }.into_any(),
                    Err(err) => view! {
                        <div class="empty-state error-state" role="alert" data-testid="error-state">
                            <h2>"Couldn't load contacts"</h2>
                            <p class="muted">{err.to_string()}</p>
                            <a class="btn btn-ghost" href="/contacts">"Reset the list"</a>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
        </div>
        </div>
        <Modal open=adding title="Add Contact" test_id="add-contact-modal">
            <ContactForm
                initial=LeadForm::default()
                submit_label="Add contact"
                on_submit=Callback::new(move |form: LeadForm| { create.dispatch(form); })
                pending=create.pending()
                server_error=create_error
                on_cancel=Callback::new(move |_| adding.set(false))
            />
        </Modal>
        <ConfirmDialog
            open=confirm_open
            title="Delete contact"
            message=delete_message
            confirm_label="Delete"
            on_confirm=Callback::new(move |_| {
                if let Some(lead) = deleting.get_untracked() {
                    remove.dispatch(lead.id);
                }
            })
            pending=remove.pending()
        />
    }
}
