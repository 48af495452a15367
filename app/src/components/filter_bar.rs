//! The filter bar above the contact table: the URL's `filter` conditions as removable chips,
//! and "+ Filter" to add one (field → operator → value). Conditions are checked by the same
//! parser the server uses before they reach the URL.

use crate::api::views::attribute_keys;
use crate::components::list_controls::list_href_with_filters;
use crate::domain::filter::{FieldKind, FilterCondition, FilterField, FilterOp};
use crate::domain::lead::LeadStatus;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

/// The field `<select>`'s value for a field: its filter name, or `attributes.` for "another
/// attribute", whose key is then typed.
const OTHER_ATTRIBUTE: &str = "attributes.";

#[component]
pub fn FilterBar() -> impl IntoView {
    let query = use_query_map();
    let conditions = Memo::new(move |_| {
        query
            .read()
            .get_all("filter")
            .unwrap_or_default()
            .into_iter()
            .filter(|raw| !raw.is_empty())
            .collect::<Vec<String>>()
    });
    let editing = RwSignal::new(false);

    view! {
        <div class="filter-bar" data-testid="filter-bar">
            <ul class="chips" aria-label="Filters">
                <For each=move || conditions.get().into_iter().enumerate() key=|(i, raw)| (*i, raw.clone()) let:item>
                    {
                        let (index, raw) = item;
                        let label = FilterCondition::parse(&raw)
                            .map(|c| c.describe())
                            .unwrap_or_else(|_| raw.clone());
                        let remove_href = move || {
                            let mut rest = conditions.get();
                            if index < rest.len() {
                                rest.remove(index);
                            }
                            list_href_with_filters(&query.read(), &rest)
                        };
                        let aria = format!("Remove filter: {label}");
                        view! {
                            <li class="chip" data-testid="filter-chip">
                                <span>{label}</span>
                                <a class="chip-remove" href=remove_href aria-label=aria>"×"</a>
                            </li>
                        }
                    }
                </For>
            </ul>
            <button type="button" class="btn btn-ghost btn-small" data-testid="add-filter"
                aria-expanded=move || editing.get().to_string()
                on:click=move |_| editing.update(|e| *e = !*e)>"+ Filter"</button>
            <Show when=move || editing.get()>
                <FilterEditor conditions on_done=Callback::new(move |_| editing.set(false))/>
            </Show>
        </div>
    }
}

fn field_from_choice(choice: &str, other_key: &str) -> Result<FilterField, String> {
    if choice == OTHER_ATTRIBUTE {
        FilterField::parse(&format!("attributes.{}", other_key.trim()))
    } else {
        FilterField::parse(choice)
    }
}

