//! PostgreSQL row-level security: inside a tenant transaction even a query without any tenant
//! filter sees and touches only that tenant's rows. SQLite has no such layer; there the tests
//! return early.

mod common;

use app::domain::lead_input::NewLead;
use app::server::db::tenant_txn;
use common::{Backend, TestApp, TestUser, backend, spawn_app};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement, Value};
use serde_json::json;
use uuid::Uuid;

fn postgres_only(test: &str) -> bool {
    if backend() != Backend::Postgres {
        println!(
            "{test}: row-level security exists on PostgreSQL only; skipped (set LEADS_TEST_BACKEND=postgres)"
        );
        return false;
    }
    true
}

/// Two tenants with contacts, tokens and saved views made through the API: Alice has 2 of
/// each, Bob 3.
async fn two_tenants(app: &TestApp) -> (TestUser, TestUser) {
    let alice = app.signup("Alice Inc").await;
    let bob = app.signup("Bob Ltd").await;
    for (user, count) in [(&alice, 2), (&bob, 3)] {
        for i in 0..count {
            user.create_contact(
                app,
                json!({ "email": format!("c{i}@example.com"), "company": "Original" }),
            )
            .await;
            user.create_token(app, &format!("token {i}")).await;
            let (status, view) = user
                .post(
                    app,
                    "/api/v1/views",
                    json!({ "name": format!("view {i}"), "query": "" }),
                )
                .await;
            assert_eq!(status, reqwest::StatusCode::CREATED, "{view}");
        }
    }
    (alice, bob)
}

async fn tenant_ids(conn: &impl ConnectionTrait, table: &str) -> Vec<Uuid> {
    let rows = conn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT tenant_id FROM {table}"),
        ))
        .await
        .expect("select");
    rows.iter()
        .map(|row| row.try_get_by_index::<Uuid>(0).expect("uuid"))
        .collect()
}

async fn scalar(conn: &impl ConnectionTrait, sql: &str) -> String {
    let row = conn
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect("query")
        .expect("a row");
    row.try_get_by_index::<Option<String>>(0)
        .expect("text")
        .unwrap_or_default()
}

async fn exec(
    txn: &DatabaseTransaction,
    sql: &str,
    values: Vec<Value>,
) -> Result<u64, sea_orm::DbErr> {
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        values,
    ))
    .await
    .map(|r| r.rows_affected())
}

async fn txn_of(app: &TestApp, user: &TestUser) -> DatabaseTransaction {
    let ctx = app.context(&user.session).await;
    assert_eq!(ctx.tenant_id(), user.tenant_id);
    tenant_txn(&app.db, &ctx).await.expect("tenant transaction")
}

#[tokio::test]
async fn unfiltered_reads_see_only_the_tenants_rows() {
    if !postgres_only("unfiltered_reads_see_only_the_tenants_rows") {
        return;
    }
    let app = spawn_app().await;
    let (alice, bob) = two_tenants(&app).await;
    // The connection's own role sees everything: the rows are there to be hidden.
    assert_eq!(tenant_ids(&app.db, "leads").await.len(), 5);
    assert_eq!(tenant_ids(&app.db, "api_tokens").await.len(), 5);

    let txn = txn_of(&app, &alice).await;
    for (table, expected) in [
        ("leads", 2),
        ("api_tokens", 2),
        ("saved_views", 2),
        ("sessions", 1),
        ("memberships", 1),
    ] {
        let seen = tenant_ids(&txn, table).await;
        assert_eq!(seen, vec![alice.tenant_id; expected], "{table} as Alice");
    }
    txn.commit().await.unwrap();

    let txn = txn_of(&app, &bob).await;
    assert_eq!(
        tenant_ids(&txn, "leads").await,
        vec![bob.tenant_id; 3],
        "leads as Bob"
    );
    txn.commit().await.unwrap();
}

