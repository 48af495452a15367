//! `/api/v1/tokens`: API tokens, shown once, stored as a hash, revoked at once, tenant-bound.

mod common;

use common::{all_at_once, assert_error, field_error, sha256_hex, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn token_of(created: &Value) -> String {
    created["token"].as_str().expect("a token").to_owned()
}

#[tokio::test]
async fn a_new_token_is_shown_once_and_authenticates() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let created = user.create_token(&app, "  CI deploy ").await;
    let keys: Vec<&str> = created
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["expires", "id", "name", "scope", "token"]);
    assert_eq!(
        (created["scope"].as_str(), &created["expires"]),
        (Some("write"), &Value::Null)
    );
    assert_eq!(created["name"], "CI deploy", "the name is trimmed");
    let token = token_of(&created);
    assert!(token.starts_with("leads_") && token.len() > 40, "{token}");

    let api = user.with_token(&token);
    let (status, me) = api.get(&app, "/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        me,
        json!({ "user": { "id": user.user_id, "email": user.email }, "tenant": { "id": user.tenant_id, "name": "Acme" }, "role": "owner" })
    );
    let contact = api
        .create_contact(&app, json!({ "email": "via-token@example.com" }))
        .await;
    let (ids, meta) = api.list_ids(&app, "").await;
    assert_eq!(
        (ids, meta["total"].as_u64()),
        (vec![contact["id"].as_str().unwrap().to_owned()], Some(1))
    );
}

#[tokio::test]
async fn the_list_never_shows_a_secret() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let first = user.create_token(&app, "first").await;
    let second = user.create_token(&app, "second").await;
    let (status, list) = user.get(&app, "/api/v1/tokens").await;
    assert_eq!(status, StatusCode::OK);
    let text = list.to_string();
    let items = list.as_array().unwrap();
    assert_eq!(
        items
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["second", "first"],
        "newest first"
    );
    for (item, created) in items.iter().zip([&second, &first]) {
        let keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "created", "expires", "id", "lastUsed", "name", "prefix", "scope", "userId"
            ],
            "no token field: {item}"
        );
        assert_eq!(item["id"], created["id"]);
        let secret = token_of(created);
        assert_eq!(item["prefix"].as_str(), Some(&secret[..12]));
        assert!(!text.contains(&secret), "the secret leaks into the list");
        assert!(!text.contains(&secret[12..]));
    }
}

#[tokio::test]
async fn only_a_hash_of_the_secret_is_stored() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let created = user.create_token(&app, "stored").await;
    let token = token_of(&created);
    let rows = app.tokens_in_db(user.tenant_id).await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(
        (row.id.to_string(), row.user_id, row.name.as_str()),
        (
            created["id"].as_str().unwrap().to_owned(),
            user.user_id,
            "stored"
        )
    );
    assert_eq!(row.secret_hash, sha256_hex(&token));
    assert_eq!(row.prefix, token[..12]);
    assert!(row.revoked.is_none());
    assert!(
        !format!("{rows:?}").contains(&token),
        "the secret itself is in the table"
    );
}

#[tokio::test]
async fn using_a_token_records_when_it_was_last_used() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let token = token_of(&user.create_token(&app, "t").await);
    assert!(
        app.tokens_in_db(user.tenant_id).await[0]
            .last_used
            .is_none()
    );
    assert_eq!(
        user.with_token(&token)
            .get(&app, "/api/v1/contacts")
            .await
            .0,
        StatusCode::OK
    );
    let (_, list) = user.get(&app, "/api/v1/tokens").await;
    assert!(list[0]["lastUsed"].is_string(), "{list}");
    assert!(
        app.tokens_in_db(user.tenant_id).await[0]
            .last_used
            .is_some()
    );
}

