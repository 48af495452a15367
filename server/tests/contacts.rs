//! `/api/v1/contacts` (also served as `/api/v1/leads`): create, read, edit, delete, and the list
//! with its search, filters, sorting, paging and capped total.

mod common;

use app::server::entity::lead;
use chrono::{DateTime, SubsecRound, Utc};
use common::{
    TestApp, TestUser, all_at_once, assert_error, field_error, ids, query, read, spawn_app,
};
use reqwest::header::{CONTENT_TYPE, ETAG, IF_MATCH};
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde_json::{Map, Value, json};
use std::collections::HashSet;
use uuid::Uuid;

fn id(contact: &Value) -> &str {
    contact["id"].as_str().expect("an id")
}

fn path(contact: &Value) -> String {
    format!("/api/v1/contacts/{}", id(contact))
}

fn time(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().expect("a timestamp"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

/// The ETag the API gives a contact: its `updated` time in microseconds, quoted.
fn etag_of(contact: &Value) -> String {
    format!("\"{}\"", time(&contact["updated"]).timestamp_micros())
}

/// Status, ETag header and JSON body of a request.
async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Option<String>, Value) {
    let response = request.send().await.expect("request");
    let etag = response
        .headers()
        .get(ETAG)
        .map(|v| v.to_str().unwrap().to_owned());
    let (status, body) = read(response).await;
    (status, etag, body)
}

async fn create_all(
    user: &TestUser,
    app: &TestApp,
    bodies: impl IntoIterator<Item = Value>,
) -> Vec<Value> {
    let mut created = Vec::new();
    for body in bodies {
        created.push(user.create_contact(app, body).await);
    }
    created
}

/// The ids of every contact the search (and optional status) finds, as a set, and the total.
async fn search(
    user: &TestUser,
    app: &TestApp,
    term: &str,
    status: Option<&str>,
) -> (HashSet<String>, u64) {
    let mut pairs = vec![("search", term), ("limit", "100")];
    pairs.extend(status.map(|s| ("status", s)));
    let (found, meta) = user.list_ids(app, &query(&pairs)).await;
    (found.into_iter().collect(), meta["total"].as_u64().unwrap())
}

fn set_of(contacts: &[&Value]) -> HashSet<String> {
    contacts.iter().map(|c| id(c).to_owned()).collect()
}

// ---- create ------------------------------------------------------------------------------

#[tokio::test]
async fn create_returns_the_contact_with_its_etag() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let body = json!({
        "email": " Ada.Lovelace@Example.COM ", "firstName": "Ada", "lastName": "Lovelace", "company": " Analytical Engines ",
        "status": "bounced", "score": 42, "attributes": { "plan": "pro", "seats": 3, "trial": false, "lead source": "fair" }
    });
    let (status, etag, created) = send(
        user.request(&app, Method::POST, "/api/v1/leads")
            .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let keys: Vec<&str> = created
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "attributes",
            "company",
            "created",
            "email",
            "firstName",
            "id",
            "lastName",
            "name",
            "score",
            "status",
            "tenantId",
            "updated"
        ]
    );
    let expected = json!({
        "id": created["id"], "tenantId": user.tenant_id, "email": "Ada.Lovelace@example.com", "name": "Ada Lovelace",
        "firstName": "Ada", "lastName": "Lovelace", "company": "Analytical Engines", "status": "bounced", "score": 42,
        "attributes": { "plan": "pro", "seats": 3, "trial": false, "lead source": "fair" },
        "created": created["created"], "updated": created["created"]
    });
    assert_eq!(created, expected);
    assert_eq!(etag, Some(etag_of(&created)));
    assert!((Utc::now() - time(&created["created"])).num_seconds().abs() < 60);

    let row = app
        .lead_in_db(user.tenant_id, id(&created))
        .await
        .expect("stored");
    assert_eq!(
        (
            row.email.as_str(),
            row.name.as_str(),
            row.company.as_str(),
            row.status.as_str(),
            row.score
        ),
        (
            "Ada.Lovelace@example.com",
            "Ada Lovelace",
            "Analytical Engines",
            "bounced",
            42
        )
    );
    assert_eq!(
        row.attributes,
        json!({ "plan": "pro", "seats": 3, "trial": false, "lead source": "fair" })
    );
    assert_eq!(row.updated, time(&created["updated"]));

    let (status, get_etag, fetched) = send(user.request(&app, Method::GET, &path(&created))).await;
    assert_eq!(
        (status, get_etag, fetched),
        (StatusCode::OK, etag, created),
        "GET returns what POST did, on the other prefix too"
    );
}

#[tokio::test]
async fn create_fills_defaults_and_derives_the_name() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let minimal = user
        .create_contact(&app, json!({ "email": "min@example.com" }))
        .await;
    for (field, value) in [
        ("name", Value::Null),
        ("firstName", Value::Null),
        ("lastName", Value::Null),
        ("company", Value::Null),
        ("status", json!("active")),
        ("score", json!(0)),
        ("attributes", json!({})),
    ] {
        assert_eq!(minimal[field], value, "{field} of {minimal}");
    }
    let joined = user
        .create_contact(
            &app,
            json!({ "email": "j@example.com", "firstName": " Grace ", "lastName": "Hopper" }),
        )
        .await;
    assert_eq!(joined["name"], "Grace Hopper");
    let first_only = user
        .create_contact(
            &app,
            json!({ "email": "f@example.com", "firstName": "Linus" }),
        )
        .await;
    assert_eq!(first_only["name"], "Linus");
    let explicit = user.create_contact(&app, json!({ "email": "e@example.com", "name": "The Countess", "firstName": "Ada", "lastName": "King" })).await;
    assert_eq!(explicit["name"], "The Countess");
    let blank = user
        .create_contact(
            &app,
            json!({ "email": "b@example.com", "company": "   ", "name": null, "attributes": null }),
        )
        .await;
    assert_eq!(
        (&blank["company"], &blank["name"], &blank["attributes"]),
        (&Value::Null, &Value::Null, &json!({}))
    );
}

