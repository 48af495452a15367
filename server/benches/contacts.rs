//! Contacts API benchmark on PostgreSQL at production scale.
//!
//! Seeds one big tenant plus a few others (2.5M leads by default), starts the real app in-process,
//! and times list, search, deep-cursor, get and create requests through HTTP with an API token.
//! Beside each it times the same SQL the service issues, run directly on the same connection pool
//! and inside `tenant_txn` (so row-level security costs the same), to show how much of the latency
//! is the database and how much is everything around it. The result is a report, checked against
//! latency targets; it exits 0 whether they are met or not.
//!
//! Run: `cargo bench -p server --bench contacts`
//! Quick end-to-end check: `BENCH_BIG=20000 BENCH_OTHERS=20000 cargo bench -p server --bench contacts`
//!
//! The first run at a given size seeds (about 90 s and 2.5 GB of disk for 2.5M leads on two
//! cores); later runs reuse the data while the counts still match, so switching the size knobs
//! costs a reseed. The leads the create runs add are deleted again at the end.
//!
//! Environment (all optional):
//! - `BENCH_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/leads_bench`): created if
//!   missing, through the same server's `postgres` (else `test`) database, or `BENCH_ADMIN_DB`.
//!   The role must be able to create databases and must own the tables (or be a superuser):
//!   seeding writes past row-level security.
//! - `BENCH_BIG` (1000000): leads of the tenant every request runs as.
//! - `BENCH_TENANTS` (3) and `BENCH_OTHERS` (1500000): other tenants and the leads they share;
//!   they make the shared indexes (the trigram one above all) production-sized.
//! - `BENCH_SMALL` (1000): leads of a small workspace sharing the table, whose common-term
//!   search must not pay for the big one's rows (0 leaves it out).
//! - `BENCH_ITERS` (200), `BENCH_WARMUP` (20): timed and untimed requests per scenario.
//! - `BENCH_DEPTH` (500000): position of the row the cursor page starts after; at most half of
//!   `BENCH_BIG`.
//! - `BENCH_CREATES` (5000), `BENCH_CONCURRENCY` (16): the create-throughput run.
//! - `BENCH_RESEED=1`: seed again even when the counts match.
//! - `BENCH_EXPLAIN=1`: also print `EXPLAIN (ANALYZE, BUFFERS)` of each list query, as the app
//!   role inside a tenant transaction.
//! - `BENCH_ONLY=list`: only the list, search and cursor scenarios and get by id (no writes).
//! - `BENCH_ONLY=create`: only the create-throughput run.
//! - `BENCH_ONLY=bulk`: only the export of the whole big tenant (CSV through HTTP, beside the
//!   same keyset reads run directly) and a bulk status change of ~500k contacts as a job (beside
//!   the same change as one UPDATE); both are undone after.
//! - `BENCH_ONLY=import`: only the CSV import of `BENCH_IMPORT_ROWS` (1000000) generated rows into
//!   an empty workspace, then the same file again as an upsert, beside a raw `COPY` of the rows.
//! - `BENCH_ONLY=import-sqlite`: only the SQLite import of those rows, beside raw inserts of them
//!   (no PostgreSQL needed).
//! - `BENCH_ONLY=filters`: only the filter scenarios (attribute equality, score range and status,
//!   a rare attribute value, a date range), each with its total.
//! - `LEADS_COUNT_BUDGET_MS`: the count budget of searched totals, as for the server (default 15).

use app::components::list_controls::group_thousands;
use app::domain::account::{Login, Signup};
use app::domain::error::AppError;
use app::domain::list_query::{Cursor, EXACT_TOTAL_CAP, Order, SortField, SortKey};
use app::server::db::{self, tenant_txn};
use app::server::entity::lead;
use app::server::service::TenantContext;
use app::server::service::auth;
use app::server::service::contains_pattern;
use app::server::service::login_throttle::LoginThrottle;
use app::server::service::tokens;
use app::server::state::AppState;
use chrono::{DateTime, SubsecRound, Utc};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode};
use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    Statement, TransactionTrait, Value,
};
use serde_json::json;
use std::collections::HashMap;
use std::error::Error;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use uuid::Uuid;

type BoxError = Box<dyn Error + Send + Sync>;

#[path = "contacts/import.rs"]
mod import;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/leads_bench";
const PASSWORD: &str = "bench password, not a secret";
/// Rows per seeding statement: large enough to amortise the round trip, small enough to show progress.
const SEED_CHUNK: u64 = 250_000;
/// Leads made by the create runs carry this domain, so they can be removed again and the
/// seeded counts stay what the next run expects.
const CREATED_DOMAIN: &str = "bench-create.example";

/// A token in "a few hundred" rows per million: the selective search.
const RARE_COMPANY: &str = "Zyxwv Labs";
const RARE_EVERY: u64 = 3_333;
const SELECTIVE_TERM: &str = "zyxwv";
/// In exactly the `LAST_NAMES` that contain it (and nowhere else, see `check_word_lists`), so it
/// matches ~10% of rows: the common-term search.
const COMMON_TERM: &str = "son";

#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra",
    "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua",
    "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah",
    "Timothy", "Stephanie", "Ronald", "Rebecca", "Edward", "Laura", "Ryan", "Sharon", "Jacob",
    "Cynthia", "Gary", "Kathleen", "Nicholas", "Amy",
];
#[rustfmt::skip]
const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
    "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres",
    "Nguyen", "Hill", "Flores", "Green", "Adams", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
    "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz",
    "Edwards", "Collins", "Reyes", "Stewart",
];
/// 20 × 10 = 200 companies.
#[rustfmt::skip]
const COMPANY_WORDS: &[&str] = &[
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Hooli", "Vandelay",
    "Cyberdyne", "Tyrell", "Oscorp", "Aperture", "Monarch", "Nakatomi", "Gekko", "Virtucon",
    "Prestige", "Northwind", "Contoso",
];
#[rustfmt::skip]
const COMPANY_KINDS: &[&str] = &[
    "Systems", "Labs", "Industries", "Partners", "Group", "Holdings", "Analytics", "Dynamics",
    "Logistics", "Media",
];
const PLANS: &[&str] = &["free", "starter", "pro", "enterprise"];
/// A rare attribute value ("a few hundred" per million): `attributes.source = partner`.
const RARE_SOURCE: &str = "partner";
const RARE_SOURCE_EVERY: u64 = 4_999;
/// The small workspace (`BENCH_SMALL` leads).
const SMALL_LABEL: &str = "bench-small";

/// What `list_leads` selects from, as SeaQuery renders it. Keep in step with the service.
const LIST_FROM: &str = r#""tenant_leads" AS "leads""#;
/// Statements `list_leads` runs in a search's (or filter's) transaction before its queries.
/// Keep in step with the service.
const SEARCH_SETUP: &[&str] = &["SET LOCAL plan_cache_mode = force_custom_plan"];

/// The lead columns in the order SeaORM selects and inserts them.
const COLUMNS: &str = r#""leads"."tenant_id", "leads"."id", "leads"."email", "leads"."email_key", "leads"."name", "leads"."first_name", "leads"."last_name", "leads"."company", "leads"."status", "leads"."score", "leads"."attributes", "leads"."created", "leads"."updated""#;

#[tokio::main]
async fn main() {
    if let Err(err) = run().await {
        eprintln!("benchmark failed: {err}");
        std::process::exit(1);
    }
}

