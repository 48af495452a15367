//! Jobs: rows a workspace follows (progress, counts) and may cancel. The work itself runs in
//! a task of the process that accepted it, chunk by chunk, committing each chunk, recording
//! progress after each, and looking for a cancel request before the next.

use super::now;
use super::tenant_context::TenantContext;
use crate::domain::error::AppError;
use crate::domain::job::{Job, JobCounts, JobProgress, JobState};
use crate::server::db::{tenant_txn, tenant_write_txn};
use crate::server::entity::job;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// Jobs `GET /api/v1/jobs` lists: the most recent.
pub const LISTED_JOBS: u64 = 50;
/// Jobs that run at once in this process; more wait, queued, for a slot. Each job works in
/// short transactions, so even the running ones leave the pool to requests most of the time.
pub const RUNNING_JOBS: usize = 2;
static SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(RUNNING_JOBS);

/// Runs a job's work in the background once a slot is free, then records how it ended. The
/// work answers Ok(false) when it stopped on a cancel request.
pub(super) fn spawn<F>(db: &DatabaseConnection, ctx: &TenantContext, id: Uuid, work: F)
where
    F: std::future::Future<Output = Result<bool, AppError>> + Send + 'static,
{
    let (db, ctx) = (db.clone(), ctx.clone());
    tokio::spawn(async move {
        let _slot = SLOTS.acquire().await;
        let (state, message) = match work.await {
            Ok(true) => (JobState::Done, String::new()),
            Ok(false) => (JobState::Cancelled, "cancelled".to_owned()),
            Err(AppError::Validation { message, .. }) => (JobState::Failed, message),
            Err(e) => {
                tracing::error!(job = %id, error = %e, "job failed");
                (JobState::Failed, e.to_string())
            }
        };
        if let Err(e) = finish(&db, &ctx, id, state, message).await {
            tracing::error!(job = %id, error = %e, "could not record the end of a job");
        }
    });
}

fn counts_of(value: &serde_json::Value) -> JobCounts {
    let n = |k: &str| {
        value
            .get(k)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    };
    JobCounts {
        created: n("created"),
        updated: n("updated"),
        unchanged: n("unchanged"),
        skipped: n("skipped"),
        failed: n("failed"),
        deleted: n("deleted"),
    }
}

fn counts_json(c: &JobCounts) -> serde_json::Value {
    serde_json::json!({
        "created": c.created, "updated": c.updated, "unchanged": c.unchanged,
        "skipped": c.skipped, "failed": c.failed, "deleted": c.deleted,
    })
}

pub fn add_counts(into: &mut JobCounts, more: &JobCounts) {
    into.created += more.created;
    into.updated += more.updated;
    into.unchanged += more.unchanged;
    into.skipped += more.skipped;
    into.failed += more.failed;
    into.deleted += more.deleted;
}

pub(super) fn to_job(m: job::Model) -> Job {
    Job {
        id: m.id,
        kind: m.kind,
        state: JobState::parse(&m.state),
        progress: JobProgress {
            done: m.done.max(0) as u64,
            total: m.total.max(0) as u64,
        },
        counts: counts_of(&m.counts),
        message: m.message,
        created: m.created,
        finished: m.finished,
    }
}

/// Records a new job, queued, with what it will work on.
pub(super) async fn create(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    kind: &str,
    params: serde_json::Value,
    total: u64,
) -> Result<Job, AppError> {
    let model = job::Model {
        tenant_id: ctx.tenant_id(),
        id: Uuid::now_v7(),
        kind: kind.to_owned(),
        state: JobState::Queued.as_str().to_owned(),
        started_by: ctx.user_id(),
        params,
        done: 0,
        total: total as i64,
        counts: counts_json(&JobCounts::default()),
        message: String::new(),
        created: now(),
        finished: None,
    };
    let txn = tenant_txn(db, ctx).await?;
    job::ActiveModel::from(model.clone()).insert(&txn).await?;
    txn.commit().await?;
    Ok(to_job(model))
}

pub async fn get(db: &DatabaseConnection, ctx: &TenantContext, id: Uuid) -> Result<Job, AppError> {
    let txn = tenant_txn(db, ctx).await?;
    let found = job::Entity::find_by_id((ctx.tenant_id(), id))
        .one(&txn)
        .await?;
    txn.commit().await?;
    found.map(to_job).ok_or(AppError::NotFound)
}

