//! Imports: a CSV file turned into contacts, as a job. A first pass over the file counts its
//! rows and finds each email's last row (the later row wins); the second writes the rows in
//! chunks, each chunk one transaction, so a bad row is reported and never half-written. Every
//! contact an import creates or changes is recorded with its before-image, which is what makes
//! an import undoable.

use super::import_file;
use super::jobs::{self, ChunkWork};
use super::key_lookup::leads_in_workspace;
use super::lead_events::{self, Pending};
use super::leads::{new_row, patched, to_lead, write_row};
use super::now;
use super::tenant_context::TenantContext;
use crate::domain::email::EmailAddress;
use crate::domain::error::AppError;
use crate::domain::field_errors::FieldErrors;
use crate::domain::import::{
    AttributeMode, ColumnTarget, ERROR_COLUMNS, Import, ImportMode, ImportOptions, ImportRow,
};
use crate::domain::job::{Job, JobCounts};
use crate::domain::lead_event::EventKind;
use crate::domain::lead_input::LeadPatch;
use crate::domain::permission::Action;
use crate::server::db::{self, tenant_txn, tenant_write_txn};
use crate::server::entity::{import_change, import_error, job, lead};
use chrono::Duration;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TryInsertResult,
};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use uuid::Uuid;

pub const KIND: &str = "import";
pub const REVERT_KIND: &str = "import.revert";
/// Rows per transaction: big enough to amortise round trips and to write each index page
/// touched once per chunk rather than once per row, small enough to keep each transaction short
/// (a fraction of a second) and an import's memory low. On SQLite, 5,000-row chunks imported
/// 23% faster but took the server to 240 MB; 2,000 stays within 200.
pub const IMPORT_CHUNK: usize = 2000;
/// Rows of the error file read at a time.
pub const ERRORS_CHUNK: u64 = 5000;

/// A file saved from an upload, with the options sent beside it.
pub struct Upload {
    pub file: std::fs::File,
    pub file_name: String,
    pub options: ImportOptions,
}

/// What a running import needs to know.
struct Plan {
    targets: Vec<ColumnTarget>,
    mode: ImportMode,
    attributes: AttributeMode,
}

fn import_of(m: job::Model, error_rows: u64) -> Import {
    let text = |k: &str| m.params.get(k).and_then(Value::as_str).unwrap_or("");
    Import {
        file_name: text("fileName").to_owned(),
        mode: ImportMode::parse(text("mode")).unwrap_or_default(),
        attributes: AttributeMode::parse(text("attributes")).unwrap_or_default(),
        reverted_by: Uuid::parse_str(text("revertedBy")).ok(),
        error_rows,
        job: jobs::to_job(m),
    }
}

/// Reads the file's header, resolves the mapping (a bad one is a 400 before anything is
/// queued) and starts the import as a job.
pub async fn start(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    upload: Upload,
) -> Result<Import, AppError> {
    ctx.require(Action::ImportContacts)?;
    let Upload {
        file,
        file_name,
        options,
    } = upload;
    let (mode, attributes) = (options.mode, options.attributes);
    let (file, headers, targets) = tokio::task::spawn_blocking(move || {
        let mut reader = import_file::open(file)?;
        let headers = import_file::header_of(&mut reader)?;
        let targets = options.resolve(&headers)?;
        Ok::<_, AppError>((reader.into_inner(), headers, targets))
    })
    .await
    .map_err(|_| AppError::Internal)??;
    // The plan and the file are stored with the job, so any instance can run it.
    let params = json!({
        "fileName": file_name.chars().take(255).collect::<String>(),
        "mode": mode.as_str(),
        "attributes": attributes.as_str(),
        "headers": headers,
        "targets": targets.iter().map(ColumnTarget::as_text).collect::<Vec<_>>(),
    });
    let job = jobs::create(db, ctx, Uuid::now_v7(), KIND, params, 0, Some(file)).await?;
    Ok(Import {
        file_name: file_name.chars().take(255).collect(),
        mode,
        attributes,
        error_rows: 0,
        reverted_by: None,
        job,
    })
}

