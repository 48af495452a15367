//! Connecting, migrating, and the transactions every query runs in.
//!
//! Tenant work runs in `tenant_txn`: on PostgreSQL it switches to the non-superuser `leads_app`
//! role and sets `app.tenant_id` for the transaction, so row-level security confines writes and
//! table reads to that tenant even if a query forgot its filter (list reads go through the
//! `tenant_leads` view, which applies the same predicate; see migration m0004).
//!
//! Every statement has a time limit below the request timeout, so a request that gives up never
//! leaves its query running on the server.

use crate::server::service::tenant_context::TenantContext;
use migration::{APP_ROLE, Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, RuntimeErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Rows per multi-row INSERT. On PostgreSQL, 1,000 (at 13 values a row, a contact, well under
/// its 65,535 bound values): fewer round trips. On SQLite, 100: the driver keeps the statements
/// it prepared (up to 100 per connection), and a prepared 1,000-row INSERT is a program of
/// about 300 KB; one per table and batch size on each pooled connection held 58 MB of an
/// import's peak. SQLite has no round trips to save.
pub fn insert_batch(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Sqlite => 100,
        _ => 1000,
    }
}

/// Inserts the rows `insert_batch` at a time.
pub async fn insert_batched<A, C>(conn: &C, rows: impl IntoIterator<Item = A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait,
    C: ConnectionTrait,
{
    let batch = insert_batch(conn.get_database_backend());
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        A::Entity::insert_many(rows.by_ref().take(batch))
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// How long one statement may run on PostgreSQL; below the 30 s request timeout.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(25);

pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, STATEMENT_TIMEOUT).await
}

/// `connect` with another statement time limit (tests use a short one).
pub async fn connect_with(
    url: &str,
    statement_timeout: Duration,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    let timeout_ms = statement_timeout.as_millis().to_string();
    options
        .max_connections(if url.starts_with("sqlite:") { 8 } else { 32 })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        // Short, so requests during a database outage answer 503 quickly (and the connect
        // back-off, a fifth of this, stays under a second once the database is back).
        .acquire_timeout(Duration::from_secs(3))
        .sqlx_logging(false)
        // A pooled connection that died with the server is found out by a ping, not by a
        // failed query, and a fresh one is opened in its place; see `ping_before_use`.
        .test_before_acquire(false)
        .map_sqlx_postgres_before_acquire(|conn, meta| {
            Box::pin(async move {
                if ping_before_use(meta.idle_for) {
                    sea_orm::sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .map_sqlx_postgres_opts(move |o| o.options([("statement_timeout", timeout_ms.as_str())]))
        .map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
                // See `WAL_AUTOCHECKPOINT_PAGES`.
                .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string())
        });
    Database::connect(options).await
}

/// A pooled PostgreSQL connection is pinged before use only when it may have died unseen: when
/// it has sat idle for `PING_IF_IDLE_FOR`, and for `SUSPECT_WINDOW` after any connection was
/// found dead (the database restarted or was cut off). A ping on every use cost a create one
/// round trip in three (the driver already pings each connection as it goes back to the pool),
/// 8–15% of its throughput. A connection that died within the last second of use is found out
/// by the statement itself. Starting a tenant transaction, a create and the credential lookups
/// then try once more (`once_more_if_lost`); any other statement answers 503 once.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);
const SUSPECT_WINDOW: Duration = Duration::from_secs(10);

/// When a connection was last found dead, in milliseconds since the Unix epoch (0: never).
static LOST_AT_MS: AtomicU64 = AtomicU64::new(0);

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn ping_before_use(idle_for: Duration) -> bool {
    let lost = LOST_AT_MS.load(Ordering::Relaxed);
    idle_for >= PING_IF_IDLE_FOR
        || (lost != 0 && unix_ms().saturating_sub(lost) < SUSPECT_WINDOW.as_millis() as u64)
}

/// Records that a connection was found dead: the pool's others may be too.
pub fn note_lost_connection() {
    LOST_AT_MS.store(unix_ms(), Ordering::Relaxed);
}

/// The driver's error behind a `DbErr`, if it came from the driver.
pub fn sqlx_error(err: &DbErr) -> Option<&sea_orm::sqlx::Error> {
    match err {
        DbErr::Query(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Conn(RuntimeErr::SqlxError(e)) => Some(e.as_ref()),
        _ => None,
    }
}

/// Whether the statement failed because its connection was gone: closed under it, or ended by
/// the server (a connection exception, or the server shutting down, restarting or starting).
pub fn is_connection_lost(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error as E;
    match sqlx_error(err) {
        Some(E::Io(_) | E::Protocol(_)) => true,
        Some(E::Database(db)) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

/// Runs `op` once more when it failed on a connection that had died unseen; the second run's
/// connections are pinged first (see `PING_IF_IDLE_FOR`). Only for work that cannot have
/// written when it failed, or that recognises its own earlier write.
pub async fn once_more_if_lost<T, F, Fut>(op: F) -> Result<T, DbErr>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, DbErr>>,
{
    match op().await {
        Err(err) if is_connection_lost(&err) => {
            note_lost_connection();
            tracing::warn!(error = %err, "a pooled connection had died; trying once more");
            op().await
        }
        result => result,
    }
}

/// Whether the database is a sharded (Citus) cluster, as `migrate` found at start-up. A few
/// single-statement shortcuts that plain PostgreSQL runs are not supported there.
static SHARDED: AtomicBool = AtomicBool::new(false);

pub fn is_sharded() -> bool {
    SHARDED.load(Ordering::Relaxed)
}

/// Migrates, then checks that request work will be able to switch to the app role: a grant
/// that failed must stop start-up, not turn every request into an error.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await?;
    SHARDED.store(migration::citus::is_citus(db).await?, Ordering::Relaxed);
    if db.get_database_backend() == DbBackend::Postgres {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                DbBackend::Postgres,
                format!("SELECT pg_has_role(current_user, '{APP_ROLE}', 'MEMBER')"),
            ))
            .await?;
        let member: bool = row.map_or(Ok(false), |r| r.try_get_by_index(0))?;
        if !member {
            return Err(DbErr::Custom(format!(
                "the database user cannot switch to the role {APP_ROLE}: grant it with \
                 `GRANT {APP_ROLE} TO <user>` as a superuser"
            )));
        }
    }
    Ok(())
}

/// A transaction confined to the context's tenant (see the module comment).
pub async fn tenant_txn(
    db: &DatabaseConnection,
    ctx: &TenantContext,
) -> Result<DatabaseTransaction, DbErr> {
    // Nothing is written yet: starting again on another connection is safe.
    once_more_if_lost(|| begin_for_tenant(db, ctx)).await
}

async fn begin_for_tenant(
    db: &DatabaseConnection,
    ctx: &TenantContext,
) -> Result<DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // The tenant id is a typed Uuid, so formatting it into the statement cannot inject SQL.
        // One round trip; `SET LOCAL` (not `set_config`) is also what a sharded cluster carries
        // to its workers. Citus replays a SET LOCAL's whole query string there, so nothing but
        // SETs may share it.
        txn.execute_unprepared(&format!(
            "SET LOCAL ROLE {APP_ROLE}; SET LOCAL app.tenant_id = '{}'",
            ctx.tenant_id()
        ))
        .await?;
    }
    Ok(txn)
}

/// A tenant transaction for work that reads before it writes. On SQLite a deferred transaction
/// that has read cannot become a writer once another connection has committed (SQLITE_BUSY at
/// once, whatever the busy timeout), so concurrent edits would fail; there it takes the write
/// lock at BEGIN instead, waiting its turn.
pub async fn tenant_write_txn(
    db: &DatabaseConnection,
    ctx: &TenantContext,
) -> Result<DatabaseTransaction, DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        let immediate = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        return db.begin_with_options(immediate).await;
    }
    tenant_txn(db, ctx).await
}