#[tokio::test]
async fn unfiltered_writes_reach_only_the_tenants_rows() {
    if !postgres_only("unfiltered_writes_reach_only_the_tenants_rows") {
        return;
    }
    let app = spawn_app().await;
    let (alice, bob) = two_tenants(&app).await;
    let bobs_leads = app.leads_in_db(bob.tenant_id).await;
    let bobs_tokens = app.tokens_in_db(bob.tenant_id).await;

    let txn = txn_of(&app, &alice).await;
    assert_eq!(
        exec(&txn, "UPDATE leads SET company = 'Overwritten'", vec![])
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        exec(&txn, "DELETE FROM api_tokens", vec![]).await.unwrap(),
        2
    );
    assert_eq!(exec(&txn, "DELETE FROM sessions", vec![]).await.unwrap(), 1);
    txn.commit().await.unwrap();
    assert!(
        app.leads_in_db(alice.tenant_id)
            .await
            .iter()
            .all(|l| l.company == "Overwritten")
    );
    assert!(app.tokens_in_db(alice.tenant_id).await.is_empty());
    assert_eq!(
        app.leads_in_db(bob.tenant_id).await,
        bobs_leads,
        "Bob's leads are untouched"
    );
    assert_eq!(
        app.tokens_in_db(bob.tenant_id).await,
        bobs_tokens,
        "Bob's tokens are untouched"
    );
    assert!(
        app.session_in_db(&bob.session).await.is_some(),
        "Bob is still signed in"
    );
}

#[tokio::test]
async fn rows_cannot_be_written_into_another_tenant() {
    if !postgres_only("rows_cannot_be_written_into_another_tenant") {
        return;
    }
    let app = spawn_app().await;
    let (alice, bob) = two_tenants(&app).await;
    let bobs_leads = app.leads_in_db(bob.tenant_id).await;
    let insert = "INSERT INTO leads (tenant_id, id, email, created, updated) VALUES ($1, $2, 'planted@example.com', now(), now())";

    let txn = txn_of(&app, &alice).await;
    let err = exec(
        &txn,
        insert,
        vec![bob.tenant_id.into(), Uuid::now_v7().into()],
    )
    .await
    .expect_err("inserting a row for Bob must fail");
    assert!(err.to_string().contains("row-level security"), "{err}");
    drop(txn);

    let txn = txn_of(&app, &alice).await;
    let err = exec(
        &txn,
        "UPDATE leads SET tenant_id = $1",
        vec![bob.tenant_id.into()],
    )
    .await
    .expect_err("moving rows to Bob must fail");
    // Citus refuses before the policy can: a row never changes its distribution column.
    assert!(
        err.to_string().contains("row-level security")
            || (common::on_citus()
                && err
                    .to_string()
                    .contains("modifying the partition value of rows is not allowed")),
        "{err}"
    );
    drop(txn);

    let txn = txn_of(&app, &alice).await;
    let token = "INSERT INTO api_tokens (tenant_id, id, user_id, name, secret_hash, prefix, created) VALUES ($1, $2, $3, 'planted', 'x', 'x', now())";
    assert!(
        exec(
            &txn,
            token,
            vec![
                bob.tenant_id.into(),
                Uuid::now_v7().into(),
                bob.user_id.into()
            ]
        )
        .await
        .is_err()
    );
    drop(txn);

    let txn = txn_of(&app, &alice).await;
    let view = "INSERT INTO saved_views (tenant_id, id, name, name_key, query, created, updated) VALUES ($1, $2, 'planted', 'planted', '', now(), now())";
    let err = exec(
        &txn,
        view,
        vec![bob.tenant_id.into(), Uuid::now_v7().into()],
    )
    .await
    .expect_err("planting a view in Bob's workspace must fail");
    assert!(err.to_string().contains("row-level security"), "{err}");
    drop(txn);

    let txn = txn_of(&app, &alice).await;
    let job = "INSERT INTO jobs (tenant_id, id, kind, state, started_by, created) VALUES ($1, $2, 'bulk.delete', 'queued', $3, now())";
    let err = exec(
        &txn,
        job,
        vec![
            bob.tenant_id.into(),
            Uuid::now_v7().into(),
            bob.user_id.into(),
        ],
    )
    .await
    .expect_err("planting a job in Bob's workspace must fail");
    assert!(err.to_string().contains("row-level security"), "{err}");
    drop(txn);

    for (table, planted) in [
        (
            "import_changes",
            "INSERT INTO import_changes (tenant_id, import_id, lead_id, written) VALUES ($1, $2, $2, now())",
        ),
        (
            "import_errors",
            "INSERT INTO import_errors (tenant_id, import_id, row_number, fields, message, cells) VALUES ($1, $2, 2, 'email', 'x', '[]')",
        ),
        (
            "invitations",
            "INSERT INTO invitations (tenant_id, id, email, email_key, role, secret_hash, invited_by, created, expires) VALUES ($1, $2, 'x@y.co', 'x@y.co', 'owner', 'h', $2, now(), now())",
        ),
        (
            "lead_events",
            "INSERT INTO lead_events (tenant_id, id, lead_id, at, kind, via, changes) VALUES ($1, $2, $2, now(), 'deleted', 'ui', '{}')",
        ),
        (
            "memberships",
            "INSERT INTO memberships (tenant_id, user_id, role, created) VALUES ($1, $2, 'owner', now())",
        ),
    ] {
        let txn = txn_of(&app, &alice).await;
        let err = exec(
            &txn,
            planted,
            vec![bob.tenant_id.into(), Uuid::now_v7().into()],
        )
        .await
        .expect_err("planting rows in Bob's workspace must fail");
        assert!(
            err.to_string().contains("row-level security"),
            "{table}: {err}"
        );
        drop(txn);
    }

    // Its own tenant is fine, in the same kind of transaction.
    let txn = txn_of(&app, &alice).await;
    assert_eq!(
        exec(
            &txn,
            insert,
            vec![alice.tenant_id.into(), Uuid::now_v7().into()]
        )
        .await
        .unwrap(),
        1
    );
    txn.commit().await.unwrap();
    assert_eq!(app.leads_in_db(alice.tenant_id).await.len(), 3);
    assert_eq!(app.leads_in_db(bob.tenant_id).await, bobs_leads);
    assert_eq!(app.tokens_in_db(bob.tenant_id).await.len(), 3);
}

