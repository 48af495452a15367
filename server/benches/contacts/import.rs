//! `BENCH_ONLY=import`: a generated CSV (names, companies, statuses, three custom attributes,
//! 1% bad rows, 1% duplicates) imported into an empty workspace through HTTP, as a job; then
//! the same file again in upsert mode (every row already there); beside both, a raw `COPY` of
//! the same good rows into the same table. On SQLite, the import beside raw prepared inserts.

use super::*;

/// The workspace the import runs in; emptied before and after.
const IMPORT_TENANT: &str = "bench-import";

struct ImportFile {
    csv: Vec<u8>,
    /// The rows an import should create: the good ones, each email once.
    good: u64,
    /// The same rows as `COPY … (FORMAT csv)` input, tenant and ids filled in (SQLite's raw
    /// inserts read them too).
    copy: Vec<u8>,
}

fn import_file(rows: u64, tenant: Uuid) -> ImportFile {
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut copy = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "Email",
        "First Name",
        "Last Name",
        "Company",
        "Status",
        "Score",
        "Plan",
        "Seats",
        "Source",
    ])
    .unwrap();
    let now = Utc::now().trunc_subsecs(6).to_rfc3339();
    let mut good = 0;
    for i in 0..rows as usize {
        let lead = new_lead(0, "import", i);
        let text = |k: &str| lead[k].as_str().unwrap_or_default().to_owned();
        let email = match i % 100 {
            // 1% bad: no @.
            7 => format!("bad-row-{i}"),
            // 1% duplicates of the row before (the later row wins).
            13 => new_lead(0, "import", i - 1)["email"]
                .as_str()
                .unwrap()
                .to_owned(),
            _ => text("email"),
        };
        let status = ["active", "Bounced", "unsubscribed"][i % 3];
        let plan = lead["attributes"]["plan"].as_str().unwrap().to_owned();
        let seats = lead["attributes"]["seats"].to_string();
        let source = ["web", "event", "referral"][i % 3];
        let score = lead["score"].to_string();
        csv.write_record([
            email.as_str(),
            &text("firstName"),
            &text("lastName"),
            &text("company"),
            status,
            &score,
            &plan,
            &seats,
            source,
        ])
        .unwrap();
        // Rows the import keeps: not bad, and not the earlier of a duplicate pair.
        if i % 100 != 7 && i % 100 != 12 {
            good += 1;
            let attributes = json!({ "Plan": plan, "Seats": seats, "Source": source }).to_string();
            copy.write_record([
                tenant.to_string(),
                Uuid::now_v7().to_string(),
                email.clone(),
                email.to_lowercase(),
                format!("{} {}", text("firstName"), text("lastName")),
                text("firstName"),
                text("lastName"),
                text("company"),
                status.to_lowercase(),
                score,
                attributes,
                now.clone(),
                now.clone(),
            ])
            .unwrap();
        }
    }
    ImportFile {
        csv: csv.into_inner().unwrap(),
        good,
        copy: copy.into_inner().unwrap(),
    }
}

/// The process's resident memory in MB (the app runs in this process).
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Uploads the file, follows the job to its end; the elapsed time, the final import and the
/// peak RSS seen while it ran.
async fn run_import(
    client: &Client,
    base: &str,
    csv: &[u8],
    mode: &str,
) -> Result<(Duration, serde_json::Value, f64), BoxError> {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.to_vec()).file_name("bench.csv"),
        )
        .text("options", json!({ "mode": mode }).to_string());
    let started = Instant::now();
    let mut peak = rss_mb();
    let import: serde_json::Value = client
        .post(format!("{base}/api/v1/imports"))
        .multipart(form)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = import["job"]["id"]
        .as_str()
        .ok_or("no import id")?
        .to_owned();
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        peak = peak.max(rss_mb());
        let now: serde_json::Value = client
            .get(format!("{base}/api/v1/imports/{id}"))
            .send()
            .await?
            .json()
            .await?;
        if now["job"]["finished"].is_string() {
            return Ok((started.elapsed(), now, peak));
        }
    }
}

