//! Each contact's history. Every write to a contact records its event in the same transaction,
//! so the history cannot disagree with the data.

use super::now;
use super::tenant_context::TenantContext;
use crate::domain::attributes::Attributes;
use crate::domain::error::AppError;
use crate::domain::lead_event::{Actor, Changes, EventKind, FieldChange, LeadEvent, Via};
use crate::domain::permission::Action;
use crate::server::db::{self, tenant_txn};
use crate::server::entity::{lead, lead_event};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;
use uuid::Uuid;

/// Events one request returns at most, newest first.
pub const MAX_EVENTS: u64 = 500;

fn text(v: &str) -> Value {
    if v.is_empty() {
        Value::Null
    } else {
        Value::String(v.to_owned())
    }
}

/// The fields of a contact as its history names them (attributes one by one).
fn fields(m: &lead::Model) -> Vec<(String, Value)> {
    let mut out = vec![
        ("email".to_owned(), text(&m.email)),
        ("name".to_owned(), text(&m.name)),
        ("firstName".to_owned(), text(&m.first_name)),
        ("lastName".to_owned(), text(&m.last_name)),
        ("company".to_owned(), text(&m.company)),
        ("status".to_owned(), text(&m.status)),
        ("score".to_owned(), Value::from(m.score)),
    ];
    let attributes = Attributes::from_json(&m.attributes).unwrap_or_default();
    if let Value::Object(map) = attributes.to_json() {
        for (key, value) in map {
            out.push((format!("attributes.{key}"), value));
        }
    }
    out
}

/// What changed from `before` to `after` (either may be absent: created, deleted).
pub(super) fn diff(before: Option<&lead::Model>, after: Option<&lead::Model>) -> Changes {
    let old = before.map(fields).unwrap_or_default();
    let new = after.map(fields).unwrap_or_default();
    let mut changes = Changes::new();
    let lookup = |list: &[(String, Value)], name: &str| {
        list.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or(Value::Null)
    };
    for (name, _) in old.iter().chain(new.iter()) {
        if changes.contains_key(name) {
            continue;
        }
        let (from, to) = (lookup(&old, name), lookup(&new, name));
        if from != to {
            changes.insert(name.clone(), FieldChange { from, to });
        }
    }
    changes
}

/// A change about to be recorded.
pub(super) struct Pending {
    pub lead_id: Uuid,
    pub kind: EventKind,
    pub changes: Changes,
}

impl Pending {
    pub fn new(kind: EventKind, before: Option<&lead::Model>, after: Option<&lead::Model>) -> Self {
        let lead_id = after.or(before).map(|m| m.id).unwrap_or_default();
        Self {
            lead_id,
            kind,
            changes: diff(before, after),
        }
    }
}

/// Records events in the caller's transaction, as the context's actor and door.
pub(super) async fn record<C: ConnectionTrait>(
    conn: &C,
    ctx: &TenantContext,
    events: Vec<Pending>,
) -> Result<(), AppError> {
    if events.is_empty() {
        return Ok(());
    }
    let at = now();
    let actor = ctx.actor();
    // Built as each batch is sent, not all at once: a big import chunk's change sets as JSON
    // took 70 MB at a time.
    let rows = events.into_iter().map(|e| {
        lead_event::Model {
            tenant_id: ctx.tenant_id(),
            id: Uuid::now_v7(),
            lead_id: e.lead_id,
            at,
            kind: e.kind.as_str().to_owned(),
            actor_user_id: actor.user_id,
            actor_token: actor.token.clone(),
            via: ctx.via_door().as_str().to_owned(),
            changes: serde_json::to_value(&e.changes).unwrap_or(Value::Null),
        }
        .into_active_model()
    });
    db::insert_batched(conn, rows).await?;
    Ok(())
}

/// PostgreSQL: inserts a new contact and its `created` event with one statement and one round
/// trip, through the `create_lead` function (migration m0011), which also switches to the app
/// role and sets the tenant for its own transaction. Called on the pool, outside any
/// transaction: the lone statement is its transaction. True when the contact was inserted;
/// false when its email was taken, and then nothing is written.
pub(super) async fn insert_created(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    model: &lead::Model,
) -> Result<bool, DbErr> {
    const SQL: &str = "SELECT create_lead($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
                       $13, $14, $15, $16, $17)";
    let event = Pending::new(EventKind::Created, None, Some(model));
    let actor = ctx.actor();
    let values: Vec<sea_orm::Value> = vec![
        model.tenant_id.into(),
        model.id.into(),
        model.email.clone().into(),
        model.email_key.clone().into(),
        model.name.clone().into(),
        model.first_name.clone().into(),
        model.last_name.clone().into(),
        model.company.clone().into(),
        model.status.clone().into(),
        model.score.into(),
        model.attributes.clone().into(),
        model.created.into(),
        Uuid::now_v7().into(),
        actor.user_id.into(),
        actor.token.into(),
        ctx.via_door().as_str().into(),
        serde_json::to_value(&event.changes)
            .unwrap_or(Value::Null)
            .into(),
    ];
    let row = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            SQL,
            values,
        ))
        .await?;
    row.map_or(Ok(false), |r| r.try_get_by_index(0))
}

/// A contact's history, newest first (also after it was deleted).
pub async fn list(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    lead_id: Uuid,
) -> Result<Vec<LeadEvent>, AppError> {
    ctx.require(Action::ReadContacts)?;
    let txn = tenant_txn(db, ctx).await?;
    let rows = lead_event::Entity::find()
        .filter(lead_event::Column::TenantId.eq(ctx.tenant_id()))
        .filter(lead_event::Column::LeadId.eq(lead_id))
        .order_by_desc(lead_event::Column::Id)
        .limit(MAX_EVENTS)
        .all(&txn)
        .await?;
    let known = !rows.is_empty()
        || lead::Entity::find_by_id((ctx.tenant_id(), lead_id))
            .one(&txn)
            .await?
            .is_some();
    txn.commit().await?;
    if !known {
        return Err(AppError::NotFound);
    }
    Ok(rows
        .into_iter()
        .map(|m| LeadEvent {
            at: m.at,
            kind: EventKind::parse(&m.kind).unwrap_or(EventKind::Updated),
            actor: Actor {
                user_id: m.actor_user_id,
                token: m.actor_token,
            },
            via: Via::parse(&m.via).unwrap_or_default(),
            changes: serde_json::from_value(m.changes).unwrap_or_default(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn lead(status: &str, attributes: Value) -> lead::Model {
        lead::Model {
            tenant_id: Uuid::nil(),
            id: Uuid::nil(),
            email: "a@b.co".into(),
            email_key: "a@b.co".into(),
            name: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            company: "Acme".into(),
            status: status.into(),
            score: 1,
            attributes,
            created: Utc::now(),
            updated: Utc::now(),
        }
    }

    #[test]
    fn diff_names_each_changed_field_and_attribute() {
        let a = lead("active", serde_json::json!({"plan": "pro", "seats": 5}));
        let b = lead(
            "bounced",
            serde_json::json!({"plan": "pro", "tier": "gold"}),
        );
        let d = diff(Some(&a), Some(&b));
        assert_eq!(
            d.keys().collect::<Vec<_>>(),
            ["attributes.seats", "attributes.tier", "status"]
        );
        assert_eq!(d["status"].from, "active");
        assert_eq!(d["attributes.seats"].to, Value::Null);
        let created = diff(None, Some(&a));
        assert_eq!(created["company"].to, "Acme");
        assert!(!created.contains_key("name"), "empty fields are not news");
        assert!(diff(Some(&a), Some(&a)).is_empty());
    }
}
