//! Arbitrary input to every route never earns a 5xx: random JSON bodies and query strings go to
//! every operation in the OpenAPI document (signed in, so they pass authentication), to the
//! pages, and to the sign-in and sign-up server functions. Deterministic: the seed is fixed
//! unless `FUZZ_SEED` is set, and printed.

mod common;

use common::{TestApp, TestUser, read, spawn_app};
use leptos::server_fn::ServerFn;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

const CASES_PER_ROUTE: usize = 40;

/// Text that reaches the awkward corners: NUL and other controls, combining marks, right-to-left
/// marks, SQL and LIKE metacharacters, very long runs, numbers as text.
fn nasty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,20}",
        "[\\x00-\\x1f%_\\\\'\";:]{0,8}",
        Just("\u{0}".to_owned()),
        Just("x".repeat(5000)),
        Just("ÜNAL@Umlaut.de".to_owned()),
        Just("a@b.co".to_owned()),
        Just("-9223372036854775809".to_owned()),
        Just("1e309".to_owned()),
        Just("2026-02-30T25:61:00Z".to_owned()),
        "[a-z]{1,8}@[a-z]{1,8}\\.[a-z]{2,3}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        nasty_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(nasty_text(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A body shaped like what the routes expect, with arbitrary values in the known fields.
fn json_body() -> impl Strategy<Value = Value> {
    let field = prop_oneof![
        Just("email"),
        Just("password"),
        Just("workspaceName"),
        Just("name"),
        Just("firstName"),
        Just("lastName"),
        Just("company"),
        Just("status"),
        Just("score"),
        Just("attributes"),
    ];
    prop_oneof![
        json_value(),
        prop::collection::btree_map(field, json_value(), 0..8).prop_map(|m| {
            Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
        }),
    ]
}

fn query_string() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("page".to_owned()),
        Just("limit".to_owned()),
        Just("search".to_owned()),
        Just("status".to_owned()),
        Just("sort".to_owned()),
        Just("order".to_owned()),
        Just("cursor".to_owned()),
        Just("filter".to_owned()),
        Just("next".to_owned()),
        nasty_text(),
    ];
    // Filter conditions of the right shape (known fields and operators) with hostile values.
    let field = prop::sample::select(vec![
        "email",
        "emailDomain",
        "name",
        "company",
        "status",
        "score",
        "created",
        "updated",
        "attributes.plan",
        "attributes.a b.c",
    ]);
    let op = prop::sample::select(
        app::domain::filter::FilterOp::ALL
            .map(|o| o.as_str())
            .to_vec(),
    );
    let condition = (field, op, nasty_text())
        .prop_map(|(f, o, v)| ("filter".to_owned(), format!("{f}:{o}:{v}")));
    let pair = prop_oneof![(key, nasty_text()), condition];
    prop::collection::vec(pair, 0..5).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).unwrap()[1..].to_owned()
}

fn runner() -> TestRunner {
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261125);
    println!("FUZZ_SEED={seed}");
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

fn sample<S: Strategy>(runner: &mut TestRunner, strategy: &S) -> S::Value {
    strategy.new_tree(runner).expect("a sample").current()
}

/// Every operation of the OpenAPI document, with path parameters filled by `id`.
async fn operations(app: &TestApp, id: &str) -> Vec<(Method, String)> {
    let (_, doc) = read(reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap()).await;
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let mut concrete = path.clone();
            while let (Some(start), Some(end)) = (concrete.find('{'), concrete.find('}')) {
                concrete.replace_range(start..=end, id);
            }
            ops.push((method, concrete));
        }
    }
    ops
}

fn assert_no_server_error(status: StatusCode, what: &str, body: &Value) {
    assert!(
        !status.is_server_error(),
        "{what} answered {status}: {body}"
    );
}

async fn send(user: &TestUser, app: &TestApp, method: Method, path: &str, body: Option<&Value>) {
    let mut request = user.request(app, method.clone(), path);
    if let Some(body) = body {
        request = request.json(body);
    }
    let (status, response) = read(request.send().await.expect("request")).await;
    let shown = body.map(|b| b.to_string()).unwrap_or_default();
    assert_no_server_error(
        status,
        &format!(
            "{method} {path} with {}",
            shown.chars().take(300).collect::<String>()
        ),
        &response,
    );
}

#[tokio::test]
async fn arbitrary_json_and_query_strings_never_earn_a_server_error() {
    let app = spawn_app().await;
    let user = app.signup("Fuzz").await;
    let contact = user
        .create_contact(&app, json!({"email": "kept@example.com"}))
        .await;
    let id = contact["id"].as_str().unwrap().to_owned();
    let mut runner = runner();
    let (bodies, queries) = (json_body(), query_string());

    for (method, path) in operations(&app, &id).await {
        if path.ends_with("/auth/logout") {
            continue; // would end the session the other cases use
        }
        for _ in 0..CASES_PER_ROUTE {
            let query = sample(&mut runner, &queries);
            let target = format!("{path}?{query}");
            let body = sample(&mut runner, &bodies);
            let body =
                matches!(method, Method::POST | Method::PATCH | Method::PUT).then_some(&body);
            send(&user, &app, method.clone(), &target, body).await;
        }
    }
    // Path parameters that are not ids at all.
    for _ in 0..CASES_PER_ROUTE {
        let junk = urlencode(&sample(&mut runner, &nasty_text()));
        for method in [Method::GET, Method::PATCH, Method::DELETE] {
            send(
                &user,
                &app,
                method,
                &format!("/api/v1/contacts/{junk}"),
                Some(&json!({})),
            )
            .await;
        }
    }
}

#[tokio::test]
async fn arbitrary_page_queries_and_form_posts_never_earn_a_server_error() {
    let app = spawn_app().await;
    let user = app.signup("Fuzz").await;
    let mut runner = runner();
    let queries = query_string();
    for page in ["/", "/login", "/signup", "/contacts", "/contacts/not-an-id"] {
        for _ in 0..CASES_PER_ROUTE {
            let target = format!("{page}?{}", sample(&mut runner, &queries));
            for client in [&user.client, &reqwest::Client::new()] {
                let response = client.get(app.url(&target)).send().await.unwrap();
                let status = response.status();
                assert_no_server_error(status, &format!("GET {target}"), &Value::Null);
            }
        }
    }
    let text = nasty_text();
    let no_redirects = common::no_redirects();
    for _ in 0..CASES_PER_ROUTE {
        let fields = [
            ("email", sample(&mut runner, &text)),
            ("password", sample(&mut runner, &text)),
            ("workspace_name", sample(&mut runner, &text)),
            ("next", sample(&mut runner, &text)),
        ];
        let form = serde_urlencoded::to_string(fields).unwrap();
        for path in [
            app::api::account::Login::PATH,
            app::api::account::Signup::PATH,
        ] {
            let response = no_redirects
                .post(app.url(path))
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form.clone())
                .send()
                .await
                .unwrap();
            let status = response.status();
            let (_, body) = read(response).await;
            assert_no_server_error(status, &format!("POST {path} {form}"), &body);
        }
    }
}