/// A claimed import: its plan from the job's parameters, its file from the database.
pub(super) async fn run_job(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    params: &Value,
) -> Result<bool, AppError> {
    let text = |k: &str| params.get(k).and_then(Value::as_str).unwrap_or("");
    let targets = params
        .get("targets")
        .and_then(Value::as_array)
        .map(|all| {
            all.iter()
                .map(|t| ColumnTarget::parse(t.as_str().unwrap_or("")))
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap_or_else(|| Err("no column targets".into()))
        .map_err(|e| AppError::invalid("mapping", e))?;
    let plan = Plan {
        targets,
        mode: ImportMode::parse(text("mode")).map_err(|e| AppError::invalid("mode", e))?,
        attributes: AttributeMode::parse(text("attributes"))
            .map_err(|e| AppError::invalid("attributes", e))?,
    };
    let file = jobs::file_of(db, ctx, id).await?;
    run(db, ctx, id, file, plan).await
}

pub async fn list(db: &DatabaseConnection, ctx: &TenantContext) -> Result<Vec<Import>, AppError> {
    ctx.require(Action::ReadContacts)?;
    let models = jobs::models(db, ctx, Some(KIND)).await?;
    let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    let txn = tenant_txn(db, ctx).await?;
    let counted: Vec<(Uuid, i64)> = import_error::Entity::find()
        .select_only()
        .column(import_error::Column::ImportId)
        .column_as(
            Expr::from(Func::count(Expr::col(import_error::Column::RowNumber))),
            "n",
        )
        .filter(import_error::Column::TenantId.eq(ctx.tenant_id()))
        .filter(import_error::Column::ImportId.is_in(ids))
        .group_by(import_error::Column::ImportId)
        .into_tuple()
        .all(&txn)
        .await?;
    txn.commit().await?;
    let counted: HashMap<Uuid, i64> = counted.into_iter().collect();
    Ok(models
        .into_iter()
        .map(|m| {
            let n = counted.get(&m.id).copied().unwrap_or(0).max(0) as u64;
            import_of(m, n)
        })
        .collect())
}

pub async fn get(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
) -> Result<Import, AppError> {
    ctx.require(Action::ReadContacts)?;
    let model = jobs::model(db, ctx, id).await?;
    if model.kind != KIND {
        return Err(AppError::NotFound);
    }
    let txn = tenant_txn(db, ctx).await?;
    let errors = import_error::Entity::find()
        .filter(import_error::Column::TenantId.eq(ctx.tenant_id()))
        .filter(import_error::Column::ImportId.eq(id))
        .count(&txn)
        .await?;
    txn.commit().await?;
    Ok(import_of(model, errors))
}

/// What the first pass learns: how many rows, and each email's last row.
struct Survey {
    rows: u64,
    last_row: HashMap<u64, u64>,
}

/// Emails are matched by key; a 64-bit hash of it keeps the first pass's memory small (16
/// bytes a row) where a clash between two of a file's emails is a one-in-10¹⁰ event.
fn key_hash(key: &str) -> u64 {
    let mut h = DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

fn read_error(row: u64, e: &csv::Error) -> AppError {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => AppError::invalid(
            "file",
            format!(
                "row {row} is not UTF-8 text; save the file as \"CSV UTF-8\" and upload it again"
            ),
        ),
        _ => AppError::invalid("file", format!("row {row} cannot be read: {e}")),
    }
}

/// Pass one, on a blocking thread: counts rows, finds each email's last row, and refuses a file
/// that is not UTF-8 throughout, before anything is written.
fn survey(
    reader: &mut csv::Reader<std::fs::File>,
    email_column: usize,
) -> Result<Survey, AppError> {
    let mut survey = Survey {
        rows: 0,
        last_row: HashMap::new(),
    };
    let mut record = csv::StringRecord::new();
    loop {
        let row = survey.rows + 2;
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(survey),
            Ok(true) => {}
            Err(e) => return Err(read_error(row, &e)),
        }
        survey.rows += 1;
        if let Some(email) = record
            .get(email_column)
            .and_then(|c| EmailAddress::parse(c).ok())
        {
            survey.last_row.insert(key_hash(&email.key()), row);
        }
    }
}

type RawRow = (u64, Vec<String>);

/// A reader of the file's rows, from the first after the header.
fn rows_of(file: std::fs::File) -> Result<csv::Reader<std::fs::File>, AppError> {
    let mut reader = import_file::open(file)?;
    import_file::header_of(&mut reader)?;
    Ok(reader)
}

async fn run(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    file: std::fs::File,
    plan: Plan,
) -> Result<bool, AppError> {
    let email_column = plan
        .targets
        .iter()
        .position(|t| *t == ColumnTarget::Email)
        .ok_or(AppError::Internal)?;
    let (mut reader, survey) = tokio::task::spawn_blocking(move || {
        let mut reader = rows_of(file)?;
        let survey = survey(&mut reader, email_column)?;
        Ok::<_, AppError>((rows_of(reader.into_inner())?, survey))
    })
    .await
    .map_err(|_| AppError::Internal)??;
    jobs::set_total(db, ctx, id, survey.rows).await?;
    if !jobs::record_progress(db, ctx, id, 0, &JobCounts::default()).await? {
        return Ok(false);
    }
    // Pass two: a reading thread hands over chunks, ready to write, while earlier ones are
    // written. The survey gave each email one row, so two chunks never write the same contact.
    let (tx, feed) = tokio::sync::mpsc::channel(2);
    let writer = ChunkWriter {
        db: db.clone(),
        ctx: ctx.clone(),
        id,
        plan: Arc::new(plan),
        last_row: Arc::new(survey.last_row),
        statistics_checked: Arc::new(AtomicBool::new(false)),
    };
    tokio::task::spawn_blocking(move || {
        let mut record = csv::StringRecord::new();
        let mut row = 1u64;
        loop {
            let mut chunk = Vec::with_capacity(IMPORT_CHUNK);
            while chunk.len() < IMPORT_CHUNK {
                row += 1;
                match reader.read_record(&mut record) {
                    Ok(true) => chunk.push((row, record.iter().map(str::to_owned).collect())),
                    Ok(false) => break,
                    Err(e) => {
                        let _ = tx.blocking_send(Err(read_error(row, &e)));
                        return;
                    }
                }
            }
            let last = chunk.len() < IMPORT_CHUNK;
            // A closed channel means the job stopped (cancelled or failed): stop reading.
            if (!chunk.is_empty() && tx.blocking_send(Ok(writer.work(chunk))).is_err()) || last {
                return;
            }
        }
    });
    jobs::run_chunks(db, ctx, id, feed).await
}

/// What writing a chunk needs, owned, so each chunk runs on a task of its own.
struct ChunkWriter {
    db: DatabaseConnection,
    ctx: TenantContext,
    id: Uuid,
    plan: Arc<Plan>,
    last_row: Arc<HashMap<u64, u64>>,
    /// Whether a chunk has checked the table's statistics (see `db::analyze_if_stale`).
    statistics_checked: Arc<AtomicBool>,
}

impl ChunkWriter {
    fn work(&self, chunk: Vec<RawRow>) -> ChunkWork {
        let (db, ctx, id) = (self.db.clone(), self.ctx.clone(), self.id);
        let (plan, last_row) = (self.plan.clone(), self.last_row.clone());
        let statistics_checked = self.statistics_checked.clone();
        Box::pin(async move {
            let rows = chunk.len() as u64;
            let written = write_chunk(&db, &ctx, id, &plan, &last_row, chunk).await?;
            if written.created > 0 && !statistics_checked.swap(true, Ordering::Relaxed) {
                // Statistics only speed the next chunks up: a failure here fails nothing.
                if let Err(e) = db::analyze_if_stale(&db, written.created).await {
                    tracing::warn!(error = %e, "could not analyse the contacts table");
                }
            }
            Ok((rows, written))
        })
    }
}

fn error_row(
    ctx: &TenantContext,
    import_id: Uuid,
    row_number: u64,
    cells: &[String],
    fields: &FieldErrors,
) -> import_error::Model {
    import_error::Model {
        tenant_id: ctx.tenant_id(),
        import_id,
        row_number: row_number as i64,
        fields: fields.iter().map(|(f, _)| f).collect::<Vec<_>>().join(", "),
        message: fields
            .iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; "),
        cells: json!(cells),
    }
}

/// What undo puts back: every field an import may change (it never changes the email).
fn before_image(m: &lead::Model) -> Value {
    json!({
        "name": m.name, "firstName": m.first_name, "lastName": m.last_name,
        "company": m.company, "status": m.status, "score": m.score,
        "attributes": m.attributes,
    })
}

fn restored(current: &lead::Model, before: &Value) -> lead::Model {
    let mut next = current.clone();
    let text = |k: &str, into: &mut String| {
        if let Some(v) = before.get(k).and_then(Value::as_str) {
            *into = v.to_owned();
        }
    };
    text("name", &mut next.name);
    text("firstName", &mut next.first_name);
    text("lastName", &mut next.last_name);
    text("company", &mut next.company);
    text("status", &mut next.status);
    if let Some(score) = before.get("score").and_then(Value::as_i64) {
        next.score = score as i32;
    }
    if let Some(attributes) = before.get("attributes") {
        next.attributes = attributes.clone();
    }
    next
}

/// Writes one chunk of rows in one transaction and counts what happened.
async fn write_chunk(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    import_id: Uuid,
    plan: &Plan,
    last_row: &HashMap<u64, u64>,
    rows: Vec<RawRow>,
) -> Result<JobCounts, AppError> {
    let mut counts = JobCounts::default();
    let mut errors = Vec::new();
    let mut valid = Vec::new();
    for (row_number, cells) in rows {
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        match ImportRow::parse(&plan.targets, &refs) {
            None => counts.skipped += 1,
            Some(Err(fields)) => {
                counts.failed += 1;
                errors.push(error_row(ctx, import_id, row_number, &cells, &fields));
            }
            Some(Ok(row)) => {
                let later = last_row
                    .get(&key_hash(&row.email.key()))
                    .copied()
                    .filter(|&r| r != row_number);
                if let Some(later) = later {
                    counts.skipped += 1;
                    let why =
                        format!("the same email is on row {later}, which is the one imported");
                    errors.push(error_row(
                        ctx,
                        import_id,
                        row_number,
                        &cells,
                        &FieldErrors::single("email", why),
                    ));
                } else {
                    valid.push((row_number, cells, row));
                }
            }
        }
    }

    let txn = tenant_write_txn(db, ctx).await?;
    db::sqlite_chunk_cache(&txn, true).await?;
    let written = write_valid(&txn, ctx, import_id, plan, valid, &mut counts, errors).await;
    // Back to the default cache, failed or not, before the connection returns to the pool.
    let reset = db::sqlite_chunk_cache(&txn, false).await;
    written?;
    reset?;
    txn.commit().await?;
    Ok(counts)
}

/// Writes a chunk's valid rows and its error rows in the chunk's transaction.
async fn write_valid(
    txn: &DatabaseTransaction,
    ctx: &TenantContext,
    import_id: Uuid,
    plan: &Plan,
    valid: Vec<(u64, Vec<String>, ImportRow)>,
    counts: &mut JobCounts,
    mut errors: Vec<import_error::Model>,
) -> Result<(), AppError> {
    let keys: Vec<String> = valid.iter().map(|(_, _, r)| r.email.key()).collect();
    let existing: HashMap<String, lead::Model> = if keys.is_empty() {
        HashMap::new()
    } else {
        lead::Entity::find()
            .filter(leads_in_workspace(ctx, txn.get_database_backend()))
            .filter(lead::Column::EmailKey.is_in(keys))
            .all(txn)
            .await?
            .into_iter()
            .map(|m| (m.email_key.clone(), m))
            .collect()
    };
    let at = now();
    let mut inserts: Vec<(u64, Vec<String>, lead::Model)> = Vec::new();
    let mut changes = Vec::new();
    let mut events = Vec::new();
    for (row_number, cells, row) in valid {
        let fail = |field: &str, message: String| {
            error_row(
                ctx,
                import_id,
                row_number,
                &cells,
                &FieldErrors::single(field, message),
            )
        };
        match existing.get(&row.email.key()) {
            None if plan.mode == ImportMode::Update => counts.skipped += 1,
            None => match row.to_new_lead() {
                Ok(new) => {
                    let model = new_row(ctx, new, at);
                    inserts.push((row_number, cells, model));
                }
                Err(message) => {
                    counts.failed += 1;
                    errors.push(fail("attributes", message));
                }
            },
            Some(_) if plan.mode == ImportMode::Create => counts.skipped += 1,
            Some(current) => {
                let have = to_lead(current.clone()).attributes;
                let attributes = match row.attributes_for(&have, plan.attributes) {
                    Ok(a) => a,
                    Err(message) => {
                        counts.failed += 1;
                        errors.push(fail("attributes", message));
                        continue;
                    }
                };
                let patch = LeadPatch {
                    attributes: Some(attributes),
                    ..row.fields.clone()
                };
                let mut next = patched(current, patch);
                if next == *current {
                    counts.unchanged += 1;
                    continue;
                }
                next.updated = Ord::max(at, current.updated + Duration::microseconds(1));
                if write_row(txn, ctx, &next, current.updated)
                    .await?
                    .rows_affected
                    == 1
                {
                    counts.updated += 1;
                    events.push(Pending::new(
                        EventKind::Imported,
                        Some(current),
                        Some(&next),
                    ));
                    changes.push(import_change::Model {
                        tenant_id: ctx.tenant_id(),
                        import_id,
                        lead_id: current.id,
                        before: Some(before_image(current)),
                        written: next.updated,
                    });
                } else {
                    counts.failed += 1;
                    errors.push(fail(
                        "row",
                        "the contact was changed while importing; import this row again".into(),
                    ));
                }
            }
        }
    }

    if !inserts.is_empty() {
        let mut all_in = true;
        for batch in inserts.chunks(db::insert_batch(txn.get_database_backend())) {
            let result = lead::Entity::insert_many(
                batch.iter().map(|(_, _, m)| m.clone().into_active_model()),
            )
            .on_conflict_do_nothing_on([lead::Column::TenantId, lead::Column::EmailKey])
            .exec_without_returning(txn)
            .await?;
            all_in &= matches!(result, TryInsertResult::Inserted(n) if n as usize == batch.len());
        }
        // Another request took some of these emails meanwhile: find which rows made it.
        let present: HashSet<Uuid> = if all_in {
            inserts.iter().map(|(_, _, m)| m.id).collect()
        } else {
            lead::Entity::find()
                .select_only()
                .column(lead::Column::Id)
                .filter(leads_in_workspace(ctx, txn.get_database_backend()))
                .filter(lead::Column::Id.is_in(inserts.iter().map(|(_, _, m)| m.id)))
                .into_tuple::<Uuid>()
                .all(txn)
                .await?
                .into_iter()
                .collect()
        };
        for (row_number, cells, model) in inserts {
            if present.contains(&model.id) {
                counts.created += 1;
                events.push(Pending::new(EventKind::Imported, None, Some(&model)));
                changes.push(import_change::Model {
                    tenant_id: ctx.tenant_id(),
                    import_id,
                    lead_id: model.id,
                    before: None,
                    written: model.updated,
                });
            } else {
                counts.failed += 1;
                let why =
                    FieldErrors::single("email", "another contact took this email while importing");
                errors.push(error_row(ctx, import_id, row_number, &cells, &why));
            }
        }
    }
    db::insert_batched(
        txn,
        changes.into_iter().map(IntoActiveModel::into_active_model),
    )
    .await?;
    lead_events::record(txn, ctx, events).await?;
    db::insert_batched(
        txn,
        errors.into_iter().map(IntoActiveModel::into_active_model),
    )
    .await?;
    Ok(())
}

/// Starts undoing an import, as a job. Refused (409) while the import runs and once undone.
pub async fn revert(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
) -> Result<Job, AppError> {
    ctx.require(Action::ImportContacts)?;
    let model = jobs::model(db, ctx, id).await?;
    if model.kind != KIND {
        return Err(AppError::NotFound);
    }
    let import = import_of(model.clone(), 0);
    if !import.job.state.is_finished() {
        return Err(AppError::Conflict(
            "This import is still running: cancel it or let it finish first".into(),
        ));
    }
    if import.reverted_by.is_some() {
        return Err(AppError::Conflict("This import was already undone".into()));
    }
    let txn = tenant_txn(db, ctx).await?;
    let total = import_change::Entity::find()
        .filter(import_change::Column::TenantId.eq(ctx.tenant_id()))
        .filter(import_change::Column::ImportId.eq(id))
        .count(&txn)
        .await?;
    txn.commit().await?;
    // Claimed first, so two requests cannot both start an undo.
    let revert_id = Uuid::now_v7();
    let mut params = model.params.clone();
    params["revertedBy"] = json!(revert_id);
    if !jobs::replace_params(db, ctx, id, &model.params, params).await? {
        return Err(AppError::Conflict("This import was already undone".into()));
    }
    jobs::create(
        db,
        ctx,
        revert_id,
        REVERT_KIND,
        json!({ "import": id }),
        total,
        None,
    )
    .await
}

/// A claimed undo.
pub(super) async fn run_revert_job(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    params: &Value,
) -> Result<bool, AppError> {
    let import_id = params
        .get("import")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| AppError::invalid("import", "is missing"))?;
    run_revert(db, ctx, id, import_id).await
}

