//! Citus (distributed PostgreSQL): the tables are sharded by tenant, and a tenant's own rows come
//! back. Citus's failure mode is an empty result (the tenant setting never reaching a worker),
//! which a test that only checks isolation would pass, so these check the rows that must be there.
//!
//! Runs only with `LEADS_TEST_CITUS_URL` set (see `common`); elsewhere each test prints a note.

mod common;

use app::server::db::tenant_txn;
use common::{TestApp, TestUser, on_citus, query, spawn_app};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

fn citus_only(test: &str) -> bool {
    if !on_citus() {
        println!("{test}: runs on Citus only; skipped (set LEADS_TEST_CITUS_URL)");
        return false;
    }
    true
}

/// Every tenant table the migrations create; a new one must be added here and distributed.
const TENANT_TABLES: [&str; 10] = [
    "leads",
    "memberships",
    "sessions",
    "api_tokens",
    "saved_views",
    "jobs",
    "import_changes",
    "import_errors",
    "invitations",
    "lead_events",
];

async fn rows(conn: &impl ConnectionTrait, sql: &str) -> Vec<sea_orm::QueryResult> {
    conn.query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn count(conn: &impl ConnectionTrait, sql: &str) -> i64 {
    rows(conn, sql).await[0].try_get_by_index(0).unwrap()
}

/// The `host:port` of the worker holding `tenant`'s shard of `leads`.
async fn worker_of(app: &TestApp, tenant: Uuid) -> String {
    let sql = format!(
        "SELECT nodename || ':' || nodeport FROM citus_shards \
         WHERE table_name = 'leads'::regclass \
           AND shardid = get_shard_id_for_distribution_column('leads', '{tenant}')"
    );
    rows(&app.db, &sql).await[0].try_get_by_index(0).unwrap()
}

async fn worker_count(app: &TestApp) -> i64 {
    count(
        &app.db,
        "SELECT count(*) FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary'",
    )
    .await
}

#[tokio::test]
async fn every_tenant_table_is_distributed_by_tenant_and_colocated_with_leads() {
    if !citus_only("every_tenant_table_is_distributed_by_tenant_and_colocated_with_leads") {
        return;
    }
    let app = spawn_app().await;
    // Every table with a tenant_id, not only the known ones: a table a later migration adds
    // and forgets to distribute fails here.
    let with_tenant: BTreeSet<String> = rows(
        &app.db,
        "SELECT c.table_name::text FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
         WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id'
           AND t.table_type = 'BASE TABLE'",
    )
    .await
    .iter()
    .map(|r| r.try_get_by_index(0).unwrap())
    .collect();
    for table in TENANT_TABLES {
        assert!(with_tenant.contains(table), "{table} has no tenant_id");
    }
    let dist: BTreeMap<String, (String, Option<String>, i32)> = rows(
        &app.db,
        "SELECT logicalrelid::regclass::text, partmethod::text,
                column_to_column_name(logicalrelid, partkey)::text, colocationid
         FROM pg_dist_partition",
    )
    .await
    .iter()
    .map(|r| {
        (
            r.try_get_by_index(0).unwrap(),
            (
                r.try_get_by_index(1).unwrap(),
                r.try_get_by_index(2).unwrap(),
                r.try_get_by_index(3).unwrap(),
            ),
        )
    })
    .collect();
    let leads_group = dist.get("leads").expect("leads is distributed").2;
    for table in &with_tenant {
        assert_eq!(
            dist.get(table.as_str()),
            Some(&("h".to_owned(), Some("tenant_id".to_owned()), leads_group)),
            "{table}: hash-distributed by tenant_id, co-located with leads"
        );
    }
    for table in ["tenants", "users", "password_resets"] {
        let reference = count(
            &app.db,
            &format!(
                "SELECT count(*) FROM pg_dist_partition
                 WHERE logicalrelid = '{table}'::regclass AND partmethod = 'n' AND repmodel = 't'"
            ),
        )
        .await;
        assert_eq!(reference, 1, "{table} is a reference table");
    }
}

#[tokio::test]
async fn leads_has_shards_on_every_worker() {
    if !citus_only("leads_has_shards_on_every_worker") {
        return;
    }
    let app = spawn_app().await;
    let workers = worker_count(&app).await;
    assert!(workers >= 2, "the cluster has {workers} workers");
    let holding = count(
        &app.db,
        "SELECT count(DISTINCT (nodename, nodeport)) FROM citus_shards
         WHERE table_name = 'leads'::regclass",
    )
    .await;
    assert_eq!(holding, workers, "leads has shards on every worker");
    // Nothing of a tenant table stays on the coordinator.
    let on_coordinator = count(
        &app.db,
        "SELECT count(*) FROM citus_shards s JOIN pg_dist_node n
           ON (n.nodename, n.nodeport) = (s.nodename, s.nodeport)
         WHERE n.groupid = 0 AND s.citus_table_type = 'distributed'",
    )
    .await;
    assert_eq!(on_coordinator, 0);
}

/// Signs up workspaces until one lives on each worker, so every worker serves a tenant.
async fn tenants_on_every_worker(app: &TestApp) -> Vec<TestUser> {
    let workers = worker_count(app).await as usize;
    let mut by_worker: BTreeMap<String, TestUser> = BTreeMap::new();
    for i in 0..40 {
        let user = app.signup(&format!("Workspace {i}")).await;
        let worker = worker_of(app, user.tenant_id).await;
        by_worker.entry(worker).or_insert(user);
        if by_worker.len() == workers {
            return by_worker.into_values().collect();
        }
    }
    panic!("40 workspaces all landed on {:?}", by_worker.keys());
}

fn emails(list: &Value) -> BTreeSet<String> {
    list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|l| l["email"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_tenants_own_contacts_come_back_through_the_api_on_every_worker() {
    if !citus_only("a_tenants_own_contacts_come_back_through_the_api_on_every_worker") {
        return;
    }
    let app = spawn_app().await;
    let users = tenants_on_every_worker(&app).await;
    for (n, user) in users.iter().enumerate() {
        let mine: BTreeSet<String> = (0..3).map(|i| format!("w{n}c{i}@example.com")).collect();
        let mut ids = Vec::new();
        for (i, email) in mine.iter().enumerate() {
            let created = user
                .create_contact(
                    &app,
                    json!({ "email": email, "company": if i == 0 { "Needle Corp" } else { "Hay" } }),
                )
                .await;
            ids.push(created["id"].as_str().unwrap().to_owned());
        }

        // List: all of its own, and only those.
        let (status, list) = user.list(&app, "limit=50").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(
            emails(&list),
            mine,
            "tenant {n}: its own contacts come back"
        );
        assert_eq!(list["meta"]["total"], 3, "{list}");

        // Search (the trigram index through the read view).
        let (status, found) = user.list(&app, &query(&[("search", "needle")])).await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(
            emails(&found),
            BTreeSet::from([format!("w{n}c0@example.com")]),
            "tenant {n}: search"
        );

        // Get and patch.
        let (status, got) = user
            .get(&app, &format!("/api/v1/contacts/{}", ids[1]))
            .await;
        assert_eq!(status, StatusCode::OK, "{got}");
        assert_eq!(got["email"], format!("w{n}c1@example.com"));
        let (status, patched) = user
            .patch(
                &app,
                &format!("/api/v1/contacts/{}", ids[1]),
                json!({ "company": "Patched" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{patched}");
        assert_eq!(patched["company"], "Patched");
        let (_, got) = user
            .get(&app, &format!("/api/v1/contacts/{}", ids[1]))
            .await;
        assert_eq!(got["company"], "Patched", "tenant {n}: the patch is stored");

        // Bulk on ids.
        let (status, body) = user
            .post(
                &app,
                "/api/v1/contacts/bulk",
                json!({ "ids": ids, "action": { "setStatus": "bounced" } }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["counts"]["updated"], 3, "tenant {n}: bulk {body}");
        let (_, bounced) = user.list(&app, "status=bounced").await;
        assert_eq!(emails(&bounced), mine, "tenant {n}: bulk is stored");

        // Export.
        let response = user
            .request(&app, reqwest::Method::GET, "/api/v1/contacts/export")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let csv = response.text().await.unwrap();
        assert_eq!(
            csv.lines().count(),
            4,
            "tenant {n}: header and 3 rows\n{csv}"
        );
        for email in &mine {
            assert!(csv.contains(email.as_str()), "tenant {n}: {email} exported");
        }

        // Who am I (the users policy), and the token list (another co-located table).
        let (status, me) = user.get(&app, "/api/v1/auth/me").await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["user"]["email"], user.email.as_str());
        user.create_token(&app, "citus").await;
        let (status, tokens) = user.get(&app, "/api/v1/tokens").await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        assert_eq!(tokens.as_array().map(Vec::len), Some(1), "{tokens}");
    }
}

#[tokio::test]
async fn row_level_security_confines_a_forgotten_filter_on_the_shards() {
    if !citus_only("row_level_security_confines_a_forgotten_filter_on_the_shards") {
        return;
    }
    let app = spawn_app().await;
    let users = tenants_on_every_worker(&app).await;
    for (n, user) in users.iter().enumerate() {
        for i in 0..=n {
            user.create_contact(&app, json!({ "email": format!("r{i}@example.com") }))
                .await;
        }
    }
    let all = count(&app.db, "SELECT count(*) FROM leads").await;
    assert_eq!(all as usize, (1..=users.len()).sum::<usize>());

    for (n, user) in users.iter().enumerate() {
        let ctx = app.context(&user.session).await;
        let txn = tenant_txn(&app.db, &ctx).await.unwrap();
        // No tenant filter at all: the policy on the shards supplies it. Its own rows, not zero.
        assert_eq!(
            count(&txn, "SELECT count(*) FROM leads").await,
            n as i64 + 1,
            "tenant {n}: leads"
        );
        assert_eq!(
            count(&txn, "SELECT count(*) FROM tenant_leads").await,
            n as i64 + 1,
            "tenant {n}: the read view"
        );
        assert_eq!(count(&txn, "SELECT count(*) FROM memberships").await, 1);
        assert_eq!(count(&txn, "SELECT count(*) FROM sessions").await, 1);
        assert_eq!(count(&txn, "SELECT count(*) FROM tenants").await, 1);
        assert_eq!(count(&txn, "SELECT count(*) FROM users").await, 1);
        // A write for another tenant fails the policy on its shard.
        let other = users[(n + 1) % users.len()].tenant_id;
        let err = txn
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "INSERT INTO leads (tenant_id, id, email, created, updated) VALUES ($1, $2, 'x@y.z', now(), now())",
                [other.into(), Uuid::now_v7().into()],
            ))
            .await
            .expect_err("inserting into another tenant");
        assert!(err.to_string().contains("row-level security"), "{err}");
        txn.rollback().await.unwrap();
    }

    // The app role without a tenant sees nothing, and pooled worker connections (which keep an
    // empty setting) do not turn that into an error.
    for _ in 0..3 {
        let txn = app.db.begin().await.unwrap();
        txn.execute_unprepared("SET LOCAL ROLE leads_app")
            .await
            .unwrap();
        assert_eq!(count(&txn, "SELECT count(*) FROM leads").await, 0);
        assert_eq!(count(&txn, "SELECT count(*) FROM tenant_leads").await, 0);
        txn.commit().await.unwrap();
    }
}
