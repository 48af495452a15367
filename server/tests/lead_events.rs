//! Each contact's history: every kind of change is recorded, by whom and through which door,
//! in the same transaction as the change. On both backends.

mod common;

use common::{TestApp, TestUser, assert_error, read, spawn_app, wait_for_job};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn events(app: &TestApp, user: &TestUser, id: &str) -> Vec<Value> {
    let (status, body) = user
        .get(app, &format!("/api/v1/contacts/{id}/events"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["kind"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn every_change_to_a_contact_is_in_its_history() {
    let app = spawn_app().await;
    let owner = app.signup("History").await;
    let token = owner.create_token(&app, "crm-sync").await;
    let api = owner.with_token(token["token"].as_str().unwrap());

    // Created in the app (a session).
    let lead = owner
        .create_contact(
            &app,
            json!({"email": "h@example.com", "company": "Acme", "attributes": {"plan": "free"}}),
        )
        .await;
    let id = lead["id"].as_str().unwrap();
    // Edited over the API with a token.
    let (status, _) = api
        .patch(
            &app,
            &format!("/api/v1/contacts/{id}"),
            json!({"company": "Acme Ltd", "score": 40, "attributes": {"plan": "pro"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // An edit that changes nothing records nothing.
    let (status, _) = owner
        .post(
            &app,
            "/api/v1/contacts/batch",
            json!({"mode": "upsert", "items": [{"email": "h@example.com", "company": "Acme Ltd"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Bulk on a selection, then on a filter (a job).
    let (status, _) = owner
        .post(
            &app,
            "/api/v1/contacts/bulk",
            json!({"ids": [id], "action": {"setStatus": "bounced"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, job) = owner
        .post(
            &app,
            "/api/v1/contacts/bulk",
            json!({"filter": "status=bounced", "action": {"setAttribute": {"key": "tier", "value": "gold"}}}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    wait_for_job(&app, &owner, job["id"].as_str().unwrap()).await;
    // Imported over it.
    let form = Form::new()
        .part(
            "file",
            Part::bytes(b"email,first name\nh@example.com,Hana\n".to_vec())
                .file_name("c.csv")
                .mime_str("text/csv")
                .unwrap(),
        )
        .text("options", json!({"mode": "upsert"}).to_string());
    let (status, import) = read(
        owner
            .request(&app, Method::POST, "/api/v1/imports")
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{import}");
    wait_for_job(&app, &owner, import["job"]["id"].as_str().unwrap()).await;

    let history = events(&app, &owner, id).await;
    assert_eq!(
        kinds(&history),
        [
            "imported",
            "bulk_changed",
            "bulk_changed",
            "updated",
            "created"
        ],
        "{history:#?}"
    );
    let [imported, by_filter, by_ids, edited, created] = &history[..] else {
        unreachable!()
    };
    assert_eq!(created["via"], "ui");
    assert_eq!(
        created["actor"],
        json!({"userId": owner.user_id.to_string()})
    );
    assert_eq!(
        created["changes"]["email"],
        json!({"from": null, "to": "h@example.com"})
    );
    assert_eq!(created["changes"]["attributes.plan"]["to"], "free");

    assert_eq!(edited["via"], "api");
    assert_eq!(edited["actor"]["token"], "crm-sync");
    assert_eq!(
        edited["changes"],
        json!({
            "company": {"from": "Acme", "to": "Acme Ltd"},
            "score": {"from": 0, "to": 40},
            "attributes.plan": {"from": "free", "to": "pro"},
        })
    );
    assert_eq!(
        by_ids["changes"],
        json!({"status": {"from": "active", "to": "bounced"}})
    );
    assert_eq!(by_ids["via"], "ui");
    assert_eq!(
        by_ids["actor"],
        json!({"userId": owner.user_id.to_string()})
    );
    assert_eq!(by_filter["via"], "bulk");
    assert_eq!(
        by_filter["changes"],
        json!({"attributes.tier": {"from": null, "to": "gold"}})
    );
    assert_eq!(imported["via"], "import");
    assert_eq!(
        imported["changes"]["firstName"],
        json!({"from": null, "to": "Hana"})
    );

    // Deleted: the history stays readable, ending with what the contact was.
    let (status, _) = owner.delete(&app, &format!("/api/v1/contacts/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let history = events(&app, &owner, id).await;
    assert_eq!(history[0]["kind"], "deleted");
    assert_eq!(
        history[0]["changes"]["email"],
        json!({"from": "h@example.com", "to": null})
    );
    assert_eq!(history.len(), 6);

    // Another workspace sees nothing of it, as if it never existed.
    let other = app.signup("Elsewhere").await;
    let (status, body) = other
        .get(&app, &format!("/api/v1/contacts/{id}/events"))
        .await;
    assert_error((status, body), StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn bulk_deletes_imports_and_their_undo_are_recorded_per_contact() {
    let app = spawn_app().await;
    let owner = app.signup("Bulk history").await;
    let form = Form::new().part(
        "file",
        Part::bytes(b"email\na@example.com\nb@example.com\n".to_vec())
            .file_name("c.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    let (status, import) = read(
        owner
            .request(&app, Method::POST, "/api/v1/imports")
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{import}");
    let import_id = import["job"]["id"].as_str().unwrap().to_owned();
    wait_for_job(&app, &owner, &import_id).await;
    let (ids, _) = owner.list_ids(&app, "sort=email&order=asc").await;
    assert_eq!(ids.len(), 2);
    for id in &ids {
        assert_eq!(kinds(&events(&app, &owner, id).await), ["imported"]);
    }
    // Undo deletes what the import created, and says so.
    let (status, revert) = owner
        .post(
            &app,
            &format!("/api/v1/imports/{import_id}/revert"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{revert}");
    wait_for_job(&app, &owner, revert["id"].as_str().unwrap()).await;
    for id in &ids {
        let history = events(&app, &owner, id).await;
        assert_eq!(kinds(&history), ["deleted", "imported"]);
        assert_eq!(history[0]["via"], "import");
    }

    // A bulk delete of a selection records one event per contact it removed.
    let mut made = Vec::new();
    for n in 0..3 {
        let c = owner
            .create_contact(&app, json!({"email": format!("d{n}@example.com")}))
            .await;
        made.push(c["id"].as_str().unwrap().to_owned());
    }
    let (status, body) = owner
        .post(
            &app,
            "/api/v1/contacts/bulk",
            json!({"ids": made, "action": {"delete": true}}),
        )
        .await;
    assert_eq!(
        (status, body["counts"]["deleted"].as_u64()),
        (StatusCode::OK, Some(3))
    );
    for id in &made {
        assert_eq!(
            kinds(&events(&app, &owner, id).await),
            ["deleted", "created"]
        );
    }
}