#[tokio::test]
async fn create_names_every_invalid_field() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let many: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!(i))).collect();
    let fifty: Map<String, Value> = (0..50).map(|i| (format!("k{i}"), json!(i))).collect();
    let cases = [
        (json!({ "email": "x@example.com", "phone": "123" }), "phone"),
        (json!({}), "email"),
        (json!({ "email": "not-an-email" }), "email"),
        (json!({ "email": "a@b" }), "email"),
        (json!({ "email": 5 }), "email"),
        (
            json!({ "email": "x@example.com", "status": "gone" }),
            "status",
        ),
        (
            json!({ "email": "x@example.com", "status": null }),
            "status",
        ),
        (
            json!({ "email": "x@example.com", "score": "high" }),
            "score",
        ),
        (json!({ "email": "x@example.com", "score": 1.5 }), "score"),
        (
            json!({ "email": "x@example.com", "score": 1_000_001 }),
            "score",
        ),
        (
            json!({ "email": "x@example.com", "attributes": [1, 2] }),
            "attributes",
        ),
        (
            json!({ "email": "x@example.com", "attributes": "plan=pro" }),
            "attributes",
        ),
        (
            json!({ "email": "x@example.com", "attributes": { "nested": { "a": 1 } } }),
            "attributes",
        ),
        (
            json!({ "email": "x@example.com", "attributes": { "list": [1] } }),
            "attributes",
        ),
        (
            json!({ "email": "x@example.com", "attributes": { "gone": null } }),
            "attributes",
        ),
        (
            json!({ "email": "x@example.com", "attributes": Value::Object(many) }),
            "attributes",
        ),
        (
            json!({ "email": "x@example.com", "attributes": { "a/b": 1 } }),
            "attributes",
        ),
        (
            json!({ "email": "x@example.com", "attributes": { "": 1 } }),
            "attributes",
        ),
        (
            json!({ "email": "x@example.com", "attributes": { "k".repeat(65): 1 } }),
            "attributes",
        ),
        (
            json!({ "email": "x@example.com", "attributes": { "note": "x".repeat(1001) } }),
            "attributes",
        ),
        (
            json!({ "email": "x@example.com", "company": "c".repeat(201) }),
            "company",
        ),
        (
            json!({ "email": "x@example.com", "firstName": "f".repeat(101) }),
            "firstName",
        ),
        (
            json!({ "email": "x@example.com", "lastName": 3 }),
            "lastName",
        ),
        (
            json!({ "email": "x@example.com", "name": "bell\u{7}" }),
            "name",
        ),
        (json!(["email", "x@example.com"]), "body"),
    ];
    for (body, field) in cases {
        let (status, error) = user.post(&app, "/api/v1/contacts", body.clone()).await;
        assert!(!field_error(status, &error, field).is_empty(), "{body}");
    }
    let (status, error) = user
        .post(
            &app,
            "/api/v1/contacts",
            json!({ "email": "nope", "status": "gone", "score": "x", "attributes": 1 }),
        )
        .await;
    for field in ["email", "status", "score", "attributes"] {
        field_error(status, &error, field);
    }
    assert!(
        app.leads_in_db(user.tenant_id).await.is_empty(),
        "nothing invalid was stored"
    );
    // The limits themselves are allowed.
    let edge = json!({ "email": "edge@example.com", "score": -1_000_000, "company": "c".repeat(200), "attributes": Value::Object(fifty) });
    let created = user.create_contact(&app, edge).await;
    assert_eq!(created["attributes"].as_object().unwrap().len(), 50);
    let text = user.create_contact(&app, json!({ "email": "t@example.com", "attributes": { "note": "x".repeat(1000), "dotted.key-name_1 x": true } })).await;
    assert_eq!(text["attributes"]["dotted.key-name_1 x"], true);
}

#[tokio::test]
async fn duplicate_emails_conflict_within_a_tenant_only() {
    let app = spawn_app().await;
    let alice = app.signup("Alice Inc").await;
    let bob = app.signup("Bob Ltd").await;
    let first = alice
        .create_contact(
            &app,
            json!({ "email": "dup@example.com", "company": "First" }),
        )
        .await;
    for email in ["dup@example.com", "DUP@Example.COM", " Dup@example.com "] {
        let (status, body) = alice
            .post(
                &app,
                "/api/v1/contacts",
                json!({ "email": email, "company": "Second" }),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["error"]["code"], "duplicate_email");
        assert_eq!(body["error"]["existingId"].as_str(), Some(id(&first)));
    }
    let rows = app.leads_in_db(alice.tenant_id).await;
    assert_eq!((rows.len(), rows[0].company.as_str()), (1, "First"));

    let theirs = bob
        .create_contact(&app, json!({ "email": "DUP@example.com" }))
        .await;
    assert_eq!(theirs["tenantId"], json!(bob.tenant_id));
    assert_eq!(app.leads_in_db(bob.tenant_id).await.len(), 1);
}