#[component]
fn FilterEditor(conditions: Memo<Vec<String>>, on_done: Callback<()>) -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let keys = LocalResource::new(|| async { attribute_keys().await.unwrap_or_default() });

    let choice = RwSignal::new(FilterField::Score.name());
    let other_key = RwSignal::new(String::new());
    let op = RwSignal::new(FilterOp::Gte.as_str().to_owned());
    let value = RwSignal::new(String::new());
    let value_high = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);

    let kind = Memo::new(move |_| {
        field_from_choice(&choice.get(), "x")
            .map(|f| f.kind())
            .unwrap_or(FieldKind::Attribute)
    });
    let ops = move || FilterOp::for_kind(kind.get());
    let current_op = Memo::new(move |_| {
        let raw = op.get();
        ops()
            .iter()
            .copied()
            .find(|o| o.as_str() == raw)
            .unwrap_or(ops()[0])
    });
    // A new field keeps the operator when it takes it, else starts from its first.
    Effect::new(move |_| {
        let allowed = ops();
        if !allowed.iter().any(|o| o.as_str() == op.get_untracked()) {
            op.set(allowed[0].as_str().to_owned());
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let op_now = current_op.get_untracked();
        let raw_value = if op_now == FilterOp::Between {
            format!(
                "{}..{}",
                value.get_untracked().trim(),
                value_high.get_untracked().trim()
            )
        } else {
            value.get_untracked()
        };
        let built = field_from_choice(&choice.get_untracked(), &other_key.get_untracked())
            .and_then(|field| FilterCondition::build(field, op_now, &raw_value));
        match built {
            Ok(condition) => {
                let mut all = conditions.get_untracked();
                all.push(condition.encode());
                error.set(None);
                navigate(
                    &list_href_with_filters(&query.get_untracked(), &all),
                    NavigateOptions {
                        scroll: false,
                        ..Default::default()
                    },
                );
                on_done.run(());
            }
            Err(message) => error.set(Some(message)),
        }
    };

    let value_input = move || {
        let op_now = current_op.get();
        if op_now.is_unary() {
            return ().into_any();
        }
        let input_type = match (kind.get(), op_now) {
            (FieldKind::Time, FilterOp::LastDays) => "number",
            (FieldKind::Time, _) => "date",
            (FieldKind::Score, _) => "number",
            _ => "text",
        };
        if kind.get() == FieldKind::Status {
            return view! {
                <label class="inline-field">
                    <span class="visually-hidden">"Value"</span>
                    <select data-testid="filter-value" prop:value=move || value.get()
                        on:change=move |ev| value.set(event_target_value(&ev))>
                        <option value="">"Choose…"</option>
                        {LeadStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                    </select>
                </label>
            }.into_any();
        }
        let low = view! {
            <label class="inline-field">
                <span class="visually-hidden">{if op_now == FilterOp::Between { "From" } else { "Value" }}</span>
                <input type=input_type data-testid="filter-value" prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))/>
            </label>
        };
        if op_now == FilterOp::Between {
            view! {
                {low}
                <span class="muted">"and"</span>
                <label class="inline-field">
                    <span class="visually-hidden">"To"</span>
                    <input type=input_type data-testid="filter-value-high" prop:value=move || value_high.get()
                        on:input=move |ev| value_high.set(event_target_value(&ev))/>
                </label>
            }.into_any()
        } else {
            low.into_any()
        }
    };

    view! {
        <form class="filter-editor" data-testid="filter-editor" on:submit=submit>
            <label class="inline-field">
                <span class="visually-hidden">"Field"</span>
                <select data-testid="filter-field" prop:value=move || choice.get()
                    on:change=move |ev| choice.set(event_target_value(&ev))>
                    {FilterField::BUILT_IN.into_iter().map(|f| view! { <option value=f.name()>{f.label()}</option> }).collect_view()}
                    <optgroup label="Attributes">
                        {move || keys.get().unwrap_or_default().into_iter().map(|key| {
                            let field = FilterField::Attribute(key.clone());
                            view! { <option value=field.name()>{key}</option> }
                        }).collect_view()}
                        <option value=OTHER_ATTRIBUTE>"Another attribute…"</option>
                    </optgroup>
                </select>
            </label>
            <Show when=move || choice.get() == OTHER_ATTRIBUTE>
                <label class="inline-field">
                    <span class="visually-hidden">"Attribute key"</span>
                    <input type="text" placeholder="attribute key" data-testid="filter-key"
                        prop:value=move || other_key.get() on:input=move |ev| other_key.set(event_target_value(&ev))/>
                </label>
            </Show>
            <label class="inline-field">
                <span class="visually-hidden">"Operator"</span>
                <select data-testid="filter-op" prop:value=move || current_op.get().as_str()
                    on:change=move |ev| op.set(event_target_value(&ev))>
                    {move || ops().iter().map(|o| view! { <option value=o.as_str()>{o.label()}</option> }).collect_view()}
                </select>
            </label>
            {value_input}
            <button type="submit" class="btn btn-primary btn-small" data-testid="apply-filter">"Apply"</button>
            <button type="button" class="btn btn-ghost btn-small" on:click=move |_| on_done.run(())>"Cancel"</button>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert" data-testid="filter-error">{e}</p> })}
        </form>
    }
}
