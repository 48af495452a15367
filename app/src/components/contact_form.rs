use crate::domain::attributes::validate_key;
use crate::domain::error::AppError;
use crate::domain::field_errors::FieldErrors;
use crate::domain::lead::LeadStatus;
use crate::domain::lead_input::LeadForm;
use leptos::prelude::*;

#[derive(Clone, Copy)]
struct AttributeRow {
    id: usize,
    key: RwSignal<String>,
    value: RwSignal<String>,
}

/// The contact form, for adding and for editing. It validates with the same code the server
/// runs (`LeadForm::validate`), showing each field's error as soon as the field was left, and
/// shows the server's errors (duplicate email, a concurrent edit) in place.
#[component]
pub fn ContactForm(
    initial: LeadForm,
    #[prop(into)] submit_label: String,
    on_submit: Callback<LeadForm>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] server_error: Signal<Option<AppError>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let email = RwSignal::new(initial.email.clone());
    let first_name = RwSignal::new(initial.first_name.clone());
    let last_name = RwSignal::new(initial.last_name.clone());
    let company = RwSignal::new(initial.company.clone());
    let status = RwSignal::new(if initial.status.is_empty() {
        "active".to_owned()
    } else {
        initial.status.clone()
    });
    let score = RwSignal::new(initial.score.clone());
    let next_row = StoredValue::new(initial.attributes.len());
    let rows = RwSignal::new(
        initial
            .attributes
            .iter()
            .enumerate()
            .map(|(id, (k, v))| AttributeRow {
                id,
                key: RwSignal::new(k.clone()),
                value: RwSignal::new(v.clone()),
            })
            .collect::<Vec<_>>(),
    );
    let previous_attributes = StoredValue::new(initial.previous_attributes.clone());
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let submitted = RwSignal::new(false);

    let form = move || LeadForm {
        email: email.get(),
        first_name: first_name.get(),
        last_name: last_name.get(),
        company: company.get(),
        status: status.get(),
        score: score.get(),
        attributes: rows
            .get()
            .iter()
            .map(|r| (r.key.get(), r.value.get()))
            .collect(),
        previous_attributes: previous_attributes.get_value(),
    };
    let local_errors = Memo::new(move |_| form().validate().err().unwrap_or_default());
    let error_for = move |field: &'static str| {
        move || {
            let shown = submitted.get() || touched.get().contains(&field);
            let local = local_errors.get();
            let local = shown.then(|| local.get(field).map(str::to_owned)).flatten();
            local.or_else(|| {
                server_error.get().and_then(|e| {
                    e.fields()
                        .and_then(|f: &FieldErrors| f.get(field).map(str::to_owned))
                })
            })
        }
    };
    let touch = move |field: &'static str| {
        move |_| {
            touched.update(|t| {
                if !t.contains(&field) {
                    t.push(field);
                }
            })
        }
    };
    let add_row = move |_| {
        let id = next_row.get_value();
        next_row.set_value(id + 1);
        rows.update(|r| {
            r.push(AttributeRow {
                id,
                key: RwSignal::new(String::new()),
                value: RwSignal::new(String::new()),
            })
        });
    };
    let key_problem = move |row: AttributeRow| {
        move || {
            let key = row.key.get();
            let key = key.trim();
            if key.is_empty() {
                return (!row.value.get().trim().is_empty() || submitted.get())
                    .then(|| "Key is required".to_owned());
            }
            if let Err(message) = validate_key(key) {
                return Some(message);
            }
            let same = rows
                .get()
                .iter()
                .filter(|r| r.key.get().trim() == key)
                .count();
            (same > 1).then(|| "Duplicate key".to_owned())
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if local_errors.get_untracked().is_empty() {
            on_submit.run(form());
        }
    };
    let field = move |id: &'static str,
                      label: &'static str,
                      key: &'static str,
                      value: RwSignal<String>,
                      kind: &'static str| {
        let error = error_for(key);
        let error_id = format!("{id}-error");
        view! {
            <div class="field" class:has-error=move || error().is_some()>
                <label for=id>{label}</label>
                <input
                    id=id
                    name=key
                    type=kind
                    bind:value=value
                    on:blur=touch(key)
                    aria-invalid=move || error().is_some().to_string()
                    aria-describedby=error_id.clone()
                />
                <p class="field-error" id=error_id.clone() data-testid=format!("error-{key}")>{error}</p>
            </div>
        }
    };

    view! {
        <form class="contact-form" on:submit=submit novalidate>
            {move || {
                server_error.get().and_then(|err| match err {
                    AppError::Validation { .. } => None,
                    AppError::DuplicateEmail { existing_id } => Some(view! {
                        <div class="alert alert-error" role="alert" data-testid="form-error">
                            "A contact with this email already exists. "
                            <a href=format!("/contacts/{existing_id}")>"Open it"</a>
                        </div>
                    }.into_any()),
                    other => Some(view! {
                        <div class="alert alert-error" role="alert" data-testid="form-error">{other.to_string()}</div>
                    }.into_any()),
                })
            }}
            {field("contact-email", "Email", "email", email, "email")}
            <div class="field-row">
                {field("contact-first-name", "First Name", "firstName", first_name, "text")}
                {field("contact-last-name", "Last Name", "lastName", last_name, "text")}
            </div>
            {field("contact-company", "Company", "company", company, "text")}
            <div class="field-row">
                <div class="field">
                    <label for="contact-status">"Status"</label>
                    <select id="contact-status" name="status" bind:value=status>
                        {LeadStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                    </select>
                </div>
                {field("contact-score", "Score", "score", score, "number")}
            </div>
            <fieldset class="attributes">
                <legend>"Custom Attributes"</legend>
                <For each=move || rows.get() key=|row| row.id let:row>
                    {
                        let key_id = format!("attr-key-{}", row.id);
                        let value_id = format!("attr-value-{}", row.id);
                        let problem = key_problem(row);
                        view! {
                            <div class="attribute-row" class:has-error=move || problem().is_some() data-testid="attribute-row">
                                <div class="field">
                                    <label for=key_id.clone()>"Key"</label>
                                    <input id=key_id.clone() type="text" bind:value=row.key placeholder="e.g. plan"/>
                                </div>
                                <div class="field">
                                    <label for=value_id.clone()>"Value"</label>
                                    <input id=value_id.clone() type="text" bind:value=row.value placeholder="e.g. pro"/>
                                </div>
                                <button type="button" class="btn btn-ghost btn-small remove-row" aria-label="Remove attribute"
                                    on:click=move |_| rows.update(|r| r.retain(|x| x.id != row.id))>"Remove"</button>
                                <p class="field-error">{problem}</p>
                            </div>
                        }
                    }
                </For>
                <p class="field-error" data-testid="error-attributes">{error_for("attributes")}</p>
                <button type="button" class="btn btn-ghost btn-small" on:click=add_row>"+ Add attribute"</button>
            </fieldset>
            <div class="form-actions">
                <button type="button" class="btn btn-ghost" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…".to_owned() } else { submit_label.clone() }}
                </button>
            </div>
        </form>
    }
}