#[tokio::test]
async fn create_rejects_bodies_that_are_not_json_or_too_large() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let post = || user.request(&app, Method::POST, "/api/v1/contacts");
    let (status, _, body) = send(
        post()
            .header(CONTENT_TYPE, "application/json")
            .body("{\"email\": \"x@example.com\""),
    )
    .await;
    assert_error((status, body), StatusCode::BAD_REQUEST, "bad_request");
    let (status, _, body) = send(
        post()
            .header(CONTENT_TYPE, "text/plain")
            .body("{\"email\": \"x@example.com\"}"),
    )
    .await;
    assert_error(
        (status, body),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let (status, _, body) = send(post().body("{\"email\": \"x@example.com\"}")).await;
    assert_error(
        (status, body),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let huge = json!({ "email": "big@example.com", "company": "x".repeat(1_100_000) });
    let (status, _, body) = send(post().json(&huge)).await;
    assert_error(
        (status, body),
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
    let (status, _, body) = send(
        post()
            .header(CONTENT_TYPE, "application/json")
            .body(format!("\"{}\"", "y".repeat(1_150_000))),
    )
    .await;
    assert_error(
        (status, body),
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
    assert!(app.leads_in_db(user.tenant_id).await.is_empty());
    // A body with a JSON media type suffix is fine.
    let (status, _, _) = send(
        post()
            .header(CONTENT_TYPE, "application/merge-patch+json; charset=utf-8")
            .body("{\"email\": \"x@example.com\"}"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn an_oversized_body_without_a_declared_length_is_refused_too() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/contacts HTTP/1.1\r\nHost: {}\r\nCookie: leads_session={}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.addr, user.session
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // 18 chunks of 64 KiB: 1.125 MiB of one JSON string. The server may answer before the end.
    for i in 0..18 {
        let mut chunk = vec![b'y'; 64 * 1024];
        if i == 0 {
            chunk[0] = b'"';
        }
        if i == 17 {
            chunk[64 * 1024 - 1] = b'"';
        }
        let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
        framed.extend_from_slice(&chunk);
        framed.extend_from_slice(b"\r\n");
        if stream.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(
        response.contains("\"code\":\"payload_too_large\""),
        "{response}"
    );
    assert!(app.leads_in_db(user.tenant_id).await.is_empty());
}

#[tokio::test]
async fn contact_routes_need_authentication() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let contact = user
        .create_contact(&app, json!({ "email": "x@example.com" }))
        .await;
    let anonymous = reqwest::Client::new();
    for (method, route) in [
        (Method::GET, "/api/v1/contacts".to_owned()),
        (Method::POST, "/api/v1/contacts".to_owned()),
        (Method::GET, path(&contact)),
        (Method::PATCH, path(&contact)),
        (Method::DELETE, path(&contact)),
    ] {
        let response = anonymous
            .request(method.clone(), app.url(&route))
            .json(&json!({ "email": "y@example.com" }))
            .send()
            .await
            .unwrap();
        assert_error(
            read(response).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        );
    }
    assert_eq!(app.leads_in_db(user.tenant_id).await.len(), 1);
}

// ---- read, edit, delete --------------------------------------------------------------------

#[tokio::test]
async fn unknown_malformed_and_foreign_ids_are_404() {
    let app = spawn_app().await;
    let alice = app.signup("Alice Inc").await;
    let bob = app.signup("Bob Ltd").await;
    let bobs = bob
        .create_contact(
            &app,
            json!({ "email": "b@example.com", "company": "Bob's" }),
        )
        .await;
    let unknown = format!("/api/v1/contacts/{}", Uuid::now_v7());
    for route in [
        unknown.as_str(),
        "/api/v1/contacts/not-a-uuid",
        "/api/v1/leads/42",
        &path(&bobs),
        &format!("/api/v1/leads/{}", id(&bobs)),
    ] {
        assert_error(
            alice.get(&app, route).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_error(
            alice
                .patch(&app, route, json!({ "company": "Alice's" }))
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_error(
            alice.delete(&app, route).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    assert_eq!(app.leads_in_db(bob.tenant_id).await[0].company, "Bob's");
    assert_eq!(bob.get(&app, &path(&bobs)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn patch_changes_only_the_fields_given() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let original = user.create_contact(&app, json!({ "email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace", "company": "Engines", "score": 10, "attributes": { "plan": "pro", "seats": 3 } })).await;
    let (status, etag, patched) = send(
        user.request(&app, Method::PATCH, &path(&original))
            .json(&json!({ "score": 11 })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    let mut expected = original.clone();
    expected["score"] = json!(11);
    expected["updated"] = patched["updated"].clone();
    assert_eq!(patched, expected);
    assert!(
        time(&patched["updated"]) > time(&original["updated"]),
        "updated moves on"
    );
    assert_eq!(patched["created"], original["created"]);
    assert_eq!(etag, Some(etag_of(&patched)));
    assert_ne!(etag, Some(etag_of(&original)));
    assert_eq!(
        user.get(&app, &path(&original)).await.1,
        patched,
        "the change is stored"
    );
    let row = app.lead_in_db(user.tenant_id, id(&original)).await.unwrap();
    assert_eq!((row.score, row.updated), (11, time(&patched["updated"])));
}

#[tokio::test]
async fn patch_null_clears_and_attributes_are_replaced_whole() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let contact = user.create_contact(&app, json!({ "email": "c@example.com", "company": "Acme", "attributes": { "plan": "pro", "seats": 3 } })).await;
    let (status, cleared) = user
        .patch(&app, &path(&contact), json!({ "company": null }))
        .await;
    assert_eq!(
        (status, &cleared["company"]),
        (StatusCode::OK, &Value::Null)
    );
    assert_eq!(
        app.lead_in_db(user.tenant_id, id(&contact))
            .await
            .unwrap()
            .company,
        ""
    );
    let (_, replaced) = user
        .patch(
            &app,
            &path(&contact),
            json!({ "attributes": { "tier": "gold" } }),
        )
        .await;
    assert_eq!(replaced["attributes"], json!({ "tier": "gold" }));
    assert_eq!(
        app.lead_in_db(user.tenant_id, id(&contact))
            .await
            .unwrap()
            .attributes,
        json!({ "tier": "gold" })
    );
    let (_, emptied) = user
        .patch(&app, &path(&contact), json!({ "attributes": {} }))
        .await;
    assert_eq!(emptied["attributes"], json!({}));
    let (_, emptied) = user
        .patch(
            &app,
            &path(&contact),
            json!({ "company": "  ", "status": "unsubscribed" }),
        )
        .await;
    assert_eq!(
        (&emptied["company"], &emptied["status"]),
        (&Value::Null, &json!("unsubscribed"))
    );
}

#[tokio::test]
async fn patching_first_or_last_name_keeps_name_in_step() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let contact = user
        .create_contact(
            &app,
            json!({ "email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace" }),
        )
        .await;
    let names = |c: &Value| {
        (
            c["name"].clone(),
            c["firstName"].clone(),
            c["lastName"].clone(),
        )
    };
    let (_, c) = user
        .patch(&app, &path(&contact), json!({ "firstName": "Augusta" }))
        .await;
    assert_eq!(
        names(&c),
        (
            json!("Augusta Lovelace"),
            json!("Augusta"),
            json!("Lovelace")
        )
    );
    let (_, c) = user
        .patch(&app, &path(&contact), json!({ "lastName": null }))
        .await;
    assert_eq!(names(&c), (json!("Augusta"), json!("Augusta"), Value::Null));
    let (_, c) = user
        .patch(&app, &path(&contact), json!({ "firstName": null }))
        .await;
    assert_eq!(
        names(&c),
        (Value::Null, Value::Null, Value::Null),
        "a name that only mirrored first/last goes with them"
    );
    let (_, c) = user
        .patch(&app, &path(&contact), json!({ "name": "The Countess" }))
        .await;
    assert_eq!(names(&c), (json!("The Countess"), Value::Null, Value::Null));
    let (_, c) = user
        .patch(
            &app,
            &path(&contact),
            json!({ "firstName": "Ada", "lastName": "King", "name": "Lady King" }),
        )
        .await;
    assert_eq!(
        names(&c),
        (json!("Lady King"), json!("Ada"), json!("King")),
        "an explicit name wins"
    );
    let row = app.lead_in_db(user.tenant_id, id(&contact)).await.unwrap();
    assert_eq!(
        (
            row.name.as_str(),
            row.first_name.as_str(),
            row.last_name.as_str()
        ),
        ("Lady King", "Ada", "King")
    );
}

#[tokio::test]
async fn patch_validates_like_create_and_changes_nothing_on_error() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let contact = user
        .create_contact(&app, json!({ "email": "v@example.com", "company": "Keep" }))
        .await;
    let before = app.lead_in_db(user.tenant_id, id(&contact)).await.unwrap();
    for (body, field) in [
        (json!({ "company": "New", "nickname": "x" }), "nickname"),
        (json!({ "email": null }), "email"),
        (json!({ "email": "bad" }), "email"),
        (json!({ "status": null }), "status"),
        (json!({ "status": "deleted" }), "status"),
        (json!({ "score": null }), "score"),
        (json!({ "score": 2_000_000 }), "score"),
        (json!({ "attributes": { "a": { "b": 1 } } }), "attributes"),
        (
            json!({ "company": "New", "attributes": { "long": "x".repeat(1001) } }),
            "attributes",
        ),
        (json!("company"), "body"),
    ] {
        let (status, error) = user.patch(&app, &path(&contact), body.clone()).await;
        assert!(!field_error(status, &error, field).is_empty(), "{body}");
    }
    let malformed = user
        .request(&app, Method::PATCH, &path(&contact))
        .header(CONTENT_TYPE, "application/json")
        .body("{");
    let (status, _, body) = send(malformed).await;
    assert_error((status, body), StatusCode::BAD_REQUEST, "bad_request");
    let text = user
        .request(&app, Method::PATCH, &path(&contact))
        .header(CONTENT_TYPE, "text/plain")
        .body("{}");
    let (status, _, body) = send(text).await;
    assert_error(
        (status, body),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    assert_eq!(
        app.lead_in_db(user.tenant_id, id(&contact)).await.unwrap(),
        before
    );
}

#[tokio::test]
async fn if_match_guards_against_lost_updates() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let contact = user
        .create_contact(
            &app,
            json!({ "email": "m@example.com", "company": "Original" }),
        )
        .await;
    let (_, seen_etag, _) = send(user.request(&app, Method::GET, &path(&contact))).await;
    let seen_etag = seen_etag.expect("GET has an ETag");
    let edit = |tag: &str, company: &str| {
        user.request(&app, Method::PATCH, &path(&contact))
            .header(IF_MATCH, tag)
            .json(&json!({ "company": company }))
    };

    let (status, new_etag, first) = send(edit(&seen_etag, "First editor")).await;
    assert_eq!(
        (status, &first["company"]),
        (StatusCode::OK, &json!("First editor"))
    );
    let new_etag = new_etag.unwrap();
    assert_ne!(new_etag, seen_etag);

    let before = app.lead_in_db(user.tenant_id, id(&contact)).await.unwrap();
    let (status, _, body) = send(edit(&seen_etag, "Second editor")).await;
    assert_error(
        (status, body),
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
    );
    let (status, _, body) = send(edit("\"12345\"", "Third editor")).await;
    assert_error(
        (status, body),
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
    );
    assert_eq!(
        app.lead_in_db(user.tenant_id, id(&contact)).await.unwrap(),
        before,
        "a refused edit changes nothing"
    );

    let (status, _, body) = send(edit(&new_etag, "Second editor, reloaded")).await;
    assert_eq!(
        (status, &body["company"]),
        (StatusCode::OK, &json!("Second editor, reloaded"))
    );
    let (status, _, _) = send(edit("*", "Anyone")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn changing_the_email_to_a_taken_one_conflicts() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let other = app.signup("Other").await;
    let taken = user
        .create_contact(&app, json!({ "email": "taken@example.com" }))
        .await;
    let mover = user
        .create_contact(
            &app,
            json!({ "email": "mover@example.com", "company": "Mover" }),
        )
        .await;
    other
        .create_contact(&app, json!({ "email": "elsewhere@example.com" }))
        .await;
    let before = app.lead_in_db(user.tenant_id, id(&mover)).await.unwrap();
    for email in ["taken@example.com", "TAKEN@EXAMPLE.COM"] {
        let (status, body) = user
            .patch(
                &app,
                &path(&mover),
                json!({ "email": email, "company": "Moved" }),
            )
            .await;
        assert_eq!(
            (
                status,
                body["error"]["code"].as_str(),
                body["error"]["existingId"].as_str()
            ),
            (
                StatusCode::CONFLICT,
                Some("duplicate_email"),
                Some(id(&taken))
            ),
            "{body}"
        );
    }
    assert_eq!(
        app.lead_in_db(user.tenant_id, id(&mover)).await.unwrap(),
        before
    );
    let (status, body) = user
        .patch(&app, &path(&mover), json!({ "email": "Mover@Example.com" }))
        .await;
    assert_eq!(
        (status, &body["email"]),
        (StatusCode::OK, &json!("Mover@example.com")),
        "re-casing its own email is no conflict"
    );
    let (status, body) = user
        .patch(
            &app,
            &path(&mover),
            json!({ "email": "elsewhere@example.com" }),
        )
        .await;
    assert_eq!(
        (status, &body["email"]),
        (StatusCode::OK, &json!("elsewhere@example.com")),
        "another tenant's email is free here"
    );
}

#[tokio::test]
async fn delete_removes_the_contact_once() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let gone = user
        .create_contact(&app, json!({ "email": "gone@example.com" }))
        .await;
    let kept = user
        .create_contact(&app, json!({ "email": "kept@example.com" }))
        .await;
    assert_eq!(
        user.delete(&app, &format!("/api/v1/leads/{}", id(&gone)))
            .await,
        (StatusCode::NO_CONTENT, Value::Null)
    );
    assert_error(
        user.delete(&app, &path(&gone)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        user.get(&app, &path(&gone)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        user.patch(&app, &path(&gone), json!({ "score": 1 })).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let rows = app.leads_in_db(user.tenant_id).await;
    assert_eq!(
        rows.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(),
        [id(&kept)]
    );
    // Its email is free again.
    user.create_contact(&app, json!({ "email": "gone@example.com" }))
        .await;
}

// ---- list ------------------------------------------------------------------------------------

#[tokio::test]
async fn the_list_defaults_to_twenty_most_recently_updated() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let created = create_all(
        &user,
        &app,
        (0..25).map(|i| json!({ "email": format!("c{i}@example.com") })),
    )
    .await;
    let (status, body) = user.get(&app, "/api/v1/leads").await;
    assert_eq!(status, StatusCode::OK);
    let meta = &body["meta"];
    let keys: Vec<&str> = meta
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "limit",
            "nextCursor",
            "page",
            "total",
            "totalIsEstimate",
            "totalIsExact",
            "totalPages"
        ]
    );
    assert_eq!(
        (
            &meta["total"],
            &meta["page"],
            &meta["limit"],
            &meta["totalPages"],
            &meta["totalIsExact"]
        ),
        (&json!(25), &json!(1), &json!(20), &json!(2), &json!(true))
    );
    assert!(meta["nextCursor"].is_string());
    let newest_first: Vec<String> = created.iter().rev().map(|c| id(c).to_owned()).collect();
    assert_eq!(ids(&body["data"]), newest_first[..20]);
    assert_eq!(
        body["data"][0], created[24],
        "list items are whole contacts"
    );

    let (page2, meta2) = user.list_ids(&app, "page=2").await;
    assert_eq!(page2, newest_first[20..]);
    assert_eq!(
        (&meta2["page"], &meta2["nextCursor"]),
        (&json!(2), &Value::Null)
    );
    let (past_end, meta3) = user.list_ids(&app, "page=3").await;
    assert_eq!((past_end.len(), &meta3["total"]), (0, &json!(25)));

    // Editing the oldest contact brings it to the top.
    user.patch(&app, &path(&created[0]), json!({ "score": 1 }))
        .await;
    let (top, _) = user.list_ids(&app, "limit=1").await;
    assert_eq!(top, [id(&created[0])]);
}

#[tokio::test]
async fn each_bad_list_parameter_is_named() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let other_sort_cursor = {
        create_all(
            &user,
            &app,
            (0..3).map(|i| json!({ "email": format!("p{i}@example.com"), "score": i })),
        )
        .await;
        let (_, meta) = user.list_ids(&app, "sort=score&limit=1").await;
        meta["nextCursor"].as_str().unwrap().to_owned()
    };
    let long_search = "s".repeat(201);
    let cases = [
        ("page=0", "page"),
        ("page=x", "page"),
        ("page=-1", "page"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("status=x", "status"),
        ("status=ACTIVE", "status"),
        ("sort=x", "sort"),
        ("sort=tenant_id", "sort"),
        ("order=x", "order"),
        ("order=ASC", "order"),
        ("cursor=garbage", "cursor"),
        ("cursor=eyJub3QiOiAiYSBjdXJzb3IifQ", "cursor"),
        ("colour=red", "colour"),
        ("sortBy=email", "sortBy"),
    ];
    for (query, field) in cases {
        let (status, body) = user.list(&app, query).await;
        assert!(!field_error(status, &body, field).is_empty(), "?{query}");
    }
    let (status, body) = user.list(&app, &query(&[("search", &long_search)])).await;
    field_error(status, &body, "search");
    let (status, body) = user
        .list(
            &app,
            &query(&[("sort", "email"), ("cursor", &other_sort_cursor)]),
        )
        .await;
    field_error(status, &body, "cursor");
    let (status, body) = user
        .list(
            &app,
            &query(&[
                ("sort", "score"),
                ("order", "asc"),
                ("cursor", &other_sort_cursor),
            ]),
        )
        .await;
    field_error(status, &body, "cursor");
    let (status, body) = user.list(&app, "page=0&limit=0&sort=x").await;
    for field in ["page", "limit", "sort"] {
        field_error(status, &body, field);
    }
    // The boundaries themselves are fine, and empty optional values are ignored.
    let (found, meta) = user
        .list_ids(
            &app,
            &query(&[
                ("limit", "100"),
                ("page", "1"),
                ("status", ""),
                ("cursor", ""),
                ("search", &"s".repeat(200)),
            ]),
        )
        .await;
    assert_eq!((found.len(), &meta["limit"]), (0, &json!(100)));
}

#[tokio::test]
async fn search_is_a_case_insensitive_substring_of_email_name_and_company() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let c = create_all(
        &user,
        &app,
        [
            json!({ "email": "one@acme.io" }),
            json!({ "email": "two@example.com", "name": "ACME Fan" }),
            json!({ "email": "three@example.com", "company": "Big aCMe Corp" }),
            json!({ "email": "four@example.com", "firstName": "Nobody", "company": "Other" }),
            json!({ "email": "five@example.com", "company": "ac me" }),
        ],
    )
    .await;
    for term in ["acme", "ACME", "aCmE", " acme "] {
        assert_eq!(
            search(&user, &app, term, None).await,
            (set_of(&[&c[0], &c[1], &c[2]]), 3),
            "{term:?}"
        );
    }
    assert_eq!(
        search(&user, &app, "EXAMPLE.COM", None).await,
        (set_of(&[&c[1], &c[2], &c[3], &c[4]]), 4)
    );
    assert_eq!(
        search(&user, &app, "nobody", None).await,
        (set_of(&[&c[3]]), 1)
    );
    assert_eq!(
        search(&user, &app, "ac me", None).await,
        (set_of(&[&c[4]]), 1)
    );
    assert_eq!(
        search(&user, &app, "fan", None).await,
        (set_of(&[&c[1]]), 1)
    );
    let (none, meta) = user.list_ids(&app, "search=zzz").await;
    assert_eq!(
        (
            none.len(),
            &meta["total"],
            &meta["totalPages"],
            &meta["totalIsExact"]
        ),
        (0, &json!(0), &json!(0), &json!(true))
    );
    // Another tenant's matching contacts are never found.
    let other = app.signup("Other").await;
    other
        .create_contact(&app, json!({ "email": "acme@acme.io", "company": "ACME" }))
        .await;
    assert_eq!(search(&user, &app, "acme", None).await.1, 3);
    assert_eq!(search(&other, &app, "acme", None).await.1, 1);
}

#[tokio::test]
async fn search_matches_wildcard_characters_literally() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let c = create_all(
        &user,
        &app,
        [
            json!({ "email": "p1@example.com", "company": "100% Corp" }),
            json!({ "email": "p2@example.com", "company": "1000 Corp" }),
            json!({ "email": "u1@example.com", "name": "a_b" }),
            json!({ "email": "u2@example.com", "name": "axb" }),
            json!({ "email": "b1@example.com", "name": "back\\slash" }),
            json!({ "email": "b2@example.com", "name": "backslash" }),
            json!({ "email": "b3@example.com", "name": "back\\\\slash" }),
        ],
    )
    .await;
    let cases: [(&str, Vec<&Value>); 9] = [
        ("100%", vec![&c[0]]),
        ("0% C", vec![&c[0]]),
        ("%", vec![&c[0]]),
        ("a_b", vec![&c[2]]),
        ("_", vec![&c[2]]),
        ("back\\slash", vec![&c[4]]),
        ("back\\\\slash", vec![&c[6]]),
        ("\\", vec![&c[4], &c[6]]),
        ("slash", vec![&c[4], &c[5], &c[6]]),
    ];
    for (term, expected) in cases {
        assert_eq!(
            search(&user, &app, term, None).await,
            (set_of(&expected), expected.len() as u64),
            "search {term:?}"
        );
    }
}

#[tokio::test]
async fn the_total_counts_the_filtered_rows() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let mut bodies = Vec::new();
    for i in 0..5 {
        bodies.push(json!({ "email": format!("mb{i}@example.com"), "company": "Match Co", "status": "bounced" }));
    }
    for i in 0..3 {
        bodies.push(json!({ "email": format!("ma{i}@example.com"), "company": "Match Co" }));
    }
    for i in 0..4 {
        bodies.push(json!({ "email": format!("ob{i}@example.com"), "company": "Other", "status": "bounced" }));
    }
    bodies.push(
        json!({ "email": "ou@example.com", "company": "Match Co", "status": "unsubscribed" }),
    );
    let created = create_all(&user, &app, bodies).await;
    let (page, meta) = user
        .list_ids(&app, "search=match&status=bounced&limit=2")
        .await;
    assert_eq!(
        (
            page.len(),
            &meta["total"],
            &meta["totalPages"],
            &meta["totalIsExact"]
        ),
        (2, &json!(5), &json!(3), &json!(true))
    );
    let bounced_matches = set_of(&created[..5].iter().collect::<Vec<_>>());
    assert_eq!(
        search(&user, &app, "match", Some("bounced")).await,
        (bounced_matches, 5)
    );
    assert_eq!(search(&user, &app, "match", None).await.1, 9);
    assert_eq!(
        search(&user, &app, "match", Some("unsubscribed")).await,
        (set_of(&[&created[12]]), 1)
    );
    let (_, meta) = user.list_ids(&app, "status=bounced&limit=1").await;
    assert_eq!(
        (&meta["total"], &meta["totalPages"]),
        (&json!(9), &json!(9))
    );
    let (active, meta) = user.list_ids(&app, "status=active&limit=100").await;
    assert_eq!(
        (active.into_iter().collect::<HashSet<_>>(), &meta["total"]),
        (set_of(&created[5..8].iter().collect::<Vec<_>>()), &json!(3))
    );
}

/// A contact's value for a sort field, comparable the way the database orders it.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Text(String),
    Int(i64),
    Time(DateTime<Utc>),
}

fn sort_key(contact: &Value, sort: &str) -> Key {
    match sort {
        "updated" | "created" => Key::Time(time(&contact[sort])),
        "score" => Key::Int(contact["score"].as_i64().unwrap()),
        field => Key::Text(contact[field].as_str().unwrap_or("").to_owned()),
    }
}

/// The ids in the order the API promises: by the field, then by id, all reversed for `desc`.
fn expected_order(contacts: &[Value], sort: &str, order: &str) -> Vec<String> {
    let mut keyed: Vec<(Key, String)> = contacts
        .iter()
        .map(|c| (sort_key(c, sort), id(c).to_owned()))
        .collect();
    keyed.sort();
    if order == "desc" {
        keyed.reverse();
    }
    keyed.into_iter().map(|(_, id)| id).collect()
}

#[tokio::test]
async fn every_sort_field_orders_both_ways_with_ties_broken_by_id() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let rows = [
        ("delta", Some("Mia"), Some("Beta"), 5),
        ("alpha", None, Some("Alpha"), -3),
        ("charlie", Some("Zed"), None, 5),
        ("bravo", Some("Mia"), Some("Beta"), 100),
        ("echo", Some("Abe"), Some("Alpha"), 0),
        ("foxtrot", None, Some("Gamma"), 5),
        ("golf", Some("Lu"), None, -3),
        ("hotel", Some("Abe"), Some("Beta"), 7),
    ];
    let created = create_all(&user, &app, rows.iter().map(|(email, name, company, score)| json!({ "email": format!("{email}@example.com"), "name": name, "company": company, "score": score }))).await;
    // Edit two older contacts, so `updated` and `created` orders differ.
    user.patch(&app, &path(&created[1]), json!({ "status": "bounced" }))
        .await;
    user.patch(&app, &path(&created[3]), json!({ "status": "bounced" }))
        .await;
    let (_, all) = user.list(&app, "limit=100").await;
    let contacts = all["data"].as_array().unwrap().clone();
    assert_eq!(contacts.len(), 8);
    for sort in ["updated", "created", "email", "name", "company", "score"] {
        for order in ["asc", "desc"] {
            let (found, _) = user
                .list_ids(&app, &format!("sort={sort}&order={order}&limit=100"))
                .await;
            assert_eq!(
                found,
                expected_order(&contacts, sort, order),
                "sort={sort}&order={order}"
            );
        }
    }
    let (default_order, _) = user.list_ids(&app, "limit=100").await;
    assert_eq!(default_order, expected_order(&contacts, "updated", "desc"));
    assert_eq!(default_order[..2], [id(&created[3]), id(&created[1])]);
}

#[tokio::test]
async fn paging_by_page_and_by_cursor_visits_every_contact_once() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let created = create_all(
        &user,
        &app,
        (0..45).map(|i| json!({ "email": format!("same{i:02}@example.com"), "score": 50 })),
    )
    .await;
    let all_ids: HashSet<String> = created.iter().map(|c| id(c).to_owned()).collect();
    for order in ["asc", "desc"] {
        let expected = expected_order(&created, "score", order);
        let mut by_page = Vec::new();
        for page in 1..=7 {
            let (found, meta) = user
                .list_ids(
                    &app,
                    &format!("sort=score&order={order}&limit=7&page={page}"),
                )
                .await;
            assert_eq!(
                (&meta["total"], &meta["totalPages"], &meta["page"]),
                (&json!(45), &json!(7), &json!(page))
            );
            assert_eq!(found.len(), if page < 7 { 7 } else { 3 });
            by_page.extend(found);
        }
        assert_eq!(by_page, expected, "order={order}");
        assert_eq!(by_page.iter().cloned().collect::<HashSet<_>>(), all_ids);

        let mut by_cursor = Vec::new();
        let mut cursor: Option<String> = None;
        let mut requests = 0;
        loop {
            let mut pairs = vec![("sort", "score"), ("order", order), ("limit", "7")];
            if let Some(c) = &cursor {
                pairs.push(("cursor", c));
            }
            let (found, meta) = user.list_ids(&app, &query(&pairs)).await;
            requests += 1;
            assert_eq!(meta["total"], 45);
            by_cursor.extend(found);
            match meta["nextCursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
            assert!(requests < 10, "the cursor walk does not end");
        }
        assert_eq!(requests, 7);
        assert_eq!(by_cursor, expected, "order={order}");
    }
    // A cursor also pages through a search, and a full last page has no next cursor.
    let (first, meta) = user
        .list_ids(&app, "search=same0&sort=email&order=asc&limit=5")
        .await;
    assert_eq!(first.len(), 5);
    let next = meta["nextCursor"].as_str().unwrap().to_owned();
    let (rest, meta) = user
        .list_ids(
            &app,
            &query(&[
                ("search", "same0"),
                ("sort", "email"),
                ("order", "asc"),
                ("limit", "5"),
                ("cursor", &next),
            ]),
        )
        .await;
    assert_eq!(
        (rest.len(), &meta["nextCursor"], &meta["total"]),
        (5, &Value::Null, &json!(10))
    );
    assert_eq!(
        [first, rest].concat(),
        created[..10]
            .iter()
            .map(|c| id(c).to_owned())
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn the_total_is_capped_at_ten_thousand() {
    let app = spawn_app().await;
    let user = app.signup("Big").await;
    let now = Utc::now().trunc_subsecs(6);
    let rows: Vec<lead::Model> = (0..10_050)
        .map(|i| lead::Model {
            tenant_id: user.tenant_id,
            id: Uuid::now_v7(),
            email: format!("bulk-{i}@example.com"),
            email_key: format!("bulk-{i}@example.com"),
            name: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            company: if i % 1000 == 0 {
                "Needle Inc".into()
            } else {
                "Hay".into()
            },
            status: "active".into(),
            score: i % 100,
            attributes: json!({}),
            created: now,
            updated: now,
        })
        .collect();
    for batch in rows.chunks(500) {
        lead::Entity::insert_many(
            batch
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model),
        )
        .exec(&app.db)
        .await
        .expect("bulk insert");
    }
    let (page, meta) = user.list_ids(&app, "").await;
    assert_eq!(page.len(), 20);
    assert_eq!(
        (&meta["total"], &meta["totalIsExact"], &meta["totalPages"]),
        (&json!(10_000), &json!(false), &json!(500))
    );
    let (found, meta) = user.list_ids(&app, "search=bulk-1234@").await;
    assert_eq!(
        (found, &meta["total"], &meta["totalIsExact"]),
        (vec![rows[1234].id.to_string()], &json!(1), &json!(true))
    );
    let (needles, meta) = user.list_ids(&app, "search=needle&limit=100").await;
    assert_eq!(
        (needles.len(), &meta["total"], &meta["totalIsExact"]),
        (11, &json!(11), &json!(true))
    );
    let (_, meta) = user.list_ids(&app, "search=hay").await;
    assert_eq!(
        (&meta["total"], &meta["totalIsExact"]),
        (&json!(10_000), &json!(false)),
        "a broad search is capped too"
    );
    // Exactly at the cap the total is still exact.
    let first_fifty = rows[..50].iter().map(|r| r.id);
    lead::Entity::delete_many()
        .filter(lead::Column::Id.is_in(first_fifty))
        .exec(&app.db)
        .await
        .unwrap();
    let (_, meta) = user.list_ids(&app, "").await;
    assert_eq!(
        (&meta["total"], &meta["totalIsExact"]),
        (&json!(10_000), &json!(true))
    );
    let other = app.signup("Small").await;
    let (_, meta) = other.list_ids(&app, "").await;
    assert_eq!(
        (&meta["total"], &meta["totalIsExact"]),
        (&json!(0), &json!(true)),
        "the other tenant sees none of them"
    );
}

// ---- concurrency -----------------------------------------------------------------------------

#[tokio::test]
async fn concurrent_edits_by_several_users_all_succeed() {
    let app = spawn_app().await;
    let alice = app.signup("Alice Inc").await;
    let bob = app.signup("Bob Ltd").await;
    let mut requests = Vec::new();
    let mut expected = Vec::new();
    for user in [&alice, &bob] {
        for (i, contact) in create_all(
            user,
            &app,
            (0..8).map(|i| json!({ "email": format!("e{i}@example.com") })),
        )
        .await
        .into_iter()
        .enumerate()
        {
            requests.push(
                user.request(&app, Method::PATCH, &path(&contact))
                    .json(&json!({ "score": i + 1, "company": "Edited" })),
            );
            expected.push((user.tenant_id, id(&contact).to_owned(), i as i32 + 1));
        }
    }
    for (i, (status, body)) in all_at_once(requests).await.into_iter().enumerate() {
        assert_eq!(status, StatusCode::OK, "edit {i}: {body}");
    }
    for (tenant, id, score) in expected {
        let row = app.lead_in_db(tenant, &id).await.unwrap();
        assert_eq!((row.score, row.company.as_str()), (score, "Edited"));
    }
}

#[tokio::test]
async fn of_concurrent_edits_with_one_etag_exactly_one_wins() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let contact = user
        .create_contact(&app, json!({ "email": "race@example.com" }))
        .await;
    let etag = etag_of(&contact);
    let requests = (0..8)
        .map(|i| {
            user.request(&app, Method::PATCH, &path(&contact))
                .header(IF_MATCH, &etag)
                .json(&json!({ "score": i + 1 }))
        })
        .collect();
    let answers = all_at_once(requests).await;
    let winners: Vec<i64> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .map(|(_, b)| b["score"].as_i64().unwrap())
        .collect();
    assert_eq!(winners.len(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_error(
            (*status, body.clone()),
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
        );
    }
    assert_eq!(
        i64::from(
            app.lead_in_db(user.tenant_id, id(&contact))
                .await
                .unwrap()
                .score
        ),
        winners[0]
    );
}

#[tokio::test]
async fn of_concurrent_creates_with_one_email_exactly_one_succeeds() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let requests = (0..8).map(|i| user.request(&app, Method::POST, "/api/v1/contacts").json(&json!({ "email": if i % 2 == 0 { "Same@example.com" } else { "same@EXAMPLE.com" } }))).collect();
    let answers = all_at_once(requests).await;
    let created: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(created.len(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!(
            (
                *status,
                body["error"]["code"].as_str(),
                body["error"]["existingId"].as_str()
            ),
            (
                StatusCode::CONFLICT,
                Some("duplicate_email"),
                Some(id(created[0]))
            )
        );
    }
    assert_eq!(app.leads_in_db(user.tenant_id).await.len(), 1);
}

#[tokio::test]
async fn page_numbers_reach_ten_thousand_rows_and_cursors_go_deeper() {
    let app = spawn_app().await;
    let user = app.signup("Deep").await;
    for i in 0..3 {
        user.create_contact(&app, json!({ "email": format!("d{i}@example.com") }))
            .await;
    }
    let (status, _) = user.list(&app, "page=501").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "page 501 × 20 = 10,000 rows skipped: still allowed"
    );
    let (status, body) = user.list(&app, "page=502").await;
    assert!(field_error(status, &body, "page").contains("nextCursor"));
    let (status, body) = user.list(&app, "page=102&limit=100").await;
    field_error(status, &body, "page");

    // With a cursor the page number only labels the page: any depth is fine.
    let (_, first) = user.list_ids(&app, "limit=1").await;
    let cursor = first["nextCursor"].as_str().unwrap().to_owned();
    let (ids, meta) = user
        .list_ids(
            &app,
            &query(&[("limit", "1"), ("page", "9000"), ("cursor", &cursor)]),
        )
        .await;
    assert_eq!((ids.len(), &meta["page"]), (1, &json!(9000)));
}
