//! Jobs: rows a workspace follows (progress, counts) and may cancel, and a queue every server
//! instance on the same database takes work from. A request only records a job, queued (with
//! its file, for an import); each instance's workers claim queued jobs (on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, so two instances never take the same one) and run them chunk by
//! chunk, committing each chunk, recording progress and a heartbeat after each, and looking for
//! a cancel request before the next. A job whose runner stopped reporting (its instance died)
//! becomes `interrupted`, with what it committed counted.

use super::now;
use super::tenant_context::TenantContext;
use crate::domain::account::Role;
use crate::domain::error::AppError;
use crate::domain::job::{Job, JobCounts, JobProgress, JobState};
use crate::domain::lead_event::Via;
use crate::domain::permission::Action;
use crate::server::db::{tenant_txn, tenant_write_txn};
use crate::server::entity::job;
use crate::server::entity::{job_file, membership};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore};
use uuid::Uuid;

/// Jobs `GET /api/v1/jobs` lists: the most recent.
pub const LISTED_JOBS: u64 = 50;
/// Jobs that run at once in one instance; more wait, queued, for a slot (or another instance).
/// Each job works in short transactions, so the running ones leave the pool to requests most of
/// the time.
pub const RUNNING_JOBS: usize = 2;
/// A runner that has not reported for this long is gone (each chunk reports within seconds).
pub const STALE_AFTER: chrono::Duration = chrono::Duration::seconds(60);
/// How often idle workers look for queued jobs another instance recorded.
const POLL: Duration = Duration::from_millis(500);
/// Pieces an upload is stored in.
pub const FILE_PIECE_BYTES: usize = 1024 * 1024;

/// This process among the instances sharing the queue.
static INSTANCE: LazyLock<Uuid> = LazyLock::new(Uuid::now_v7);
/// Rung when this process queues a job, so its own workers need not wait for the next poll.
static WAKE: Notify = Notify::const_new();
/// Cleared once the database refuses `FOR UPDATE SKIP LOCKED` across tenants (a sharded
/// cluster does); claims then rely on the conditional update alone, which is as safe.
static SKIP_LOCKED: AtomicBool = AtomicBool::new(true);

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

