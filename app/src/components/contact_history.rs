//! A contact's history as a timeline: what changed, old → new, by whom, through which door.

use crate::api::team::contact_events;
use crate::components::contact_table::short_date;
use crate::domain::error::AppError;
use crate::domain::lead_event::{LeadEvent, Via};
use leptos::prelude::*;
use serde_json::Value;
use uuid::Uuid;

fn shown(v: &Value) -> String {
    match v {
        Value::Null => "—".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A field as the contact page names it.
fn label(field: &str) -> String {
    match field {
        "email" => "Email".into(),
        "name" => "Name".into(),
        "firstName" => "First name".into(),
        "lastName" => "Last name".into(),
        "company" => "Company".into(),
        "status" => "Status".into(),
        "score" => "Score".into(),
        other => other
            .strip_prefix("attributes.")
            .unwrap_or(other)
            .to_owned(),
    }
}

/// The day and time of an event, in UTC (what the server records).
fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}, {} UTC", short_date(at), at.format("%H:%M"))
}

fn door(via: Via) -> &'static str {
    match via {
        Via::Ui => "in the app",
        Via::Api => "over the API",
        Via::Import => "by an import",
        Via::Bulk => "by a bulk action",
    }
}

/// `changes` is bumped after an edit here, so the timeline follows.
#[component]
pub fn ContactHistory(id: Uuid, changes: Signal<u32>) -> impl IntoView {
    // Loaded in the browser after the page: the contact itself never waits on its history.
    let events = RwSignal::new(None::<Result<Vec<LeadEvent>, AppError>>);
    Effect::new(move |_| {
        changes.track();
        leptos::task::spawn_local(async move {
            events.set(Some(contact_events(id).await));
        });
    });
    view! {
        <section aria-labelledby="history-title" data-testid="contact-history">
            <h2 id="history-title" class="section-title">"History"</h2>
            {move || match events.get() {
                None => view! { <p class="muted">"Loading history…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No recorded changes."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ol class="timeline">
                        {list.into_iter().map(|e| {
                            let who = e.actor.token.clone().map(|t| format!("token “{t}”"));
                            view! {
                                <li class="timeline-item" data-testid="history-event">
                                    <p class="timeline-head">
                                        <strong>{e.kind.label()}</strong>
                                        " " <span class="muted">{door(e.via)}</span>
                                        {who.map(|w| view! { " " <span class="muted">{format!("with {w}")}</span> })}
                                        " · " <time datetime=e.at.to_rfc3339()>{when(e.at)}</time>
                                    </p>
                                    <ul class="timeline-changes">
                                        {e.changes.iter().map(|(field, c)| view! {
                                            <li><span class="field-name">{label(field)}</span>": "
                                                <span class="old">{shown(&c.from)}</span>" → "<span class="new">{shown(&c.to)}</span></li>
                                        }).collect_view()}
                                    </ul>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any(),
            }}
        </section>
    }
}