#[tokio::test]
async fn tenant_work_runs_as_the_unprivileged_role() {
    if !postgres_only("tenant_work_runs_as_the_unprivileged_role") {
        return;
    }
    let app = spawn_app().await;
    let (alice, _) = two_tenants(&app).await;
    let txn = txn_of(&app, &alice).await;
    assert_eq!(scalar(&txn, "SELECT current_user::text").await, "leads_app");
    assert_eq!(
        scalar(
            &txn,
            "SELECT (rolsuper OR rolbypassrls)::text FROM pg_roles WHERE rolname = current_user"
        )
        .await,
        "false"
    );
    assert_eq!(
        scalar(&txn, "SELECT current_setting('app.tenant_id', true)").await,
        alice.tenant_id.to_string()
    );
    txn.commit().await.unwrap();
    // Neither the role nor the tenant outlives the transaction on any pooled connection.
    for _ in 0..40 {
        assert_ne!(
            scalar(&app.db, "SELECT current_user::text").await,
            "leads_app"
        );
        assert_eq!(
            scalar(&app.db, "SELECT current_setting('app.tenant_id', true)").await,
            ""
        );
    }
}

/// A create on PostgreSQL is one statement (the `create_lead` function) that switches role and
/// tenant itself: what it sets must end with it, and what it writes must be the caller's.
#[tokio::test]
async fn a_create_switches_role_and_tenant_for_its_own_statement_only() {
    if !postgres_only("a_create_switches_role_and_tenant_for_its_own_statement_only") {
        return;
    }
    let app = spawn_app().await;
    let (alice, bob) = two_tenants(&app).await;
    let bobs_leads = app.leads_in_db(bob.tenant_id).await;
    // A pool of one connection: the checks below run on the connection the create used.
    let mut options = sea_orm::ConnectOptions::new(app.db_url().to_owned());
    options.max_connections(1).sqlx_logging(false);
    let one = sea_orm::Database::connect(options).await.expect("connect");
    let ctx = app.context(&alice.session).await;
    let new = NewLead::from_json(&json!({ "email": "one@example.com" })).expect("valid");
    let lead = app::server::service::leads::create(&one, &ctx, new)
        .await
        .expect("created");
    assert_eq!(lead.tenant_id, alice.tenant_id);
    assert_ne!(scalar(&one, "SELECT current_user::text").await, "leads_app");
    assert_eq!(
        scalar(&one, "SELECT current_setting('app.tenant_id', true)").await,
        ""
    );
    // The same email again is a duplicate, found on that connection too, and writes nothing.
    let again = NewLead::from_json(&json!({ "email": "ONE@example.com" })).expect("valid");
    let err = app::server::service::leads::create(&one, &ctx, again)
        .await
        .expect_err("a duplicate");
    assert!(
        matches!(err, app::domain::error::AppError::DuplicateEmail { existing_id } if existing_id == lead.id),
        "{err:?}"
    );
    assert_eq!(app.leads_in_db(alice.tenant_id).await.len(), 3);
    assert_eq!(app.leads_in_db(bob.tenant_id).await, bobs_leads);
    let events = scalar(
        &one,
        &format!(
            "SELECT count(*)::text FROM lead_events WHERE tenant_id = '{}' AND lead_id = '{}'",
            alice.tenant_id, lead.id
        ),
    )
    .await;
    assert_eq!(events, "1");
}

