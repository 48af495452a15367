//! The contact list: filter, sort (always tie-broken by id), offset or keyset paging, and a
//! total that is exact up to `EXACT_TOTAL_CAP` matches and a lower bound beyond. On PostgreSQL
//! a searched or filtered total gets a time budget (`COUNT_BUDGET_MS`); past it the page comes with the
//! planner's estimate instead, marked as one, rather than waiting on the count.

use super::filter_sql;
use super::leads::to_lead;
use super::tenant_context::TenantContext;
use crate::domain::error::AppError;
use crate::domain::list_query::{
    Cursor, EXACT_TOTAL_CAP, LeadPage, ListMeta, ListQuery, Order, SortField, SortKey,
};
use crate::server::db::{ViewReads, tenant_txn};
use crate::server::entity::lead;
use chrono::DateTime;
use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Value,
};

fn sort_column(sort: SortField) -> lead::Column {
    match sort {
        SortField::Updated => lead::Column::Updated,
        SortField::Created => lead::Column::Created,
        SortField::Email => lead::Column::Email,
        SortField::Name => lead::Column::Name,
        SortField::Company => lead::Column::Company,
        SortField::Score => lead::Column::Score,
    }
}

fn sort_key(sort: SortField, m: &lead::Model) -> SortKey {
    match sort {
        SortField::Updated => SortKey::Time(m.updated.timestamp_micros()),
        SortField::Created => SortKey::Time(m.created.timestamp_micros()),
        SortField::Email => SortKey::Text(m.email.clone()),
        SortField::Name => SortKey::Text(m.name.clone()),
        SortField::Company => SortKey::Text(m.company.clone()),
        SortField::Score => SortKey::Int(m.score.into()),
    }
}

fn key_value(key: &SortKey) -> Result<Value, AppError> {
    Ok(match key {
        SortKey::Text(s) => s.clone().into(),
        SortKey::Int(i) => (*i).into(),
        SortKey::Time(us) => DateTime::from_timestamp_micros(*us)
            .ok_or_else(|| AppError::invalid("cursor", "is not a cursor this API issued"))?
            .into(),
    })
}

/// `LIKE` pattern matching `search` as a literal substring: `%`, `_` and `\` lose their meaning.
pub fn contains_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for c in search.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