#[tokio::test]
async fn a_revoked_token_stops_working_at_once() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let created = user.create_token(&app, "short-lived").await;
    let keep = user.create_token(&app, "kept").await;
    let api = user.with_token(&token_of(&created));
    assert_eq!(api.get(&app, "/api/v1/contacts").await.0, StatusCode::OK);

    let path = format!("/api/v1/tokens/{}", created["id"].as_str().unwrap());
    assert_eq!(
        user.delete(&app, &path).await,
        (StatusCode::NO_CONTENT, Value::Null)
    );
    assert_error(
        api.get(&app, "/api/v1/auth/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        api.get(&app, "/api/v1/contacts").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        api.post(
            &app,
            "/api/v1/contacts",
            json!({ "email": "late@example.com" }),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert!(app.leads_in_db(user.tenant_id).await.is_empty());

    let (_, list) = user.get(&app, "/api/v1/tokens").await;
    assert_eq!(common::ids(&list), [keep["id"].as_str().unwrap()]);
    let row = app
        .tokens_in_db(user.tenant_id)
        .await
        .into_iter()
        .find(|t| t.id.to_string() == created["id"].as_str().unwrap())
        .unwrap();
    assert!(row.revoked.is_some());
    assert_eq!(
        user.with_token(&token_of(&keep))
            .get(&app, "/api/v1/auth/me")
            .await
            .0,
        StatusCode::OK,
        "other tokens still work"
    );

    assert_error(
        user.delete(&app, &path).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn a_token_can_be_revoked_with_itself() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let created = user.create_token(&app, "self").await;
    let api = user.with_token(&token_of(&created));
    assert_eq!(
        api.delete(
            &app,
            &format!("/api/v1/tokens/{}", created["id"].as_str().unwrap())
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.get(&app, "/api/v1/auth/me").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn another_tenants_unknown_or_malformed_ids_are_404() {
    let app = spawn_app().await;
    let alice = app.signup("Alice Inc").await;
    let bob = app.signup("Bob Ltd").await;
    let bobs = bob.create_token(&app, "bob's").await;
    let bobs_path = format!("/api/v1/tokens/{}", bobs["id"].as_str().unwrap());
    for path in [
        bobs_path.as_str(),
        "/api/v1/tokens/00000000-0000-0000-0000-000000000000",
        "/api/v1/tokens/not-a-uuid",
        "/api/v1/tokens/123",
    ] {
        assert_error(
            alice.delete(&app, path).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    assert!(app.tokens_in_db(bob.tenant_id).await[0].revoked.is_none());
    assert_eq!(
        bob.with_token(&token_of(&bobs))
            .get(&app, "/api/v1/auth/me")
            .await
            .0,
        StatusCode::OK
    );
    let (_, alices_list) = alice.get(&app, "/api/v1/tokens").await;
    assert_eq!(alices_list, json!([]));
}

#[tokio::test]
async fn a_token_needs_a_name() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    for body in [
        json!({ "name": "" }),
        json!({ "name": "   " }),
        json!({}),
        json!({ "name": null }),
        json!({ "name": "x".repeat(101) }),
        json!({ "name": 7 }),
    ] {
        let (status, error) = user.post(&app, "/api/v1/tokens", body.clone()).await;
        field_error(status, &error, "name");
    }
    assert!(app.tokens_in_db(user.tenant_id).await.is_empty());
}

#[tokio::test]
async fn token_routes_need_authentication() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let created = user.create_token(&app, "t").await;
    let anonymous = reqwest::Client::new();
    let list = anonymous
        .get(app.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap();
    assert_error(
        common::read(list).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let create = anonymous
        .post(app.url("/api/v1/tokens"))
        .json(&json!({ "name": "x" }))
        .send()
        .await
        .unwrap();
    assert_error(
        common::read(create).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let revoke = anonymous
        .delete(app.url(&format!(
            "/api/v1/tokens/{}",
            created["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_error(
        common::read(revoke).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_eq!(app.tokens_in_db(user.tenant_id).await.len(), 1);
}

#[tokio::test]
async fn a_token_acts_only_in_its_own_tenant() {
    let app = spawn_app().await;
    let alice = app.signup("Alice Inc").await;
    let bob = app.signup("Bob Ltd").await;
    let alices_contact = alice
        .create_contact(&app, json!({ "email": "a@alice.example" }))
        .await;
    let bobs_contact = bob
        .create_contact(
            &app,
            json!({ "email": "b@bob.example", "company": "Bob's" }),
        )
        .await;
    let bobs_token = bob.create_token(&app, "bob's").await;
    let api = alice.with_token(&token_of(&alice.create_token(&app, "alice's").await));

    let (ids, _) = api.list_ids(&app, "").await;
    assert_eq!(ids, [alices_contact["id"].as_str().unwrap()]);
    let bobs_path = format!("/api/v1/contacts/{}", bobs_contact["id"].as_str().unwrap());
    assert_error(
        api.get(&app, &bobs_path).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        api.patch(&app, &bobs_path, json!({ "company": "Alice's now" }))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        api.delete(&app, &bobs_path).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        api.delete(
            &app,
            &format!("/api/v1/tokens/{}", bobs_token["id"].as_str().unwrap()),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let (_, tokens) = api.get(&app, "/api/v1/tokens").await;
    assert_eq!(
        tokens
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["alice's"]
    );

    let created = api
        .create_contact(&app, json!({ "email": "b@bob.example" }))
        .await;
    assert_eq!(
        created["tenantId"],
        json!(alice.tenant_id),
        "a token creates in its own tenant, even with another's email"
    );
    let bob_rows = app.leads_in_db(bob.tenant_id).await;
    assert_eq!((bob_rows.len(), bob_rows[0].company.as_str()), (1, "Bob's"));
    assert!(app.tokens_in_db(bob.tenant_id).await[0].revoked.is_none());
}

#[tokio::test]
async fn concurrent_token_revocations_all_succeed() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let mut requests = Vec::new();
    for i in 0..8 {
        let created = user.create_token(&app, &format!("t{i}")).await;
        requests.push(user.request(
            &app,
            reqwest::Method::DELETE,
            &format!("/api/v1/tokens/{}", created["id"].as_str().unwrap()),
        ));
    }
    for (status, body) in all_at_once(requests).await {
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    assert!(
        app.tokens_in_db(user.tenant_id)
            .await
            .iter()
            .all(|t| t.revoked.is_some())
    );
}
