//! Test harness: the real app on a random port, against a fresh database per test — a SQLite
//! file, or a new PostgreSQL database when `LEADS_TEST_BACKEND=postgres`.
//!
//! Citus: with `LEADS_TEST_CITUS_URL` set (a coordinator's database that has the `citus`
//! extension and its workers registered, e.g. `postgres://postgres@127.0.0.1:5441/leads_test`)
//! the PostgreSQL tests run on Citus instead: `backend()` answers `Postgres` (it is PostgreSQL,
//! so every PostgreSQL test applies) and `on_citus()` tells the two apart. Citus does not
//! propagate `CREATE DATABASE`, so each test's database is created on every node, with the
//! extension, and the nodes registered, as a deployment would be.

#![allow(dead_code)]

pub mod smtp_sink;

use app::server::client_ip::TrustedProxies;
use app::server::db;
use app::server::entity::{api_token, lead, session};
use app::server::service::TenantContext;
use app::server::service::auth::{self, Credential};
use app::server::state::AppState;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, SET_COOKIE};
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use sea_orm::{
    ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend() -> Backend {
    if on_citus() {
        return Backend::Postgres;
    }
    match std::env::var("LEADS_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// The Citus coordinator URL the tests run against, when `LEADS_TEST_CITUS_URL` is set.
pub fn citus_url() -> Option<String> {
    std::env::var("LEADS_TEST_CITUS_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// Whether the tests run on Citus (distributed PostgreSQL).
pub fn on_citus() -> bool {
    citus_url().is_some()
}

pub fn admin_url() -> String {
    citus_url().unwrap_or_else(|| {
        std::env::var("LEADS_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
    })
}

/// `url` with its database name replaced by `name` (any query string kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let server = &base[..base.rfind('/').expect("database URL has a path")];
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

/// `url` pointing at another `host:port`.
fn with_authority(url: &str, host: &str, port: i32) -> String {
    url.replacen(&database_authority(url), &format!("{host}:{port}"), 1)
}

async fn execute(url: &str, sql: &str) {
    let conn = Database::connect(url)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    conn.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql} on {url}: {e}"));
    conn.close().await.ok();
}

/// The Citus nodes of the admin database: the coordinator's and the workers' `host:port`.
async fn citus_nodes(admin: &str) -> ((String, i32), Vec<(String, i32)>) {
    let conn = Database::connect(admin)
        .await
        .expect("connect to the Citus coordinator");
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT nodename, nodeport, groupid = 0 FROM pg_dist_node \
             WHERE noderole = 'primary' AND isactive ORDER BY groupid",
        ))
        .await
        .expect("LEADS_TEST_CITUS_URL must name a database with the citus extension");
    conn.close().await.ok();
    let mut coordinator = None;
    let mut workers = Vec::new();
    for row in rows {
        let node: (String, i32) = (
            row.try_get_by_index(0).expect("nodename"),
            row.try_get_by_index(1).expect("nodeport"),
        );
        if row.try_get_by_index::<bool>(2).expect("is coordinator") {
            coordinator = Some(node);
        } else {
            workers.push(node);
        }
    }
    let coordinator = coordinator.expect(
        "register the coordinator in LEADS_TEST_CITUS_URL's database: \
         SELECT citus_set_coordinator_host(host, port)",
    );
    assert!(!workers.is_empty(), "the Citus cluster has no workers");
    (coordinator, workers)
}

/// Creates the database `name` on every Citus node (workers first, `worker_admins`) with the
/// extension, and registers the nodes in it: what `CREATE DATABASE` does on plain PostgreSQL.
async fn create_citus_database(
    admin: &str,
    name: &str,
    coordinator: &(String, i32),
    workers: &[(String, i32)],
    worker_admins: &[String],
) {
    for node_admin in worker_admins.iter().map(String::as_str).chain([admin]) {
        execute(node_admin, &format!("CREATE DATABASE {name}")).await;
        execute(&with_database(node_admin, name), "CREATE EXTENSION citus").await;
    }
    let mut register = format!(
        "SELECT citus_set_coordinator_host('{}', {});",
        coordinator.0, coordinator.1
    );
    for (host, port) in workers {
        register.push_str(&format!("SELECT citus_add_node('{host}', {port});"));
    }
    execute(&with_database(admin, name), &register).await;
}

/// A fresh, empty, migrated database; dropped again when the guard goes.
pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
    /// Citus: the workers' admin URLs, where the database exists too.
    worker_admins: Vec<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new() -> Self {
        match backend() {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                Self {
                    url,
                    pg_name: None,
                    worker_admins: Vec::new(),
                    _dir: Some(dir),
                }
            }
            Backend::Postgres if on_citus() => {
                let name = format!("leads_test_{}", Uuid::new_v4().simple());
                let admin = admin_url();
                let (coordinator, workers) = citus_nodes(&admin).await;
                // The guard first, so a failure half-way still drops what was created.
                let db = Self {
                    url: with_database(&admin, &name),
                    pg_name: Some(name.clone()),
                    worker_admins: workers
                        .iter()
                        .map(|(host, port)| with_authority(&admin, host, *port))
                        .collect(),
                    _dir: None,
                };
                create_citus_database(&admin, &name, &coordinator, &workers, &db.worker_admins)
                    .await;
                db
            }
            Backend::Postgres => {
                let name = format!("leads_test_{}", Uuid::new_v4().simple());
                let admin = Database::connect(admin_url())
                    .await
                    .expect("connect to the PostgreSQL admin database");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let base = admin_url();
                let url = format!(
                    "{}/{name}",
                    &base[..base.rfind('/').expect("database URL has a path")]
                );
                Self {
                    url,
                    pg_name: Some(name),
                    worker_admins: Vec::new(),
                    _dir: None,
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Coordinator first (Citus), so no worker connection of it is left behind.
            let admins: Vec<String> = [admin_url()]
                .into_iter()
                .chain(std::mem::take(&mut self.worker_admins))
                .collect();
            // Best effort, on a thread of its own: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    for admin_url in admins {
                        if let Ok(admin) = Database::connect(admin_url).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                        }
                    }
                });
            })
            .join();
        }
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub db: DatabaseConnection,
    pub base: String,
    _test_db: TestDb,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with_timeout(server::router::REQUEST_TIMEOUT).await
}