async fn empty(db: &DatabaseConnection, tenant: Uuid) -> Result<(), BoxError> {
    db.execute_raw(stmt(
        "DELETE FROM leads WHERE tenant_id = $1",
        [tenant.into()],
    ))
    .await?;
    db.execute_unprepared("VACUUM (INDEX_CLEANUP ON) leads")
        .await?;
    Ok(())
}

pub async fn import_scenarios(b: &Bench, rows: u64) -> Result<Vec<Row>, BoxError> {
    let ctx = sign_in_or_up(&b.db, IMPORT_TENANT).await?;
    let tenant = ctx.tenant_id();
    empty(&b.db, tenant).await?;
    let client = super::api_client(&b.db, &ctx, 1).await?;
    let file = import_file(rows, tenant);
    let baseline = rss_mb();
    println!(
        "  import file: {} rows, {:.0} MB; {} good rows after 1% bad and 1% duplicates",
        group_thousands(rows),
        file.csv.len() as f64 / 1e6,
        group_thousands(file.good)
    );

    let (took, first, peak) = run_import(&client, &b.base, &file.csv, "create").await?;
    let created = first["job"]["counts"]["created"].as_u64().unwrap_or(0);
    if first["job"]["state"] != "done" || created != file.good {
        return Err(format!("import: {first}").into());
    }
    let (again, second, peak2) = run_import(&client, &b.base, &file.csv, "upsert").await?;
    if second["job"]["state"] != "done"
        || second["job"]["counts"]["unchanged"].as_u64() != Some(file.good)
    {
        return Err(format!("re-import: {second}").into());
    }
    empty(&b.db, tenant).await?;

    // Raw COPY of the same good rows, as the table's owner.
    let pool = b.db.get_postgres_connection_pool();
    let mut conn = pool.acquire().await?;
    let columns = COLUMNS.replace(r#""leads"."#, "");
    let started = Instant::now();
    let mut copy = conn
        .copy_in_raw(&format!(
            "COPY leads ({columns}) FROM STDIN WITH (FORMAT csv)"
        ))
        .await?;
    copy.send(file.copy.as_slice()).await?;
    let copied = copy.finish().await?;
    let copy_took = started.elapsed();
    drop(conn);
    empty(&b.db, tenant).await?;

    let rate = |n: u64, d: Duration| n as f64 / d.as_secs_f64();
    let (import_rate, upsert_rate, copy_rate) =
        (rate(rows, took), rate(rows, again), rate(copied, copy_took));
    println!(
        "  import (create): {:.1} s, {} rows/s; upsert re-import: {:.1} s, {} rows/s; raw COPY: {:.1} s, {} rows/s",
        took.as_secs_f64(),
        group_thousands(import_rate as u64),
        again.as_secs_f64(),
        group_thousands(upsert_rate as u64),
        copy_took.as_secs_f64(),
        group_thousands(copy_rate as u64)
    );
    println!(
        "  process RSS: {baseline:.0} MB before (the bench's own copy of the file included), peak {:.0} MB while importing",
        peak.max(peak2)
    );
    let one = |d: Duration| Summary::of(vec![d]);
    let sqlite = sqlite_import(&file, rows).await?;
    Ok(vec![
        sqlite,
        Row {
            name: format!("import {}", short_count(rows)),
            http: one(took),
            sql: one(copy_took),
            target: Target::MinRate(copy_rate * 0.5),
            rates: Some(Rates {
                http: import_rate,
                sql: copy_rate,
            }),
        },
        Row {
            name: format!("re-import {}", short_count(rows)),
            http: one(again),
            sql: one(copy_took),
            target: Target::MinRate(25_000.0),
            rates: Some(Rates {
                http: upsert_rate,
                sql: copy_rate,
            }),
        },
    ])
}

/// `BENCH_ONLY=import-sqlite`: the SQLite import alone, with no PostgreSQL involved.
pub async fn sqlite_only(rows: u64) -> Result<Vec<Row>, BoxError> {
    let file = import_file(rows, Uuid::nil());
    Ok(vec![sqlite_import(&file, rows).await?])
}

/// The same file into a fresh SQLite database (the zero-configuration default), through HTTP;
/// beside it, the raw inserts of its good rows into another fresh one.
async fn sqlite_import(file: &ImportFile, rows: u64) -> Result<Row, BoxError> {
    let dir = tempfile::tempdir()?;
    let db = fresh_sqlite(&dir.path().join("bench.db")).await?;
    let base = spawn_app(db.clone()).await?;
    let ctx = sign_in_or_up(&db, IMPORT_TENANT).await?;
    let client = super::api_client(&db, &ctx, 1).await?;
    let baseline = rss_mb();
    let (took, done, peak) = run_import(&client, &base, &file.csv, "create").await?;
    if done["job"]["counts"]["created"].as_u64() != Some(file.good) {
        return Err(format!("SQLite import: {done}").into());
    }
    let (inserted, raw_took) = sqlite_raw_inserts(&file.copy, &dir.path().join("raw.db")).await?;
    let rate = rows as f64 / took.as_secs_f64();
    let raw_rate = inserted as f64 / raw_took.as_secs_f64();
    println!(
        "  import on SQLite: {:.1} s, {} rows/s; process RSS {baseline:.0} MB before, peak {peak:.0} MB; raw inserts: {:.1} s, {} rows/s",
        took.as_secs_f64(),
        group_thousands(rate as u64),
        raw_took.as_secs_f64(),
        group_thousands(raw_rate as u64)
    );
    let one = |d: Duration| Summary::of(vec![d]);
    Ok(Row {
        name: format!("import {} sqlite", short_count(rows)),
        http: one(took),
        sql: one(raw_took),
        target: Target::MinRate(20_000.0),
        rates: Some(Rates {
            http: rate,
            sql: raw_rate,
        }),
    })
}

async fn fresh_sqlite(path: &std::path::Path) -> Result<DatabaseConnection, BoxError> {
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = db::connect_with(&url, Duration::from_secs(3600)).await?;
    db::migrate(&db).await?;
    Ok(db)
}

const RAW_INSERT: &str = "INSERT INTO leads (tenant_id, id, email, email_key, name, first_name, \
    last_name, company, status, score, attributes, created, updated) \
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// SQLite's raw figure (it has no `COPY`): the good rows inserted into the contacts table of a
/// fresh database, with all its indexes, by one prepared `INSERT` in a single transaction, on a
/// connection set up as the app's are. Only the contacts: none of the import's history rows.
async fn sqlite_raw_inserts(
    copy: &[u8],
    path: &std::path::Path,
) -> Result<(u64, Duration), BoxError> {
    use sea_orm::sqlx::{self, Connection};
    let db = fresh_sqlite(path).await?;
    let tenant = sign_in_or_up(&db, IMPORT_TENANT).await?.tenant_id();
    let rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(copy)
        .into_records()
        .collect::<Result<Vec<_>, _>>()?;
    let mut conn = db.get_sqlite_connection_pool().acquire().await?;
    let started = Instant::now();
    let mut txn = conn.begin().await?;
    for r in &rows {
        sqlx::query(RAW_INSERT)
            .bind(tenant)
            .bind(Uuid::parse_str(&r[1])?)
            .bind(&r[2])
            .bind(&r[3])
            .bind(&r[4])
            .bind(&r[5])
            .bind(&r[6])
            .bind(&r[7])
            .bind(&r[8])
            .bind(r[9].parse::<i32>()?)
            .bind(&r[10])
            .bind(&r[11])
            .bind(&r[12])
            .execute(&mut *txn)
            .await?;
    }
    txn.commit().await?;
    Ok((rows.len() as u64, started.elapsed()))
}