pub async fn list(db: &DatabaseConnection, ctx: &TenantContext) -> Result<Vec<Job>, AppError> {
    Ok(models(db, ctx, None)
        .await?
        .into_iter()
        .map(to_job)
        .collect())
}

/// The most recent jobs, of one kind if given, with their parameters.
pub(super) async fn models(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    kind: Option<&str>,
) -> Result<Vec<job::Model>, AppError> {
    let txn = tenant_txn(db, ctx).await?;
    let mut select = job::Entity::find().filter(job::Column::TenantId.eq(ctx.tenant_id()));
    if let Some(kind) = kind {
        select = select.filter(job::Column::Kind.eq(kind));
    }
    let rows = select
        .order_by_desc(job::Column::Id)
        .limit(LISTED_JOBS)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

/// One job with its parameters.
pub(super) async fn model(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
) -> Result<job::Model, AppError> {
    let txn = tenant_txn(db, ctx).await?;
    let found = job::Entity::find_by_id((ctx.tenant_id(), id))
        .one(&txn)
        .await?;
    txn.commit().await?;
    found.ok_or(AppError::NotFound)
}

/// Once a job knows how much there is to do.
pub(super) async fn set_total(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    total: u64,
) -> Result<(), AppError> {
    let txn = tenant_txn(db, ctx).await?;
    job::Entity::update_many()
        .col_expr(job::Column::Total, Expr::value(total as i64))
        .filter(job::Column::TenantId.eq(ctx.tenant_id()))
        .filter(job::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Replaces a job's parameters when they still are `expected` (a compare-and-set, so two
/// requests cannot both claim the same follow-up). Answers whether it did.
pub(super) async fn replace_params(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    expected: &serde_json::Value,
    params: serde_json::Value,
) -> Result<bool, AppError> {
    let txn = tenant_write_txn(db, ctx).await?;
    let current = job::Entity::find_by_id((ctx.tenant_id(), id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if current.params != *expected {
        return Ok(false);
    }
    let mut active = current.into_active_model();
    active.params = Set(params);
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(true)
}

/// Asks a job to stop; it does after the chunk in hand. A finished job is left as it is.
pub async fn cancel(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
) -> Result<Job, AppError> {
    let txn = tenant_txn(db, ctx).await?;
    job::Entity::update_many()
        .col_expr(
            job::Column::State,
            Expr::value(JobState::Cancelling.as_str()),
        )
        .filter(job::Column::TenantId.eq(ctx.tenant_id()))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::State.is_in([JobState::Queued.as_str(), JobState::Running.as_str()]))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    get(db, ctx, id).await
}

/// After a chunk: the progress so far (what was committed is always counted). Answers whether
/// the job should go on: not once a cancel was asked, nor once it was marked interrupted.
pub(super) async fn record_progress(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    done: u64,
    counts: &JobCounts,
) -> Result<bool, AppError> {
    let txn = tenant_txn(db, ctx).await?;
    let current = job::Entity::find_by_id((ctx.tenant_id(), id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let state = JobState::parse(&current.state);
    let mut active = current.into_active_model();
    active.done = Set(done as i64);
    active.counts = Set(counts_json(counts));
    if state == JobState::Queued {
        active.state = Set(JobState::Running.as_str().to_owned());
    }
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(matches!(state, JobState::Queued | JobState::Running))
}

/// The end of a job: done, failed (with why) or cancelled. A job already ended (marked
/// interrupted meanwhile) keeps that end.
pub(super) async fn finish(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    state: JobState,
    message: String,
) -> Result<(), AppError> {
    let txn = tenant_txn(db, ctx).await?;
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(state.as_str()))
        .col_expr(
            job::Column::Message,
            Expr::value(message.chars().take(1000).collect::<String>()),
        )
        .col_expr(job::Column::Finished, Expr::value(now()))
        .filter(job::Column::TenantId.eq(ctx.tenant_id()))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::Finished.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// At start-up: jobs a previous run of this server left unfinished become `interrupted`, with
/// the progress they had recorded (every recorded chunk was committed). Runs as the
/// connecting role, across workspaces.
pub async fn interrupt_unfinished(db: &DatabaseConnection) -> Result<u64, AppError> {
    let result = job::Entity::update_many()
        .col_expr(
            job::Column::State,
            Expr::value(JobState::Interrupted.as_str()),
        )
        .col_expr(job::Column::Finished, Expr::value(now()))
        .filter(job::Column::Finished.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
