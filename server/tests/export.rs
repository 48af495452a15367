//! `GET /api/v1/contacts/export`: CSV and JSON Lines of everything a filter matches.

mod common;

use common::{TestApp, TestUser, field_error, insert_contacts, query, spawn_app};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use serde_json::{Value, json};
use std::collections::BTreeSet;

async fn export(app: &TestApp, user: &TestUser, query: &str) -> (StatusCode, String, String) {
    let response = user
        .request(
            app,
            reqwest::Method::GET,
            &format!("/api/v1/contacts/export?{query}"),
        )
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    if status == StatusCode::OK {
        let disposition = response
            .headers()
            .get(CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\"contacts-"),
            "{disposition}"
        );
    }
    (status, content_type, response.text().await.unwrap())
}

fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[tokio::test]
async fn csv_holds_every_matching_contact_with_a_column_per_attribute() {
    let app = spawn_app().await;
    let user = app.signup("Export").await;
    let other = app.signup("Not exported").await;
    other
        .create_contact(
            &app,
            json!({ "email": "secret@example.com", "attributes": { "plan": "pro" } }),
        )
        .await;
    let tricky = "line one\nline \"two\", with a comma";
    for body in [
        json!({ "email": "ann@example.com", "firstName": "Ann", "lastName": "Lee", "company": "Acme, Inc.", "score": 80, "attributes": { "plan": "pro", "seats": 5, "vip": true } }),
        json!({ "email": "bob@example.com", "name": "Bob", "status": "bounced", "attributes": { "note": tricky } }),
        json!({ "email": "cy@example.com", "attributes": { "plan": "free" } }),
    ] {
        user.create_contact(&app, body).await;
    }

    let (status, content_type, text) = export(&app, &user, "").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let (header, rows) = parse_csv(&text);
    assert_eq!(
        header,
        [
            "email",
            "firstName",
            "lastName",
            "name",
            "company",
            "status",
            "score",
            "created",
            "updated",
            "attributes.note",
            "attributes.plan",
            "attributes.seats",
            "attributes.vip",
        ]
    );
    assert_eq!(rows.len(), 3);
    let ann = rows.iter().find(|r| r[0] == "ann@example.com").unwrap();
    assert_eq!(
        &ann[1..7],
        ["Ann", "Lee", "Ann Lee", "Acme, Inc.", "active", "80"]
    );
    assert_eq!(&ann[9..], ["", "pro", "5", "true"]);
    let bob = rows.iter().find(|r| r[0] == "bob@example.com").unwrap();
    assert_eq!(bob[9], tricky, "quotes, commas and line breaks survive");
    assert!(!text.contains("secret@example.com"));

    // The list's filters select what is exported; paging parameters are ignored.
    let (_, _, text) = export(
        &app,
        &user,
        &query(&[
            ("filter", "attributes.plan:eq:pro"),
            ("limit", "1"),
            ("page", "9"),
        ]),
    )
    .await;
    let (header, rows) = parse_csv(&text);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], "ann@example.com");
    assert_eq!(
        header.last().unwrap(),
        "attributes.vip",
        "only the keys of what matched"
    );
    let (_, _, text) = export(&app, &user, &query(&[("search", "nobody-matches")])).await;
    let (header, rows) = parse_csv(&text);
    assert_eq!(
        (header.len(), rows.len()),
        (9, 0),
        "a header even for nothing"
    );
}

#[tokio::test]
async fn jsonl_streams_thousands_in_chunks_each_once() {
    let app = spawn_app().await;
    let user = app.signup("Big export").await;
    insert_contacts(&app, &user, 4500).await;

    let (status, content_type, text) = export(&app, &user, "format=jsonl").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/x-ndjson");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4500);
    let unique: BTreeSet<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(unique.len(), 4500, "no row twice across chunk boundaries");
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in id order");

    let (_, _, text) = export(
        &app,
        &user,
        &query(&[("format", "jsonl"), ("filter", "company:eq:odd")]),
    )
    .await;
    assert_eq!(text.lines().count(), 2250);
}

#[tokio::test]
async fn a_compressed_export_streams_to_its_end() {
    let app = spawn_app().await;
    let user = app.signup("Gzip export").await;
    insert_contacts(&app, &user, 2500).await;
    for format in ["csv", "jsonl"] {
        // As browsers ask for it: the body goes through the compression layer.
        let response = user
            .request(
                &app,
                reqwest::Method::GET,
                &format!("/api/v1/contacts/export?format={format}"),
            )
            .header(reqwest::header::ACCEPT_ENCODING, "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[reqwest::header::CONTENT_ENCODING],
            "gzip"
        );
        let body = response.bytes().await;
        assert!(body.is_ok(), "{format}: the stream ended early: {body:?}");
        assert!(body.unwrap().starts_with(&[0x1f, 0x8b]), "{format}");
    }
    // The server is still there.
    let (status, _, _) = export(&app, &user, "format=csv").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn bad_parameters_are_named() {
    let app = spawn_app().await;
    let user = app.signup("Bad export").await;
    let (status, _, text) = export(&app, &user, "format=xlsx").await;
    let body: Value = serde_json::from_str(&text).unwrap();
    field_error(status, &body, "format");
    let (status, _, text) = export(&app, &user, "filter=score:gte:x").await;
    let body: Value = serde_json::from_str(&text).unwrap();
    field_error(status, &body, "filter");
    let anonymous = app
        .anonymous(reqwest::Method::GET, "/api/v1/contacts/export")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}
