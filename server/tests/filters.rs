//! The list's `filter` conditions (every field and operator, on both backends) and saved views.

mod common;

use app::server::entity::lead;
use chrono::{DateTime, Utc};
use common::{TestApp, TestUser, assert_error, field_error, query, spawn_app};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use std::collections::BTreeSet;

fn at(raw: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(raw).unwrap().to_utc()
}

/// Moves a contact's `created` time, as if it had been added then.
async fn set_created(app: &TestApp, user: &TestUser, email: &str, created: &str) {
    let moved = lead::Entity::update_many()
        .col_expr(lead::Column::Created, Expr::value(at(created)))
        .filter(lead::Column::TenantId.eq(user.tenant_id))
        .filter(lead::Column::Email.eq(email))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(moved.rows_affected, 1, "{email}");
}

/// The local parts of the emails a filtered list finds (checked against its total).
async fn found(app: &TestApp, user: &TestUser, filters: &[&str]) -> BTreeSet<String> {
    let mut pairs: Vec<(&str, &str)> = filters.iter().map(|f| ("filter", *f)).collect();
    pairs.push(("limit", "100"));
    let (status, body) = user.list(app, &query(&pairs)).await;
    assert_eq!(status, StatusCode::OK, "{filters:?}: {body}");
    let emails: BTreeSet<String> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["email"]
                .as_str()
                .unwrap()
                .split('@')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(body["meta"]["total"], json!(emails.len()), "{filters:?}");
    assert_eq!(body["meta"]["totalIsExact"], json!(true));
    emails
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

async fn five_contacts(app: &TestApp) -> TestUser {
    let user = app.signup("Filters").await;
    for body in [
        json!({ "email": "ann@gmail.com", "firstName": "Ann", "lastName": "Lee", "company": "Acme", "status": "active", "score": 80,
                "attributes": { "plan": "pro", "seats": 5, "vip": true, "note": "50% off" } }),
        json!({ "email": "bob@gmail.com", "name": "Bob Stone", "status": "bounced", "score": 40,
                "attributes": { "plan": "free", "seats": "5" } }),
        json!({ "email": "cy@example.com", "name": "Cy", "company": "ex_ample", "status": "unsubscribed", "score": 70,
                "attributes": { "plan": "pro", "seats": 12.5, "vip": false } }),
        json!({ "email": "dee@example.org", "company": "Acme Corp", "score": 10 }),
        json!({ "email": "eve@sub.gmail.com", "firstName": "Eve", "company": "Beta", "score": 100,
                "attributes": { "plan": "Pro" } }),
    ] {
        user.create_contact(app, body).await;
    }
    set_created(app, &user, "ann@gmail.com", "2026-01-15T10:00:00Z").await;
    set_created(app, &user, "bob@gmail.com", "2026-01-31T23:59:59Z").await;
    set_created(app, &user, "cy@example.com", "2026-02-01T00:00:00Z").await;
    set_created(app, &user, "dee@example.org", "2025-12-31T12:00:00Z").await;
    user
}

#[tokio::test]
async fn every_operator_finds_exactly_its_contacts() {
    let app = spawn_app().await;
    let user = five_contacts(&app).await;
    // An unfiltered neighbour workspace with matching data must never show up.
    let other = app.signup("Neighbour").await;
    other
        .create_contact(&app, json!({ "email": "ann@gmail.com", "company": "Acme", "score": 80, "attributes": { "plan": "pro" } }))
        .await;

    let cases: &[(&[&str], &[&str])] = &[
        // text fields
        (&["name:contains:ANN"], &["ann"]),
        (&["company:eq:acme"], &["ann"]),
        (&["company:neq:acme"], &["bob", "cy", "dee", "eve"]),
        (&["company:starts:acme"], &["ann", "dee"]),
        (&["company:contains:_"], &["cy"]),
        (&["company:empty"], &["bob"]),
        (&["company:notempty:"], &["ann", "cy", "dee", "eve"]),
        (&["firstName:eq:eve"], &["eve"]),
        (&["lastName:empty"], &["bob", "cy", "dee", "eve"]),
        (&["email:eq:ANN@gmail.com"], &["ann"]),
        (&["email:neq:ann@gmail.com"], &["bob", "cy", "dee", "eve"]),
        (&["email:starts:b"], &["bob"]),
        (&["emailDomain:eq:gmail.com"], &["ann", "bob"]),
        (&["emailDomain:eq:@GMAIL.com"], &["ann", "bob"]),
        (&["emailDomain:neq:gmail.com"], &["cy", "dee", "eve"]),
        // status and score
        (&["status:in:active,bounced"], &["ann", "bob", "dee", "eve"]),
        (&["status:eq:bounced"], &["bob"]),
        (&["status:neq:active"], &["bob", "cy"]),
        (&["score:gte:70"], &["ann", "cy", "eve"]),
        (&["score:gt:70"], &["ann", "eve"]),
        (&["score:lt:40"], &["dee"]),
        (&["score:lte:40"], &["bob", "dee"]),
        (&["score:eq:70"], &["cy"]),
        (&["score:neq:70"], &["ann", "bob", "dee", "eve"]),
        (&["score:between:40..80"], &["ann", "bob", "cy"]),
        // custom attributes: exact equality, typed comparisons, absent keys
        (&["attributes.plan:eq:pro"], &["ann", "cy"]),
        (&["attributes.plan:neq:pro"], &["bob", "dee", "eve"]),
        (&["attributes.seats:eq:5"], &["ann", "bob"]),
        (&["attributes.seats:gt:5"], &["cy"]),
        (&["attributes.seats:gte:5"], &["ann", "cy"]),
        (&["attributes.seats:lt:100"], &["ann", "cy"]),
        (&["attributes.seats:lte:4.99"], &[]),
        (&["attributes.vip:eq:true"], &["ann"]),
        (&["attributes.vip:eq:false"], &["cy"]),
        (&["attributes.note:contains:50%"], &["ann"]),
        (&["attributes.note:contains:5_"], &[]),
        (&["attributes.plan:contains:PR"], &["ann", "cy", "eve"]),
        (&["attributes.seats:contains:5"], &["bob"]),
        (&["attributes.plan:starts:fr"], &["bob"]),
        (&["attributes.vip:exists"], &["ann", "cy"]),
        (&["attributes.vip:notexists"], &["bob", "dee", "eve"]),
        (&["attributes.nobody:eq:x"], &[]),
        // dates: whole UTC days, inclusive ranges, relative
        (&["created:after:2026-01-01"], &["ann", "bob", "cy", "eve"]),
        (&["created:before:2026-01-01"], &["dee"]),
        (&["created:between:2026-01-01..2026-01-31"], &["ann", "bob"]),
        (&["created:after:2026-02-01T00:00:00Z"], &["cy", "eve"]),
        (&["created:lastdays:7"], &["eve"]),
        (&["updated:lastdays:1"], &["ann", "bob", "cy", "dee", "eve"]),
        (&["updated:before:2026-01-01"], &[]),
        // AND-ed
        (&["score:gte:40", "attributes.plan:eq:pro"], &["ann", "cy"]),
        (
            &[
                "status:in:active",
                "emailDomain:eq:gmail.com",
                "attributes.vip:exists",
            ],
            &["ann"],
        ),
    ];
    for (filters, expected) in cases {
        assert_eq!(
            found(&app, &user, filters).await,
            set(expected),
            "{filters:?}"
        );
    }

    // Filters compose with search and the legacy status parameter.
    let (ids, meta) = user
        .list_ids(
            &app,
            &query(&[("filter", "attributes.plan:eq:pro"), ("search", "ann")]),
        )
        .await;
    assert_eq!((ids.len(), &meta["total"]), (1, &json!(1)));
    let (ids, _) = user
        .list_ids(
            &app,
            &query(&[("filter", "score:gte:0"), ("status", "bounced")]),
        )
        .await;
    assert_eq!(ids.len(), 1);
}

#[tokio::test]
async fn a_bad_condition_is_a_400_naming_it() {
    let app = spawn_app().await;
    let user = app.signup("Bad filters").await;
    for bad in [
        "score:gte:x",
        "phone:eq:1",
        "score:contains:1",
        "status:in:gone",
        "created:after:2026-02-30",
        "attributes.:eq:x",
        "email:eq:",
        "score:between:9..1",
        "attributes.n:gt:NaN",
    ] {
        let (status, body) = user
            .list(&app, &query(&[("filter", "score:gte:1"), ("filter", bad)]))
            .await;
        let message = field_error(status, &body, "filter");
        assert!(message.starts_with("condition 2"), "{bad}: {message}");
    }
    let many: Vec<(&str, &str)> = (0..26).map(|_| ("filter", "score:gte:1")).collect();
    let (status, body) = user.list(&app, &query(&many)).await;
    field_error(status, &body, "filter");
}

#[tokio::test]
async fn cursor_pages_under_a_filter_visit_every_match_once() {
    let app = spawn_app().await;
    let user = app.signup("Paging").await;
    for i in 0..30 {
        let plan = if i % 3 == 0 { "pro" } else { "free" };
        user.create_contact(&app, json!({ "email": format!("p{i}@example.com"), "score": i % 5, "attributes": { "plan": plan } }))
            .await;
    }
    let filters = [
        ("filter", "attributes.plan:eq:pro"),
        ("sort", "score"),
        ("limit", "3"),
    ];
    let (mut ids, meta) = user.list_ids(&app, &query(&filters)).await;
    assert_eq!(meta["total"], json!(10));
    let mut cursor = meta["nextCursor"].as_str().map(str::to_owned);
    while let Some(c) = cursor {
        let mut pairs = filters.to_vec();
        pairs.push(("cursor", &c));
        let (page, meta) = user.list_ids(&app, &query(&pairs)).await;
        assert_eq!(meta["total"], json!(10));
        ids.extend(page);
        cursor = meta["nextCursor"].as_str().map(str::to_owned);
    }
    let unique: BTreeSet<_> = ids.iter().collect();
    assert_eq!((ids.len(), unique.len()), (10, 10));
}

#[tokio::test]
async fn saved_views_are_kept_renamed_and_deleted_per_workspace() {
    let app = spawn_app().await;
    let user = app.signup("Views").await;
    let other = app.signup("Other views").await;

    let (status, hot) = user
        .post(
            &app,
            "/api/v1/views",
            json!({ "name": "Hot leads", "query": "?sort=score&filter=score%3Agte%3A70&page=2" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hot}");
    assert_eq!(hot["name"], "Hot leads");
    assert_eq!(
        hot["query"], "filter=score%3Agte%3A70&sort=score",
        "canonical, page dropped"
    );
    let path = format!("/api/v1/views/{}", hot["id"].as_str().unwrap());

    assert_error(
        user.post(
            &app,
            "/api/v1/views",
            json!({ "name": "HOT LEADS ", "query": "" }),
        )
        .await,
        StatusCode::CONFLICT,
        "view_name_taken",
    );
    let (status, body) = user
        .post(
            &app,
            "/api/v1/views",
            json!({ "name": "Broken", "query": "filter=score:gte:x" }),
        )
        .await;
    assert!(field_error(status, &body, "query").contains("condition 1"));
    let (status, body) = user
        .post(
            &app,
            "/api/v1/views",
            json!({ "name": " ", "query": "", "x": 1 }),
        )
        .await;
    field_error(status, &body, "name");
    field_error(status, &body, "x");

    // Another workspace neither sees nor touches it, and may use the same name.
    let (_, theirs) = other.get(&app, "/api/v1/views").await;
    assert_eq!(theirs, json!([]));
    assert_error(
        other.patch(&app, &path, json!({ "name": "Mine" })).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        other.delete(&app, &path).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let (status, _) = other
        .post(
            &app,
            "/api/v1/views",
            json!({ "name": "Hot leads", "query": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, cold) = user
        .post(
            &app,
            "/api/v1/views",
            json!({ "name": "Cold", "query": "filter=score%3Alt%3A10" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_error(
        user.patch(&app, &path, json!({ "name": "cold" })).await,
        StatusCode::CONFLICT,
        "view_name_taken",
    );
    let (status, renamed) = user
        .patch(
            &app,
            &path,
            json!({ "name": "Warm", "query": "filter=score:gte:50" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(
        (renamed["name"].as_str(), renamed["query"].as_str()),
        (Some("Warm"), Some("filter=score%3Agte%3A50"))
    );

    let (_, listed) = user.get(&app, "/api/v1/views").await;
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Cold", "Warm"], "by name");

    let (status, _) = user.delete(&app, &path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_error(
        user.delete(&app, &path).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let (_, listed) = user.get(&app, "/api/v1/views").await;
    assert_eq!(listed, json!([cold]));
}

#[tokio::test]
async fn a_view_query_lists_what_the_view_promises() {
    let app = spawn_app().await;
    let user = five_contacts(&app).await;
    let (_, view) = user
        .post(&app, "/api/v1/views", json!({ "name": "Pro", "query": query(&[("filter", "attributes.plan:eq:pro"), ("sort", "email"), ("order", "asc")]) }))
        .await;
    let (status, body) = user.list(&app, view["query"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let emails: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["ann@gmail.com", "cy@example.com"]);
}
