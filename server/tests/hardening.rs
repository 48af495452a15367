//! Hostile and unlucky input: every one of these once answered 500, redirected off-site, or let
//! a user down; each must now get the right answer on both backends.

mod common;

use common::{
    AppOptions, Backend, PASSWORD, TestApp, assert_error, backend, field_error, no_redirects, read,
    spawn_app, spawn_app_with, spawn_app_with_timeout,
};
use leptos::server_fn::ServerFn;
use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn nul_characters_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    for (body, field) in [
        (
            json!({"email": "a@b.co", "attributes": {"k": "v\u{0}"}}),
            "attributes",
        ),
        (
            json!({"email": "a@b.co", "company": "Ac\u{0}me"}),
            "company",
        ),
        (json!({"email": "a\u{0}@b.co"}), "email"),
    ] {
        let (status, response) = user.post(&app, "/api/v1/contacts", body).await;
        field_error(status, &response, field);
    }
    let (status, body) = app
        .post_anonymous(
            "/api/v1/auth/login",
            json!({"email": "a\u{0}@b.co", "password": "whatever1"}),
        )
        .await;
    field_error(status, &body, "email");
    assert!(app.leads_in_db(user.tenant_id).await.is_empty());
}

#[tokio::test]
async fn the_longest_first_and_last_names_make_a_name_that_fits() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let (first, last) = ("F".repeat(100), "L".repeat(100));
    let (status, created) = user
        .post(
            &app,
            "/api/v1/contacts",
            json!({"email": "long@names.example", "firstName": first, "lastName": last}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let name = created["name"].as_str().expect("a derived name").to_owned();
    assert_eq!(name.chars().count(), 201);
    // Sending the name back, as an edit form does, is accepted too.
    let path = format!("/api/v1/contacts/{}", created["id"].as_str().unwrap());
    let (status, edited) = user
        .patch(&app, &path, json!({"name": name, "company": "Acme"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
}

fn forged_cursor(sort: &str, key: Value) -> String {
    use base64::Engine;
    let raw = json!({"sort": sort, "order": "asc", "key": key, "id": uuid::Uuid::nil()});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw.to_string())
}

#[tokio::test]
async fn a_forged_cursor_is_a_400_naming_the_cursor() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    user.create_contact(&app, json!({"email": "a@b.co"})).await;
    for (sort, key) in [
        ("email", json!({"Int": 5})),
        ("score", json!({"Text": "x"})),
        ("updated", json!({"Int": 1})),
        ("created", json!({"Time": i64::MAX})),
    ] {
        let query = format!("sort={sort}&order=asc&cursor={}", forged_cursor(sort, key));
        let (status, body) = user.list(&app, &query).await;
        field_error(status, &body, "cursor");
    }
}

#[tokio::test]
async fn emails_differing_only_in_unicode_case_are_the_same_address() {
    let app = spawn_app().await;
    let client = Client::new();
    let signup = client
        .post(app.url("/api/v1/auth/signup"))
        .json(&json!({"email": "Ünal@x.de", "password": PASSWORD, "workspaceName": "Umlaut"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), StatusCode::CREATED);
    for spelling in ["Ünal@x.de", "ünal@x.de", "ÜNAL@X.DE"] {
        let (status, body) = app
            .post_anonymous(
                "/api/v1/auth/login",
                json!({"email": spelling, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{spelling}: {body}");
    }
    let (status, body) = app
        .post_anonymous(
            "/api/v1/auth/signup",
            json!({"email": "ünal@X.de", "password": PASSWORD, "workspaceName": "Again"}),
        )
        .await;
    assert_error((status, body), StatusCode::CONFLICT, "email_taken");

    let user = app.signup("Acme").await;
    let first = user
        .create_contact(&app, json!({"email": "Ünal@umlaut.de"}))
        .await;
    for spelling in ["ünal@umlaut.de", "ÜNAL@umlaut.de"] {
        let (status, body) = user
            .post(&app, "/api/v1/contacts", json!({"email": spelling}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{spelling}: {body}");
        assert_eq!(body["error"]["existingId"], first["id"]);
    }
    // Renaming another contact onto the address is refused the same way.
    let other = user
        .create_contact(&app, json!({"email": "other@umlaut.de"}))
        .await;
    let path = format!("/api/v1/contacts/{}", other["id"].as_str().unwrap());
    let (status, body) = user
        .patch(&app, &path, json!({"email": "ÜNAL@UMLAUT.DE"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["existingId"], first["id"]);
    assert_eq!(app.leads_in_db(user.tenant_id).await.len(), 2);
}

#[tokio::test]
async fn a_duplicate_create_leaves_the_transaction_usable_and_stores_nothing() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let first = user
        .create_contact(&app, json!({"email": "dup@b.co"}))
        .await;
    // Many duplicates at once: each a clean 409 naming the holder, none a 500.
    let requests = (0..8)
        .map(|_| {
            user.request(&app, Method::POST, "/api/v1/contacts")
                .json(&json!({"email": "DUP@b.co"}))
        })
        .collect();
    for (status, body) in common::all_at_once(requests).await {
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["existingId"], first["id"]);
    }
    assert_eq!(app.leads_in_db(user.tenant_id).await.len(), 1);
}

#[tokio::test]
async fn a_signed_out_page_visit_is_a_303_to_sign_in() {
    let app = spawn_app().await;
    for accept in ["*/*", "text/html,application/xhtml+xml"] {
        let response = no_redirects()
            .get(app.url("/contacts?search=a%20b"))
            .header(ACCEPT, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "Accept: {accept}");
        let location = response.headers()[LOCATION].to_str().unwrap();
        assert!(
            location.starts_with("/login?next=%2Fcontacts%3Fsearch%3Da"),
            "{location}"
        );
    }
}

async fn login_form(app: &TestApp, email: &str, next: &str, accept: &str) -> reqwest::Response {
    let body =
        serde_urlencoded::to_string([("email", email), ("password", PASSWORD), ("next", next)])
            .unwrap();
    no_redirects()
        .post(app.url(app::api::account::Login::PATH))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, accept)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_in_never_redirects_off_site_or_panics() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "//evil.example",
        "/\u{7f}",
        "/caf\u{e9}",
        "https://evil.example",
    ] {
        for accept in ["text/html", "*/*"] {
            let response = login_form(&app, &user.email, next, accept).await;
            assert!(
                response.status().is_success() || response.status().is_redirection(),
                "{next:?}: {}",
                response.status()
            );
            let location = response.headers()[LOCATION].to_str().unwrap();
            assert_eq!(location, "/contacts", "next={next:?}");
        }
    }
    let response = login_form(&app, &user.email, "/contacts?page=2", "text/html").await;
    assert_eq!(response.headers()[LOCATION], "/contacts?page=2");
}

#[tokio::test]
async fn behind_a_trusted_proxy_one_client_cannot_throttle_another() {
    let app = spawn_app_with(AppOptions {
        trusted_proxies: app::server::client_ip::TrustedProxies::parse("127.0.0.1").unwrap(),
        ..AppOptions::default()
    })
    .await;
    let user = app.signup("Acme").await;
    let login = |client_ip: &'static str, email: String, password: &'static str| {
        let app = &app;
        async move {
            read(
                Client::new()
                    .post(app.url("/api/v1/auth/login"))
                    .header("x-forwarded-for", format!("6.6.6.6, {client_ip}"))
                    .json(&json!({"email": email, "password": password}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
            .0
        }
    };
    // One client sprays guesses at many accounts until it is cut off...
    let mut cut_off = false;
    for i in 0..app::server::service::login_throttle::MAX_CLIENT_FAILURES + 1 {
        let status = login("198.51.100.7", format!("guess{i}@example.com"), "password1").await;
        cut_off |= status == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(cut_off, "the spraying client is throttled");
    // ...and guesses at the owner's account, which backs off for that client only...
    for _ in 0..app::server::service::login_throttle::FREE_FAILURES {
        login("198.51.100.8", user.email.clone(), "wrong-password").await;
    }
    assert_eq!(
        login("198.51.100.8", user.email.clone(), "wrong-password").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // ...while the owner, another client behind the same proxy, signs in.
    assert_eq!(
        login("203.0.113.50", user.email.clone(), PASSWORD).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn concurrent_guesses_hold_their_failures_before_the_password_check() {
    let app = spawn_app().await;
    let user = app.signup("Acme").await;
    let requests = (0..12)
        .map(|_| {
            app.anonymous(Method::POST, "/api/v1/auth/login")
                .json(&json!({"email": user.email, "password": "wrong-password"}))
        })
        .collect();
    let statuses: Vec<StatusCode> = common::all_at_once(requests)
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(
        checked <= app::server::service::login_throttle::FREE_FAILURES,
        "only the free attempts reach the password check: {statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS)
    );
}

#[tokio::test]
async fn sign_ups_from_one_client_are_limited() {
    let app = spawn_app().await;
    let mut limited = None;
    for i in 0..=app::server::service::signup_throttle::MAX_SIGNUPS {
        let (status, body) = app
            .post_anonymous(
                "/api/v1/auth/signup",
                json!({"email": format!("u{i}@example.com"), "password": PASSWORD, "workspaceName": "W"}),
            )
            .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(body);
            break;
        }
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let body = limited.expect("the last sign-up is refused");
    assert_eq!(body["error"]["code"], "rate_limited");
}

/// PostgreSQL: a statement that outlives its time limit is cancelled on the server, and the
/// request answers 503 with the JSON error.
#[tokio::test]
async fn a_slow_statement_is_cancelled_and_answers_503() {
    if backend() != Backend::Postgres {
        return;
    }
    let app = spawn_app_with(AppOptions {
        statement_timeout: Duration::from_millis(300),
        ..AppOptions::default()
    })
    .await;
    let user = app.signup("Acme").await;
    let contact = user
        .create_contact(&app, json!({"email": "locked@b.co"}))
        .await;
    // Another session holds the row, so the edit's UPDATE waits on it.
    let holder = sea_orm::Database::connect(app.db_url()).await.unwrap();
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let txn = holder.begin().await.unwrap();
    // With its tenant: Citus locks rows only in a query it can route to one shard.
    txn.execute_unprepared(&format!(
        "SELECT 1 FROM leads WHERE tenant_id = '{}' AND id = '{}' FOR UPDATE",
        user.tenant_id,
        contact["id"].as_str().unwrap()
    ))
    .await
    .unwrap();
    let path = format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap());
    let (status, body) = user.patch(&app, &path, json!({"company": "Slow"})).await;
    assert_error((status, body), StatusCode::SERVICE_UNAVAILABLE, "timeout");
    if !common::on_citus() {
        // Gone from the server at once. (On Citus the coordinator's cancel reaches the
        // worker's part of the statement in its own time; what matters there is checked below.)
        let waiting: i64 = txn
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND state = 'active' AND query LIKE 'UPDATE%'"
                    .to_owned(),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index(0)
            .unwrap();
        assert_eq!(waiting, 0, "the cancelled UPDATE is gone from the server");
    }
    txn.rollback().await.unwrap();
    // With the row free again, the cancelled edit must not land late, and the next one works.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, now) = user.get(&app, &path).await;
    assert_eq!(status, StatusCode::OK, "{now}");
    assert!(
        now["company"].is_null(),
        "the cancelled edit was not applied: {now}"
    );
    let (status, edited) = user.patch(&app, &path, json!({"company": "Quick"})).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["company"], "Quick");
}

/// A TCP relay to PostgreSQL that the test can cut (every connection dropped, new ones closed
/// at once, as a restarting server does) and restore.
struct Relay {
    addr: std::net::SocketAddr,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    links: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: String) -> Self {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay = Relay {
            addr: listener.local_addr().unwrap(),
            up: Default::default(),
            links: Default::default(),
        };
        relay.up.store(true, Ordering::SeqCst);
        let (up, links) = (relay.up.clone(), relay.links.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !up.load(Ordering::SeqCst) {
                    continue; // dropped: the client sees the connection close
                }
                let target = target.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                links.lock().unwrap().push(link);
            }
        });
        relay
    }

    fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// PostgreSQL going away under load: requests answer 503 (never 500), nothing acknowledged is
/// lost, and the first request after it is back succeeds (dead pooled connections are
/// replaced, not waited on).
#[tokio::test]
async fn a_database_outage_answers_503_and_recovers_at_once() {
    if backend() != Backend::Postgres {
        return;
    }
    let admin = common::admin_url();
    let relay = Relay::start(common::database_authority(&admin)).await;
    let app = spawn_app_with(AppOptions {
        database_via: Some(relay.addr),
        ..AppOptions::default()
    })
    .await;
    let user = app.signup("Acme").await;
    let mut acknowledged = Vec::new();
    for i in 0..5 {
        let created = user
            .create_contact(&app, json!({"email": format!("before{i}@b.co")}))
            .await;
        acknowledged.push(created["id"].as_str().unwrap().to_owned());
    }

    // A restart first ends every session (SQLSTATE 57P01): pooled connections are dead.
    let db_name = app.db_url().rsplit('/').next().unwrap().to_owned();
    let direct = sea_orm::Database::connect(common::admin_url())
        .await
        .unwrap();
    use sea_orm::ConnectionTrait;
    direct
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db_name}'"
        ))
        .await
        .unwrap();
    let (status, body) = user
        .post(
            &app,
            "/api/v1/contacts",
            json!({"email": "terminated@b.co"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    acknowledged.push(body["id"].as_str().unwrap().to_owned());

    relay.cut();
    for i in 0..4 {
        let (status, body) = user
            .post(
                &app,
                "/api/v1/contacts",
                json!({"email": format!("during{i}@b.co")}),
            )
            .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["error"]["code"], "unavailable", "{body}");
        let (status, _) = user.list(&app, "").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    }

    relay.restore();
    let started = std::time::Instant::now();
    let (status, body) = user
        .post(&app, "/api/v1/contacts", json!({"email": "after@b.co"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "first request after the outage took {:?}",
        started.elapsed()
    );
    let stored: Vec<String> = app
        .leads_in_db(user.tenant_id)
        .await
        .iter()
        .map(|m| m.id.to_string())
        .collect();
    for id in &acknowledged {
        assert!(stored.contains(id), "acknowledged contact {id} was lost");
    }
}

/// Building a router lists the app's pages by rendering it while every resource load in the
/// process is held back. Pages that another router serves meanwhile (tests and benches run many
/// in one process) must still render: listing happens once per process.
#[tokio::test]
async fn pages_render_while_another_router_is_built() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Stops the builder however the test ends, so a failure does not leave it running.
    struct StopOnDrop(Arc<AtomicBool>);
    impl Drop for StopOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }

    let app = spawn_app_with_timeout(Duration::from_secs(5)).await;
    let stop = Arc::new(AtomicBool::new(false));
    let stop_builder = StopOnDrop(stop.clone());
    let builder = {
        let (stop, db, addr) = (stop.clone(), app.db.clone(), app.addr);
        std::thread::spawn(move || {
            // Listing the pages spawns tasks: give it a runtime of its own, as another app has.
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            let _entered = runtime.enter();
            let mut built = 0;
            while !stop.load(Ordering::Relaxed) {
                let state = app::server::state::AppState::new(
                    db.clone(),
                    server::config::leptos_options(addr),
                );
                drop(server::router::build(state));
                built += 1;
            }
            built
        })
    };
    let mut answers = Vec::new();
    for _ in 0..40 {
        let response = no_redirects()
            .get(app.url("/contacts"))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        answers.push(response.status());
    }
    drop(stop_builder);
    let built = builder.join().expect("router builder");
    assert!(built > 0, "no router was built while the pages rendered");
    assert!(
        answers.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{answers:?} ({built} routers built meanwhile)"
    );
}
