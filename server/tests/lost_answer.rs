//! A create whose answer was lost with its connection. A test binary of its own: a lost
//! connection makes the whole process ping its pooled connections for a while
//! (`db::note_lost_connection`), which would also rescue the outage test in `hardening.rs` and
//! hide whether its retries work.

mod common;

use common::{AppOptions, Backend, backend, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

/// A TCP relay to PostgreSQL that, once armed, lets the first statement holding a given text be
/// prepared (a message of its own, answered), then passes on its execution but never the
/// answer: the link is closed after PostgreSQL had time to act on it, as when a connection dies
/// between a commit and its acknowledgement.
struct AnswerDropper {
    addr: std::net::SocketAddr,
    armed: std::sync::Arc<std::sync::Mutex<Option<&'static [u8]>>>,
    dropped: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl AnswerDropper {
    async fn start(target: String) -> Self {
        use std::sync::atomic::Ordering;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay = AnswerDropper {
            addr: listener.local_addr().unwrap(),
            armed: Default::default(),
            dropped: Default::default(),
        };
        let (armed, dropped) = (relay.armed.clone(), relay.dropped.clone());
        tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let Ok(outbound) = tokio::net::TcpStream::connect(&target).await else {
                    continue;
                };
                let (armed, dropped) = (armed.clone(), dropped.clone());
                let muted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
                let (mut client_in, mut client_out) = inbound.into_split();
                let (mut server_in, mut server_out) = outbound.into_split();
                let muted_answers = muted.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = server_in.read(&mut buf).await {
                        if n == 0 || muted_answers.load(Ordering::SeqCst) {
                            break;
                        }
                        if client_out.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    let (mut prepared, mut deadline) = (false, None);
                    loop {
                        let read = match deadline {
                            None => client_in.read(&mut buf).await,
                            Some(at) => {
                                match tokio::time::timeout_at(at, client_in.read(&mut buf)).await {
                                    Ok(read) => read,
                                    Err(_) => break, // PostgreSQL has had its time: close the link
                                }
                            }
                        };
                        let Ok(n) = read else { break };
                        if n == 0 {
                            break;
                        }
                        let chunk = &buf[..n];
                        if prepared && deadline.is_none() {
                            // The execution: muted before PostgreSQL can answer it.
                            muted.store(true, Ordering::SeqCst);
                            dropped.store(true, Ordering::SeqCst);
                            deadline =
                                Some(tokio::time::Instant::now() + Duration::from_millis(300));
                        }
                        let needle = armed
                            .lock()
                            .unwrap()
                            .filter(|needle| chunk.windows(needle.len()).any(|w| w == *needle));
                        if needle.is_some() {
                            *armed.lock().unwrap() = None;
                            prepared = true;
                        }
                        if server_out.write_all(chunk).await.is_err() {
                            break;
                        }
                    }
                    // Both halves of the client's socket go: it sees its connection closed.
                    drop(client_in);
                });
            }
        });
        relay
    }

    fn drop_the_answer_to(&self, needle: &'static str) {
        *self.armed.lock().unwrap() = Some(needle.as_bytes());
    }

    fn dropped(&self) -> bool {
        self.dropped.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A create whose connection dies after PostgreSQL committed it but before the answer came
/// back is tried once more; that second try finds the contact the first one wrote and answers
/// 201 with it, not a 409 against its own row nor a second contact.
#[tokio::test]
async fn a_create_whose_answer_was_lost_is_not_a_duplicate_of_itself() {
    if backend() != Backend::Postgres || common::on_citus() {
        println!("the create's one statement runs on plain PostgreSQL only; skipped");
        return;
    }
    let relay = AnswerDropper::start(common::database_authority(&common::admin_url())).await;
    let app = spawn_app_with(AppOptions {
        database_via: Some(relay.addr),
        ..AppOptions::default()
    })
    .await;
    let user = app.signup("Acme").await;
    relay.drop_the_answer_to("create_lead");
    let (status, body) = user
        .post(&app, "/api/v1/contacts", json!({"email": "once@b.co"}))
        .await;
    assert!(relay.dropped(), "the create never reached the relay");
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let stored = app.leads_in_db(user.tenant_id).await;
    assert_eq!(stored.len(), 1, "one contact, written once");
    assert_eq!(stored[0].id.to_string(), body["id"].as_str().unwrap());
}
