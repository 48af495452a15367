//! Probes, security headers, and the API's JSON 404.

mod common;

use common::{read, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn healthz_and_readyz_answer() {
    let app = spawn_app().await;
    let (status, body) = read(reqwest::get(app.url("/healthz")).await.unwrap()).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ok"})));
    let (status, body) = read(reqwest::get(app.url("/readyz")).await.unwrap()).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ready"))
    );
}

#[tokio::test]
async fn readyz_reports_a_lost_database() {
    let app = spawn_app().await;
    app.db.clone().close().await.unwrap();
    let (status, body) = read(reqwest::get(app.url("/readyz")).await.unwrap()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body["reason"].as_str().is_some());
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_nonce_policy() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let h = response.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.contains_key("referrer-policy"));
    assert!(h.contains_key("x-request-id"));
    let csp = h["content-security-policy"].to_str().unwrap().to_owned();
    assert!(
        csp.contains("frame-ancestors 'none'")
            && csp.contains("'wasm-unsafe-eval'")
            && csp.contains("'nonce-"),
        "{csp}"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_owned();
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the header's nonce"
    );
    assert!(html.contains("Leads"));
}

#[tokio::test]
async fn unknown_api_routes_are_json_404s() {
    let app = spawn_app().await;
    let (status, body) = read(reqwest::get(app.url("/api/v1/nope")).await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn unknown_pages_render_the_not_found_page() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/no/such/page")).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("Not found"));
}

#[tokio::test]
async fn a_request_that_times_out_gets_a_json_503() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = common::spawn_app_with_timeout(std::time::Duration::from_millis(300)).await;
    // A body that is announced but never sent keeps the handler waiting past the timeout.
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{",
        app.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).await.unwrap();
            response.extend_from_slice(&buf[..n]);
            if n == 0 || String::from_utf8_lossy(&response).contains("\"timeout\"") {
                break;
            }
        }
    });
    read.await.expect("the server answers within the timeout");
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(
        text.contains("application/json") && text.contains("\"code\":\"timeout\""),
        "{text}"
    );
}