/// SQLite: a page cache big enough for one chunk of a bulk write (on), and back to the default
/// (off) before it commits. With the default 2 MB, a chunk's inserts into the contacts' indexes
/// evicted dirty pages to the WAL before the commit and read them back, page by page, so most
/// of an import's time went to copying pages in and out of the kernel. Shrinking before the
/// commit keeps the dirty pages (they are written at the commit) and frees the rest once it is
/// done, so pooled connections do not keep the larger cache. No-op on PostgreSQL.
pub async fn sqlite_chunk_cache<C: ConnectionTrait>(conn: &C, on: bool) -> Result<(), DbErr> {
    if conn.get_database_backend() == DbBackend::Sqlite {
        let kib = if on {
            CHUNK_CACHE_KIB
        } else {
            DEFAULT_CACHE_KIB
        };
        conn.execute_unprepared(&format!("PRAGMA cache_size = -{kib}"))
            .await?;
    }
    Ok(())
}

/// PostgreSQL plans lookups by key from the contacts table's statistics, and a table that has
/// never been analysed (a new installation before autovacuum's first visit, or with autovacuum
/// off) is planned as if it were tiny: a chunk's lookup of its emails then walks the workspace
/// instead of probing the unique index, and an import into a new installation slowed to a few
/// hundred rows a second. Called once an import has written `rows`: when the statistics count
/// fewer contacts than that, the table is analysed (a sample, about a second for millions of
/// rows). Not on SQLite (no statistics to go stale) nor on a sharded cluster
/// (the coordinator's table is empty by design, its statistics would always look stale).
pub async fn analyze_if_stale(db: &DatabaseConnection, rows: u64) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres || is_sharded() {
        return Ok(());
    }
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT reltuples::float8 FROM pg_class WHERE oid = 'leads'::regclass",
        ))
        .await?;
    // -1 when never analysed.
    let counted: f64 = row.map_or(Ok(-1.0), |r| r.try_get_by_index(0))?;
    if counted < rows as f64 {
        db.execute_unprepared("ANALYZE leads").await?;
    }
    Ok(())
}