async fn ids_from(conn: &impl ConnectionTrait, sql: &str) -> Vec<Uuid> {
    conn.query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect("select")
        .iter()
        .map(|row| row.try_get_by_index::<Uuid>(0).expect("uuid"))
        .collect()
}

#[tokio::test]
async fn a_tenant_sees_only_its_workspace_its_members_and_no_password_hash() {
    if !postgres_only("a_tenant_sees_only_its_workspace_its_members_and_no_password_hash") {
        return;
    }
    let app = spawn_app().await;
    let (alice, bob) = two_tenants(&app).await;
    assert_eq!(ids_from(&app.db, "SELECT id FROM users").await.len(), 2);

    let txn = txn_of(&app, &alice).await;
    assert_eq!(
        ids_from(&txn, "SELECT id FROM tenants").await,
        vec![alice.tenant_id]
    );
    assert_eq!(
        ids_from(&txn, "SELECT id FROM users").await,
        vec![alice.user_id]
    );
    txn.commit().await.unwrap();

    let txn = txn_of(&app, &bob).await;
    let err = txn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT password_hash FROM users",
        ))
        .await
        .expect_err("password hashes are not granted to the app role");
    assert!(err.to_string().contains("permission denied"), "{err}");
}

#[tokio::test]
async fn the_read_view_shows_the_tenants_own_rows_and_nothing_without_a_tenant() {
    if !postgres_only("the_read_view_shows_the_tenants_own_rows_and_nothing_without_a_tenant") {
        return;
    }
    let app = spawn_app().await;
    let (alice, bob) = two_tenants(&app).await;
    for (user, expected) in [(&alice, 2), (&bob, 3)] {
        let txn = txn_of(&app, user).await;
        // Its own rows come back (an empty answer would pass an isolation-only check).
        assert_eq!(
            tenant_ids(&txn, "tenant_leads").await,
            vec![user.tenant_id; expected]
        );
        txn.commit().await.unwrap();
    }
    // As the app role with no tenant set (and after one was set and ended): no rows, no error.
    use sea_orm::TransactionTrait;
    for _ in 0..2 {
        let txn = app.db.begin().await.unwrap();
        txn.execute_unprepared("SET LOCAL ROLE leads_app")
            .await
            .unwrap();
        assert!(tenant_ids(&txn, "tenant_leads").await.is_empty());
        assert!(tenant_ids(&txn, "leads").await.is_empty());
        txn.commit().await.unwrap();
        let used = txn_of(&app, &alice).await;
        used.commit().await.unwrap();
    }
}

/// A database user that cannot switch to the app role must stop start-up with a clear reason,
/// instead of failing every request later.
#[tokio::test]
async fn a_missing_role_grant_stops_start_up() {
    if !postgres_only("a_missing_role_grant_stops_start_up") {
        return;
    }
    let app = spawn_app().await; // makes sure the cluster-wide app role exists
    let admin = sea_orm::Database::connect(app.db_url()).await.unwrap();
    let suffix = Uuid::new_v4().simple().to_string();
    let (role, database) = (
        format!("leads_plain_{suffix}"),
        format!("leads_plain_{suffix}"),
    );
    admin
        .execute_unprepared(&format!("CREATE ROLE {role} LOGIN"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {database} OWNER {role}"))
        .await
        .unwrap();
    let base = app.db_url();
    let host = common::database_authority(base);
    let url = format!("postgres://{role}@{host}/{database}");
    let conn = app::server::db::connect(&url).await.unwrap();
    let err = app::server::db::migrate(&conn)
        .await
        .expect_err("start-up must fail");
    assert!(
        err.to_string()
            .contains("cannot switch to the role leads_app"),
        "{err}"
    );
    conn.close().await.ok();
    admin
        .execute_unprepared(&format!("DROP DATABASE {database} WITH (FORCE)"))
        .await
        .ok();
    admin
        .execute_unprepared(&format!("DROP ROLE {role}"))
        .await
        .ok();
}