struct Settings {
    url: String,
    big: u64,
    tenants: u64,
    others: u64,
    small: u64,
    iters: usize,
    warmup: usize,
    depth: u64,
    creates: usize,
    concurrency: usize,
    reseed: bool,
    explain: bool,
}

fn env_num<T: FromStr>(key: &str, default: T) -> Result<T, BoxError> {
    match std::env::var(key) {
        // Underscores allowed, so `BENCH_BIG=1_000_000` reads as written.
        Ok(raw) if !raw.trim().is_empty() => raw
            .trim()
            .replace('_', "")
            .parse()
            .map_err(|_| format!("{key}={raw:?} is not a number").into()),
        _ => Ok(default),
    }
}

fn env_flag(key: &str) -> bool {
    std::env::var(key).is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes"))
}

impl Settings {
    fn from_env() -> Result<Self, BoxError> {
        let s = Self {
            url: std::env::var("BENCH_DATABASE_URL")
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_URL.into()),
            big: env_num("BENCH_BIG", 1_000_000)?,
            tenants: env_num("BENCH_TENANTS", 3)?,
            others: env_num("BENCH_OTHERS", 1_500_000)?,
            small: env_num("BENCH_SMALL", 1_000)?,
            iters: env_num("BENCH_ITERS", 200)?,
            warmup: env_num("BENCH_WARMUP", 20)?,
            depth: env_num("BENCH_DEPTH", 500_000)?,
            creates: env_num("BENCH_CREATES", 5_000)?,
            concurrency: env_num("BENCH_CONCURRENCY", 16)?,
            reseed: env_flag("BENCH_RESEED"),
            explain: env_flag("BENCH_EXPLAIN"),
        };
        if !s.url.starts_with("postgres://") && !s.url.starts_with("postgresql://") {
            return Err(
                "BENCH_DATABASE_URL must be a PostgreSQL URL: the targets are for PostgreSQL"
                    .into(),
            );
        }
        if s.big < 2 || s.iters == 0 || s.concurrency == 0 || (s.others > 0 && s.tenants == 0) {
            return Err("need BENCH_BIG >= 2, BENCH_ITERS >= 1, BENCH_CONCURRENCY >= 1, and BENCH_TENANTS >= 1 when BENCH_OTHERS > 0".into());
        }
        Ok(s)
    }
}

async fn run() -> Result<(), BoxError> {
    check_word_lists();
    if std::env::var("BENCH_ONLY").as_deref() == Ok("import-sqlite") {
        let n = env_num("BENCH_IMPORT_ROWS", 1_000_000u64)?;
        print_table(&import::sqlite_only(n).await?);
        return Ok(());
    }
    let s = Settings::from_env()?;
    println!("database: {}", server::config::redact(&s.url));
    create_database_if_missing(&s.url).await?;
    // Seeding rebuilds indexes over millions of rows: far past the app's statement limit.
    let migrator = db::connect_with(&s.url, Duration::from_secs(3600)).await?;
    db::migrate(&migrator).await?;
    migrator.close().await?;
    // A new pool, as the server opens after migrating: on Citus the migration sets a database
    // default (`citus.propagate_set_commands`) that only connections opened later have.
    let conn = db::connect_with(&s.url, Duration::from_secs(3600)).await?;
    print_server_facts(&conn).await?;

    let tenants = bench_tenants(&conn, &s).await?;
    let big = &tenants[0];
    ensure_seeded(&conn, &s, &tenants).await?;
    print_dataset(&conn, big.ctx.tenant_id()).await?;

    let base = spawn_app(conn.clone()).await?;
    let b = Bench {
        db: conn.clone(),
        ctx: big.ctx.clone(),
        client: api_client(&conn, &big.ctx, s.concurrency).await?,
        base,
        iters: s.iters,
        warmup: s.warmup,
        explain: s.explain,
    };

    println!(
        "\nmeasuring: {} timed requests per scenario after {} warm-up, HTTP and SQL interleaved",
        s.iters, s.warmup
    );
    let tenant = big.ctx.tenant_id();
    let mut rows = Vec::new();
    match std::env::var("BENCH_ONLY").as_deref() {
        Ok("filters") => rows.extend(filter_scenarios(&b, tenant).await?),
        Ok("bulk") => {
            rows.push(export_scenario(&b).await?);
            rows.push(bulk_status_scenario(&b).await?);
        }
        Ok("create") => rows.push(create_scenario(&b, s.creates, s.concurrency).await?),
        Ok("import") => {
            let n = env_num("BENCH_IMPORT_ROWS", 1_000_000u64)?;
            rows.extend(import::import_scenarios(&b, n).await?);
        }
        _ => {}
    }
    if !rows.is_empty() {
        print_table(&rows);
        return Ok(());
    }
    rows.push(
        list_scenario(
            &b,
            "list page 1",
            "limit=20",
            ListSql::new(tenant),
            Target::MaxP95Ms(10.0),
        )
        .await?,
    );
    let selective = ListSql {
        pattern: Some(contains_pattern(SELECTIVE_TERM)),
        ..ListSql::new(tenant)
    };
    rows.push(
        list_scenario(
            &b,
            "search selective",
            &format!("limit=20&search={SELECTIVE_TERM}"),
            selective,
            Target::MaxP95Ms(20.0),
        )
        .await?,
    );
    let common = ListSql {
        pattern: Some(contains_pattern(COMMON_TERM)),
        ..ListSql::new(tenant)
    };
    rows.push(
        list_scenario(
            &b,
            "search common",
            &format!("limit=20&search={COMMON_TERM}"),
            common,
            Target::MaxP95Ms(50.0),
        )
        .await?,
    );
    if let Some(small) = tenants.iter().find(|t| t.label == SMALL_LABEL) {
        // The same term in a workspace a thousandth the size: its cost should be its own.
        let small_bench = Bench {
            ctx: small.ctx.clone(),
            client: api_client(&conn, &small.ctx, 1).await?,
            base: b.base.clone(),
            db: conn.clone(),
            ..b
        };
        let small_common = ListSql {
            pattern: Some(contains_pattern(COMMON_TERM)),
            ..ListSql::new(small.ctx.tenant_id())
        };
        let name = format!("search common, {} workspace", short_count(small.target));
        rows.push(
            list_scenario(
                &small_bench,
                &name,
                &format!("limit=20&search={COMMON_TERM}"),
                small_common,
                Target::MaxP95Ms(10.0),
            )
            .await?,
        );
    }
    let depth = s.depth.clamp(1, s.big / 2);
    let (key, id) = row_at_depth(&conn, tenant, depth).await?;
    let cursor = Cursor {
        sort: SortField::Updated,
        order: Order::Desc,
        key: SortKey::Time(key.timestamp_micros()),
        id,
    }
    .encode();
    let deep = ListSql {
        after: Some((key, id)),
        ..ListSql::new(tenant)
    };
    let name = format!("cursor page @{}", short_count(depth));
    rows.push(
        list_scenario(
            &b,
            &name,
            &format!("limit=20&sort=updated&order=desc&cursor={cursor}"),
            deep,
            Target::MaxP95Ms(10.0),
        )
        .await?,
    );
    if std::env::var("BENCH_ONLY").as_deref() == Ok("list") {
        rows.push(get_scenario(&b).await?);
        print_table(&rows);
        return Ok(());
    }
    rows.extend(filter_scenarios(&b, tenant).await?);
    rows.push(export_scenario(&b).await?);
    rows.push(get_scenario(&b).await?);
    rows.push(create_scenario(&b, s.creates, s.concurrency).await?);
    // Last: it leaves ~500k contacts with a new `updated`, which changes what later list
    // scenarios walk through (reseed with BENCH_RESEED=1 for comparable runs).
    rows.push(bulk_status_scenario(&b).await?);

    print_table(&rows);
    Ok(())
}

