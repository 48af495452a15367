//! A real SMTP server inside the test, on a random port: it speaks the protocol's happy path
//! (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and keeps every message it is given, so a
//! test can read what the app mailed. Small enough to read, which a mail-server crate is not.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone, Debug, Default)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body as received (dot-stuffing undone).
    pub data: String,
}

impl Mail {
    /// The message with quoted-printable soft line breaks undone (long lines such as links
    /// arrive split at 76 characters).
    pub fn text(&self) -> String {
        self.data
            .replace("=\r\n", "")
            .replace("=\n", "")
            .replace("=3D", "=")
    }
}

#[derive(Clone, Default)]
pub struct SmtpSink {
    pub addr: Option<SocketAddr>,
    received: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let sink = Self {
            addr: Some(listener.local_addr().expect("addr")),
            received: Arc::default(),
        };
        let received = sink.received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let received = received.clone();
                tokio::spawn(async move {
                    let _ = serve(socket, received).await;
                });
            }
        });
        sink
    }

    /// `smtp://127.0.0.1:<port>`: plain SMTP, what `LEADS_SMTP_URL` takes.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr.expect("started"))
    }

    pub fn messages(&self) -> Vec<Mail> {
        self.received.lock().unwrap().clone()
    }
}

async fn serve(
    socket: tokio::net::TcpStream,
    received: Arc<Mutex<Vec<Mail>>>,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink ESMTP ready\r\n").await?;
    let mut mail = Mail::default();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if command.starts_with("HELO") || command.starts_with("NOOP") {
            b"250 ok\r\n"
        } else if command.starts_with("MAIL FROM:") {
            mail = Mail {
                from: address(&line),
                ..Mail::default()
            };
            b"250 ok\r\n"
        } else if command.starts_with("RCPT TO:") {
            mail.to.push(address(&line));
            b"250 ok\r\n"
        } else if command == "DATA" {
            write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let text = line.strip_prefix('.').unwrap_or(&line);
                mail.data.push_str(text);
            }
            received.lock().unwrap().push(std::mem::take(&mut mail));
            b"250 queued\r\n"
        } else if command.starts_with("RSET") {
            mail = Mail::default();
            b"250 ok\r\n"
        } else if command.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

/// The address inside `MAIL FROM:<a@b>` / `RCPT TO:<a@b>`.
fn address(line: &str) -> String {
    line.split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(a, _)| a.to_owned())
        .unwrap_or_default()
}