pub(super) fn filter(ctx: &TenantContext, query: &ListQuery, backend: DbBackend) -> Condition {
    let mut cond = Condition::all().add(lead::Column::TenantId.eq(ctx.tenant_id()));
    if let Some(status) = query.status {
        cond = cond.add(lead::Column::Status.eq(status.as_str()));
    }
    for condition in &query.filters {
        cond = cond.add(filter_sql::condition(backend, condition));
    }
    if let Some(search) = &query.search {
        // One expression over the three fields, matching the trigram index on PostgreSQL.
        // SQLite's LIKE is already case-insensitive (for ASCII). sea-query only substitutes
        // the backend's own placeholder style: `$1` on PostgreSQL, `?` on SQLite.
        let (op, param) = if backend == DbBackend::Postgres {
            ("ILIKE", "$1")
        } else {
            ("LIKE", "?")
        };
        let sql =
            format!(r#"("email" || ' ' || "name" || ' ' || "company") {op} {param} ESCAPE '\'"#);
        cond = cond.add(Expr::cust_with_values(sql, [contains_pattern(search)]));
    }
    cond
}

/// Rows strictly after the cursor in the requested order. The redundant `col <= v` (or `>=`)
/// gives the planner an index range on both backends.
fn after_cursor(cursor: &Cursor) -> Result<Condition, AppError> {
    let col = sort_column(cursor.sort);
    let v = key_value(&cursor.key)?;
    let id = cursor.id;
    Ok(match cursor.order {
        Order::Asc => Condition::all().add(col.gte(v.clone())).add(
            Condition::any()
                .add(col.gt(v.clone()))
                .add(Condition::all().add(col.eq(v)).add(lead::Column::Id.gt(id))),
        ),
        Order::Desc => Condition::all().add(col.lte(v.clone())).add(
            Condition::any()
                .add(col.lt(v.clone()))
                .add(Condition::all().add(col.eq(v)).add(lead::Column::Id.lt(id))),
        ),
    })
}

/// On PostgreSQL, reads go through the `tenant_leads` view (aliased as `leads`), so the
/// search index can be used under row-level security (see migration m0003).
pub(super) fn read_from_tenant_view(select: &mut SelectStatement, backend: DbBackend) {
    if backend == DbBackend::Postgres {
        select
            .from_clear()
            .from_as(Alias::new("tenant_leads"), lead::Entity);
    }
}

async fn capped_total<C: ConnectionTrait>(
    conn: &C,
    cond: Condition,
) -> Result<(u64, bool), AppError> {
    let mut inner = Query::select()
        .expr(Expr::val(1))
        .from(lead::Entity)
        .cond_where(cond)
        .limit(EXACT_TOTAL_CAP + 1)
        .to_owned();
    read_from_tenant_view(&mut inner, conn.get_database_backend());
    let outer = Query::select()
        .expr(SimpleExpr::from(Expr::cust("COUNT(*)")))
        .from_subquery(inner, Alias::new("matches"))
        .to_owned();
    let row = conn.query_one(&outer).await?.ok_or(AppError::Internal)?;
    let count: i64 = row.try_get_by_index(0)?;
    let count = count as u64;
    Ok(if count > EXACT_TOTAL_CAP {
        (EXACT_TOTAL_CAP, false)
    } else {
        (count, true)
    })
}

/// What a count may cost a page before the estimate stands in for it, unless configured.
pub const COUNT_BUDGET_MS: u32 = 15;
static COUNT_BUDGET: std::sync::atomic::AtomicU32 =
    std::sync::atomic::AtomicU32::new(COUNT_BUDGET_MS);

/// Sets the count budget for this process (`LEADS_COUNT_BUDGET_MS`).
pub fn set_count_budget_ms(ms: u32) {
    COUNT_BUDGET.store(ms.max(1), std::sync::atomic::Ordering::Relaxed);
}

/// A total: the number, whether exact, whether the planner's estimate.
type Total = (u64, bool, bool);

/// The capped count within `COUNT_BUDGET_MS`, else the planner's estimate. The time limit is
/// set inside a savepoint that is always rolled back, which also restores the usual limit.
async fn budgeted_total<C: ConnectionTrait>(conn: &C, cond: Condition) -> Result<Total, AppError> {
    let budget = COUNT_BUDGET.load(std::sync::atomic::Ordering::Relaxed);
    // Two statements: a sharded cluster replays a `SET LOCAL`'s whole text on its workers.
    conn.execute_unprepared("SAVEPOINT total_budget").await?;
    // No parallel workers for it: a leader that gives up at its limit still waits for workers
    // it asked for to start and stop, which cost the budget again (28 ms seen for a 25 ms one).
    conn.execute_unprepared(&format!(
        "SET LOCAL statement_timeout = {budget}; SET LOCAL max_parallel_workers_per_gather = 0"
    ))
    .await?;
    let counted = capped_total(conn, cond.clone()).await;
    conn.execute_unprepared("ROLLBACK TO SAVEPOINT total_budget")
        .await?;
    match counted {
        Ok((total, exact)) => Ok((total, exact, false)),
        Err(AppError::TimedOut) => Ok((estimated_total(conn, cond).await?, false, true)),
        Err(e) => Err(e),
    }
}

/// The planner's row estimate for the matching rows (PostgreSQL).
async fn estimated_total<C: ConnectionTrait>(conn: &C, cond: Condition) -> Result<u64, AppError> {
    let mut select = Query::select()
        .expr(Expr::val(1))
        .from(lead::Entity)
        .cond_where(cond)
        .to_owned();
    read_from_tenant_view(&mut select, DbBackend::Postgres);
    let (sql, values) = select.build(sea_orm::sea_query::PostgresQueryBuilder);
    let explain = sea_orm::Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!("EXPLAIN (FORMAT JSON) {sql}"),
        values,
    );
    let row = conn
        .query_one_raw(explain)
        .await?
        .ok_or(AppError::Internal)?;
    let plan: serde_json::Value = row.try_get_by_index(0)?;
    Ok(plan_rows(&plan[0]["Plan"]).max(0.0).round() as u64)
}

