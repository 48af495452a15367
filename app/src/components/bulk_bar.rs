//! Bulk actions on the contact list: the bar that appears with a selection (or "all N
//! matching"), the confirmation stating the exact count and filter, and a running job's
//! progress with its rate, time left and a Cancel button.

use crate::api::bulk::{bulk_on_filter, bulk_on_ids, cancel_job, get_job};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::list_controls::group_thousands;
use crate::domain::bulk::BulkAction;
use crate::domain::error::AppError;
use crate::domain::job::{Job, JobCounts};
use crate::domain::lead::LeadStatus;
use leptos::prelude::*;
use std::collections::BTreeSet;
use uuid::Uuid;

const POLL_MS: u64 = 500;

/// "2 updated, 1 unchanged".
pub fn counts_summary(c: &JobCounts) -> String {
    let parts: Vec<String> = [
        (c.created, "created"),
        (c.updated, "updated"),
        (c.deleted, "deleted"),
        (c.unchanged, "unchanged"),
        (c.skipped, "skipped"),
        (c.failed, "failed"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{} {what}", group_thousands(n)))
    .collect();
    if parts.is_empty() {
        "nothing to change".into()
    } else {
        parts.join(", ")
    }
}

fn action_from_choice(choice: &str, key: &str, value: &str) -> Result<BulkAction, String> {
    let json = match choice {
        "delete" => serde_json::json!({ "delete": true }),
        "set-attribute" => {
            serde_json::json!({ "setAttribute": { "key": key.trim(), "value": value } })
        }
        "remove-attribute" => serde_json::json!({ "removeAttribute": key.trim() }),
        status => serde_json::json!({ "setStatus": status.trim_start_matches("status:") }),
    };
    BulkAction::from_json(&json).map_err(|e| {
        if choice.ends_with("attribute") && key.trim().is_empty() {
            "Enter an attribute key".into()
        } else {
            e
        }
    })
}

/// Shown above the table while contacts are selected. `total` is the list's total (and
/// whether it is exact); `filter_label` says what "all matching" means.
#[component]
pub fn BulkBar(
    selection: RwSignal<BTreeSet<Uuid>>,
    all_matching: RwSignal<bool>,
    page_rows: usize,
    total: u64,
    total_is_exact: bool,
    #[prop(into)] query: Signal<String>,
    #[prop(into)] filter_label: Signal<String>,
    job: RwSignal<Option<Job>>,
    on_done: Callback<String>,
) -> impl IntoView {
    let choice = RwSignal::new("status:bounced".to_owned());
    let key = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let pending_action = RwSignal::new(None::<BulkAction>);

    let count = move || {
        if all_matching.get() {
            total
        } else {
            selection.read().len() as u64
        }
    };
    let on_ids = Action::new(|(ids, action): &(Vec<Uuid>, BulkAction)| {
        let (ids, action) = (ids.clone(), action.clone());
        async move { bulk_on_ids(ids, action).await }
    });
    let on_filter = Action::new(|(query, action): &(String, BulkAction)| {
        let (query, action) = (query.clone(), action.clone());
        async move { bulk_on_filter(query, action).await }
    });
    Effect::new(move |_| {
        if let Some(result) = on_ids.value().get() {
            confirming.set(false);
            let what = pending_action
                .get_untracked()
                .map(|a| a.describe())
                .unwrap_or_default();
            match result {
                Ok(counts) => {
                    selection.set(BTreeSet::new());
                    on_done.run(format!("{what}: {}", counts_summary(&counts)));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(result) = on_filter.value().get() {
            confirming.set(false);
            match result {
                Ok(started) => {
                    selection.set(BTreeSet::new());
                    all_matching.set(false);
                    job.set(Some(started));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });

    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match action_from_choice(
            &choice.get_untracked(),
            &key.get_untracked(),
            &value.get_untracked(),
        ) {
            Ok(action) => {
                error.set(None);
                pending_action.set(Some(action));
                confirming.set(true);
            }
            Err(message) => error.set(Some(message)),
        }
    };
    let message = Signal::derive(move || {
        let Some(action) = pending_action.get() else {
            return String::new();
        };
        let n = group_thousands(count());
        let noun = if count() == 1 { "contact" } else { "contacts" };
        if all_matching.get() {
            let label = filter_label.get();
            let scope = if label.is_empty() {
                "in this workspace".to_owned()
            } else {
                format!("matching {label}")
            };
            format!("{} — all {n} {noun} {scope}?", action.describe())
        } else {
            format!("{} — {n} selected {noun}?", action.describe())
        }
    });
    let confirm = Callback::new(move |_| {
        let Some(action) = pending_action.get_untracked() else {
            return;
        };
        if all_matching.get_untracked() {
            on_filter.dispatch((query.get_untracked(), action));
        } else {
            on_ids.dispatch((selection.get_untracked().into_iter().collect(), action));
        }
    });
    let pending = Signal::derive(move || on_ids.pending().get() || on_filter.pending().get());
    let page_full = move || selection.read().len() == page_rows && page_rows > 0;
    let offer_all =
        move || page_full() && !all_matching.get() && total_is_exact && total > page_rows as u64;
    let total_label = StoredValue::new(if total_is_exact {
        group_thousands(total)
    } else {
        format!("{}+", group_thousands(total))
    });

    view! {
        <Show when=move || !selection.read().is_empty() || all_matching.get()>
            <form class="bulk-bar" data-testid="bulk-bar" on:submit=apply>
                <span class="bulk-count" data-testid="bulk-count">
                    {move || if all_matching.get() {
                        format!("All {} matching selected", total_label.get_value())
                    } else {
                        format!("{} selected", group_thousands(selection.read().len() as u64))
                    }}
                </span>
                <Show when=offer_all>
                    <button type="button" class="btn btn-ghost btn-small" data-testid="select-all-matching"
                        on:click=move |_| all_matching.set(true)>
                        {format!("Select all {} matching", group_thousands(total))}
                    </button>
                </Show>
                <label class="inline-field">
                    <span class="visually-hidden">"Action"</span>
                    <select data-testid="bulk-action" prop:value=move || choice.get() on:change=move |ev| choice.set(event_target_value(&ev))>
                        {LeadStatus::ALL.into_iter().map(|s| view! {
                            <option value=format!("status:{}", s.as_str())>{format!("Set status: {}", s.label())}</option>
                        }).collect_view()}
                        <option value="set-attribute">"Set attribute…"</option>
                        <option value="remove-attribute">"Remove attribute…"</option>
                        <option value="delete">"Delete"</option>
                    </select>
                </label>
                <Show when=move || choice.get().ends_with("attribute")>
                    <label class="inline-field">
                        <span class="visually-hidden">"Attribute key"</span>
                        <input type="text" placeholder="key" data-testid="bulk-key" prop:value=move || key.get()
                            on:input=move |ev| key.set(event_target_value(&ev))/>
                    </label>
                </Show>
                <Show when=move || choice.get() == "set-attribute">
                    <label class="inline-field">
                        <span class="visually-hidden">"Attribute value"</span>
                        <input type="text" placeholder="value" data-testid="bulk-value" prop:value=move || value.get()
                            on:input=move |ev| value.set(event_target_value(&ev))/>
                    </label>
                </Show>
                <button type="submit" class="btn btn-primary btn-small" data-testid="bulk-apply">"Apply…"</button>
                <button type="button" class="btn btn-ghost btn-small" on:click=move |_| {
                    selection.set(BTreeSet::new());
                    all_matching.set(false);
                }>"Clear"</button>
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            </form>
        </Show>
        <ConfirmDialog open=confirming title="Confirm bulk action" message confirm_label="Apply" on_confirm=confirm pending/>
    }
}

/// A job's live progress: a bar, counts, rate and time left, and Cancel; a summary at the end.
#[component]
pub fn JobProgress(job: RwSignal<Option<Job>>, on_finished: Callback<Job>) -> impl IntoView {
    // Polls taken and the count done at the first, for the rate.
    let polls = StoredValue::new(0u32);
    let first_done = StoredValue::new(None::<u64>);
    let rate = RwSignal::new(None::<f64>);
    let cancel = Action::new(|id: &Uuid| {
        let id = *id;
        async move { cancel_job(id).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(j)) = cancel.value().get() {
            job.set(Some(j));
        }
    });
    // Poll while a job runs: one request every POLL_MS, none once it has finished.
    Effect::new(move |_| {
        let Some(current) = job.get() else { return };
        if current.state.is_finished() {
            on_finished.run(current);
            return;
        }
        let id = current.id;
        set_timeout(
            move || {
                leptos::task::spawn_local(async move {
                    let fresh: Result<Job, AppError> = get_job(id).await;
                    if let Ok(fresh) = fresh {
                        polls.update_value(|n| *n += 1);
                        let first = first_done.get_value().unwrap_or_else(|| {
                            first_done.set_value(Some(fresh.progress.done));
                            fresh.progress.done
                        });
                        let seconds = polls.get_value() as f64 * POLL_MS as f64 / 1000.0;
                        if fresh.progress.done > first && seconds > 0.0 {
                            rate.set(Some((fresh.progress.done - first) as f64 / seconds));
                        }
                        job.set(Some(fresh));
                    }
                });
            },
            std::time::Duration::from_millis(POLL_MS),
        );
    });
    view! {
        {move || job.get().map(|j| {
            let (done, total) = (j.progress.done, j.progress.total.max(1));
            let running = !j.state.is_finished();
            let left = rate.get().filter(|r| *r > 0.0).map(|r| {
                let secs = ((total.saturating_sub(done)) as f64 / r).ceil() as u64;
                format!(" · {}/s · about {} left", group_thousands(r as u64), if secs >= 60 { format!("{} min", secs.div_ceil(60)) } else { format!("{secs} s") })
            }).unwrap_or_default();
            let id = j.id;
            view! {
                <div class="job-progress" role="status" aria-live="polite" data-testid="job-progress">
                    <div class="job-line">
                        <strong>{j.title()}</strong>
                        <span data-testid="job-state">{j.state.as_str()}</span>
                    </div>
                    <progress max=total.to_string() value=done.to_string() aria-label="Progress"></progress>
                    <p class="muted small" data-testid="job-counts">
                        {format!("{} of {}{left} — {}", group_thousands(done), group_thousands(j.progress.total), counts_summary(&j.counts))}
                    </p>
                    {running.then(|| view! {
                        <button type="button" class="btn btn-ghost btn-small" data-testid="cancel-job"
                            on:click=move |_| { cancel.dispatch(id); }>"Cancel"</button>
                    })}
                    {(!running).then(|| view! {
                        <button type="button" class="btn btn-ghost btn-small" on:click=move |_| job.set(None)>"Dismiss"</button>
                    })}
                </div>
            }
        })}
    }
}
