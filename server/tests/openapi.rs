//! The OpenAPI document describes every API route, and its request bodies match what the
//! handlers accept.

mod common;

use common::{read, spawn_app};
use reqwest::StatusCode;
use std::collections::BTreeSet;

#[tokio::test]
async fn describes_every_route_and_method() {
    let app = spawn_app().await;
    let (status, doc) = read(reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );

    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| ["get", "post", "patch", "delete", "put"].contains(&k.as_str()))
        {
            documented.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let mut expected: BTreeSet<String> = [
        "POST /api/v1/auth/signup",
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/logout",
        "GET /api/v1/auth/me",
        "GET /api/v1/auth/workspaces",
        "POST /api/v1/auth/switch",
        "POST /api/v1/auth/password",
        "POST /api/v1/auth/logout-everywhere",
        "DELETE /api/v1/workspace",
        "POST /api/v1/auth/password-reset",
        "POST /api/v1/auth/password-reset/confirm",
        "GET /api/v1/members",
        "PATCH /api/v1/members/{userId}",
        "DELETE /api/v1/members/{userId}",
        "POST /api/v1/invitations",
        "GET /api/v1/invitations",
        "DELETE /api/v1/invitations/{id}",
        "POST /api/v1/invitations/accept",
        "POST /api/v1/tokens",
        "GET /api/v1/tokens",
        "DELETE /api/v1/tokens/{id}",
        "GET /api/v1/jobs",
        "GET /api/v1/jobs/{id}",
        "POST /api/v1/jobs/{id}/cancel",
        "POST /api/v1/imports",
        "GET /api/v1/imports",
        "GET /api/v1/imports/{id}",
        "GET /api/v1/imports/{id}/errors",
        "POST /api/v1/imports/{id}/revert",
        "GET /api/v1/views",
        "POST /api/v1/views",
        "PATCH /api/v1/views/{id}",
        "DELETE /api/v1/views/{id}",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for base in ["/api/v1/contacts", "/api/v1/leads"] {
        for route in [
            format!("GET {base}"),
            format!("POST {base}"),
            format!("GET {base}/export"),
            format!("POST {base}/batch"),
            format!("POST {base}/bulk"),
            format!("GET {base}/{{id}}"),
            format!("GET {base}/{{id}}/events"),
            format!("PATCH {base}/{{id}}"),
            format!("DELETE {base}/{{id}}"),
        ] {
            expected.insert(route);
        }
    }
    assert_eq!(documented, expected);

    // Each documented route exists: none answers the router's own 404.
    let client = reqwest::Client::new();
    for route in &expected {
        let (method, path) = route.split_once(' ').unwrap();
        let url = app.url(
            &path
                .replace("{id}", "00000000-0000-0000-0000-000000000000")
                .replace("{userId}", "00000000-0000-0000-0000-000000000000"),
        );
        let response = client
            .request(method.parse().unwrap(), url)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_ne!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{route}");
        if !path.contains('{') {
            assert_ne!(response.status(), StatusCode::NOT_FOUND, "{route}");
        }
    }
}

#[tokio::test]
async fn lead_body_lists_exactly_the_accepted_fields() {
    let app = spawn_app().await;
    let (_, doc) = read(reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap()).await;
    let documented: BTreeSet<&str> = doc["components"]["schemas"]["LeadBody"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let accepted: BTreeSet<&str> = app::domain::lead_input::KNOWN_FIELDS.into_iter().collect();
    assert_eq!(documented, accepted);
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405() {
    let app = spawn_app().await;
    let response = reqwest::Client::new()
        .put(app.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["code"], "method_not_allowed");
}