/// A plan's row estimate. On a sharded cluster the distributed scan (possibly under a view's
/// node) estimates nothing; the estimate is its shard plan's, once per task.
fn plan_rows(plan: &serde_json::Value) -> f64 {
    let job = &plan["Distributed Query"]["Job"];
    if let Some(rows) = job["Tasks"][0]["Remote Plan"][0][0]["Plan"]["Plan Rows"].as_f64() {
        return rows * job["Task Count"].as_f64().unwrap_or(1.0).max(1.0);
    }
    match plan["Plan Rows"].as_f64() {
        Some(rows) if rows > 0.0 => rows,
        _ => plan["Plans"].as_array().map_or(0.0, |children| {
            children.iter().map(plan_rows).fold(0.0, f64::max)
        }),
    }
}

/// How many contacts match `query` (exact up to the cap), within an open tenant transaction.
pub(super) async fn total<C: ConnectionTrait>(
    conn: &C,
    ctx: &TenantContext,
    query: &ListQuery,
) -> Result<(u64, bool), AppError> {
    capped_total(conn, filter(ctx, query, conn.get_database_backend())).await
}

pub(super) async fn list(
    db: &DatabaseConnection,
    ctx: &TenantContext,
    query: &ListQuery,
) -> Result<LeadPage, AppError> {
    let backend = db.get_database_backend();
    let txn = tenant_txn(db, ctx).await?;
    let searched = query.is_searched();
    if backend == DbBackend::Postgres && searched {
        // A generic cached plan cannot know how selective a pattern or a filter value is;
        // plan each such query.
        txn.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
            .await?;
    }
    let cond = filter(ctx, query, backend);
    let view_reads = ViewReads::begin(&txn, searched).await?;
    let budgeted = backend == DbBackend::Postgres && searched;
    let (mut total, total_is_exact, total_is_estimate) = if budgeted {
        budgeted_total(&txn, cond.clone()).await?
    } else {
        let (total, exact) = capped_total(&txn, cond.clone()).await?;
        (total, exact, false)
    };

    let col = sort_column(query.sort);
    let order = match query.order {
        Order::Asc => sea_orm::Order::Asc,
        Order::Desc => sea_orm::Order::Desc,
    };
    let mut select = lead::Entity::find().filter(cond);
    match &query.cursor {
        Some(cursor) => select = select.filter(after_cursor(cursor)?),
        None => select = select.offset(query.offset()),
    }
    let mut select = select
        .order_by(col, order.clone())
        .order_by(lead::Column::Id, order)
        .limit(query.limit as u64 + 1);
    read_from_tenant_view(QuerySelect::query(&mut select), backend);
    let mut rows = select.all(&txn).await?;
    view_reads.end(&txn).await?;
    txn.commit().await?;

    let has_more = rows.len() > query.limit as usize;
    rows.truncate(query.limit as usize);
    if total_is_estimate {
        // An estimate never claims fewer rows than this page proves exist.
        let seen = query.offset() + rows.len() as u64 + u64::from(has_more);
        total = total.max(seen);
    }
    let next_cursor = has_more.then(|| rows.last()).flatten().map(|last| {
        Cursor {
            sort: query.sort,
            order: query.order,
            key: sort_key(query.sort, last),
            id: last.id,
        }
        .encode()
    });
    let limit = query.limit as u64;
    Ok(LeadPage {
        data: rows.into_iter().map(to_lead).collect(),
        meta: ListMeta {
            total,
            page: query.page,
            limit: query.limit,
            total_pages: total.div_ceil(limit),
            total_is_exact,
            total_is_estimate,
            next_cursor,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::{contains_pattern, plan_rows};

    #[test]
    fn estimates_come_from_the_shard_plan_on_a_cluster() {
        let plain = serde_json::json!({ "Plan Rows": 120.0 });
        assert_eq!(plan_rows(&plain), 120.0);
        let sharded = serde_json::json!({
            "Plan Rows": 0.0,
            "Distributed Query": { "Job": { "Task Count": 1, "Tasks": [
                { "Remote Plan": [[{ "Plan": { "Plan Rows": 30000.0 } }]] }
            ] } }
        });
        assert_eq!(plan_rows(&sharded), 30000.0);
        let under_a_view = serde_json::json!({ "Plan Rows": 0.0, "Plans": [sharded] });
        assert_eq!(plan_rows(&under_a_view), 30000.0);
    }

    #[test]
    fn wildcards_are_escaped() {
        assert_eq!(contains_pattern(r"50%_a\b"), r"%50\%\_a\\b%");
    }
}