/// Undo, chunk by chunk: a created contact is deleted and an updated one restored, unless it
/// changed since the import (then it is left alone and counted as skipped).
async fn run_revert(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    job_id: Uuid,
    import_id: Uuid,
) -> Result<bool, AppError> {
    let mut counts = JobCounts::default();
    let mut done = 0u64;
    let mut after: Option<Uuid> = None;
    if !jobs::record_progress(db, ctx, job_id, done, &counts).await? {
        return Ok(false);
    }
    loop {
        let txn = tenant_write_txn(db, ctx).await?;
        let mut select = import_change::Entity::find()
            .filter(import_change::Column::TenantId.eq(ctx.tenant_id()))
            .filter(import_change::Column::ImportId.eq(import_id));
        if let Some(after) = after {
            select = select.filter(import_change::Column::LeadId.gt(after));
        }
        let changes = select
            .order_by_asc(import_change::Column::LeadId)
            .limit(IMPORT_CHUNK as u64)
            .all(&txn)
            .await?;
        let Some(last) = changes.last() else {
            txn.commit().await?;
            return Ok(true);
        };
        after = Some(last.lead_id);
        let current: HashMap<Uuid, lead::Model> = lead::Entity::find()
            .filter(leads_in_workspace(ctx, txn.get_database_backend()))
            .filter(lead::Column::Id.is_in(changes.iter().map(|c| c.lead_id)))
            .all(&txn)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        let mut events = Vec::new();
        for change in &changes {
            let Some(now_row) = current
                .get(&change.lead_id)
                .filter(|m| m.updated == change.written)
            else {
                counts.skipped += 1;
                continue;
            };
            match &change.before {
                None => {
                    let gone = lead::Entity::delete_many()
                        .filter(lead::Column::TenantId.eq(ctx.tenant_id()))
                        .filter(lead::Column::Id.eq(change.lead_id))
                        .filter(lead::Column::Updated.eq(change.written))
                        .exec(&txn)
                        .await?;
                    counts.deleted += gone.rows_affected;
                    counts.skipped += 1 - gone.rows_affected.min(1);
                    if gone.rows_affected == 1 {
                        events.push(Pending::new(EventKind::Deleted, Some(now_row), None));
                    }
                }
                Some(before) => {
                    let mut next = restored(now_row, before);
                    next.updated = Ord::max(now(), now_row.updated + Duration::microseconds(1));
                    let written = write_row(&txn, ctx, &next, change.written).await?;
                    counts.updated += written.rows_affected;
                    counts.skipped += 1 - written.rows_affected.min(1);
                    if written.rows_affected == 1 {
                        events.push(Pending::new(EventKind::Updated, Some(now_row), Some(&next)));
                    }
                }
            }
        }
        lead_events::record(&txn, ctx, events).await?;
        txn.commit().await?;
        done += changes.len() as u64;
        if !jobs::record_progress(db, ctx, job_id, done, &counts).await? {
            return Ok(false);
        }
    }
}

