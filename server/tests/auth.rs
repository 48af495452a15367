//! `/api/v1/auth/*` (sign-up, sign-in, sign-out, who am I) and the cross-site request guard.

mod common;

use app::server::service::login_throttle::{FREE_FAILURES, MAX_CLIENT_FAILURES};

use app::server::entity::{session, tenant, user};
use chrono::{Duration, Utc};
use common::{
    PASSWORD, TestApp, assert_error, field_error, read, session_secret, session_set_cookie,
    spawn_app,
};
use reqwest::header::{COOKIE, ORIGIN, RETRY_AFTER};
use reqwest::{Client, Method, Response, StatusCode};
use sea_orm::{ActiveModelTrait, EntityTrait};
use serde_json::{Value, json};
use std::net::IpAddr;
use uuid::Uuid;

fn signup_body(email: &str) -> Value {
    json!({ "email": email, "password": PASSWORD, "workspaceName": "Acme" })
}

async fn send(request: reqwest::RequestBuilder) -> Response {
    request.send().await.expect("request")
}

async fn signup(app: &TestApp, email: &str) -> Response {
    send(
        app.anonymous(Method::POST, "/api/v1/auth/signup")
            .json(&signup_body(email)),
    )
    .await
}

/// A client whose connections come from `ip` (any 127.x address reaches the test server).
fn client_from(ip: &str) -> Client {
    Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn login_from(
    app: &TestApp,
    client: &Client,
    email: &str,
    password: &str,
) -> (StatusCode, Value, Option<String>) {
    let response = send(
        client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({ "email": email, "password": password })),
    )
    .await;
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_owned());
    let (status, body) = read(response).await;
    (status, body, retry_after)
}

async fn me_with_cookie(app: &TestApp, secret: &str) -> (StatusCode, Value) {
    read(
        send(
            app.anonymous(Method::GET, "/api/v1/auth/me")
                .header(COOKIE, format!("leads_session={secret}")),
        )
        .await,
    )
    .await
}

async fn user_count(app: &TestApp) -> usize {
    user::Entity::find().all(&app.db).await.unwrap().len()
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

#[tokio::test]
async fn signup_creates_the_workspace_and_signs_in() {
    let app = spawn_app().await;
    let response = signup(&app, "ada@example.com").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = session_set_cookie(&response).expect("a session cookie");
    for part in ["; HttpOnly", "; SameSite=Lax", "; Path=/"] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    assert!(
        !cookie.contains("Secure"),
        "no Secure over plain http: {cookie}"
    );
    let secret = session_secret(&response).unwrap();
    let (_, body) = read(response).await;
    assert_eq!(
        (keys(&body), keys(&body["user"]), keys(&body["tenant"])),
        (
            vec!["tenant", "user"],
            vec!["email", "id"],
            vec!["id", "name"]
        )
    );
    assert_eq!(
        (
            body["user"]["email"].as_str(),
            body["tenant"]["name"].as_str()
        ),
        (Some("ada@example.com"), Some("Acme"))
    );

    let stored = app
        .session_in_db(&secret)
        .await
        .expect("the session is stored by its hash");
    assert_eq!(
        stored.tenant_id.to_string(),
        body["tenant"]["id"].as_str().unwrap()
    );
    assert_eq!(
        stored.user_id.to_string(),
        body["user"]["id"].as_str().unwrap()
    );
    let (status, me) = me_with_cookie(&app, &secret).await;
    assert_eq!(
        (status, &me["user"], &me["tenant"], me["role"].as_str()),
        (
            StatusCode::OK,
            &body["user"],
            &body["tenant"],
            Some("owner")
        )
    );
}

#[tokio::test]
async fn the_session_cookie_is_secure_behind_https() {
    let app = spawn_app().await;
    let request = app
        .anonymous(Method::POST, "/api/v1/auth/signup")
        .header("x-forwarded-proto", "https");
    let response = send(request.json(&signup_body("secure@example.com"))).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = session_set_cookie(&response).unwrap();
    assert!(
        cookie.contains("; Secure") && cookie.contains("; HttpOnly"),
        "{cookie}"
    );
}

#[tokio::test]
async fn signup_rejects_a_short_password_and_a_bad_email() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_anonymous(
            "/api/v1/auth/signup",
            json!({ "email": "a@example.com", "password": "1234567", "workspaceName": "W" }),
        )
        .await;
    assert!(
        field_error(status, &body, "password").contains('8'),
        "{body}"
    );
    assert!(body["error"]["message"].is_string());
    let (status, body) = app
        .post_anonymous(
            "/api/v1/auth/signup",
            json!({ "email": "not-an-email", "password": PASSWORD, "workspaceName": "W" }),
        )
        .await;
    field_error(status, &body, "email");
    let (status, body) = app
        .post_anonymous(
            "/api/v1/auth/signup",
            json!({ "email": "a@example.com", "password": PASSWORD, "workspaceName": "  " }),
        )
        .await;
    field_error(status, &body, "workspaceName");
    assert_eq!(user_count(&app).await, 0, "nothing was created");
}

