//! `/contacts/import`: choose a CSV file, check where each column goes, import it as a job,
//! then download the rows that failed or undo the whole import. Past imports are listed below.

use crate::api::imports::{get_import, list_imports, preview_import, revert_import};
use crate::components::bulk_bar::{JobProgress, counts_summary};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::contact_table::short_date;
use crate::components::list_controls::group_thousands;
use crate::components::sign_in_redirect::SignInRedirect;
use crate::domain::error::AppError;
use crate::domain::import::{
    AttributeMode, ColumnTarget, Import, ImportMode, ImportOptions, ImportPreview,
};
use crate::domain::job::{Job, JobState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The mapping menu's value for "an attribute", whose key is typed beside it.
const ATTRIBUTE: &str = "attribute";
const IGNORE: &str = "ignore";

/// One column of the file and where it goes: a field's API text, `attribute` (with `key`) or
/// `ignore`.
#[derive(Clone, Debug, PartialEq)]
struct Column {
    header: String,
    choice: String,
    key: String,
}

impl Column {
    fn from_guess(index: usize, header: &str, guess: &ColumnTarget) -> Self {
        let (choice, key) = match guess {
            ColumnTarget::Attribute(key) => (ATTRIBUTE.to_owned(), key.clone()),
            other => (other.as_text(), attribute_key_for(index, header)),
        };
        Self {
            header: header.to_owned(),
            choice,
            key,
        }
    }

    fn target(&self) -> Result<ColumnTarget, String> {
        if self.choice == ATTRIBUTE {
            ColumnTarget::parse(&format!("attributes.{}", self.key.trim()))
        } else {
            ColumnTarget::parse(&self.choice)
        }
    }
}

/// The key a column gets as an attribute, by the same rule as the server's guesses.
fn attribute_key_for(index: usize, header: &str) -> String {
    match ColumnTarget::guess(&format!("attributes.{}", header.trim())) {
        ColumnTarget::Attribute(key) => key,
        _ => format!("column {}", index + 1),
    }
}

/// What stops the mapping from being sent: the domain's own check, which the server runs again.
fn mapping_problems(columns: &[Column]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut mapping = BTreeMap::new();
    for column in columns {
        match column.target() {
            Ok(target) => {
                mapping.insert(column.header.clone(), target);
            }
            Err(message) => {
                problems.push(format!("Column “{}”: attribute {message}", column.header))
            }
        }
    }
    if problems.is_empty() {
        let headers: Vec<String> = columns.iter().map(|c| c.header.clone()).collect();
        let options = ImportOptions {
            mapping,
            ..ImportOptions::default()
        };
        if let Err(errors) = options.resolve(&headers) {
            problems.extend(errors.iter().map(|(_, message)| message.to_owned()));
        }
    }
    problems
}

/// The upload's `options` part.
fn options_json(columns: &[Column], mode: ImportMode, attributes: AttributeMode) -> Option<String> {
    let mapping = columns
        .iter()
        .map(|c| Ok((c.header.clone(), c.target()?)))
        .collect::<Result<BTreeMap<_, _>, String>>()
        .ok()?;
    serde_json::to_string(&ImportOptions {
        mode,
        attributes,
        mapping,
    })
    .ok()
}

fn delimiter_name(delimiter: &str) -> &str {
    match delimiter {
        "," => "commas",
        ";" => "semicolons",
        "\t" => "tabs",
        other => other,
    }
}

fn date_time(at: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Timelike;
    format!(
        "{}, {:02}:{:02} UTC",
        short_date(at),
        at.hour(),
        at.minute()
    )
}

fn errors_href(import: &Import) -> String {
    format!("/api/v1/imports/{}/errors", import.job.id)
}

/// "Download 3 rows with errors".
fn errors_label(rows: u64) -> String {
    let noun = if rows == 1 { "row" } else { "rows" };
    format!("Download {} {noun} with errors", group_thousands(rows))
}

/// The label and badge class of an import's state.
fn state_badge(import: &Import) -> (&'static str, &'static str) {
    if import.reverted_by.is_some() {
        return ("Undone", "badge-neutral");
    }
    match import.job.state {
        JobState::Done => ("Done", "badge-success"),
        JobState::Failed => ("Failed", "badge-failure"),
        JobState::Interrupted => ("Interrupted", "badge-failure"),
        JobState::Cancelled => ("Cancelled", "badge-neutral"),
        JobState::Queued | JobState::Running | JobState::Cancelling => ("Running", "badge-neutral"),
    }
}

/// Field names of a refused upload, as the page names them.
fn field_label(field: &str) -> String {
    match field {
        "mapping" => "Columns".into(),
        "file" => "File".into(),
        "options" | "mode" | "attributes" => "Options".into(),
        other => match other.strip_prefix("mapping.") {
            Some(header) => format!("Column “{header}”"),
            None => other.to_owned(),
        },
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let query = use_query_map();
    // Thread-safe storage: on the server the page's owner may be cleaned up on another worker
    // thread than the one that rendered it, and a thread-local value dropped there panics.
    let navigate = StoredValue::new(use_navigate());
    // The URL names the import shown, so a reload or the back button finds it again.
    let go = move |url: &str| {
        navigate.with_value(|nav| {
            nav(
                url,
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            )
        })
    };

    let history_changes = RwSignal::new(0u32);
    let imports = Resource::new(move || history_changes.get(), |_| list_imports());
    let refresh_history = move || history_changes.update(|n| *n += 1);

    // Choosing a file and mapping its columns.
    let file_input = NodeRef::<leptos::html::Input>::new();
    let file_name = RwSignal::new(None::<String>);
    // Which choice of file a preview answers: a slow one for an earlier file is dropped.
    let reads = StoredValue::new(0u32);
    let reading = RwSignal::new(false);
    let preview = RwSignal::new(None::<ImportPreview>);
    let preview_error = RwSignal::new(None::<AppError>);
    let columns = RwSignal::new(Vec::<Column>::new());
    let mode = RwSignal::new(ImportMode::default());
    let attribute_mode = RwSignal::new(AttributeMode::default());
    let problems = Memo::new(move |_| columns.with(|c| mapping_problems(c)));
    let uploading = RwSignal::new(false);
    let upload_error = RwSignal::new(None::<AppError>);

    // The import shown (started here or opened from the history), and the job running now.
    let current = RwSignal::new(None::<Import>);
    let job = RwSignal::new(None::<Job>);
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<AppError>);
    let busy = Signal::derive(move || job.read().as_ref().is_some_and(|j| !j.state.is_finished()));

    let open_import = move |id: Uuid| {
        leptos::task::spawn_local(async move {
            match get_import(id).await {
                Ok(import) => {
                    if !import.job.state.is_finished() {
                        job.set(Some(import.job.clone()));
                    }
                    current.set(Some(import));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let reset = move || {
        current.set(None);
        preview.set(None);
        columns.set(Vec::new());
        file_name.set(None);
        preview_error.set(None);
        upload_error.set(None);
        error.set(None);
        notice.set(None);
        if !busy.get_untracked() {
            job.set(None);
        }
    };

    let wanted = Memo::new(move |_| {
        query
            .read()
            .get("id")
            .and_then(|raw| Uuid::parse_str(&raw).ok())
    });
    Effect::new(move |_| {
        let shown = current.with_untracked(|c| c.as_ref().map(|i| i.job.id));
        match wanted.get() {
            Some(id) if shown != Some(id) => open_import(id),
            None if shown.is_some() => reset(),
            _ => {}
        }
    });

    let on_finished = Callback::new(move |done: Job| {
        // The summary (for an import) or the notice (for an undo) takes the progress' place.
        job.set(None);
        if done.kind != "import" {
            notice.set(Some(format!(
                "{}: {}",
                done.title(),
                counts_summary(&done.counts)
            )));
        }
        if let Some(id) = current.with_untracked(|c| c.as_ref().map(|i| i.job.id)) {
            open_import(id);
        }
        refresh_history();
    });

    let choose = move |_: leptos::ev::Event| {
        preview.set(None);
        preview_error.set(None);
        upload_error.set(None);
        reading.set(false);
        reads.update_value(|n| *n += 1);
        let Some(file) = browser::chosen_file(file_input) else {
            file_name.set(None);
            return;
        };
        let read = reads.get_value();
        file_name.set(Some(file.name()));
        reading.set(true);
        leptos::task::spawn_local(async move {
            let result = match browser::read_sample(&file).await {
                Ok(sample) => preview_import(sample).await,
                Err(e) => Err(e),
            };
            if reads.get_value() != read {
                return;
            }
            reading.set(false);
            match result {
                Ok(p) if p.headers.is_empty() => preview_error.set(Some(AppError::Transport(
                    "The file has no header row naming its columns".into(),
                ))),
                Ok(p) => {
                    columns.set(
                        p.headers
                            .iter()
                            .enumerate()
                            .map(|(i, header)| {
                                let guess = p
                                    .guesses
                                    .get(i)
                                    .cloned()
                                    .unwrap_or_else(|| ColumnTarget::guess(header));
                                Column::from_guess(i, header, &guess)
                            })
                            .collect(),
                    );
                    preview.set(Some(p));
                }
                Err(e) => preview_error.set(Some(e)),
            }
        });
    };

    let start = Callback::new(move |_: ()| {
        if uploading.get_untracked() || !problems.with_untracked(Vec::is_empty) {
            return;
        }
        let Some(options) = columns.with_untracked(|c| {
            options_json(c, mode.get_untracked(), attribute_mode.get_untracked())
        }) else {
            return;
        };
        let Some(file) = browser::chosen_file(file_input) else {
            upload_error.set(Some(AppError::Transport("Choose a file first".into())));
            return;
        };
        uploading.set(true);
        upload_error.set(None);
        error.set(None);
        notice.set(None);
        leptos::task::spawn_local(async move {
            let result = browser::upload(&file, &options).await;
            uploading.set(false);
            match result {
                Ok(import) => {
                    let id = import.job.id;
                    job.set(Some(import.job.clone()));
                    current.set(Some(import));
                    go(&format!("/contacts/import?id={id}"));
                    refresh_history();
                }
                Err(e) => upload_error.set(Some(e)),
            }
        });
    });

    let another = Callback::new(move |_: ()| {
        reset();
        go("/contacts/import");
    });

    // Undo, asked from the summary or the history.
    let undo_target = RwSignal::new(None::<Import>);
    let confirm_open = RwSignal::new(false);
    let undo_pending = RwSignal::new(false);
    let ask_undo = Callback::new(move |import: Import| {
        undo_target.set(Some(import));
        confirm_open.set(true);
    });
    let undo_message = Signal::derive(move || {
        undo_target.with(|t| {
            t.as_ref()
                .map(|i| {
                    format!(
                        "Undo the import of “{}”? Contacts it added are deleted and contacts it \
                         updated get their previous values back, unless they changed since.",
                        i.file_name
                    )
                })
                .unwrap_or_default()
        })
    });
    let confirm_undo = Callback::new(move |_: ()| {
        let Some(target) = undo_target.get_untracked() else {
            return;
        };
        undo_pending.set(true);
        leptos::task::spawn_local(async move {
            let result = revert_import(target.job.id).await;
            undo_pending.set(false);
            confirm_open.set(false);
            match result {
                Ok(started) => {
                    error.set(None);
                    notice.set(None);
                    job.set(Some(started));
                    if let Some(id) = current.with_untracked(|c| c.as_ref().map(|i| i.job.id)) {
                        open_import(id);
                    }
                    refresh_history();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });

    view! {
        <Title text="Import contacts · Leads"/>
        <a class="back-link" href="/contacts">"← Contacts"</a>
        <div class="page-header">
            <h1>"Import contacts"</h1>
        </div>
        {move || notice.get().map(|n| view! { <div class="alert alert-info" role="status" data-testid="import-notice">{n}</div> })}
        {move || error.get().map(|e| view! { <ErrorAlert error=e title="Something went wrong"/> })}
        <Show when=move || current.read().is_none()>
            <section class="import-step" aria-labelledby="import-file-title">
                <h2 id="import-file-title">"1. Choose a file"</h2>
                <div class="field file-field">
                    <label for="import-file">"CSV file"</label>
                    <input id="import-file" type="file" accept=".csv,text/csv" data-testid="import-file"
                        aria-describedby="import-file-hint" node_ref=file_input on:change=choose/>
                    <p id="import-file-hint" class="field-hint muted">
                        "The first row names the columns; one of them must hold email addresses. Comma-, semicolon- or tab-separated, UTF-8."
                    </p>
                </div>
                {move || reading.get().then(|| view! { <p class="muted" role="status" aria-busy="true">"Reading the file…"</p> })}
                {move || preview_error.get().map(|e| view! { <ErrorAlert error=e title="This file can't be read"/> })}
            </section>
            {move || preview.get().map(|p| view! {
                <MappingStep
                    preview=p
                    file_name=file_name.get_untracked().unwrap_or_default()
                    columns
                    mode
                    attribute_mode
                    problems
                    uploading
                    upload_error
                    on_start=start
                />
            })}
        </Show>
        {move || current.get().filter(|i| !i.job.state.is_finished()).map(|i| view! {
            <section class="import-step" data-testid="import-running">
                <h2>{format!("Importing “{}”…", i.file_name)}</h2>
                <p class="muted small">"You can leave this page: the import carries on, and its result appears under History."</p>
            </section>
        })}
        <JobProgress job on_finished/>
        {move || current.get().filter(|i| i.job.state.is_finished()).map(|import| view! {
            <ImportSummary import busy on_undo=ask_undo on_another=another/>
        })}
        <section class="import-history" aria-labelledby="import-history-title" data-testid="import-history">
            <h2 id="import-history-title" class="section-title">"History"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading imports…"</p> }>
                {move || Suspend::new(async move {
                    match imports.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="muted" data-testid="no-imports">"No imports yet. Files you import appear here, with their errors and an undo."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="import-list">
                                {list.into_iter().map(|import| view! { <HistoryItem import busy on_undo=ask_undo/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(AppError::Unauthorized) => view! { <SignInRedirect/> }.into_any(),
                        Err(err) => view! {
                            <p class="field-error" role="alert" data-testid="import-history-error">{format!("Couldn't load the imports: {err}")}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <ConfirmDialog
            open=confirm_open
            title="Undo import"
            message=undo_message
            confirm_label="Undo import"
            on_confirm=confirm_undo
            pending=undo_pending
        />
    }
}

/// A refused request: its message, or each field's.
#[component]
fn ErrorAlert(error: AppError, #[prop(into)] title: String) -> impl IntoView {
    let fields: Vec<String> = error
        .fields()
        .map(|f| {
            f.iter()
                .map(|(field, message)| format!("{}: {message}", field_label(field)))
                .collect()
        })
        .unwrap_or_default();
    let message = fields.is_empty().then(|| error.to_string());
    view! {
        <div class="alert alert-error" role="alert" data-testid="import-error">
            <strong>{title}</strong>
            {message.map(|m| view! { <p>{m}</p> })}
            {(!fields.is_empty()).then(|| view! {
                <ul>{fields.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
            })}
        </div>
    }
}

/// The file's first rows under a menu per column, the import options, and the Import button.
#[component]
fn MappingStep(
    preview: ImportPreview,
    file_name: String,
    columns: RwSignal<Vec<Column>>,
    mode: RwSignal<ImportMode>,
    attribute_mode: RwSignal<AttributeMode>,
    problems: Memo<Vec<String>>,
    uploading: RwSignal<bool>,
    upload_error: RwSignal<Option<AppError>>,
    on_start: Callback<()>,
) -> impl IntoView {
    let ImportPreview {
        headers,
        rows,
        delimiter,
        ..
    } = preview;
    let width = headers.len();
    let rows_text = match rows.len() {
        1 => "first row".to_owned(),
        n => format!("first {n} rows"),
    };
    let caption = format!(
        "The {rows_text} of “{file_name}”, separated by {}. Choose where each column goes.",
        delimiter_name(&delimiter)
    );
    let ignored = move |i: usize| columns.with(|c| c.get(i).is_some_and(|c| c.choice == IGNORE));
    let blocked = move || uploading.get() || !problems.read().is_empty();
    let attributes_apply = move || mode.get() != ImportMode::Create;
    let attribute_modes = [
        (
            AttributeMode::Merge,
            "Merge: add the file's attributes, keep the others",
        ),
        (
            AttributeMode::Replace,
            "Replace: keep only the file's attributes",
        ),
    ];

    view! {
        <section class="import-step" aria-labelledby="import-map-title" data-testid="import-preview">
            <h2 id="import-map-title">"2. Check the columns"</h2>
            <p class="muted small" data-testid="import-preview-caption">{caption}</p>
            <div class="import-table-scroll" role="region" aria-label="The file's first rows" tabindex="0">
                <table class="import-table">
                    <thead>
                        <tr>
                            {headers.iter().enumerate().map(|(i, header)| view! {
                                <th scope="col" class:ignored=move || ignored(i)>{header.clone()}</th>
                            }).collect_view()}
                        </tr>
                        <tr class="mapping-row">
                            {headers.iter().enumerate().map(|(i, header)| view! {
                                <td><ColumnSelect index=i header=header.clone() columns/></td>
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|row| view! {
                            <tr>
                                {(0..width).map(|i| {
                                    let cell = row.get(i).cloned().unwrap_or_default();
                                    let title = cell.clone();
                                    view! { <td class:ignored=move || ignored(i) title=title>{cell}</td> }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <form class="import-options" on:submit=move |ev| {
                ev.prevent_default();
                on_start.run(());
            }>
                <fieldset class="choice-group">
                    <legend>"What to import"</legend>
                    {ImportMode::ALL.into_iter().map(|m| view! {
                        <label class="choice">
                            <input type="radio" name="import-mode" value=m.as_str()
                                data-testid=format!("import-mode-{}", m.as_str())
                                prop:checked=move || mode.get() == m
                                on:change=move |_| mode.set(m)/>
                            {m.label()}
                        </label>
                    }).collect_view()}
                </fieldset>
                <fieldset class="choice-group" disabled=move || !attributes_apply()>
                    <legend>"Attributes of existing contacts"</legend>
                    {attribute_modes.into_iter().map(|(a, label)| view! {
                        <label class="choice">
                            <input type="radio" name="import-attributes" value=a.as_str()
                                data-testid=format!("import-attributes-{}", a.as_str())
                                prop:checked=move || attribute_mode.get() == a
                                on:change=move |_| attribute_mode.set(a)/>
                            {label}
                        </label>
                    }).collect_view()}
                </fieldset>
                {move || {
                    let list = problems.get();
                    (!list.is_empty()).then(|| view! {
                        <div class="mapping-problems" role="alert" data-testid="import-mapping-problems">
                            <ul>{list.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                        </div>
                    })
                }}
                {move || upload_error.get().map(|e| view! { <ErrorAlert error=e title="The import didn't start"/> })}
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" data-testid="import-start" disabled=blocked>
                        {move || if uploading.get() { "Uploading…" } else { "Import" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// Where one column goes: a field, an attribute (its key editable) or nowhere.
#[component]
fn ColumnSelect(index: usize, header: String, columns: RwSignal<Vec<Column>>) -> impl IntoView {
    let read =
        move |f: fn(&Column) -> String| columns.with(|c| c.get(index).map(f).unwrap_or_default());
    let choice = move || read(|c| c.choice.clone());
    let key = move || read(|c| c.key.clone());
    let edit = move |f: &dyn Fn(&mut Column)| {
        columns.update(|c| {
            if let Some(column) = c.get_mut(index) {
                f(column)
            }
        })
    };
    let key_error = move || {
        columns.with(|c| {
            c.get(index)
                .filter(|c| c.choice == ATTRIBUTE)
                .and_then(|c| c.target().err())
        })
    };
    // Options are marked `selected` too: the menu's value is set before its options exist.
    let initial =
        columns.with_untracked(|c| c.get(index).map(|c| c.choice.clone()).unwrap_or_default());
    let select_id = format!("import-map-{index}");
    let select_label = format!("Import column “{header}” as");
    let key_id = format!("import-key-{index}");
    let key_error_id = format!("import-key-error-{index}");
    let key_label = format!("Attribute key for column “{header}”");
    let is_attribute = initial == ATTRIBUTE;
    let is_ignore = initial == IGNORE;

    view! {
        <label class="visually-hidden" for=select_id.clone()>{select_label}</label>
        <select id=select_id data-testid=format!("import-mapping-{index}")
            prop:value=choice
            on:change=move |ev| {
                let value = event_target_value(&ev);
                edit(&move |c| c.choice = value.clone());
            }>
            {ColumnTarget::FIELDS.into_iter().map(|t| {
                let value = t.as_text();
                let selected = value == initial;
                view! { <option value=value selected=selected>{t.label()}</option> }
            }).collect_view()}
            <option value=ATTRIBUTE selected=is_attribute>{move || ColumnTarget::Attribute(key()).label()}</option>
            <option value=IGNORE selected=is_ignore>{ColumnTarget::Ignore.label()}</option>
        </select>
        <Show when=move || choice() == ATTRIBUTE>
            <label class="visually-hidden" for=key_id.clone()>{key_label.clone()}</label>
            <input id=key_id.clone() type="text" class="attribute-key" placeholder="key"
                data-testid=format!("import-attribute-key-{index}")
                aria-invalid=move || key_error().is_some().to_string()
                aria-describedby=key_error_id.clone()
                prop:value=key
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    edit(&move |c| c.key = value.clone());
                }/>
            <p class="field-error" id=key_error_id.clone()>{key_error}</p>
        </Show>
    }
}

/// How a finished import went, with its error rows and an undo.
#[component]
fn ImportSummary(
    import: Import,
    busy: Signal<bool>,
    on_undo: Callback<Import>,
    on_another: Callback<()>,
) -> impl IntoView {
    let file = &import.file_name;
    let heading = match import.job.state {
        JobState::Failed => format!("The import of “{file}” failed"),
        JobState::Cancelled => format!("The import of “{file}” was cancelled"),
        JobState::Interrupted => format!("The import of “{file}” was interrupted"),
        _ => format!("Imported “{file}”"),
    };
    let counts = counts_summary(&import.job.counts);
    let message = Some(import.job.message.clone()).filter(|m| !m.is_empty());
    let errors =
        (import.error_rows > 0).then(|| (errors_href(&import), errors_label(import.error_rows)));
    let undone = import.reverted_by.is_some();
    let can_revert = import.can_revert();
    let stored = StoredValue::new(import);

    view! {
        <section class="import-summary" aria-labelledby="import-summary-title" data-testid="import-summary">
            <h2 id="import-summary-title">{heading}</h2>
            <p class="import-summary-counts" data-testid="import-summary-counts">{counts}</p>
            {message.map(|m| view! { <p class="muted small">{m}</p> })}
            {undone.then(|| view! {
                <p data-testid="import-undone">
                    {move || if busy.get() { "Undoing this import…" } else { "This import was undone." }}
                </p>
            })}
            <div class="summary-actions">
                {errors.map(|(href, label)| view! {
                    <a class="btn" href=href download data-testid="import-errors-link">{label}</a>
                })}
                <a class="btn btn-ghost" href="/contacts">"View contacts"</a>
                {can_revert.then(|| view! {
                    <button type="button" class="btn btn-ghost" data-testid="import-undo"
                        disabled=move || busy.get()
                        on:click=move |_| on_undo.run(stored.get_value())>"Undo this import"</button>
                })}
                <button type="button" class="btn btn-primary" data-testid="import-another"
                    on:click=move |_| on_another.run(())>"Import another file"</button>
            </div>
        </section>
    }
}

/// One past import: file, date, state, counts, its error rows and an undo.
#[component]
fn HistoryItem(import: Import, busy: Signal<bool>, on_undo: Callback<Import>) -> impl IntoView {
    let href = format!("/contacts/import?id={}", import.job.id);
    let when = date_time(import.job.created);
    let (state, badge) = state_badge(&import);
    let counts = if import.job.state.is_finished() {
        counts_summary(&import.job.counts)
    } else {
        format!(
            "{} of {} rows",
            group_thousands(import.job.progress.done),
            group_thousands(import.job.progress.total)
        )
    };
    let errors =
        (import.error_rows > 0).then(|| (errors_href(&import), errors_label(import.error_rows)));
    let can_revert = import.can_revert();
    let file_name = import.file_name.clone();
    let mode = import.mode.label();
    let undo_name = format!(" the import of {file_name}");
    let stored = StoredValue::new(import);

    view! {
        <li class="import-item" data-testid="import-history-item">
            <div class="import-item-main">
                <a class="import-file" href=href>{file_name}</a>
                <span class="muted small">{format!("{when} · {mode}")}</span>
            </div>
            <span class=format!("badge {badge}") data-testid="import-history-state">{state}</span>
            <p class="import-item-counts small" data-testid="import-history-counts">{counts}</p>
            <div class="import-item-actions">
                {errors.map(|(href, label)| view! {
                    <a class="btn btn-ghost btn-small" href=href download data-testid="import-history-errors">{label}</a>
                })}
                {can_revert.then(|| view! {
                    <button type="button" class="btn btn-ghost btn-small" data-testid="import-history-undo"
                        disabled=move || busy.get()
                        on:click=move |_| on_undo.run(stored.get_value())>
                        "Undo"<span class="visually-hidden">{undo_name}</span>
                    </button>
                })}
            </div>
        </li>
    }
}

/// Reading the chosen file and uploading it: browser APIs, so the client build only.
#[cfg(feature = "hydrate")]
mod browser {
    use crate::domain::error::AppError;
    use crate::domain::field_errors::FieldErrors;
    use crate::domain::import::Import;
    use leptos::prelude::*;
    use serde::Deserialize;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{FormData, Headers, RequestCredentials, RequestInit, Response};

    pub use web_sys::File;

    /// Enough for the header and the first rows, whatever the file's size.
    const SAMPLE_BYTES: f64 = 64.0 * 1024.0;

    /// The file the input holds, if any.
    pub fn chosen_file(input: NodeRef<leptos::html::Input>) -> Option<File> {
        input.get_untracked()?.files()?.get(0)
    }

    fn failed(what: &str) -> impl Fn(JsValue) -> AppError + '_ {
        move |_| AppError::Transport(what.to_owned())
    }

    /// The file's first bytes as text, ending at a line break when the file goes on (the
    /// preview needs whole rows, not a cut one).
    pub async fn read_sample(file: &File) -> Result<String, AppError> {
        let size = file.size();
        let blob = file
            .slice_with_f64_and_f64(0.0, size.min(SAMPLE_BYTES))
            .map_err(failed("Couldn't read the file"))?;
        let text = JsFuture::from(blob.text())
            .await
            .map_err(failed("Couldn't read the file"))?
            .as_string()
            .unwrap_or_default();
        if size > SAMPLE_BYTES
            && let Some(end) = text.rfind('\n')
        {
            return Ok(text[..=end].to_owned());
        }
        Ok(text)
    }

    #[derive(Deserialize)]
    struct ErrorBody {
        error: ErrorDetail,
    }

    #[derive(Deserialize)]
    struct ErrorDetail {
        code: String,
        message: String,
        #[serde(default)]
        fields: Option<FieldErrors>,
    }

    /// Sends the file and its options as `multipart/form-data`; the server answers with the
    /// import it queued.
    pub async fn upload(file: &File, options: &str) -> Result<Import, AppError> {
        let form = FormData::new().map_err(failed("Couldn't prepare the upload"))?;
        form.append_with_str("options", options)
            .map_err(failed("Couldn't prepare the upload"))?;
        form.append_with_blob_and_filename("file", file, &file.name())
            .map_err(failed("Couldn't prepare the upload"))?;
        let headers = Headers::new().map_err(failed("Couldn't prepare the upload"))?;
        headers
            .set("Accept", "application/json")
            .map_err(failed("Couldn't prepare the upload"))?;
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_credentials(RequestCredentials::SameOrigin);
        init.set_headers(&headers);
        init.set_body(&form);
        let window = web_sys::window().ok_or_else(|| AppError::Transport("No window".into()))?;
        let response: Response =
            JsFuture::from(window.fetch_with_str_and_init("/api/v1/imports", &init))
                .await
                .map_err(failed(
                    "Couldn't reach the server; check the connection and try again",
                ))?
                .unchecked_into();
        let status = response.status();
        let body = match response.text() {
            Ok(promise) => JsFuture::from(promise)
                .await
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        if response.ok() {
            return serde_json::from_str(&body).map_err(|_| {
                AppError::Transport("The server's answer couldn't be read; reload the page".into())
            });
        }
        Err(match serde_json::from_str::<ErrorBody>(&body) {
            Ok(ErrorBody { error }) if error.code == "unauthorized" => AppError::Unauthorized,
            Ok(ErrorBody {
                error:
                    ErrorDetail {
                        message,
                        fields: Some(fields),
                        ..
                    },
            }) if !fields.is_empty() => AppError::Validation { message, fields },
            Ok(ErrorBody { error }) => AppError::Transport(error.message),
            Err(_) if status == 413 => {
                AppError::Transport("The file is too large to import".into())
            }
            Err(_) => AppError::Transport(format!("The upload failed (HTTP {status})")),
        })
    }
}

/// The server renders the page but never runs its events: nothing is ever chosen there.
#[cfg(not(feature = "hydrate"))]
mod browser {
    use crate::domain::error::AppError;
    use crate::domain::import::Import;
    use leptos::prelude::*;

    pub enum File {}

    impl File {
        pub fn name(&self) -> String {
            match *self {}
        }
    }

    pub fn chosen_file(_: NodeRef<leptos::html::Input>) -> Option<File> {
        None
    }

    pub async fn read_sample(file: &File) -> Result<String, AppError> {
        match *file {}
    }

    pub async fn upload(file: &File, _: &str) -> Result<Import, AppError> {
        match *file {}
    }
}