/// The seeded data has to mean what the scenarios say: these word lists decide how often each
/// search term matches, so a careless edit to them would silently change the benchmark.
fn check_word_lists() {
    let all = FIRST_NAMES
        .iter()
        .chain(LAST_NAMES)
        .chain(COMPANY_WORDS)
        .chain(COMPANY_KINDS)
        .chain(PLANS);
    // They are spliced into the seeding SQL as literals.
    assert!(
        all.clone()
            .all(|w| w.chars().all(|c| c.is_ascii_alphabetic())),
        "word lists must be plain letters"
    );
    let has = |w: &str, term: &str| w.to_lowercase().contains(term);
    assert!(
        all.clone().all(|w| !has(w, SELECTIVE_TERM)),
        "{SELECTIVE_TERM:?} must only be in {RARE_COMPANY:?}"
    );
    assert!(
        FIRST_NAMES.iter().all(|w| !has(w, COMMON_TERM)),
        "{COMMON_TERM:?} must not be in first names"
    );
    // Companies appear with a space (name) and without (email domain).
    for word in COMPANY_WORDS {
        for kind in COMPANY_KINDS {
            assert!(
                !has(&format!("{word} {kind}{word}{kind}"), COMMON_TERM),
                "{COMMON_TERM:?} must not be in company {word} {kind}"
            );
        }
    }
    let common = LAST_NAMES.iter().filter(|w| has(w, COMMON_TERM)).count();
    assert_eq!(
        common * 10,
        LAST_NAMES.len(),
        "{COMMON_TERM:?} must be in exactly a tenth of the last names"
    );
}

fn stmt(sql: &str, values: impl IntoIterator<Item = Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

// ---------------------------------------------------------------------------------------------
// Database and seeding

async fn create_database_if_missing(url: &str) -> Result<(), BoxError> {
    let (without_query, query) = url.split_once('?').map_or((url, ""), |(u, q)| (u, q));
    let slash = without_query
        .rfind('/')
        .filter(|&i| i > "postgres://".len())
        .ok_or("BENCH_DATABASE_URL has no database name")?;
    let (server, name) = (&without_query[..slash], &without_query[slash + 1..]);
    // The name goes into CREATE DATABASE, which takes no parameters.
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(
            format!("database name {name:?} must be letters, digits and underscores").into(),
        );
    }
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let admin_dbs = match std::env::var("BENCH_ADMIN_DB") {
        Ok(admin) if !admin.is_empty() => vec![admin],
        _ => vec!["postgres".to_owned(), "test".to_owned()],
    };
    let mut last_err: Option<BoxError> = None;
    for admin_db in admin_dbs {
        let admin = match Database::connect(format!("{server}/{admin_db}{query}")).await {
            Ok(admin) => admin,
            Err(err) => {
                last_err = Some(err.into());
                continue;
            }
        };
        let exists = admin
            .query_one_raw(stmt(
                "SELECT 1 FROM pg_database WHERE datname = $1",
                [name.into()],
            ))
            .await?
            .is_some();
        if !exists {
            admin
                .execute_unprepared(&format!(r#"CREATE DATABASE "{name}""#))
                .await?;
            println!("created database {name}");
        }
        admin.close().await?;
        return Ok(());
    }
    Err(format!(
        "cannot reach an admin database to create {name}: {}",
        last_err.map(|e| e.to_string()).unwrap_or_default()
    )
    .into())
}

async fn print_server_facts(db: &DatabaseConnection) -> Result<(), BoxError> {
    let row = db
        .query_one_raw(stmt("SELECT current_setting('server_version'), current_setting('shared_buffers'), current_setting('work_mem')", []))
        .await?
        .ok_or("no row")?;
    let (version, shared, work): (String, String, String) = (
        row.try_get_by_index(0)?,
        row.try_get_by_index(1)?,
        row.try_get_by_index(2)?,
    );
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "postgres {version}, shared_buffers {shared}, work_mem {work}; {cores} cores shared by database, app and client"
    );
    // A Citus coordinator (the migrations shard the tables there): its version and workers.
    let citus = "SELECT extversion FROM pg_extension WHERE extname = 'citus'";
    if let Some(row) = db.query_one_raw(stmt(citus, [])).await? {
        let version: String = row.try_get_by_index(0)?;
        let workers: i64 = db
            .query_one_raw(stmt(
                "SELECT count(*) FROM pg_dist_node WHERE groupid <> 0",
                [],
            ))
            .await?
            .ok_or("no row")?
            .try_get_by_index(0)?;
        println!("citus {version} with {workers} workers: leads sharded by tenant");
    }
    Ok(())
}

struct BenchTenant {
    label: String,
    ctx: TenantContext,
    target: u64,
}

/// The big tenant first, then the others, each with the number of leads it should hold. Users are
/// made through the real sign-up (so a user, a membership and a session exist as in the app),
/// and signed in again on later runs to get their context.
async fn bench_tenants(
    db: &DatabaseConnection,
    s: &Settings,
) -> Result<Vec<BenchTenant>, BoxError> {
    let mut wanted = vec![("bench-big".to_owned(), s.big)];
    for k in 0..s.tenants {
        let share = s.others / s.tenants + u64::from(k < s.others % s.tenants);
        wanted.push((format!("bench-other-{}", k + 1), share));
    }
    if s.small > 0 {
        wanted.push((SMALL_LABEL.to_owned(), s.small));
    }
    let mut tenants = Vec::new();
    for (label, target) in wanted {
        let ctx = sign_in_or_up(db, &label).await?;
        tenants.push(BenchTenant { label, ctx, target });
    }
    Ok(tenants)
}

/// A client that sends a new write token of `ctx`'s workspace with every request.
async fn api_client(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    concurrency: usize,
) -> Result<Client, BoxError> {
    let token = tokens::create(
        db,
        ctx,
        app::domain::token::NewToken {
            name: "benchmark".into(),
            scope: app::domain::token::TokenScope::Write,
            expires: None,
        },
    )
    .await?
    .token;
    let mut headers = HeaderMap::new();
    headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}"))?,
    );
    Ok(Client::builder()
        .default_headers(headers)
        .pool_max_idle_per_host(concurrency.max(1) * 2)
        .build()?)
}

async fn sign_in_or_up(db: &DatabaseConnection, label: &str) -> Result<TenantContext, BoxError> {
    let email = format!("{label}@bench.example");
    let login = Login::parse(&email, PASSWORD).map_err(AppError::from)?;
    match auth::login(db, &LoginThrottle::default(), None, login).await {
        Ok(signed) => Ok(signed.context),
        Err(AppError::BadCredentials) => {
            let signup = Signup::parse(&email, PASSWORD, label).map_err(AppError::from)?;
            Ok(auth::signup(db, signup).await?.context)
        }
        Err(err) => Err(err.into()),
    }
}