/// The app with another request timeout, to see a timeout without waiting half a minute.
pub async fn spawn_app_with_timeout(timeout: std::time::Duration) -> TestApp {
    spawn_app_with(AppOptions {
        timeout,
        ..AppOptions::default()
    })
    .await
}

/// What a test may change about the app it spawns.
#[derive(Clone, Debug)]
pub struct AppOptions {
    pub timeout: std::time::Duration,
    pub statement_timeout: std::time::Duration,
    pub trusted_proxies: TrustedProxies,
    /// PostgreSQL: reach the database through this address (a proxy the test controls)
    /// instead of directly.
    pub database_via: Option<SocketAddr>,
    /// The largest import upload (the app's default when `None`).
    pub import_max_bytes: Option<usize>,
    /// Whether this instance runs jobs (else they stay queued until some workers start).
    pub workers: bool,
    /// Where the app sends mail (`LEADS_SMTP_URL`); none → no mail.
    pub smtp_url: Option<String>,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            timeout: server::router::REQUEST_TIMEOUT,
            statement_timeout: db::STATEMENT_TIMEOUT,
            trusted_proxies: TrustedProxies::default(),
            database_via: None,
            import_max_bytes: None,
            workers: true,
            smtp_url: None,
        }
    }
}

/// The host:port of a PostgreSQL URL.
pub fn database_authority(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
        .to_owned()
}

/// Citus: registering a database's nodes and migrating it create and alter the cluster-wide app
/// role on every node; two tests doing so at once collide ("tuple concurrently updated").
static CITUS_SETUP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The count budget (ms) of searched totals in tests. A test that expects an exact total must not
/// get the estimate because the machine was busy: a debug build counting on two loaded cores
/// overran a 25 ms budget. On Citus each count also crosses to a worker, and on a pooled
/// connection's first use opens its connection there (what a Citus deployment sets with
/// LEADS_COUNT_BUDGET_MS). The budget's own behaviour is tested by squeezing it
/// (tests/count_budget.rs).
pub const TEST_COUNT_BUDGET_MS: u32 = 1_000;