#[tokio::test]
async fn signup_normalises_the_email_and_refuses_a_taken_one_in_any_case() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_anonymous(
            "/api/v1/auth/signup",
            signup_body("  Grace.Hopper@Example.COM "),
        )
        .await;
    assert_eq!(
        (status, body["user"]["email"].as_str()),
        (StatusCode::CREATED, Some("Grace.Hopper@example.com"))
    );
    let stored = user::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(
        stored.iter().map(|u| u.email.as_str()).collect::<Vec<_>>(),
        ["Grace.Hopper@example.com"]
    );

    for taken in [
        "Grace.Hopper@example.com",
        "grace.hopper@EXAMPLE.com",
        "GRACE.HOPPER@example.com",
    ] {
        let response = app
            .post_anonymous("/api/v1/auth/signup", signup_body(taken))
            .await;
        assert_error(response, StatusCode::CONFLICT, "email_taken");
    }
    assert_eq!(user_count(&app).await, 1);
    assert_eq!(
        tenant::Entity::find().all(&app.db).await.unwrap().len(),
        1,
        "a refused sign-up leaves no workspace behind"
    );
}

#[tokio::test]
async fn signup_rejects_wrong_types_malformed_json_and_other_content_types() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_anonymous(
            "/api/v1/auth/signup",
            json!({ "email": 5, "password": true, "workspaceName": ["W"] }),
        )
        .await;
    for field in ["email", "password", "workspaceName"] {
        assert_eq!(field_error(status, &body, field), "must be a string");
    }
    let malformed = app
        .anonymous(Method::POST, "/api/v1/auth/signup")
        .header("content-type", "application/json")
        .body("{\"email\": ");
    assert_error(
        read(send(malformed).await).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    let text = app
        .anonymous(Method::POST, "/api/v1/auth/signup")
        .header("content-type", "text/plain")
        .body(signup_body("t@example.com").to_string());
    assert_error(
        read(send(text).await).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let form = app.anonymous(Method::POST, "/api/v1/auth/signup").form(&[
        ("email", "f@example.com"),
        ("password", PASSWORD),
        ("workspaceName", "W"),
    ]);
    assert_error(
        read(send(form).await).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    assert_eq!(user_count(&app).await, 0);
}

#[tokio::test]
async fn login_signs_in_with_a_new_session() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let response = send(
        app.anonymous(Method::POST, "/api/v1/auth/login")
            .json(&json!({ "email": user.email.to_uppercase(), "password": PASSWORD })),
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the email is matched case-insensitively"
    );
    let cookie = session_set_cookie(&response).unwrap();
    assert!(
        cookie.contains("; HttpOnly")
            && cookie.contains("; SameSite=Lax")
            && cookie.contains("; Path=/"),
        "{cookie}"
    );
    let secret = session_secret(&response).unwrap();
    assert_ne!(secret, user.session, "each sign-in gets its own session");
    let (_, body) = read(response).await;
    assert_eq!(
        body,
        json!({ "user": { "id": user.user_id, "email": user.email }, "tenant": { "id": user.tenant_id, "name": "Acme" } })
    );
    assert_eq!(me_with_cookie(&app, &secret).await.0, StatusCode::OK);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_fail_alike() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let (status, wrong_password) = app
        .post_anonymous(
            "/api/v1/auth/login",
            json!({ "email": user.email, "password": "not the password" }),
        )
        .await;
    let (status2, unknown) = app
        .post_anonymous(
            "/api/v1/auth/login",
            json!({ "email": "nobody@example.com", "password": PASSWORD }),
        )
        .await;
    assert_error(
        (status, wrong_password.clone()),
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    assert_eq!(
        (status2, unknown),
        (status, wrong_password),
        "the two failures must be indistinguishable"
    );
    let (status, body) = app
        .post_anonymous("/api/v1/auth/login", json!({ "email": user.email }))
        .await;
    field_error(status, &body, "password");
}

#[tokio::test]
async fn repeated_failures_for_one_email_back_off_for_that_client_only() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let attacker = client_from("127.0.0.2");
    for attempt in 1..=FREE_FAILURES {
        let (status, _, _) = login_from(&app, &attacker, &user.email, "wrong password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let (status, body, retry_after) =
        login_from(&app, &attacker, &user.email, "wrong password").await;
    assert_error(
        (status, body),
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
    let secs: u64 = retry_after.expect("Retry-After").parse().unwrap();
    assert!((1..=2).contains(&secs), "Retry-After {secs}");
    // The attacker cannot lock the owner out: from elsewhere the right password works.
    let elsewhere = client_from("127.0.0.3");
    assert_eq!(
        login_from(&app, &elsewhere, &user.email, PASSWORD).await.0,
        StatusCode::OK
    );
    // The back-off doubles with each further failure.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        login_from(&app, &attacker, &user.email, "wrong password")
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _, retry_after) = login_from(&app, &attacker, &user.email, "wrong password").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after.as_deref(), Some("2"));
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_throttled() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let attacker = client_from("127.0.0.4");
    for i in 0..MAX_CLIENT_FAILURES {
        let (status, _, _) = login_from(
            &app,
            &attacker,
            &format!("guess{i}@example.com"),
            "password1",
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body, retry_after) =
        login_from(&app, &attacker, "guess-new@example.com", "password1").await;
    assert_error(
        (status, body),
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
    assert!(retry_after.is_some());
    assert_eq!(
        login_from(&app, &client_from("127.0.0.5"), &user.email, PASSWORD)
            .await
            .0,
        StatusCode::OK,
        "other addresses are unaffected"
    );
}

#[tokio::test]
async fn logout_ends_the_session_for_good() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    assert!(app.session_in_db(&user.session).await.is_some());
    let response = send(user.request(&app, Method::POST, "/api/v1/auth/logout")).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cookie = session_set_cookie(&response).expect("the cookie is cleared");
    assert!(
        cookie.starts_with("leads_session=;") && cookie.contains("Max-Age=0"),
        "{cookie}"
    );
    assert_eq!(session_secret(&response), None);

    assert!(
        app.session_in_db(&user.session).await.is_none(),
        "the session row is deleted"
    );
    assert_error(
        me_with_cookie(&app, &user.session).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        user.get(&app, "/api/v1/auth/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        user.post(&app, "/api/v1/auth/logout", json!({})).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

#[tokio::test]
async fn logout_leaves_other_sessions_alone() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let response = send(
        app.anonymous(Method::POST, "/api/v1/auth/login")
            .json(&json!({ "email": user.email, "password": PASSWORD })),
    )
    .await;
    let second = session_secret(&response).unwrap();
    assert_eq!(
        user.post(&app, "/api/v1/auth/logout", json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        me_with_cookie(&app, &user.session).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(me_with_cookie(&app, &second).await.0, StatusCode::OK);
}

#[tokio::test]
async fn me_names_the_user_workspace_and_role() {
    let app = spawn_app().await;
    let user = app.signup("Initech").await;
    let (status, body) = user.get(&app, "/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({ "user": { "id": user.user_id, "email": user.email }, "tenant": { "id": user.tenant_id, "name": "Initech" }, "role": "owner" })
    );
}

#[tokio::test]
async fn me_without_a_valid_session_is_401() {
    let app = spawn_app().await;
    let (status, body) = read(send(app.anonymous(Method::GET, "/api/v1/auth/me")).await).await;
    assert_error(
        (status, body.clone()),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_eq!(keys(&body), ["error"]);
    assert_error(
        me_with_cookie(&app, "forged-session-secret").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let bad_bearer = app
        .anonymous(Method::GET, "/api/v1/auth/me")
        .bearer_auth("leads_not-a-real-token");
    assert_error(
        read(send(bad_bearer).await).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

#[tokio::test]
async fn cross_site_writes_with_the_session_cookie_are_refused() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let contact = user
        .create_contact(
            &app,
            json!({ "email": "target@example.com", "company": "Before" }),
        )
        .await;
    let path = format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap());
    let before = app.leads_in_db(user.tenant_id).await;

    for (name, value) in [
        ("origin", "http://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let create = user
            .request(&app, Method::POST, "/api/v1/contacts")
            .header(name, value)
            .json(&json!({ "email": "new@example.com" }));
        assert_error(
            read(send(create).await).await,
            StatusCode::FORBIDDEN,
            "cross_site_request",
        );
        let patch = user
            .request(&app, Method::PATCH, &path)
            .header(name, value)
            .json(&json!({ "company": "Hacked" }));
        assert_error(
            read(send(patch).await).await,
            StatusCode::FORBIDDEN,
            "cross_site_request",
        );
        let delete = user
            .request(&app, Method::DELETE, &path)
            .header(name, value);
        assert_error(
            read(send(delete).await).await,
            StatusCode::FORBIDDEN,
            "cross_site_request",
        );
        let logout = user
            .request(&app, Method::POST, "/api/v1/auth/logout")
            .header(name, value);
        assert_error(
            read(send(logout).await).await,
            StatusCode::FORBIDDEN,
            "cross_site_request",
        );
    }
    assert_eq!(
        app.leads_in_db(user.tenant_id).await,
        before,
        "nothing changed"
    );
    assert!(
        app.session_in_db(&user.session).await.is_some(),
        "still signed in"
    );
    // Reading is not a state change.
    let read_cross_site = user
        .request(&app, Method::GET, &path)
        .header(ORIGIN, "http://evil.example");
    assert_eq!(send(read_cross_site).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn same_origin_writes_are_allowed() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let origin = app.base.clone();
    let create = user
        .request(&app, Method::POST, "/api/v1/contacts")
        .header(ORIGIN, &origin)
        .header("sec-fetch-site", "same-origin");
    let (status, contact) =
        read(send(create.json(&json!({ "email": "ok@example.com" }))).await).await;
    assert_eq!(status, StatusCode::CREATED, "{contact}");
    let path = format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap());
    let patch = user
        .request(&app, Method::PATCH, &path)
        .header(ORIGIN, &origin)
        .json(&json!({ "company": "Same origin" }));
    assert_eq!(send(patch).await.status(), StatusCode::OK);
    assert_eq!(
        app.lead_in_db(user.tenant_id, contact["id"].as_str().unwrap())
            .await
            .unwrap()
            .company,
        "Same origin"
    );
    let delete = user
        .request(&app, Method::DELETE, &path)
        .header(ORIGIN, &origin);
    assert_eq!(send(delete).await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn bearer_requests_are_not_subject_to_the_origin_check() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let token = user.create_token(&app, "script").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let api = user.with_token(&token);
    let create = api
        .request(&app, Method::POST, "/api/v1/contacts")
        .header(ORIGIN, "http://evil.example")
        .header("sec-fetch-site", "cross-site");
    let (status, contact) =
        read(send(create.json(&json!({ "email": "bearer@example.com" }))).await).await;
    assert_eq!(status, StatusCode::CREATED, "{contact}");
    let delete = api
        .request(
            &app,
            Method::DELETE,
            &format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap()),
        )
        .header(ORIGIN, "http://evil.example");
    assert_eq!(send(delete).await.status(), StatusCode::NO_CONTENT);
    assert!(app.leads_in_db(user.tenant_id).await.is_empty());
}

#[tokio::test]
async fn sign_in_from_another_site_is_refused() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let login = app
        .anonymous(Method::POST, "/api/v1/auth/login")
        .header(ORIGIN, "http://evil.example");
    let (status, body) =
        read(send(login.json(&json!({ "email": user.email, "password": PASSWORD }))).await).await;
    assert_error((status, body), StatusCode::FORBIDDEN, "cross_site_request");
    let signup = app
        .anonymous(Method::POST, "/api/v1/auth/signup")
        .header(ORIGIN, "http://evil.example");
    assert_eq!(
        send(signup.json(&signup_body(&format!(
            "{}@example.com",
            Uuid::new_v4().simple()
        ))))
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(user_count(&app).await, 1);
}

async fn set_session_expiry(app: &TestApp, secret: &str, expires: chrono::DateTime<chrono::Utc>) {
    let mut session: session::ActiveModel =
        app.session_in_db(secret).await.expect("session row").into();
    session.expires = sea_orm::Set(expires);
    session.update(&app.db).await.unwrap();
}

#[tokio::test]
async fn an_expired_session_is_refused() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    set_session_expiry(&app, &user.session, Utc::now() - Duration::seconds(1)).await;
    let response = send(
        app.anonymous(Method::GET, "/api/v1/auth/me")
            .header(COOKIE, format!("leads_session={}", user.session)),
    )
    .await;
    assert_eq!(
        session_set_cookie(&response),
        None,
        "an expired session is not renewed"
    );
    assert_error(
        read(response).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

#[tokio::test]
async fn a_session_in_use_slides_forward() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    // Fresh sessions are left alone: no write, no new cookie.
    let response = send(user.request(&app, Method::GET, "/api/v1/auth/me")).await;
    assert_eq!(
        (response.status(), session_set_cookie(&response)),
        (StatusCode::OK, None)
    );

    set_session_expiry(&app, &user.session, Utc::now() + Duration::days(10)).await;
    let response = send(user.request(&app, Method::GET, "/api/v1/contacts")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = session_set_cookie(&response).expect("the cookie is re-sent with the new expiry");
    assert_eq!(
        session_secret(&response).as_deref(),
        Some(user.session.as_str()),
        "same session, same secret"
    );
    let max_age: i64 = cookie
        .split("Max-Age=")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (Duration::days(30) - Duration::seconds(max_age))
            .num_seconds()
            .abs()
            < 60,
        "{cookie}"
    );
    let expires = app.session_in_db(&user.session).await.unwrap().expires;
    assert!(
        (expires - (Utc::now() + Duration::days(30)))
            .num_seconds()
            .abs()
            < 60,
        "stored expiry {expires}"
    );
}