/// Records a new job, queued, with what it will work on (and the file it reads, stored with it
/// in the same transaction: a job is never claimable without its file).
pub(super) async fn create(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    kind: &str,
    params: serde_json::Value,
    total: u64,
    file: Option<std::fs::File>,
) -> Result<Job, AppError> {
    let model = job::Model {
        tenant_id: ctx.tenant_id(),
        id,
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
        claimed_by: None,
        heartbeat: None,
    };
    let txn = tenant_write_txn(db, ctx).await?;
    job::ActiveModel::from(model.clone()).insert(&txn).await?;
    if let Some(mut file) = file {
        file.seek(SeekFrom::Start(0))
            .map_err(|_| AppError::Internal)?;
        let mut piece = vec![0u8; FILE_PIECE_BYTES];
        for seq in 0.. {
            let n = read_piece(&mut file, &mut piece).map_err(|_| AppError::Internal)?;
            if n == 0 {
                break;
            }
            job_file::ActiveModel::from(job_file::Model {
                tenant_id: ctx.tenant_id(),
                job_id: model.id,
                seq,
                data: piece[..n].to_vec(),
            })
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    WAKE.notify_waiters();
    Ok(to_job(model))
}

/// Fills `buf` as far as the file goes.
fn read_piece(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// A job's file, copied from the database into a temporary file of this instance.
pub(super) async fn file_of(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
) -> Result<std::fs::File, AppError> {
    let mut file = tempfile::tempfile().map_err(|e| {
        tracing::error!(error = %e, "cannot create a file for a job");
        AppError::Internal
    })?;
    let mut next = 0;
    loop {
        let txn = tenant_txn(db, ctx).await?;
        let piece = job_file::Entity::find_by_id((ctx.tenant_id(), id, next))
            .one(&txn)
            .await?;
        txn.commit().await?;
        let Some(piece) = piece else { break };
        file.write_all(&piece.data)
            .map_err(|_| AppError::Internal)?;
        next += 1;
    }
    file.seek(SeekFrom::Start(0))
        .map_err(|_| AppError::Internal)?;
    Ok(file)
}

pub async fn get(db: &DatabaseConnection, ctx: &TenantContext, id: Uuid) -> Result<Job, AppError> {
    ctx.require(Action::ReadContacts)?;
    let txn = tenant_txn(db, ctx).await?;
    let found = job::Entity::find_by_id((ctx.tenant_id(), id))
        .one(&txn)
        .await?;
    txn.commit().await?;
    found.map(to_job).ok_or(AppError::NotFound)
}

pub async fn list(db: &DatabaseConnection, ctx: &TenantContext) -> Result<Vec<Job>, AppError> {
    ctx.require(Action::ReadContacts)?;
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
    ctx.require(Action::WriteContacts)?;
    let txn = tenant_write_txn(db, ctx).await?;
    // Not started yet: nothing to wind down.
    job::Entity::update_many()
        .col_expr(
            job::Column::State,
            Expr::value(JobState::Cancelled.as_str()),
        )
        .col_expr(job::Column::Message, Expr::value("cancelled"))
        .col_expr(job::Column::Finished, Expr::value(now()))
        .filter(job::Column::TenantId.eq(ctx.tenant_id()))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::State.eq(JobState::Queued.as_str()))
        .exec(&txn)
        .await?;
    job::Entity::update_many()
        .col_expr(
            job::Column::State,
            Expr::value(JobState::Cancelling.as_str()),
        )
        .filter(job::Column::TenantId.eq(ctx.tenant_id()))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::State.eq(JobState::Running.as_str()))
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
    let txn = tenant_write_txn(db, ctx).await?;
    let current = job::Entity::find_by_id((ctx.tenant_id(), id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let state = JobState::parse(&current.state);
    let mut active = current.into_active_model();
    active.done = Set(done as i64);
    active.counts = Set(counts_json(counts));
    active.heartbeat = Set(Some(now()));
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(matches!(state, JobState::Queued | JobState::Running))
}

/// A chunk of a job's work, run on a task of its own: the rows it took and what it did.
pub(super) type ChunkWork =
    std::pin::Pin<Box<dyn Future<Output = Result<(u64, JobCounts), AppError>> + Send>>;

/// Chunks of work, in order, from whatever prepares them (an error ends the job).
pub(super) type ChunkFeed = tokio::sync::mpsc::Receiver<Result<ChunkWork, AppError>>;

/// Runs a job's chunks as `feed` hands them over, two at a time on PostgreSQL, each in its own
/// transaction on its own connection, so one waits on the database while the next is prepared
/// and sent (SQLite has one writer: one at a time). The chunks must not touch the same rows.
/// Progress is recorded as each commits; after a cancel or a failure no new chunk starts, and
/// those in hand are awaited and counted, so what was committed is always counted. Dropping the
/// feed tells its producer to stop. Ok(false) when it stopped on a cancel request.
pub(super) async fn run_chunks(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    id: Uuid,
    mut feed: ChunkFeed,
) -> Result<bool, AppError> {
    let parallel = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => 1,
        _ => 2,
    };
    let mut counts = JobCounts::default();
    let mut done = 0u64;
    let mut running = tokio::task::JoinSet::new();
    let (mut stopped, mut exhausted, mut failure) = (false, false, None);
    loop {
        while !stopped && !exhausted && failure.is_none() && running.len() < parallel {
            match feed.recv().await {
                Some(Ok(work)) => {
                    running.spawn(work);
                }
                None => exhausted = true,
                Some(Err(e)) => failure = Some(e),
            }
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok(Ok((rows, chunk))) => {
                add_counts(&mut counts, &chunk);
                done += rows;
                match record_progress(db, ctx, id, done, &counts).await {
                    Ok(true) => {}
                    Ok(false) => stopped = true,
                    Err(e) => {
                        failure.get_or_insert(e);
                    }
                }
            }
            Ok(Err(e)) => {
                failure.get_or_insert(e);
            }
            Err(_) => {
                failure.get_or_insert(AppError::Internal);
            }
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(!stopped),
    }
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
    let txn = tenant_write_txn(db, ctx).await?;
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
    // The file is no longer needed, however the job ended.
    job_file::Entity::delete_many()
        .filter(job_file::Column::TenantId.eq(ctx.tenant_id()))
        .filter(job_file::Column::JobId.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Jobs whose runner stopped reporting `older_than` ago (or never did) become `interrupted`,
/// with the progress they had recorded (every recorded chunk was committed); their files go.
/// Queued jobs wait for any instance. Run at start-up and by the workers, as the connecting
/// role, across workspaces.
pub async fn interrupt_stale(
    db: &DatabaseConnection,
    older_than: chrono::Duration,
) -> Result<u64, AppError> {
    let cutoff = now() - older_than;
    let result = job::Entity::update_many()
        .col_expr(
            job::Column::State,
            Expr::value(JobState::Interrupted.as_str()),
        )
        .col_expr(job::Column::Finished, Expr::value(now()))
        .filter(job::Column::Finished.is_null())
        .filter(
            job::Column::State.is_in([JobState::Running.as_str(), JobState::Cancelling.as_str()]),
        )
        .filter(
            Condition::any()
                .add(job::Column::Heartbeat.is_null())
                .add(job::Column::Heartbeat.lt(cutoff)),
        )
        .exec(db)
        .await?;
    db.execute_unprepared(
        "DELETE FROM job_files WHERE EXISTS (SELECT 1 FROM jobs WHERE jobs.tenant_id = job_files.tenant_id \
         AND jobs.id = job_files.job_id AND jobs.finished IS NOT NULL)",
    )
    .await?;
    Ok(result.rows_affected)
}

/// Starts this instance's workers: they claim queued jobs, at most `RUNNING_JOBS` at a time,
/// and now and then mark stale ones interrupted.
pub fn start_workers(db: DatabaseConnection) {
    tokio::spawn(async move {
        let slots = Arc::new(Semaphore::new(RUNNING_JOBS));
        let mut swept = Instant::now();
        loop {
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            if swept.elapsed() >= Duration::from_secs(15) {
                swept = Instant::now();
                if let Err(e) = interrupt_stale(&db, STALE_AFTER).await {
                    tracing::warn!(error = %e, "could not look for stale jobs");
                }
            }
            match claim(&db).await {
                Ok(Some(job)) => {
                    let db = db.clone();
                    tokio::spawn(async move {
                        run_claimed(&db, job).await;
                        drop(slot);
                    });
                }
                Ok(None) => {
                    drop(slot);
                    tokio::select! {
                        _ = WAKE.notified() => {}
                        _ = tokio::time::sleep(POLL) => {}
                    }
                }
                Err(e) => {
                    drop(slot);
                    tracing::warn!(error = %e, "could not claim a job");
                    tokio::time::sleep(POLL).await;
                }
            }
        }
    });
}

/// Takes the oldest queued job for this instance, if there is one.
async fn claim(db: &DatabaseConnection) -> Result<Option<job::Model>, AppError> {
    if SKIP_LOCKED.load(Ordering::Relaxed) && db.get_database_backend() == DbBackend::Postgres {
        match claim_with(db, true).await {
            Err(AppError::Unavailable) => return Err(AppError::Unavailable),
            Err(e) => {
                tracing::info!(error = %e, "row locks across tenants refused; claiming without them");
                SKIP_LOCKED.store(false, Ordering::Relaxed);
            }
            claimed => return claimed,
        }
    }
    claim_with(db, false).await
}

async fn claim_with(
    db: &DatabaseConnection,
    skip_locked: bool,
) -> Result<Option<job::Model>, AppError> {
    let txn = if db.get_database_backend() == DbBackend::Sqlite {
        db.begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?
    } else {
        db.begin().await?
    };
    let mut oldest = job::Entity::find()
        .filter(job::Column::State.eq(JobState::Queued.as_str()))
        .order_by_asc(job::Column::Created)
        .limit(1);
    if skip_locked {
        oldest = oldest.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let Some(mut found) = oldest.one(&txn).await? else {
        txn.commit().await?;
        return Ok(None);
    };
    let beat = now();
    // Conditional on still being queued: whatever the locking, one claim wins.
    let claimed = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Running.as_str()))
        .col_expr(job::Column::ClaimedBy, Expr::value(*INSTANCE))
        .col_expr(job::Column::Heartbeat, Expr::value(beat))
        .filter(job::Column::TenantId.eq(found.tenant_id))
        .filter(job::Column::Id.eq(found.id))
        .filter(job::Column::State.eq(JobState::Queued.as_str()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    found.state = JobState::Running.as_str().to_owned();
    found.claimed_by = Some(*INSTANCE);
    found.heartbeat = Some(beat);
    Ok(Some(found))
}

/// The context a job runs in: its workspace, as the member who started it.
async fn context_of(db: &DatabaseConnection, m: &job::Model) -> Result<TenantContext, AppError> {
    let member = membership::Entity::find_by_id((m.tenant_id, m.started_by))
        .one(db)
        .await?;
    let role = member.and_then(|m| Role::parse(&m.role)).ok_or_else(|| {
        AppError::invalid(
            "job",
            "the member who started it is no longer in the workspace",
        )
    })?;
    let via = if m.kind.starts_with("bulk.") {
        Via::Bulk
    } else {
        Via::Import
    };
    Ok(TenantContext::new(m.tenant_id, m.started_by, role).via(via))
}

/// Runs a claimed job to its end and records how it ended.
async fn run_claimed(db: &DatabaseConnection, m: job::Model) {
    let id = m.id;
    // A context to record the end with, even when the starter has left.
    let fallback = TenantContext::new(m.tenant_id, m.started_by, Role::Member);
    let (ctx, outcome) = match context_of(db, &m).await {
        Ok(ctx) => {
            let outcome = match m.kind.as_str() {
                kind if kind.starts_with("bulk.") => {
                    super::bulk::run_job(db, &ctx, id, &m.params).await
                }
                super::imports::KIND => super::imports::run_job(db, &ctx, id, &m.params).await,
                super::imports::REVERT_KIND => {
                    super::imports::run_revert_job(db, &ctx, id, &m.params).await
                }
                other => Err(AppError::invalid(
                    "kind",
                    format!("no runner for jobs of kind {other:?}"),
                )),
            };
            (ctx, outcome)
        }
        Err(e) => (fallback, Err(e)),
    };
    let (state, message) = match outcome {
        Ok(true) => (JobState::Done, String::new()),
        Ok(false) => (JobState::Cancelled, "cancelled".to_owned()),
        Err(AppError::Validation { message, .. }) => (JobState::Failed, message),
        Err(e) => {
            tracing::error!(job = %id, error = %e, "job failed");
            (JobState::Failed, e.to_string())
        }
    };
    if let Err(e) = finish(db, &ctx, id, state, message).await {
        tracing::error!(job = %id, error = %e, "could not record the end of a job");
    }
}
