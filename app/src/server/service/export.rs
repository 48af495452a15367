//! Export: every contact a list query matches, as CSV or JSON Lines, read in chunks by id (each
//! chunk its own short transaction), so memory stays flat and no transaction lives for minutes.

use super::leads::to_lead;
use super::list_leads::{filter, read_from_tenant_view};
use super::tenant_context::TenantContext;
use crate::domain::error::AppError;
use crate::domain::lead::Lead;
use crate::domain::list_query::ListQuery;
use crate::domain::permission::Action;
use crate::server::db::{ViewReads, tenant_txn};
use crate::server::entity::lead;
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

/// Rows per read: large enough to amortise a round trip, small enough to keep memory flat.
pub const EXPORT_CHUNK: u64 = 2000;
/// Chunks read ahead of the one being sent.
const READ_AHEAD: usize = 2;

/// The fixed columns of the CSV, before one `attributes.<key>` column per key.
pub const CSV_COLUMNS: [&str; 9] = [
    "email",
    "firstName",
    "lastName",
    "name",
    "company",
    "status",
    "score",
    "created",
    "updated",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

impl ExportFormat {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "" | "csv" => Ok(Self::Csv),
            "jsonl" => Ok(Self::Jsonl),
            _ => Err("must be csv or jsonl".into()),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Jsonl => "application/x-ndjson",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Jsonl => "jsonl",
        }
    }
}

/// The attribute keys the matching contacts use, sorted: the CSV's extra columns.
pub async fn attribute_keys(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    query: &ListQuery,
) -> Result<Vec<String>, AppError> {
    ctx.require(Action::ExportContacts)?;
    let backend = db.get_database_backend();
    let mut inner = Query::select()
        .column((lead::Entity, lead::Column::Attributes))
        .from(lead::Entity)
        .cond_where(filter(ctx, query, backend))
        .to_owned();
    read_from_tenant_view(&mut inner, backend);
    let inner = backend.build(&inner);
    let sql = if backend == DbBackend::Postgres {
        format!(
            "SELECT DISTINCT jsonb_object_keys(m.attributes) FROM ({}) AS m",
            inner.sql
        )
    } else {
        format!(
            "SELECT DISTINCT j.key FROM ({}) AS m, json_each(m.attributes) AS j",
            inner.sql
        )
    };
    let values = inner.values.map(|v| v.0).unwrap_or_default();
    let txn = tenant_txn(db, ctx).await?;
    let view_reads = ViewReads::begin(&txn, query.is_searched()).await?;
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    view_reads.end(&txn).await?;
    txn.commit().await?;
    let mut keys = rows
        .iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect::<Result<Vec<_>, _>>()?;
    keys.sort();
    Ok(keys)
}

/// The next chunk of matching contacts after `after`, in id order.
pub async fn chunk(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    query: &ListQuery,
    after: Option<Uuid>,
) -> Result<Vec<Lead>, AppError> {
    ctx.require(Action::ExportContacts)?;
    let backend = db.get_database_backend();
    let mut select = lead::Entity::find().filter(filter(ctx, query, backend));
    if let Some(after) = after {
        select = select.filter(lead::Column::Id.gt(after));
    }
    let mut select = select.order_by_asc(lead::Column::Id).limit(EXPORT_CHUNK);
    read_from_tenant_view(QuerySelect::query(&mut select), backend);
    let txn = tenant_txn(db, ctx).await?;
    let view_reads = ViewReads::begin(&txn, query.is_searched()).await?;
    let rows = select.all(&txn).await?;
    view_reads.end(&txn).await?;
    txn.commit().await?;
    Ok(rows.into_iter().map(to_lead).collect())
}

/// Reads chunk after chunk on a task of its own, one chunk ahead of whoever formats and sends
/// them: the database works on the next chunk meanwhile. The task stops at the last chunk, at
/// the first error (sent as the last item), or when the receiver is dropped (the client left).
pub fn read_ahead(
    db: DatabaseConnection,
    ctx: TenantContext,
    query: ListQuery,
) -> tokio::sync::mpsc::Receiver<Result<Vec<Lead>, AppError>> {
    let (tx, rx) = tokio::sync::mpsc::channel(READ_AHEAD);
    tokio::spawn(async move {
        let mut after = None;
        loop {
            let read = chunk(&db, &ctx, &query, after).await;
            let last = match &read {
                Ok(leads) => {
                    after = leads.last().map(|l| l.id).or(after);
                    (leads.len() as u64) < EXPORT_CHUNK
                }
                Err(_) => true,
            };
            if tx.send(read).await.is_err() || last {
                return;
            }
        }
    });
    rx
}

fn csv_bytes(records: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail but for a bug; an empty chunk is then the honest result.
    if records(&mut writer).is_err() {
        return Vec::new();
    }
    writer.into_inner().unwrap_or_default()
}

/// The CSV header row for these attribute keys.
pub fn csv_header(keys: &[String]) -> Vec<u8> {
    csv_bytes(|w| {
        let attributes = keys.iter().map(|k| format!("attributes.{k}"));
        w.write_record(CSV_COLUMNS.iter().map(|c| c.to_string()).chain(attributes))
    })
}

/// Contacts as CSV rows, one column per key of `keys` (empty where a contact has none).
pub fn csv_rows(leads: &[Lead], keys: &[String]) -> Vec<u8> {
    let stamp =
        |t: &chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    csv_bytes(|w| {
        for lead in leads {
            // Field by field: no record of owned copies per row.
            fn text(v: &Option<String>) -> &str {
                v.as_deref().unwrap_or_default()
            }
            w.write_field(&lead.email)?;
            w.write_field(text(&lead.first_name))?;
            w.write_field(text(&lead.last_name))?;
            w.write_field(text(&lead.name))?;
            w.write_field(text(&lead.company))?;
            w.write_field(lead.status.as_str())?;
            w.write_field(lead.score.to_string())?;
            w.write_field(stamp(&lead.created))?;
            w.write_field(stamp(&lead.updated))?;
            for key in keys {
                match lead.attributes.get(key) {
                    Some(value) => w.write_field(value.to_form_text())?,
                    None => w.write_field("")?,
                }
            }
            w.write_record(std::iter::empty::<&[u8]>())?;
        }
        Ok(())
    })
}

/// Contacts as JSON Lines, each exactly as the API returns one.
pub fn jsonl_rows(leads: &[Lead]) -> Vec<u8> {
    let mut out = Vec::new();
    for lead in leads {
        if serde_json::to_writer(&mut out, lead).is_ok() {
            out.push(b'\n');
        }
    }
    out
}