async fn remove_created(db: &DatabaseConnection, tenant: Uuid) -> Result<u64, BoxError> {
    // Their history goes with them: the run leaves the database as it found it.
    let events = "DELETE FROM lead_events WHERE tenant_id = $1 AND lead_id IN \
                  (SELECT id FROM leads WHERE tenant_id = $1 AND email LIKE $2)";
    db.execute_raw(stmt(
        events,
        [tenant.into(), format!("%@{CREATED_DOMAIN}").into()],
    ))
    .await?;
    let sql = "DELETE FROM leads WHERE tenant_id = $1 AND email LIKE $2";
    let removed = db
        .execute_raw(stmt(
            sql,
            [tenant.into(), format!("%@{CREATED_DOMAIN}").into()],
        ))
        .await?
        .rows_affected();
    if removed > 0 {
        // The removed rows are the newest, at the head of the `updated` index that page 1 reads.
        // Autovacuum ignores so few dead rows in a big table, and VACUUM would by default leave
        // their index entries too, so the next run's list would walk over them.
        db.execute_unprepared("VACUUM (INDEX_CLEANUP ON) leads")
            .await?;
    }
    Ok(removed)
}

async fn ensure_seeded(
    db: &DatabaseConnection,
    s: &Settings,
    tenants: &[BenchTenant],
) -> Result<(), BoxError> {
    // Leftovers of a create run that did not get to clean up after itself.
    remove_created(db, tenants[0].ctx.tenant_id()).await?;
    let counts: HashMap<Uuid, i64> = db
        .query_all_raw(stmt(
            "SELECT tenant_id, count(*) FROM leads GROUP BY tenant_id",
            [],
        ))
        .await?
        .into_iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect::<Result<_, sea_orm::DbErr>>()?;
    let wanted: u64 = tenants.iter().map(|t| t.target).sum();
    let matches = tenants
        .iter()
        .all(|t| counts.get(&t.ctx.tenant_id()).copied().unwrap_or(0) as u64 == t.target)
        && counts.values().sum::<i64>() as u64 == wanted;
    if matches && !s.reseed {
        println!(
            "already seeded: {} leads in {} tenants",
            group_thousands(wanted),
            tenants.len()
        );
        return Ok(());
    }
    seed(db, tenants).await
}