/// The error file's header: the error columns, then the file's own.
pub async fn error_header(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
) -> Result<Vec<String>, AppError> {
    ctx.require(Action::ReadContacts)?;
    let model = jobs::model(db, ctx, id).await?;
    if model.kind != KIND {
        return Err(AppError::NotFound);
    }
    let headers = model
        .params
        .get("headers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_else(Vec::<String>::new);
    Ok(ERROR_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(headers)
        .collect())
}

/// The next rows of the error file after `after_row`, as CSV.
pub async fn error_rows(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    after_row: i64,
) -> Result<(Vec<u8>, Option<i64>), AppError> {
    ctx.require(Action::ReadContacts)?;
    let txn = tenant_txn(db, ctx).await?;
    let rows = import_error::Entity::find()
        .filter(import_error::Column::TenantId.eq(ctx.tenant_id()))
        .filter(import_error::Column::ImportId.eq(id))
        .filter(import_error::Column::RowNumber.gt(after_row))
        .order_by_asc(import_error::Column::RowNumber)
        .limit(ERRORS_CHUNK)
        .all(&txn)
        .await?;
    txn.commit().await?;
    let next = (rows.len() as u64 == ERRORS_CHUNK)
        .then(|| rows.last().map(|r| r.row_number))
        .flatten();
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for r in &rows {
        let cells = r.cells.as_array().cloned().unwrap_or_default();
        let record = [
            r.row_number.to_string(),
            r.fields.clone(),
            r.message.clone(),
        ]
        .into_iter()
        .chain(cells.iter().map(|c| c.as_str().unwrap_or("").to_owned()));
        out.write_record(record).map_err(|_| AppError::Internal)?;
    }
    Ok((out.into_inner().map_err(|_| AppError::Internal)?, next))
}

/// The error file's header as a CSV line.
pub fn csv_line(cells: &[String]) -> Result<Vec<u8>, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(cells).map_err(|_| AppError::Internal)?;
    out.into_inner().map_err(|_| AppError::Internal)
}