/// SQLite: how many pages the write-ahead log may hold before a commit copies them into the
/// database file (SQLite's default is 1,000, 4 MB). An import chunk writes several thousand
/// index pages; with the default, every chunk's commit also checkpointed (copied and synced) all
/// of them, while with 10,000 (40 MB) a page written by several chunks in a row is copied once.
/// Four 400,000-row imports each way: 6,182 rows/s on average (5,297–6,866) against 5,370
/// (4,999–5,629). Small writes only let the log grow to 40 MB before it is recycled.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// SQLite's page cache per connection, in KiB: its default, and during a chunk of bulk writes.
const DEFAULT_CACHE_KIB: u32 = 2000;
const CHUNK_CACHE_KIB: u32 = 64 * 1024;

/// Reads through the `tenant_leads` view with the rights the view gives on a single server.
///
/// On one PostgreSQL server the view runs with its owner's rights: its tenant predicate confines
/// the rows, and the planner may use the trigram index and its statistics. On a sharded cluster
/// the view is expanded on the coordinator and its shard query runs on the workers as the app
/// role, where row-level security forbids both (`ILIKE` is not leakproof): searches scanned
/// every row of the workspace and estimates guessed. There, the reads run without the app role
/// inside a savepoint; the view's predicate (the same as the policy's) still confines them, and
/// `end` rolls back to the savepoint, which restores the app role before anything else runs.
pub struct ViewReads {
    active: bool,
}

impl ViewReads {
    /// `searched`: whether the reads search or filter; plain reads (a tenant and an order) use
    /// their indexes under the policy too, and skip the savepoint's three round trips.
    pub async fn begin<C: ConnectionTrait>(conn: &C, searched: bool) -> Result<Self, DbErr> {
        let active = searched && is_sharded();
        if active {
            conn.execute_unprepared("SAVEPOINT view_reads").await?;
            conn.execute_unprepared("RESET ROLE").await?;
        }
        Ok(Self { active })
    }

    pub async fn end<C: ConnectionTrait>(self, conn: &C) -> Result<(), DbErr> {
        if self.active {
            conn.execute_unprepared("ROLLBACK TO SAVEPOINT view_reads")
                .await?;
        }
        Ok(())
    }
}

/// Ok when the database answers a trivial query (for `/readyz`).
pub async fn is_ready(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}