/// Reloads every bench tenant's leads in one transaction, so an interrupted seed leaves the
/// previous data (and its indexes) intact rather than half a table.
async fn seed(db: &DatabaseConnection, tenants: &[BenchTenant]) -> Result<(), BoxError> {
    let total: u64 = tenants.iter().map(|t| t.target).sum();
    println!(
        "seeding {} leads ({} tenants) ...",
        group_thousands(total),
        tenants.len()
    );
    let started = Instant::now();
    let txn = db.begin().await?;
    // The trigram GIN index above all builds far faster from memory than row by row.
    // Two statements: Citus replays a SET LOCAL's whole query string on every worker
    // connection the transaction opens later, TRUNCATE included.
    txn.execute_unprepared("SET LOCAL maintenance_work_mem = '512MB'")
        .await?;
    txn.execute_unprepared("TRUNCATE leads").await?;
    // Building indexes once over the loaded table is several times faster than maintaining them
    // per row. Their definitions come from the catalogue, so they are exactly the migration's.
    // The primary key stays: it is a constraint, and the load is checked against it.
    let index_sql = "SELECT i.indexname::text, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = 'leads'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = 'leads'::regclass AND c.conname = i.indexname)
        ORDER BY 1";
    let indexes: Vec<(String, String)> = txn
        .query_all_raw(stmt(index_sql, []))
        .await?
        .into_iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect::<Result<_, sea_orm::DbErr>>()?;
    for (name, _) in &indexes {
        txn.execute_unprepared(&format!(r#"DROP INDEX "{}""#, name.replace('"', "\"\"")))
            .await?;
    }

    let sql = seed_sql();
    for (ordinal, tenant) in tenants.iter().enumerate() {
        let mut from = 1;
        while from <= tenant.target {
            let to = (from + SEED_CHUNK - 1).min(tenant.target);
            let chunk_started = Instant::now();
            let values = [
                tenant.ctx.tenant_id().into(),
                (ordinal as i64).into(),
                (from as i64).into(),
                (to as i64).into(),
            ];
            txn.execute_raw(stmt(&sql, values)).await?;
            let secs = chunk_started.elapsed().as_secs_f64();
            println!(
                "  {:<14} rows {:>9}..{:<9} {:>6.1}s  {:>9} rows/s",
                tenant.label,
                from,
                to,
                secs,
                group_thousands(((to - from + 1) as f64 / secs) as u64)
            );
            from = to + 1;
        }
    }
    let loaded = started.elapsed();

    for (name, def) in &indexes {
        let index_started = Instant::now();
        txn.execute_unprepared(def).await?;
        println!(
            "  index {name:<24} {:>6.1}s",
            index_started.elapsed().as_secs_f64()
        );
    }
    txn.commit().await?;
    let indexed = started.elapsed();
    // VACUUM (not just ANALYZE) sets the visibility map and hint bits, as on a table that has been
    // live for a while; otherwise the first reads of every page pay for writing them.
    db.execute_unprepared("VACUUM (ANALYZE) leads").await?;
    let done = started.elapsed();
    println!(
        "seeded {} leads in {:.1}s: insert {:.1}s, indexes {:.1}s, vacuum+analyze {:.1}s; {} rows/s overall, {} rows/s insert only",
        group_thousands(total),
        done.as_secs_f64(),
        loaded.as_secs_f64(),
        (indexed - loaded).as_secs_f64(),
        (done - indexed).as_secs_f64(),
        group_thousands((total as f64 / done.as_secs_f64()) as u64),
        group_thousands((total as f64 / loaded.as_secs_f64()) as u64),
    );
    Ok(())
}

fn sql_array(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    format!("(ARRAY[{}])", quoted.join(","))
}

/// One chunk of leads, generated server-side: `$1` tenant, `$2` tenant ordinal (varies the data
/// between tenants), `$3..=$4` row numbers. Values come from hashes of the row number, so the
/// same size always seeds the same data.
fn seed_sql() -> String {
    let hashes: Vec<String> = (1..=8)
        .map(|k| {
            format!("hashint8extended(i, $2::bigint * 16 + {k}) & 9223372036854775807 AS h{k}")
        })
        .collect();
    format!(
        r#"
INSERT INTO leads (tenant_id, id, email, email_key, name, first_name, last_name, company, status, score, attributes, created, updated)
SELECT $1::uuid,
       -- Shaped like the app's UUIDv7 ids: creation time in milliseconds, then random bits.
       (lpad(to_hex((extract(epoch FROM created) * 1000)::bigint), 12, '0') || '7' || substr(rnd, 1, 3) || '8' || substr(rnd, 4, 15))::uuid,
       email, email, -- already lower case: its own key
       first_n || ' ' || last_n, first_n, last_n, company,
       CASE h4 % 10 WHEN 0 THEN 'bounced' WHEN 1 THEN 'unsubscribed' ELSE 'active' END,
       (h5 % 101)::int,
       jsonb_build_object('plan', {plans}[1 + h6 % {n_plans}], 'seats', 1 + h6 / {n_plans} % 50,
                          'source', CASE WHEN i % {RARE_SOURCE_EVERY} = 0 THEN '{RARE_SOURCE}' ELSE 'web' END),
       created,
       created + ((h8 % 1000001) / 1000000.0)::float8 * (now() - created)
FROM (
  SELECT *, lower(first_n || '.' || last_n) || i || '@' || lower(replace(company, ' ', '')) || '.com' AS email
  FROM (
  SELECT i, h4, h5, h6, h8,
         md5($2::bigint || ':' || i) AS rnd,
         {first}[1 + h1 % {n_first}] AS first_n,
         {last}[1 + h2 % {n_last}] AS last_n,
         CASE WHEN i % {RARE_EVERY} = 0 THEN '{RARE_COMPANY}'
              ELSE {words}[1 + h3 % {n_words}] || ' ' || {kinds}[1 + h3 / {n_words} % {n_kinds}] END AS company,
         -- Spread over the two years before the seed.
         now() - (h7 % 63072000000000)::float8 * interval '1 microsecond' AS created
  FROM (SELECT i, {hashes} FROM generate_series($3::bigint, $4::bigint) AS i) AS hashed
  ) AS drawn
) AS picked
"#,
        plans = sql_array(PLANS),
        n_plans = PLANS.len(),
        first = sql_array(FIRST_NAMES),
        n_first = FIRST_NAMES.len(),
        last = sql_array(LAST_NAMES),
        n_last = LAST_NAMES.len(),
        words = sql_array(COMPANY_WORDS),
        n_words = COMPANY_WORDS.len(),
        kinds = sql_array(COMPANY_KINDS),
        n_kinds = COMPANY_KINDS.len(),
        hashes = hashes.join(", "),
    )
}

async fn print_dataset(db: &DatabaseConnection, tenant: Uuid) -> Result<(), BoxError> {
    let haystack = "(email || ' ' || name || ' ' || company)";
    let sql = format!(
        "SELECT count(*), count(*) FILTER (WHERE {haystack} ILIKE $2), count(*) FILTER (WHERE {haystack} ILIKE $3) FROM leads WHERE tenant_id = $1"
    );
    let values = [
        tenant.into(),
        contains_pattern(SELECTIVE_TERM).into(),
        contains_pattern(COMMON_TERM).into(),
    ];
    let row = db
        .query_one_raw(stmt(&sql, values))
        .await?
        .ok_or("no row")?;
    let (all, rare, common): (i64, i64, i64) = (
        row.try_get_by_index(0)?,
        row.try_get_by_index(1)?,
        row.try_get_by_index(2)?,
    );
    let all_leads: i64 = db
        .query_one_raw(stmt("SELECT count(*) FROM leads", []))
        .await?
        .ok_or("no row")?
        .try_get_by_index(0)?;
    let share = |n: i64| 100.0 * n as f64 / all.max(1) as f64;
    println!(
        "dataset: {} leads in all; big tenant {}: {SELECTIVE_TERM:?} in {} ({:.3}%), {COMMON_TERM:?} in {} ({:.1}%)",
        group_thousands(all_leads as u64),
        group_thousands(all as u64),
        group_thousands(rare as u64),
        share(rare),
        group_thousands(common as u64),
        share(common)
    );
    Ok(())
}

/// The sort key and id of the row at 1-based `position` in `updated desc` order: where a client
/// paging by cursor would be after `position` rows.
async fn row_at_depth(
    db: &DatabaseConnection,
    tenant: Uuid,
    position: u64,
) -> Result<(DateTime<Utc>, Uuid), BoxError> {
    let sql = "SELECT updated, id FROM leads WHERE tenant_id = $1 ORDER BY updated DESC, id DESC OFFSET $2 LIMIT 1";
    let row = db
        .query_one_raw(stmt(sql, [tenant.into(), (position as i64 - 1).into()]))
        .await?
        .ok_or("the tenant has fewer rows than BENCH_DEPTH")?;
    Ok((row.try_get("", "updated")?, row.try_get("", "id")?))
}

// ---------------------------------------------------------------------------------------------
// The app and the scenarios

async fn spawn_app(db: DatabaseConnection) -> Result<String, BoxError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    app::server::service::jobs::start_workers(db.clone());
    app::server::service::set_count_budget_ms(server::config::count_budget_ms()?);
    let router = server::router::build(AppState::new(db, server::config::leptos_options(addr)));
    tokio::spawn(async move {
        if let Err(err) = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        {
            eprintln!("app stopped: {err}");
        }
    });
    Ok(format!("http://{addr}"))
}

struct Bench {
    db: DatabaseConnection,
    ctx: TenantContext,
    client: Client,
    base: String,
    iters: usize,
    warmup: usize,
    explain: bool,
}

/// Sends a request and reads the whole body, which is part of what a client waits for.
async fn send(request: reqwest::RequestBuilder, expect: StatusCode) -> Result<(), BoxError> {
    let response = request.send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    if status != expect {
        return Err(format!(
            "expected {expect}, got {status}: {}",
            String::from_utf8_lossy(&body)
        )
        .into());
    }
    Ok(())
}

/// Times `http` and `sql` alternately, so load from anything else on the machine (builds, other
/// tests) falls on both sides alike rather than on whichever ran during it.
async fn time_interleaved(
    warmup: usize,
    iters: usize,
    mut http: impl AsyncFnMut(usize) -> Result<(), BoxError>,
    mut sql: impl AsyncFnMut(usize) -> Result<(), BoxError>,
) -> Result<(Vec<Duration>, Vec<Duration>), BoxError> {
    for i in 0..warmup {
        http(i).await?;
        sql(i).await?;
    }
    let (mut http_times, mut sql_times) = (Vec::with_capacity(iters), Vec::with_capacity(iters));
    for i in warmup..warmup + iters {
        let started = Instant::now();
        http(i).await?;
        http_times.push(started.elapsed());
        let started = Instant::now();
        sql(i).await?;
        sql_times.push(started.elapsed());
    }
    Ok((http_times, sql_times))
}

/// One list request as the service runs it: the capped total, then the page, in a tenant transaction.
#[derive(Clone)]
struct ListSql {
    tenant: Uuid,
    /// An ILIKE pattern over the concatenated fields (the trigram index's expression).
    pattern: Option<String>,
    /// Keyset position for `sort=updated&order=desc`.
    after: Option<(DateTime<Utc>, Uuid)>,
    /// Filter conditions as hand-written SQL with `?` placeholders, and their values.
    conditions: Vec<(&'static str, Vec<Value>)>,
    limit: i64,
    /// The `LIMIT` of the counting subquery: one past the cap on the total.
    count_limit: i64,
}

impl ListSql {
    fn new(tenant: Uuid) -> Self {
        Self {
            tenant,
            pattern: None,
            after: None,
            conditions: Vec::new(),
            limit: 20,
            count_limit: EXACT_TOTAL_CAP as i64 + 1,
        }
    }

    /// The two statements, in the text SeaORM renders for `list_leads::list`.
    fn statements(&self) -> (Statement, Statement) {
        let mut filter = r#""leads"."tenant_id" = ?"#.to_owned();
        let mut filter_values: Vec<Value> = vec![self.tenant.into()];
        if let Some(pattern) = &self.pattern {
            filter.push_str(
                r#" AND (("email" || ' ' || "name" || ' ' || "company") ILIKE ? ESCAPE '\')"#,
            );
            filter_values.push(pattern.clone().into());
        }
        for (condition, values) in &self.conditions {
            filter.push_str(" AND ");
            filter.push_str(condition);
            filter_values.extend(values.iter().cloned());
        }

        let count_sql = format!(
            r#"SELECT COUNT(*) FROM (SELECT ? FROM {LIST_FROM} WHERE {filter} LIMIT ?) AS "matches""#
        );
        let mut count_values: Vec<Value> = vec![1i32.into()];
        count_values.extend(filter_values.iter().cloned());
        count_values.push(self.count_limit.into());

        let mut page_values = filter_values;
        let mut page_where = filter;
        let paging = match self.after {
            Some((updated, id)) => {
                page_where.push_str(r#" AND "leads"."updated" <= ? AND ("leads"."updated" < ? OR ("leads"."updated" = ? AND "leads"."id" < ?))"#);
                page_values.extend([updated.into(), updated.into(), updated.into(), id.into()]);
                ""
            }
            None => " OFFSET ?",
        };
        let page_sql = format!(
            r#"SELECT {COLUMNS} FROM {LIST_FROM} WHERE {page_where} ORDER BY "leads"."updated" DESC, "leads"."id" DESC LIMIT ?{paging}"#
        );
        page_values.push((self.limit + 1).into());
        if self.after.is_none() {
            page_values.push(0i64.into());
        }
        (
            stmt(&numbered(&count_sql), count_values),
            stmt(&numbered(&page_sql), page_values),
        )
    }

    async fn begin(
        &self,
        db: &DatabaseConnection,
        ctx: &TenantContext,
    ) -> Result<DatabaseTransaction, BoxError> {
        let txn = tenant_txn(db, ctx).await?;
        if self.pattern.is_some() || !self.conditions.is_empty() {
            for setup in SEARCH_SETUP {
                txn.execute_unprepared(setup).await?;
            }
        }
        Ok(txn)
    }

    /// The capped count and the page's ids.
    async fn run(
        &self,
        db: &DatabaseConnection,
        ctx: &TenantContext,
    ) -> Result<(i64, Vec<Uuid>), BoxError> {
        let (count, page) = self.statements();
        let txn = self.begin(db, ctx).await?;
        let count: i64 = txn
            .query_one_raw(count)
            .await?
            .ok_or("the count returned no row")?
            .try_get_by_index(0)?;
        // Decoded into models, as the service does.
        let mut rows = lead::Entity::find().from_raw_sql(page).all(&txn).await?;
        txn.commit().await?;
        // One row more than the page was fetched only to tell whether another page follows.
        rows.truncate(self.limit as usize);
        Ok((count, rows.into_iter().map(|m| m.id).collect()))
    }

    async fn explain(&self, db: &DatabaseConnection, ctx: &TenantContext) -> Result<(), BoxError> {
        let (count, page) = self.statements();
        for (what, mut statement) in [("count", count), ("page", page)] {
            statement.sql = format!("EXPLAIN (ANALYZE, BUFFERS) {}", statement.sql);
            let txn = self.begin(db, ctx).await?;
            let lines = txn.query_all_raw(statement).await?;
            txn.commit().await?;
            println!("    -- {what}");
            for line in lines {
                println!("    {}", line.try_get_by_index::<String>(0)?);
            }
        }
        Ok(())
    }
}

/// Turns `?` placeholders into PostgreSQL's `$1, $2, …`, as SeaQuery does.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

async fn list_scenario(
    b: &Bench,
    name: &str,
    query: &str,
    mut sql: ListSql,
    target: Target,
) -> Result<Row, BoxError> {
    let url = format!("{}/api/v1/contacts?{query}", b.base);
    // Both sides must return the same page, or comparing their times means nothing.
    let page: serde_json::Value = b
        .client
        .get(&url)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let http_ids: Vec<Uuid> = page["data"]
        .as_array()
        .ok_or("no data")?
        .iter()
        .filter_map(|l| l["id"].as_str()?.parse().ok())
        .collect();
    let total = page["meta"]["total"].as_u64().ok_or("no total")?;
    let exact = page["meta"]["totalIsExact"]
        .as_bool()
        .ok_or("no totalIsExact")?;
    // A total over its time budget is the planner's estimate: only the rows can be compared.
    let estimate = page["meta"]["totalIsEstimate"].as_bool().unwrap_or(false);
    // A capped total shows the service's cap, so the SQL counts exactly as far as it does.
    if !exact && !estimate {
        sql.count_limit = total as i64 + 1;
    }
    let (count, sql_ids) = sql.run(&b.db, &b.ctx).await?;
    let total_agrees = estimate || total == (count as u64).min(sql.count_limit as u64 - 1);
    if http_ids != sql_ids || !total_agrees {
        return Err(format!("{name}: the SQL does not return what the API does ({} vs {} rows, total {total} vs {count})", http_ids.len(), sql_ids.len()).into());
    }
    let capped = match (estimate, exact) {
        (true, _) => " (an estimate: the exact count, {count}, ran over the time budget)"
            .replace("{count}", &group_thousands(count as u64)),
        (false, true) => String::new(),
        (false, false) => "+".to_owned(),
    };
    println!(
        "  {name}: {} rows, total {}{capped}",
        http_ids.len(),
        group_thousands(total)
    );
    if b.explain {
        sql.explain(&b.db, &b.ctx).await?;
    }

    let (http, direct) = time_interleaved(
        b.warmup,
        b.iters,
        async |_| send(b.client.get(&url), StatusCode::OK).await,
        async |_| sql.run(&b.db, &b.ctx).await.map(drop),
    )
    .await?;
    Ok(Row {
        name: name.to_owned(),
        http: Summary::of(http),
        sql: Summary::of(direct),
        target,
        rates: None,
    })
}

/// The filter language's targets (issue: p95 ≤ 20 ms, a rare value ≤ 10 ms), each with its total.
async fn filter_scenarios(b: &Bench, tenant: Uuid) -> Result<Vec<Row>, BoxError> {
    let with = |conditions: Vec<(&'static str, Vec<Value>)>| ListSql {
        conditions,
        ..ListSql::new(tenant)
    };
    // A month a year back: about 1 in 24 of the two seeded years.
    let month_start = (Utc::now() - chrono::Duration::days(365)).date_naive();
    let month_end = month_start + chrono::Duration::days(29);
    let (from, to) = (
        month_start.and_hms_opt(0, 0, 0).ok_or("date")?.and_utc(),
        (month_end + chrono::Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .ok_or("date")?
            .and_utc(),
    );
    let mut rows = Vec::new();
    rows.push(
        list_scenario(
            b,
            "filter plan = pro",
            "limit=20&filter=attributes.plan%3Aeq%3Apro",
            with(vec![(
                r#"("attributes" @> ?::jsonb)"#,
                vec![r#"{"plan":"pro"}"#.into()],
            )]),
            Target::MaxP95Ms(20.0),
        )
        .await?,
    );
    rows.push(
        list_scenario(
            b,
            "filter score+status",
            "limit=20&filter=score%3Abetween%3A70..80&filter=status%3Ain%3Aactive",
            with(vec![
                (
                    r#""leads"."score" BETWEEN ? AND ?"#,
                    vec![70i32.into(), 80i32.into()],
                ),
                (r#""leads"."status" IN (?)"#, vec!["active".into()]),
            ]),
            Target::MaxP95Ms(20.0),
        )
        .await?,
    );
    rows.push(
        list_scenario(
            b,
            "filter rare attr",
            &format!("limit=20&filter=attributes.source%3Aeq%3A{RARE_SOURCE}"),
            with(vec![(
                r#"("attributes" @> ?::jsonb)"#,
                vec![format!(r#"{{"source":"{RARE_SOURCE}"}}"#).into()],
            )]),
            Target::MaxP95Ms(10.0),
        )
        .await?,
    );
    rows.push(
        list_scenario(
            b,
            "filter date range",
            &format!("limit=20&filter=created%3Abetween%3A{month_start}..{month_end}"),
            with(vec![(
                r#""leads"."created" >= ? AND "leads"."created" < ?"#,
                vec![from.into(), to.into()],
            )]),
            Target::MaxP95Ms(20.0),
        )
        .await?,
    );
    Ok(rows)
}

/// Exports the whole big tenant as CSV through HTTP (rows/s), beside the service's own keyset
/// reads (chunks of 2,000 by id) run directly.
async fn export_scenario(b: &Bench) -> Result<Row, BoxError> {
    let started = Instant::now();
    let mut response = b
        .client
        .get(format!("{}/api/v1/contacts/export?format=csv", b.base))
        .send()
        .await?
        .error_for_status()?;
    let mut lines = 0u64;
    while let Some(chunk) = response.chunk().await? {
        lines += chunk.iter().filter(|&&c| c == b'\n').count() as u64;
    }
    let http = started.elapsed();
    let exported = lines.saturating_sub(1);

    let started = Instant::now();
    let mut after = Uuid::nil();
    let mut read = 0u64;
    loop {
        let sql = numbered(&format!(
            r#"SELECT {COLUMNS} FROM {LIST_FROM} WHERE "leads"."tenant_id" = ? AND "leads"."id" > ? ORDER BY "leads"."id" ASC LIMIT ?"#
        ));
        let txn = tenant_txn(&b.db, &b.ctx).await?;
        let rows = lead::Entity::find()
            .from_raw_sql(stmt(
                &sql,
                [b.ctx.tenant_id().into(), after.into(), 2000i64.into()],
            ))
            .all(&txn)
            .await?;
        txn.commit().await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        read += rows.len() as u64;
    }
    let sql = started.elapsed();
    if read != exported {
        return Err(format!("export: {exported} rows through HTTP, {read} read directly").into());
    }
    let http_rate = exported as f64 / http.as_secs_f64();
    let sql_rate = read as f64 / sql.as_secs_f64();
    println!(
        "  export csv: {} rows in {:.1} s through HTTP ({} rows/s); direct reads {:.1} s ({} rows/s)",
        group_thousands(exported),
        http.as_secs_f64(),
        group_thousands(http_rate as u64),
        sql.as_secs_f64(),
        group_thousands(sql_rate as u64)
    );
    let one = |d: Duration| Summary::of(vec![d]);
    Ok(Row {
        name: format!("export {}", short_count(exported)),
        http: one(http),
        sql: one(sql),
        target: Target::MinRate(100_000.0),
        rates: Some(Rates {
            http: http_rate,
            sql: sql_rate,
        }),
    })
}

/// Changes the status of ~500k contacts (active, score 0–61) as a bulk job through HTTP, until
/// the job reports done; beside it the same change as one UPDATE. Both are undone after.
async fn bulk_status_scenario(b: &Bench) -> Result<Row, BoxError> {
    const FILTER: &str = "status=active&filter=score%3Abetween%3A0..61";
    let tenant = b.ctx.tenant_id();
    let matching = "tenant_id = $1 AND status = 'active' AND score BETWEEN 0 AND 61";
    let count: i64 =
        b.db.query_one_raw(stmt(
            &format!("SELECT count(*) FROM leads WHERE {matching}"),
            [tenant.into()],
        ))
        .await?
        .ok_or("no count")?
        .try_get_by_index(0)?;
    let mark = Utc::now();
    let started = Instant::now();
    let job: serde_json::Value = b
        .client
        .post(format!("{}/api/v1/contacts/bulk", b.base))
        .json(&json!({ "filter": FILTER, "action": { "setStatus": "unsubscribed" } }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = job["id"].as_str().ok_or("no job id")?.to_owned();
    let done = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let job: serde_json::Value = b
            .client
            .get(format!("{}/api/v1/jobs/{id}", b.base))
            .send()
            .await?
            .json()
            .await?;
        if job["finished"].is_string() {
            break job;
        }
    };
    let http = started.elapsed();
    if done["state"] != "done" || done["counts"]["updated"].as_i64() != Some(count) {
        return Err(format!("bulk job: {done}").into());
    }
    let undo = "UPDATE leads SET status = 'active' WHERE tenant_id = $1 AND status = 'unsubscribed' AND updated >= $2";
    b.db.execute_raw(stmt(undo, [tenant.into(), mark.into()]))
        .await?;

    let mark = Utc::now();
    let started = Instant::now();
    b.db.execute_raw(stmt(
        &format!("UPDATE leads SET status = 'unsubscribed', updated = now() WHERE {matching}"),
        [tenant.into()],
    ))
    .await?;
    let sql = started.elapsed();
    b.db.execute_raw(stmt(undo, [tenant.into(), mark.into()]))
        .await?;
    println!(
        "  bulk status: {} contacts in {:.1} s as a job through HTTP; one UPDATE {:.1} s",
        group_thousands(count as u64),
        http.as_secs_f64(),
        sql.as_secs_f64()
    );
    let one = |d: Duration| Summary::of(vec![d]);
    Ok(Row {
        name: format!("bulk status {}", short_count(count as u64)),
        http: one(http),
        sql: one(sql),
        target: Target::MaxP95Ms(30_000.0),
        rates: None,
    })
}

async fn get_scenario(b: &Bench) -> Result<Row, BoxError> {
    // Different ids for each side, so neither reads pages the other has just brought into cache.
    let n = b.warmup + b.iters;
    let sql = "SELECT id FROM leads WHERE tenant_id = $1 ORDER BY random() LIMIT $2";
    let ids: Vec<Uuid> =
        b.db.query_all_raw(stmt(sql, [b.ctx.tenant_id().into(), (2 * n as i64).into()]))
            .await?
            .iter()
            .map(|r| r.try_get("", "id"))
            .collect::<Result<_, _>>()?;
    if ids.len() < 2 * n {
        return Err("too few leads to pick ids from".into());
    }
    let get_sql = numbered(&format!(
        r#"SELECT {COLUMNS} FROM "leads" WHERE "leads"."tenant_id" = ? AND "leads"."id" = ? LIMIT ?"#
    ));
    println!("  get by id: {} random ids", 2 * n);
    let (http, direct) = time_interleaved(
        b.warmup,
        b.iters,
        async |i| {
            send(
                b.client
                    .get(format!("{}/api/v1/contacts/{}", b.base, ids[i])),
                StatusCode::OK,
            )
            .await
        },
        async |i| {
            let txn = tenant_txn(&b.db, &b.ctx).await?;
            let found = lead::Entity::find()
                .from_raw_sql(stmt(
                    &get_sql,
                    [b.ctx.tenant_id().into(), ids[n + i].into(), 1i64.into()],
                ))
                .one(&txn)
                .await?;
            txn.commit().await?;
            found
                .map(drop)
                .ok_or_else(|| "a sampled lead is missing".into())
        },
    )
    .await?;
    Ok(Row {
        name: "get by id".into(),
        http: Summary::of(http),
        sql: Summary::of(direct),
        target: Target::None,
        rates: None,
    })
}

/// A new lead's fields, varied like the seeded ones; `side` keeps HTTP's and SQL's emails apart.
fn new_lead(run: u128, side: &str, i: usize) -> serde_json::Value {
    let (first, last) = (
        FIRST_NAMES[i % FIRST_NAMES.len()],
        LAST_NAMES[i / FIRST_NAMES.len() % LAST_NAMES.len()],
    );
    let company = format!(
        "{} {}",
        COMPANY_WORDS[i % COMPANY_WORDS.len()],
        COMPANY_KINDS[i / COMPANY_WORDS.len() % COMPANY_KINDS.len()]
    );
    json!({
        "email": format!("{}.{}.{run}.{side}{i}@{CREATED_DOMAIN}", first.to_lowercase(), last.to_lowercase()),
        "firstName": first,
        "lastName": last,
        "company": company,
        "status": "active",
        "score": (i % 101) as i64,
        "attributes": { "plan": PLANS[i % PLANS.len()], "seats": (i % 50 + 1) as i64 },
    })
}

/// A create the plain way: the contact's single-row INSERT in a tenant transaction (BEGIN, the
/// SETs, the INSERT, COMMIT), as every other tenant write runs; without the history the server
/// also records.
async fn insert_lead(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    lead: serde_json::Value,
) -> Result<(), BoxError> {
    let text = |k: &str| lead[k].as_str().unwrap_or_default().to_owned();
    let now = Utc::now().trunc_subsecs(6);
    let values: [Value; 13] = [
        ctx.tenant_id().into(),
        Uuid::now_v7().into(),
        text("email").into(),
        text("email").trim().to_lowercase().into(),
        format!("{} {}", text("firstName"), text("lastName")).into(),
        text("firstName").into(),
        text("lastName").into(),
        text("company").into(),
        text("status").into(),
        (lead["score"].as_i64().unwrap_or_default() as i32).into(),
        lead["attributes"].clone().into(),
        now.into(),
        now.into(),
    ];
    let columns = COLUMNS.replace(r#""leads"."#, "");
    let sql = format!(
        r#"INSERT INTO "leads" ({columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING {columns}"#
    );
    let txn = tenant_txn(db, ctx).await?;
    lead::Entity::find()
        .from_raw_sql(stmt(&sql, values))
        .one(&txn)
        .await?
        .ok_or("the insert returned no row")?;
    txn.commit().await?;
    Ok(())
}

/// Runs `op(0..total)` on `workers` tasks at once; the latencies, and the wall time for all.
async fn run_concurrently<F, Fut>(
    total: usize,
    workers: usize,
    op: F,
) -> Result<(Vec<Duration>, Duration), BoxError>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let (op, next) = (op.clone(), next.clone());
            tokio::spawn(async move {
                let mut samples = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return Ok::<_, BoxError>(samples);
                    }
                    let op_started = Instant::now();
                    op(i).await?;
                    samples.push(op_started.elapsed());
                }
            })
        })
        .collect();
    let mut samples = Vec::with_capacity(total);
    for task in tasks {
        samples.extend(task.await??);
    }
    Ok((samples, started.elapsed()))
}

async fn create_scenario(b: &Bench, total: usize, workers: usize) -> Result<Row, BoxError> {
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    let url = format!("{}/api/v1/contacts", b.base);
    let http_op = |side: &'static str| {
        let (client, url) = (b.client.clone(), url.clone());
        move |i| {
            send(
                client.post(&url).json(&new_lead(run, side, i)),
                StatusCode::CREATED,
            )
        }
    };
    let sql_op = |side: &'static str| {
        let (db, ctx) = (b.db.clone(), b.ctx.clone());
        move |i| {
            let (db, ctx) = (db.clone(), ctx.clone());
            async move { insert_lead(&db, &ctx, new_lead(run, side, i)).await }
        }
    };
    // Warmed up at full concurrency: that opens the pool's and the client's connections, which
    // the timed runs must not pay for.
    let warm = b.warmup.max(2 * workers);
    run_concurrently(warm, workers, http_op("hw")).await?;
    run_concurrently(warm, workers, sql_op("sw")).await?;
    // Not interleaved: each side gets the machine to itself for its whole run, which is what a
    // throughput figure needs.
    let (http, http_wall) = run_concurrently(total, workers, http_op("h")).await?;
    let (direct, sql_wall) = run_concurrently(total, workers, sql_op("s")).await?;

    let removed = remove_created(&b.db, b.ctx.tenant_id()).await?;
    let rates = Rates {
        http: total as f64 / http_wall.as_secs_f64(),
        sql: total as f64 / sql_wall.as_secs_f64(),
    };
    println!(
        "  create: {} per side at {workers} connections; {} created leads removed again",
        group_thousands(total as u64),
        group_thousands(removed)
    );
    Ok(Row {
        name: format!("create x{workers}"),
        http: Summary::of(http),
        sql: Summary::of(direct),
        target: Target::MinRate(3_000.0),
        rates: Some(rates),
    })
}

// ---------------------------------------------------------------------------------------------
// Report

#[derive(Clone, Copy)]
struct Summary {
    p50: f64,
    p95: f64,
    p99: f64,
}

impl Summary {
    /// Nearest-rank percentiles, in milliseconds.
    fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        let at = |q: f64| {
            let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
            samples[rank - 1].as_secs_f64() * 1000.0
        };
        Self {
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
        }
    }
}

enum Target {
    MaxP95Ms(f64),
    MinRate(f64),
    None,
}

struct Rates {
    http: f64,
    sql: f64,
}

struct Row {
    name: String,
    http: Summary,
    sql: Summary,
    target: Target,
    rates: Option<Rates>,
}

impl Row {
    fn target_and_verdict(&self) -> (String, &'static str) {
        let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
        match (&self.target, &self.rates) {
            (Target::MaxP95Ms(ms), _) => (format!("p95 <= {ms} ms"), verdict(self.http.p95 <= *ms)),
            (Target::MinRate(rate), Some(rates)) => (
                format!(">= {} /s", group_thousands(*rate as u64)),
                verdict(rates.http >= *rate),
            ),
            _ => ("-".into(), "-"),
        }
    }
}

fn print_table(rows: &[Row]) {
    println!();
    let header = format!(
        "{:<20} | {:>8} | {:>8} | {:>8} | {:>8} | {:>8} | {:>8} | {:>10} | {:<15} | {}",
        "scenario",
        "http p50",
        "p95",
        "p99",
        "sql p50",
        "p95",
        "p99",
        "overhead x",
        "target",
        "PASS/MISS"
    );
    println!("{header}");
    println!("{}", "-".repeat(header.len()));
    for row in rows {
        let (target, verdict) = row.target_and_verdict();
        println!(
            "{:<20} | {:>8.2} | {:>8.2} | {:>8.2} | {:>8.2} | {:>8.2} | {:>8.2} | {:>10.2} | {:<15} | {verdict}",
            row.name,
            row.http.p50,
            row.http.p95,
            row.http.p99,
            row.sql.p50,
            row.sql.p95,
            row.sql.p99,
            row.http.p95 / row.sql.p95,
            target
        );
    }
    println!("(latencies in ms; overhead x = HTTP p95 / SQL p95)");
    for row in rows {
        if let Some(rates) = &row.rates {
            println!(
                "{}: HTTP {} rows/s, SQL {} rows/s",
                row.name,
                group_thousands(rates.http as u64),
                group_thousands(rates.sql as u64)
            );
        }
    }
}

fn short_count(n: u64) -> String {
    match n {
        n if n >= 1_000_000 && n.is_multiple_of(1_000_000) => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n.is_multiple_of(1_000) => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}