pub async fn spawn_app_with(options: AppOptions) -> TestApp {
    let setup = match on_citus() {
        true => Some(CITUS_SETUP.lock().await),
        false => None,
    };
    app::server::service::set_count_budget_ms(TEST_COUNT_BUDGET_MS);
    let test_db = TestDb::new().await;
    let migrator = db::connect(&test_db.url)
        .await
        .expect("connect to the test database");
    db::migrate(&migrator)
        .await
        .expect("migrate the test database");
    // As at start-up: the app serves from connections opened after the migration.
    migrator.close().await.ok();
    drop(setup);
    let url = match options.database_via {
        Some(via) => test_db
            .url
            .replacen(&database_authority(&test_db.url), &via.to_string(), 1),
        None => test_db.url.clone(),
    };
    let conn = db::connect_with(&url, options.statement_timeout)
        .await
        .expect("connect to the test database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let mut state = AppState::new(conn.clone(), server::config::leptos_options(addr))
        .with_trusted_proxies(options.trusted_proxies);
    if let Some(bytes) = options.import_max_bytes {
        state = state.with_import_max_bytes(bytes);
    }
    if let Some(url) = &options.smtp_url {
        let mailer =
            app::server::service::mailer::Mailer::from_url(url, "Leads <leads@example.com>")
                .expect("a valid SMTP URL");
        state = state.with_mailer(mailer);
    }
    let router = server::router::build_with_timeout(state, options.timeout);
    if options.workers {
        app::server::service::jobs::start_workers(conn.clone());
    }
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("serve");
    });
    TestApp {
        addr,
        db: conn,
        base: format!("http://{addr}"),
        _test_db: test_db,
    }
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .build()
        .expect("client")
}

/// A client that reports redirects instead of following them (to assert on `Location`).
pub fn no_redirects() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A client without a cookie jar that sends `Authorization: Bearer <token>` on every request.
pub fn bearer_client(token: &str) -> Client {
    let mut headers = HeaderMap::new();
    headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).expect("token is header-safe"),
    );
    Client::builder()
        .default_headers(headers)
        .build()
        .expect("client")
}

/// A signed-up user: its own cookie jar (or bearer token), its workspace, and its session secret.
pub struct TestUser {
    pub client: Client,
    pub email: String,
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub session: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The test database's own URL (for a second, independent connection).
    pub fn db_url(&self) -> &str {
        &self._test_db.url
    }

