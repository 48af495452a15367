//! `POST /api/v1/contacts/batch`: partial success, in order, create and upsert.

mod common;

use common::{field_error, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn statuses(body: &Value) -> Vec<&str> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn create_mode_answers_each_item_on_its_own() {
    let app = spawn_app().await;
    let user = app.signup("Batch").await;
    let existing = user
        .create_contact(&app, json!({ "email": "kept@example.com" }))
        .await;
    let (status, body) = user
        .post(
            &app,
            "/api/v1/contacts/batch",
            json!({ "mode": "create", "items": [
            { "email": "new@example.com", "company": "Acme", "attributes": { "plan": "pro" } },
            { "email": "not an email" },
            { "email": "KEPT@example.com" },
            "not an object",
            { "email": "new2@example.com", "bogus": 1 },
            { "email": "new3@example.com", "score": 7 },
        ] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        statuses(&body),
        ["created", "error", "error", "error", "error", "created"]
    );
    let results = body["results"].as_array().unwrap();
    assert_eq!(
        results
            .iter()
            .map(|r| r["index"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5]
    );
    assert_eq!(results[1]["error"]["code"], "validation");
    assert!(results[1]["error"]["fields"]["email"].is_string());
    assert_eq!(results[2]["error"]["code"], "duplicate_email");
    assert_eq!(results[2]["error"]["existingId"], existing["id"]);
    let (_, created) = user
        .get(
            &app,
            &format!("/api/v1/contacts/{}", results[0]["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(
        (
            created["company"].as_str(),
            created["attributes"]["plan"].as_str()
        ),
        (Some("Acme"), Some("pro"))
    );
    let (_, list) = user.list(&app, "").await;
    assert_eq!(
        list["meta"]["total"], 3,
        "kept, new and new3; nothing half-written"
    );
}

#[tokio::test]
async fn upsert_edits_by_email_and_reports_what_changed() {
    let app = spawn_app().await;
    let user = app.signup("Upsert").await;
    let other = app.signup("Elsewhere").await;
    let theirs = other
        .create_contact(&app, json!({ "email": "shared@example.com", "score": 1 }))
        .await;
    let ann = user
        .create_contact(
            &app,
            json!({ "email": "ann@example.com", "company": "Old", "score": 5 }),
        )
        .await;
    let bob = user
        .create_contact(
            &app,
            json!({ "email": "bob@example.com", "company": "Same" }),
        )
        .await;

    let (status, body) = user
        .post(
            &app,
            "/api/v1/contacts/batch",
            json!({ "mode": "upsert", "items": [
            { "email": "ANN@example.com", "company": "New" },
            { "email": "bob@example.com", "company": "Same" },
            { "email": "shared@example.com", "score": 50 },
            { "email": "ann@example.com", "score": "high" },
        ] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        statuses(&body),
        ["updated", "unchanged", "created", "error"]
    );
    let results = body["results"].as_array().unwrap();
    assert_eq!(results[0]["id"], ann["id"]);
    assert_eq!(results[1]["id"], bob["id"]);

    let (_, ann_now) = user
        .get(
            &app,
            &format!("/api/v1/contacts/{}", ann["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(
        (ann_now["company"].as_str(), ann_now["score"].as_i64()),
        (Some("New"), Some(5)),
        "only given fields change"
    );
    let (_, bob_now) = user
        .get(
            &app,
            &format!("/api/v1/contacts/{}", bob["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(
        bob_now["updated"], bob["updated"],
        "an unchanged contact is not rewritten"
    );
    let (_, theirs_now) = other
        .get(
            &app,
            &format!("/api/v1/contacts/{}", theirs["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(
        theirs_now, theirs,
        "another workspace's contact with that email is untouched"
    );
}

#[tokio::test]
async fn a_malformed_batch_is_a_400_naming_why() {
    let app = spawn_app().await;
    let user = app.signup("Bad batch").await;
    let too_many: Vec<Value> = (0..1001)
        .map(|i| json!({ "email": format!("x{i}@example.com") }))
        .collect();
    for (body, field) in [
        (json!({ "items": too_many }), "items"),
        (json!({ "mode": "replace", "items": [] }), "mode"),
        (json!({ "items": {} }), "items"),
        (json!({ "items": [], "extra": true }), "extra"),
    ] {
        let (status, answer) = user.post(&app, "/api/v1/contacts/batch", body).await;
        field_error(status, &answer, field);
    }
    let (status, body) = user
        .post(&app, "/api/v1/contacts/batch", json!({ "items": [] }))
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "results": [] })));
}
