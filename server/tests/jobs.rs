//! The job queue: a request only records a job; workers of any instance sharing the database
//! run it, each job exactly once; a cancel before a job starts means it never does.

mod common;

use common::{
    AppOptions, TestApp, TestUser, insert_contacts, spawn_app, spawn_app_with, wait_for_job,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// An instance that accepts requests but runs no jobs, as one of several behind a balancer.
async fn without_workers() -> TestApp {
    spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await
}

async fn start_bulk(app: &TestApp, user: &TestUser, action: Value) -> String {
    let (status, job) = user
        .post(
            app,
            "/api/v1/contacts/bulk",
            json!({ "filter": "", "action": action }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["state"], "queued");
    job["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_job_recorded_by_one_instance_is_run_by_another() {
    let app = without_workers().await;
    let user = app.signup("Queue").await;
    insert_contacts(&app, &user, 300).await;
    let id = start_bulk(&app, &user, json!({ "setStatus": "bounced" })).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (_, waiting) = user.get(&app, &format!("/api/v1/jobs/{id}")).await;
    assert_eq!(waiting["state"], "queued", "nobody runs it yet: {waiting}");

    // Another instance's workers, on the same database.
    app::server::service::jobs::start_workers(app.db.clone());
    let done = wait_for_job(&app, &user, &id).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["counts"]["updated"], 300, "{done}");
}

#[tokio::test]
async fn instances_sharing_the_queue_run_each_job_once() {
    let app = spawn_app().await;
    // Two more sets of workers on the same database: three instances in all.
    app::server::service::jobs::start_workers(app.db.clone());
    app::server::service::jobs::start_workers(app.db.clone());
    let user = app.signup("Shared").await;
    insert_contacts(&app, &user, 200).await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let action = json!({ "setAttribute": { "key": format!("k{i}"), "value": i } });
        ids.push(start_bulk(&app, &user, action).await);
    }
    for id in ids {
        let job = wait_for_job(&app, &user, &id).await;
        assert_eq!(job["state"], "done", "{job}");
        // Run twice, a second run would have found every contact unchanged.
        assert_eq!(
            (
                job["counts"]["updated"].as_u64(),
                job["counts"]["unchanged"].as_u64()
            ),
            (Some(200), Some(0)),
            "{job}"
        );
    }
    let leads = app.leads_in_db(user.tenant_id).await;
    assert!(leads.iter().all(|l| l.attributes["k7"] == json!(7)));
}

#[tokio::test]
async fn a_job_cancelled_before_it_starts_never_runs() {
    let app = without_workers().await;
    let user = app.signup("Early cancel").await;
    insert_contacts(&app, &user, 50).await;
    let id = start_bulk(&app, &user, json!({ "delete": true })).await;
    let (status, job) = user
        .post(&app, &format!("/api/v1/jobs/{id}/cancel"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{job}");
    assert_eq!(job["state"], "cancelled", "{job}");
    assert!(job["finished"].is_string());

    app::server::service::jobs::start_workers(app.db.clone());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.leads_in_db(user.tenant_id).await.len(), 50);
    let (_, job) = user.get(&app, &format!("/api/v1/jobs/{id}")).await;
    assert_eq!(job["state"], "cancelled");
}