    pub async fn signup(&self, workspace: &str) -> TestUser {
        let email = format!("{}@example.com", Uuid::new_v4().simple());
        let client = client();
        let response = client
            .post(self.url("/api/v1/auth/signup"))
            .json(&json!({ "email": email, "password": PASSWORD, "workspaceName": workspace }))
            .send()
            .await
            .expect("signup request");
        assert_eq!(response.status(), StatusCode::CREATED, "signup failed");
        let session = session_secret(&response).expect("signup sets the session cookie");
        let body: Value = response.json().await.expect("signup body");
        TestUser {
            client,
            email,
            tenant_id: body["tenant"]["id"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("tenant id"),
            user_id: body["user"]["id"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("user id"),
            session,
        }
    }

    /// A new person who signs up (their own workspace), is invited into `owner`'s workspace as
    /// `role`, accepts, and switches their session to it.
    pub async fn join(&self, owner: &TestUser, role: &str) -> TestUser {
        let mut person = self.signup("their own").await;
        let (status, invited) = owner
            .post(
                self,
                "/api/v1/invitations",
                json!({ "email": person.email, "role": role }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{invited}");
        let secret = invitation_secret(&invited);
        let (status, body) = person
            .post(
                self,
                "/api/v1/invitations/accept",
                json!({ "secret": secret }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let response = person
            .request(self, reqwest::Method::POST, "/api/v1/auth/switch")
            .json(&json!({ "tenantId": owner.tenant_id }))
            .send()
            .await
            .expect("switch");
        assert_eq!(response.status(), StatusCode::OK);
        person.session = session_secret(&response).expect("switching sets a new session");
        person.tenant_id = owner.tenant_id;
        person
    }

    /// A request from a client with no cookies and no token.
    pub fn anonymous(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        Client::new().request(method, self.url(path))
    }

    /// An anonymous JSON POST (sign-up, sign-in).
    pub async fn post_anonymous(&self, path: &str, body: Value) -> (StatusCode, Value) {
        read(
            self.anonymous(reqwest::Method::POST, path)
                .json(&body)
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    /// The tenant context a session secret authenticates to, exactly as a request would get it.
    pub async fn context(&self, session: &str) -> TenantContext {
        auth::authenticate(&self.db, &Credential::Session(session.to_owned().into()))
            .await
            .expect("session authenticates")
            .context
    }

    /// The tenant's leads as stored, in id order.
    pub async fn leads_in_db(&self, tenant_id: Uuid) -> Vec<lead::Model> {
        lead::Entity::find()
            .filter(lead::Column::TenantId.eq(tenant_id))
            .order_by_asc(lead::Column::Id)
            .all(&self.db)
            .await
            .expect("read leads")
    }

    pub async fn lead_in_db(&self, tenant_id: Uuid, id: &str) -> Option<lead::Model> {
        lead::Entity::find_by_id((tenant_id, id.parse::<Uuid>().expect("uuid")))
            .one(&self.db)
            .await
            .expect("read lead")
    }

    /// The tenant's API tokens as stored (revoked ones too), in id order.
    pub async fn tokens_in_db(&self, tenant_id: Uuid) -> Vec<api_token::Model> {
        api_token::Entity::find()
            .filter(api_token::Column::TenantId.eq(tenant_id))
            .order_by_asc(api_token::Column::Id)
            .all(&self.db)
            .await
            .expect("read tokens")
    }

    /// The stored session whose secret is `secret`, if any.
    pub async fn session_in_db(&self, secret: &str) -> Option<session::Model> {
        session::Entity::find()
            .filter(session::Column::SecretHash.eq(sha256_hex(secret)))
            .one(&self.db)
            .await
            .expect("read sessions")
    }
}

/// The secret at the end of an invitation's link.
pub fn invitation_secret(created: &Value) -> String {
    let link = created["link"].as_str().expect("link");
    let (_, secret) = link.rsplit_once("/invite/").expect("an /invite/ link");
    secret.to_owned()
}

pub fn sha256_hex(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `leads_session` Set-Cookie header of a response, whole.
pub fn session_set_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("leads_session="))
        .map(str::to_owned)
}

/// The session secret a response's Set-Cookie carries (`None` when absent or cleared).
pub fn session_secret(response: &Response) -> Option<String> {
    let cookie = session_set_cookie(response)?;
    let value = cookie.strip_prefix("leads_session=")?.split(';').next()?;
    (!value.is_empty()).then(|| value.to_owned())
}

/// The message a 400 validation error gives for `field`; panics with the body if it is not one.
#[track_caller]
pub fn field_error(status: StatusCode, body: &Value, field: &str) -> String {
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "expected a validation error naming {field:?}, got {body}"
    );
    assert_eq!(body["error"]["code"], "validation", "{body}");
    body["error"]["fields"][field]
        .as_str()
        .unwrap_or_else(|| panic!("no error for {field:?} in {body}"))
        .to_owned()
}

/// Asserts the standard error shape with the given status and code.
#[track_caller]
pub fn assert_error(actual: (StatusCode, Value), status: StatusCode, code: &str) {
    let (actual_status, body) = actual;
    assert_eq!(
        (actual_status, body["error"]["code"].as_str()),
        (status, Some(code)),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "errors carry a message: {body}"
    );
}

/// Sends all requests at once and returns their answers in order.
pub async fn all_at_once(requests: Vec<reqwest::RequestBuilder>) -> Vec<(StatusCode, Value)> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|r| tokio::spawn(async move { read(r.send().await.expect("request")).await }))
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("task"));
    }
    answers
}

/// A query string from pairs, percent-encoded.
pub fn query(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).expect("encodable query")
}

/// The `id` of every object in a JSON array.
pub fn ids(array: &Value) -> Vec<String> {
    array
        .as_array()
        .expect("an array")
        .iter()
        .map(|item| item["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// The status and JSON body of a response (`Value::Null` when it has none).
pub async fn read(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

impl TestUser {
    /// The same user acting with an API token instead of its session cookie.
    pub fn with_token(&self, token: &str) -> TestUser {
        TestUser {
            client: bearer_client(token),
            email: self.email.clone(),
            tenant_id: self.tenant_id,
            user_id: self.user_id,
            session: String::new(),
        }
    }

    pub fn request(&self, app: &TestApp, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client.request(method, app.url(path))
    }

    /// Creates a contact, asserting 201, and returns its JSON.
    pub async fn create_contact(&self, app: &TestApp, body: Value) -> Value {
        let (status, created) = self.post(app, "/api/v1/contacts", body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "creating {body}: {created}");
        created
    }

    /// A list request; `query` is the raw query string (without `?`).
    pub async fn list(&self, app: &TestApp, query: &str) -> (StatusCode, Value) {
        self.get(app, &format!("/api/v1/contacts?{query}")).await
    }

    /// The ids of one page of a successful list request, and its `meta`.
    pub async fn list_ids(&self, app: &TestApp, query: &str) -> (Vec<String>, Value) {
        let (status, body) = self.list(app, query).await;
        assert_eq!(status, StatusCode::OK, "?{query}: {body}");
        (ids(&body["data"]), body["meta"].clone())
    }

    /// Creates an API token, asserting 201, and returns `{id, name, token}`.
    pub async fn create_token(&self, app: &TestApp, name: &str) -> Value {
        let (status, created) = self
            .post(app, "/api/v1/tokens", json!({ "name": name }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        created
    }

    /// Sends a request as this user, with an optional JSON body.
    async fn send(
        &self,
        app: &TestApp,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.request(app, method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.expect("request")).await
    }

    pub async fn get(&self, app: &TestApp, path: &str) -> (StatusCode, Value) {
        self.send(app, reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(app, reqwest::Method::POST, path, Some(body))
            .await
    }

    pub async fn patch(&self, app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(app, reqwest::Method::PATCH, path, Some(body))
            .await
    }

    pub async fn delete(&self, app: &TestApp, path: &str) -> (StatusCode, Value) {
        self.send(app, reqwest::Method::DELETE, path, None).await
    }
}

/// Inserts `n` contacts of the user's workspace straight into the database (far faster than
/// the API, for tests that need thousands): `s{i}@example.com`, company `Even` or `Odd` by
/// `i`'s parity, score `i % 100`, attributes `{"n": i}`.
#[allow(dead_code)]
pub async fn insert_contacts(app: &TestApp, user: &TestUser, n: usize) {
    use sea_orm::{EntityTrait, IntoActiveModel};
    let now = chrono::Utc::now();
    let models: Vec<lead::ActiveModel> = (0..n)
        .map(|i| {
            lead::Model {
                tenant_id: user.tenant_id,
                id: Uuid::now_v7(),
                email: format!("s{i}@example.com"),
                email_key: format!("s{i}@example.com"),
                name: String::new(),
                first_name: String::new(),
                last_name: String::new(),
                company: if i % 2 == 0 {
                    "Even".into()
                } else {
                    "Odd".into()
                },
                status: "active".into(),
                score: (i % 100) as i32,
                attributes: serde_json::json!({ "n": i }),
                created: now,
                updated: now,
            }
            .into_active_model()
        })
        .collect();
    for chunk in models.chunks(500) {
        lead::Entity::insert_many(chunk.to_vec())
            .exec(&app.db)
            .await
            .expect("insert contacts");
    }
}

/// Polls `/api/v1/jobs/{id}` as `user` until the job has finished (a minute at most); the job.
#[allow(dead_code)]
pub async fn wait_for_job(app: &TestApp, user: &TestUser, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, job) = user.get(app, &format!("/api/v1/jobs/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        if job["finished"].is_string() {
            return job;
        }
        assert!(Instant::now() < deadline, "job did not finish: {job}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
